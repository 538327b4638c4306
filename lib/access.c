/* access.c: access_control documents (Python's utils/access_control.py
 * has_access with strict=True). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access.h"
#include "group.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "user.h"

enum err
access_groups_of(struct db *db, struct arena *a, const char *user_id,
    struct access_groups *out)
{
	struct group **v;
	enum err e;
	int i, n;

	out->ids = NULL;
	out->n = 0;
	if ((e = group_list_by_member(db, a, user_id, &v, &n)) != ERR_OK)
		return e;
	out->ids = arena_alloc(a, sizeof(*out->ids) * (size_t)(n + 1));
	for (i = 0; i < n; i++)
		out->ids[i] = v[i]->id;
	out->n = n;
	return ERR_OK;
}

/* Python's `x in container` for a JSON list of ids or, as Python allows, a
 * string (substring test). Returns 1 or 0; other shapes give 0. */
static int
access_in(json_object *ids, const char *x)
{
	size_t i, n;
	json_object *v;

	if (x == NULL || ids == NULL)
		return 0;
	if (json_object_is_type(ids, json_type_string))
		return strstr(json_object_get_string(ids), x) != NULL;
	if (!json_object_is_type(ids, json_type_array))
		return 0;
	n = json_object_array_length(ids);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(ids, i);
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), x) == 0)
			return 1;
	}
	return 0;
}

int
access_check(const char *user_id, const char *type, json_object *ac,
    const struct access_groups *g)
{
	json_object *perm, *gids;
	int i;

	if (ac == NULL)
		return strcmp(type, "read") == 0;
	if (!json_object_is_type(ac, json_type_object))
		return 0;
	/* access_control.get(type, {}): a present null cannot be read */
	if (!json_object_object_get_ex(ac, type, &perm))
		return 0;
	if (!json_object_is_type(perm, json_type_object))
		return 0;
	if (access_in(json_get(perm, "user_ids"), user_id))
		return 1;
	gids = json_get(perm, "group_ids");
	for (i = 0; g != NULL && i < g->n; i++)
		if (access_in(gids, g->ids[i]))
			return 1;
	return 0;
}

int
access_check_text(const char *user_id, const char *type,
    const char *access_control_json, const struct access_groups *g)
{
	json_object *ac = json_parse_col(access_control_json);
	int yes;

	if (ac == NULL && access_control_json != NULL &&
	    strcmp(access_control_json, "null") != 0)
		return 0;
	yes = access_check(user_id, type, ac, g);
	json_object_put(ac);
	return yes;
}

int
access_has(struct db *db, struct arena *a, const struct user *u,
    const char *type, const char *access_control_json)
{
	json_object *ac = json_on_arena(a, json_parse_col(access_control_json));
	struct access_groups g;
	enum err e;

	/* text that is not JSON: Python fails, nobody gets in */
	if (ac == NULL && access_control_json != NULL &&
	    strcmp(access_control_json, "null") != 0)
		return 0;
	if (ac == NULL)
		return access_check(u->id, type, NULL, NULL);
	if ((e = access_groups_of(db, a, u->id, &g)) != ERR_OK) {
		log_error("access: could not read the groups of %s: %s",
		    u->id, err_str(e));
		return 0;
	}
	return access_check(u->id, type, ac, &g);
}

int
access_admin_bypass(void)
{
	const char *v = getenv("BYPASS_ADMIN_ACCESS_CONTROL");

	if (v == NULL)
		v = getenv("ENABLE_ADMIN_WORKSPACE_CONTENT_ACCESS");
	return v == NULL || strcasecmp(v, "true") == 0;
}
