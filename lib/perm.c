/* perm.c: permissions documents, group grants and their validation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "group.h"
#include "json.h"
#include "mem.h"
#include "perm.h"

/* One flag: its section, key, seeding environment variable, default in
 * DEFAULT_USER_PERMISSIONS (config.py) and in the pydantic model. */
struct perm_leaf {
	const char	*section;
	const char	*key;
	const char	*env;
	int		 conf_def;
	int		 model_def;
};

#define PE(s)	"USER_PERMISSIONS_" s
static const struct perm_leaf perm_leaves[] = {
	{ "workspace", "models", PE("WORKSPACE_MODELS_ACCESS"), 0, 0 },
	{ "workspace", "knowledge", PE("WORKSPACE_KNOWLEDGE_ACCESS"), 0, 0 },
	{ "workspace", "prompts", PE("WORKSPACE_PROMPTS_ACCESS"), 0, 0 },
	{ "workspace", "tools", PE("WORKSPACE_TOOLS_ACCESS"), 0, 0 },
	{ "sharing", "public_models",
	    PE("WORKSPACE_MODELS_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "sharing", "public_knowledge",
	    PE("WORKSPACE_KNOWLEDGE_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "sharing", "public_prompts",
	    PE("WORKSPACE_PROMPTS_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "sharing", "public_tools",
	    PE("WORKSPACE_TOOLS_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "sharing", "public_notes", PE("NOTES_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "chat", "controls", PE("CHAT_CONTROLS"), 1, 1 },
	{ "chat", "valves", PE("CHAT_VALVES"), 1, 1 },
	{ "chat", "system_prompt", PE("CHAT_SYSTEM_PROMPT"), 1, 1 },
	{ "chat", "params", PE("CHAT_PARAMS"), 1, 1 },
	{ "chat", "file_upload", PE("CHAT_FILE_UPLOAD"), 1, 1 },
	{ "chat", "delete", PE("CHAT_DELETE"), 1, 1 },
	{ "chat", "delete_message", PE("CHAT_DELETE_MESSAGE"), 1, 1 },
	{ "chat", "continue_response", PE("CHAT_CONTINUE_RESPONSE"), 1, 1 },
	{ "chat", "regenerate_response", PE("CHAT_REGENERATE_RESPONSE"),
	    1, 1 },
	{ "chat", "rate_response", PE("CHAT_RATE_RESPONSE"), 1, 1 },
	{ "chat", "edit", PE("CHAT_EDIT"), 1, 1 },
	{ "chat", "share", PE("CHAT_SHARE"), 1, 1 },
	{ "chat", "export", PE("CHAT_EXPORT"), 1, 1 },
	{ "chat", "stt", PE("CHAT_STT"), 1, 1 },
	{ "chat", "tts", PE("CHAT_TTS"), 1, 1 },
	{ "chat", "call", PE("CHAT_CALL"), 1, 1 },
	{ "chat", "multiple_models", PE("CHAT_MULTIPLE_MODELS"), 1, 1 },
	{ "chat", "temporary", PE("CHAT_TEMPORARY"), 1, 1 },
	{ "chat", "temporary_enforced", PE("CHAT_TEMPORARY_ENFORCED"), 0, 0 },
	{ "features", "direct_tool_servers",
	    PE("FEATURES_DIRECT_TOOL_SERVERS"), 0, 0 },
	{ "features", "web_search", PE("FEATURES_WEB_SEARCH"), 1, 1 },
	{ "features", "image_generation", PE("FEATURES_IMAGE_GENERATION"),
	    1, 1 },
	{ "features", "code_interpreter", PE("FEATURES_CODE_INTERPRETER"),
	    1, 1 },
	{ "features", "notes", PE("FEATURES_NOTES"), 1, 1 },
};
#undef PE

#define PERM_NLEAVES	(sizeof(perm_leaves) / sizeof(perm_leaves[0]))

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
perm_env_defaults(void)
{
	json_object *o = json_object_new_object();
	const char *v;
	size_t i;
	int on;

	for (i = 0; i < PERM_NLEAVES; i++) {
		v = getenv(perm_leaves[i].env);
		on = v != NULL ? strcasecmp(v, "true") == 0 :
		    perm_leaves[i].conf_def;
		json_object_object_add(perm_section(o, perm_leaves[i].section),
		    perm_leaves[i].key, json_object_new_boolean(on));
	}
	return o;
}

/* Appends a FastAPI error item to errs. input is borrowed. */
static void
perm_error(json_object *errs, const char *loc0, const char *section,
    const char *key, const char *type, const char *msg, json_object *input)
{
	json_object *e = json_object_new_object(), *loc = json_object_new_array();

	json_object_array_add(loc, json_object_new_string(loc0));
	if (section != NULL)
		json_object_array_add(loc, json_object_new_string(section));
	if (key != NULL)
		json_object_array_add(loc, json_object_new_string(key));
	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_object_add(e, "loc", loc);
	json_object_object_add(e, "msg", json_object_new_string(msg));
	json_object_object_add(e, "input", json_object_get(input));
	json_object_array_add(errs, e);
}

/* pydantic's lax bool: returns 0 or 1, or -1 for bool_parsing and -2 for
 * bool_type. */
static int
perm_lax_bool(json_object *v)
{
	static const char *const yes[] = { "1", "on", "t", "true", "y", "yes" };
	static const char *const no[] = { "0", "off", "f", "false", "n", "no" };
	const char *s;
	double d;
	int64_t i;
	size_t k;

	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		i = json_object_get_int64(v);
		return i == 0 || i == 1 ? (int)i : -1;
	case json_type_double:
		d = json_object_get_double(v);
		if (d == 0.0 || d == 1.0)
			return d == 1.0;
		return isfinite(d) && d == floor(d) ? -1 : -2;
	case json_type_string:
		s = json_object_get_string(v);
		for (k = 0; k < sizeof(yes) / sizeof(yes[0]); k++) {
			if (strcasecmp(s, yes[k]) == 0)
				return 1;
			if (strcasecmp(s, no[k]) == 0)
				return 0;
		}
		return -1;
	default:
		return -2;
	}
}

json_object *
perm_validate(json_object *doc, int sections_required, const char *loc0,
    json_object **out)
{
	json_object *errs = json_object_new_array();
	json_object *res = json_object_new_object();
	json_object *sec, *v, *dst;
	size_t s, i;
	int b;

	if (!json_object_is_type(doc, json_type_object)) {
		perm_error(errs, loc0, NULL, NULL, "model_attributes_type",
		    "Input should be a valid dictionary or object to extract "
		    "fields from", doc);
		goto fail;
	}
	for (s = 0; s < sizeof(perm_sections) / sizeof(perm_sections[0]); s++) {
		const char *name = perm_sections[s];

		if (!json_object_object_get_ex(doc, name, &sec) ||
		    (!sections_required && sec == NULL)) {
			if (sections_required) {
				perm_error(errs, loc0, name, NULL, "missing",
				    "Field required", doc);
				continue;
			}
			sec = NULL;
		} else if (!json_object_is_type(sec, json_type_object)) {
			perm_error(errs, loc0, name, NULL,
			    "model_attributes_type", "Input should be a valid "
			    "dictionary or object to extract fields from", sec);
			continue;
		}
		dst = perm_section(res, name);
		for (i = 0; i < PERM_NLEAVES; i++) {
			if (strcmp(perm_leaves[i].section, name) != 0)
				continue;
			if (sec == NULL || !json_object_object_get_ex(sec,
			    perm_leaves[i].key, &v))
				b = perm_leaves[i].model_def;
			else if ((b = perm_lax_bool(v)) < 0) {
				perm_error(errs, loc0, name, perm_leaves[i].key,
				    b == -1 ? "bool_parsing" : "bool_type",
				    b == -1 ? "Input should be a valid boolean, "
				    "unable to interpret input" :
				    "Input should be a valid boolean", v);
				continue;
			}
			json_object_object_add(dst, perm_leaves[i].key,
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

/* Python's truth value of a JSON value. */
static int
perm_truthy(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 0;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0.0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return json_object_object_length(v) > 0;
	}
	return 0;
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
		    !perm_truthy(cur))
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

/* Returns the truth of the value at the dotted key; 0 when missing. */
static int
perm_lookup(json_object *o, const char *key)
{
	char *k = xstrdup(key), *part, *save = NULL;
	json_object *v = o;
	int found = 1;

	for (part = strtok_r(k, ".", &save); part != NULL;
	    part = strtok_r(NULL, ".", &save))
		if (!json_object_is_type(v, json_type_object) ||
		    !json_object_object_get_ex(v, part, &v)) {
			found = 0;
			break;
		}
	free(k);
	return found && perm_truthy(v);
}

enum err
perm_has(struct db *db, struct arena *a, const char *user_id,
    const char *key, int *yes)
{
	json_object *def, *env, *gp;
	struct group **groups;
	enum err e;
	int i, n;

	if ((e = group_list_by_member(db, a, user_id, &groups, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++)
		if ((gp = perm_group_doc(a, groups[i])) != NULL &&
		    perm_lookup(gp, key)) {
			*yes = 1;
			return ERR_OK;
		}
	def = json_on_arena(a, perm_copy(perm_configured()));
	env = json_on_arena(a, perm_env_defaults());
	perm_fill(def, env);
	*yes = perm_lookup(def, key);
	return ERR_OK;
}
