/* h_groups.c: /api/v1/groups/ (routers/groups.py): user groups, their
 * members and the permissions they grant. */
#include <string.h>

#include "body.h"
#include "db.h"
#include "group.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "req.h"
#include "user.h"

/* Python raises its own 400 inside a try whose except wraps it again in
 * ERROR_MESSAGES.DEFAULT(e): the client sees both layers. */
#define GROUPS_FAIL(what)	"[ERROR: 400: [ERROR: " what "]]"

/* Writes FastAPI's 422 for one item; loc is ["body", key] or, with
 * idx >= 0, ["body", key, idx]. input is borrowed. */
static int
groups_invalid(struct req *r, const char *key, int idx, const char *type,
    const char *msg, json_object *input)
{
	json_object *errs = json_object_new_array();
	json_object *loc = json_object_new_array();

	json_object_array_add(loc, json_object_new_string("body"));
	json_object_array_add(loc, json_object_new_string(key));
	if (idx >= 0)
		json_object_array_add(loc, json_object_new_int(idx));
	json_error_add_loc(errs, type, msg, input, loc);
	return resp_errors(r, errs);
}


/* Reads the Optional[dict] field key: *out NULL when absent or null.
 * Returns 0 or the status of the 422 written. */
static int
groups_dict(struct req *r, const char *key, json_object **out)
{
	*out = json_get(r->json, key);
	if (*out == NULL || json_object_is_type(*out, json_type_object))
		return 0;
	return groups_invalid(r, key, -1, "dict_type",
	    "Input should be a valid dictionary", *out);
}

/* Reads the Optional[list[str]] field user_ids: *out NULL when absent or
 * null. Returns 0 or the status of the 422 written. */
static int
groups_ids(struct req *r, json_object **out)
{
	json_object *v;
	size_t i, n;

	*out = json_get(r->json, "user_ids");
	if (*out == NULL)
		return 0;
	if (!json_object_is_type(*out, json_type_array))
		return groups_invalid(r, "user_ids", -1, "list_type",
		    "Input should be a valid list", *out);
	n = json_object_array_length(*out);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(*out, i);
		if (!json_object_is_type(v, json_type_string))
			return groups_invalid(r, "user_ids", (int)i,
			    "string_type", "Input should be a valid string", v);
	}
	return 0;
}

/* Reads GroupForm: name, description, permissions. Returns 0 or the
 * status of the 422 written. */
static int
groups_form(struct req *r, struct body_field *name, struct body_field *desc,
    json_object **perms)
{
	int st;

	if ((st = body_str(r, "name", 1, NULL, name)) != 0 ||
	    (st = body_str(r, "description", 1, NULL, desc)) != 0)
		return st;
	return groups_dict(r, "permissions", perms);
}

/* Returns the JSON text of o, or NULL for NULL. Arena-owned. */
static const char *
groups_text(struct req *r, json_object *o)
{
	return o != NULL ? arena_strdup(r->a, json_text(o)) : NULL;
}

/* Keeps only the ids naming a user (Users.get_valid_user_ids) when ids is
 * a non-empty list, as Python does. Returns 0 or the status written. */
static int
groups_valid_ids(struct req *r, json_object **ids, const char *fail)
{
	enum err e;

	if (*ids == NULL || json_object_array_length(*ids) == 0)
		return 0;
	if ((e = user_valid_ids(r->db, r->a, *ids, ids)) != ERR_OK) {
		log_error("[%s] groups: %s", r->id, err_str(e));
		return resp_error(r, 400, fail);
	}
	json_on_arena(r->a, *ids);
	return 0;
}

/* Returns 200 with every group (admin) or the caller's groups. */
int
h_groups_list(struct req *r)
{
	struct group **v;
	enum err e;
	int n;

	if (strcmp(r->user->role, "admin") == 0)
		e = group_list(r->db, r->a, &v, &n);
	else
		e = group_list_by_member(r->db, r->a, r->user->id, &v, &n);
	if (e != ERR_OK)
		return resp_internal(r, "groups", e);
	return resp_json(r, 200, group_array_json(v, n));
}

/* Returns 200 with the new group; 400 when it cannot be stored. */
int
h_groups_create(struct req *r)
{
	struct body_field name, desc;
	json_object *perms;
	struct group *g;
	enum err e;
	int st;

	if ((st = groups_form(r, &name, &desc, &perms)) != 0)
		return st;
	e = group_create(r->db, r->a, r->user->id, name.s, desc.s,
	    groups_text(r, perms), &g);
	if (e != ERR_OK) {
		log_error("[%s] groups: create: %s", r->id, err_str(e));
		return resp_error(r, 400, GROUPS_FAIL("Error creating group"));
	}
	return resp_json(r, 200, group_json(g));
}

/* Returns 200 with group {id}; 401 when there is none. */
int
h_groups_get(struct req *r)
{
	struct group *g;
	enum err e;

	e = group_get(r->db, r->a, r->params[0], &g);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_NOT_FOUND);
	if (e != ERR_OK)
		return resp_internal(r, "groups", e);
	return resp_json(r, 200, group_json(g));
}

/* Returns 200 with group {id} after setting name, description and, when
 * given, permissions and user_ids (unknown users dropped); 400 when there
 * is no such group. */
int
h_groups_update(struct req *r)
{
	static const char fail[] = GROUPS_FAIL("Error updating group");
	struct body_field name, desc;
	json_object *perms, *ids;
	struct group *g;
	enum err e;
	int st;

	if ((st = groups_form(r, &name, &desc, &perms)) != 0 ||
	    (st = groups_ids(r, &ids)) != 0 ||
	    (st = groups_valid_ids(r, &ids, fail)) != 0)
		return st;
	e = group_update(r->db, r->a, r->params[0], name.s, desc.s,
	    groups_text(r, perms), groups_text(r, ids), &g);
	if (e != ERR_OK) {
		if (e != ERR_NOTFOUND)
			log_error("[%s] groups: update: %s", r->id, err_str(e));
		return resp_error(r, 400, fail);
	}
	return resp_json(r, 200, group_json(g));
}

/* Adds (add = 1) or removes the body's user_ids; fail is the 400 text. */
static int
groups_members(struct req *r, int add, const char *fail)
{
	json_object *ids;
	struct group *g;
	enum err e;
	int st;

	if ((st = groups_ids(r, &ids)) != 0 ||
	    (add && (st = groups_valid_ids(r, &ids, fail)) != 0))
		return st;
	e = group_get(r->db, r->a, r->params[0], &g);
	/* Python iterates over user_ids: null fails after the look-up, but
	 * removing from a group without members returns before that */
	if (e == ERR_OK && ids == NULL) {
		json_object *cur = json_on_arena(r->a,
		    json_parse_col(g->user_ids));

		if (add || (json_object_is_type(cur, json_type_array) &&
		    json_object_array_length(cur) > 0))
			e = ERR_INVAL;
	}
	if (e == ERR_OK)
		e = group_set_members(r->db, r->a, r->params[0], ids, add, &g);
	if (e != ERR_OK) {
		if (e == ERR_DB)
			log_error("[%s] groups: members: %s", r->id, err_str(e));
		return resp_error(r, 400, fail);
	}
	return resp_json(r, 200, group_json(g));
}

/* Returns 200 with group {id} after adding the users of user_ids that
 * exist; 400 when there is no such group. */
int
h_groups_users_add(struct req *r)
{
	return groups_members(r, 1,
	    GROUPS_FAIL("Error adding users to group"));
}

/* Returns 200 with group {id} after removing user_ids; 400 when there is
 * no such group. */
int
h_groups_users_remove(struct req *r)
{
	return groups_members(r, 0,
	    GROUPS_FAIL("Error removing users from group"));
}

/* Returns 200 true after deleting group {id} (also when there is none). */
int
h_groups_delete(struct req *r)
{
	enum err e;

	if ((e = group_delete(r->db, r->a, r->params[0])) != ERR_OK) {
		log_error("[%s] groups: delete: %s", r->id, err_str(e));
		return resp_error(r, 400, GROUPS_FAIL("Error deleting group"));
	}
	return resp_json(r, 200, json_object_new_boolean(1));
}
