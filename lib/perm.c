/* perm.c: permissions documents, group grants and their validation. */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "group.h"
#include "json.h"
#include "perm.h"

static const char *const perm_sections[] = {
	"workspace", "sharing", "chat", "features"
};

/* Returns the section object of o, adding an empty one when missing. */
static json_object *
perm_section(json_object *o, const char *name)
{
	json_object *s = json_get(o, name);

	if (s == NULL) {
		s = json_object_new_object();
		json_object_object_add(o, name, s);
	}
	return s;
}

json_object *
perm_validate(json_object *doc, int sections_required, const char *loc0,
    json_object **out)
{
	json_object *errs = json_object_new_array();
	json_object *res = json_object_new_object();
	json_object *sec, *v, *dst;
	const struct conf_perm *f;
	size_t s;
	int b;

	if (!json_object_is_type(doc, json_type_object)) {
		json_error_add(errs, "model_attributes_type",
		    "Input should be a valid dictionary or object to extract "
		    "fields from", doc, loc0, NULL, NULL);
		goto fail;
	}
	for (s = 0; s < sizeof(perm_sections) / sizeof(perm_sections[0]); s++) {
		const char *name = perm_sections[s];

		if (!json_object_object_get_ex(doc, name, &sec) ||
		    (!sections_required && sec == NULL)) {
			if (sections_required) {
				json_error_add(errs, "missing",
				    "Field required", doc, loc0, name, NULL);
				continue;
			}
			sec = NULL;
		} else if (!json_object_is_type(sec, json_type_object)) {
			json_error_add(errs, "model_attributes_type",
			    "Input should be a valid dictionary or object to "
			    "extract fields from", sec, loc0, name, NULL);
			continue;
		}
		dst = perm_section(res, name);
		for (f = conf_perms; f->section != NULL; f++) {
			if (strcmp(f->section, name) != 0)
				continue;
			if (sec == NULL || !json_object_object_get_ex(sec,
			    f->name, &v))
				b = f->model_def;
			else if ((b = json_lax_bool(v)) < 0) {
				json_error_add(errs,
				    b == -1 ? "bool_parsing" : "bool_type",
				    b == -1 ? "Input should be a valid boolean, "
				    "unable to interpret input" :
				    "Input should be a valid boolean", v,
				    loc0, name, f->name);
				continue;
			}
			json_object_object_add(dst, f->name,
			    json_object_new_boolean(b));
		}
	}
	if (json_object_array_length(errs) > 0)
		goto fail;
	json_object_put(errs);
	*out = res;
	return NULL;
fail:
	json_object_put(res);
	return errs;
}

/* Returns a deep copy of v (NULL, JSON null, gives NULL). */
static json_object *
perm_copy_value(json_object *v)
{
	json_object *c = NULL;

	if (v == NULL || json_object_deep_copy(v, &c, NULL) != 0)
		return NULL;
	return c;
}

/* Returns a deep copy of o (NULL gives an empty object). */
static json_object *
perm_copy(json_object *o)
{
	json_object *c = perm_copy_value(o);

	return c != NULL ? c : json_object_new_object();
}

/* OR-merges the group document g into p: objects recurse, a key already
 * present keeps its value when truthy, else takes g's (Python's `or`). */
static void
perm_combine(json_object *p, json_object *g)
{
	json_object *cur;

	json_object_object_foreach(g, key, val) {
		cur = json_get(p, key);
		if (json_object_is_type(val, json_type_object)) {
			if (cur == NULL || !json_object_is_type(cur,
			    json_type_object)) {
				cur = json_object_new_object();
				json_object_object_add(p, key, cur);
			}
			perm_combine(cur, val);
		} else if (!json_object_object_get_ex(p, key, NULL) ||
		    !json_truthy(cur))
			json_object_object_add(p, key, perm_copy_value(val));
	}
}

/* Fills keys of def missing in p, recursing where both hold objects. */
static void
perm_fill(json_object *p, json_object *def)
{
	json_object *cur;

	json_object_object_foreach(def, key, val) {
		if (!json_object_object_get_ex(p, key, &cur))
			json_object_object_add(p, key, perm_copy_value(val));
		else if (json_object_is_type(val, json_type_object) &&
		    json_object_is_type(cur, json_type_object))
			perm_fill(cur, val);
	}
}

/* Returns the configured USER_PERMISSIONS document (borrowed), or NULL
 * when it is not an object. */
static json_object *
perm_configured(void)
{
	json_object *c = conf_get(CONF_USER_PERMISSIONS);

	return json_object_is_type(c, json_type_object) ? c : NULL;
}

/* Returns the group's permissions document (arena-owned) or NULL. */
static json_object *
perm_group_doc(struct arena *a, const struct group *g)
{
	json_object *p = json_on_arena(a, json_parse_col(g->permissions));

	return json_object_is_type(p, json_type_object) ? p : NULL;
}

enum err
perm_of_user(struct db *db, struct arena *a, const char *user_id,
    json_object **out)
{
	json_object *p, *def = perm_configured(), *gp;
	struct group **groups;
	enum err e;
	int i, n;

	if ((e = group_list_by_member(db, a, user_id, &groups, &n)) != ERR_OK)
		return e;
	p = perm_copy(def);
	for (i = 0; i < n; i++)
		if ((gp = perm_group_doc(a, groups[i])) != NULL)
			perm_combine(p, gp);
	if (def != NULL)
		perm_fill(p, def);
	*out = p;
	return ERR_OK;
}

enum err
perm_has(struct db *db, struct arena *a, const char *user_id,
    const char *key, int *yes)
{
	json_object *def, *env = conf_default(CONF_USER_PERMISSIONS), *gp;
	struct group **groups;
	enum err e;
	int i, n;

	if ((e = group_list_by_member(db, a, user_id, &groups, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if ((gp = perm_group_doc(a, groups[i])) != NULL &&
		    json_truthy(json_get_path(gp, key))) {
			*yes = 1;
			return ERR_OK;
		}
	def = json_on_arena(a, perm_copy(perm_configured()));
	if (json_object_is_type(env, json_type_object))
		perm_fill(def, env);
	*yes = json_truthy(json_get_path(def, key));
	return ERR_OK;
}
