/* h_users.c: /api/v1/users/ (routers/users.py): the admin's user list and
 * account edits, the caller's groups, permissions, settings and info, and
 * public profiles with their avatars.
 *
 * Not served here: /active and /{user_id}/active are answered by
 * cwebui-streamd, which keeps the socket presence (src/streamd/taskhttp.c);
 * "active" in a profile is always false here. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "group.h"
#include "handlers.h"
#include "hosting.h"
#include "hrt.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "passwd.h"
#include "perm.h"
#include "req.h"
#include "user.h"

#define MSG_USER_NOT_FOUND	MSG_NOT_FOUND
#define MSG_ACTION_PROHIBITED	"The requested action has been restricted as a security measure."
#define MSG_EMAIL_TAKEN		"Uh-oh! This email is already registered. Sign in with your existing account or choose another email to start anew."
#define MSG_DELETE_USER_ERROR	"Oops! Something went wrong. We encountered an issue while trying to delete the user. Please give it another shot."
/* Python raises its 403 inside a try whose except turns it into this. */
#define MSG_PRIMARY_ADMIN	"Could not verify primary admin status."

/* routers/users.py PAGE_ITEM_COUNT */
#define USERS_PAGE	30

static int
users_db_error(struct req *r, enum err e)
{
	log_error("[%s] users: database error: %s", r->id, err_str(e));
	return resp_internal(r, NULL, ERR_OK);
}


/* Returns {"users": [...], "total": n} with each user shaped by fn. */
static json_object *
users_list_json(struct user **v, int n, long long total,
    json_object *(*fn)(const struct user *))
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, fn(v[i]));
	json_object_object_add(o, "users", arr);
	json_object_object_add(o, "total", json_object_new_int64(total));
	return o;
}

/* UserInfoResponse: id, name, email, role. */
static json_object *
users_info_json(const struct user *u)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_str_or_null(u->id));
	json_object_object_add(o, "name", json_str_or_null(u->name));
	json_object_object_add(o, "email", json_str_or_null(u->email));
	json_object_object_add(o, "role", json_str_or_null(u->role));
	return o;
}

/* UserIdNameResponse: id, name. */
static json_object *
users_id_name_json(const struct user *u)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_str_or_null(u->id));
	json_object_object_add(o, "name", json_str_or_null(u->name));
	return o;
}

/* Returns 200 with a page of 30 users (UserModel) and the total; 422 for a
 * page that is not an integer. */
int
h_users_list(struct req *r)
{
	const char *ps = req_query(r, "page");
	struct user **v;
	long long page, total;
	enum err e;
	int n;

	if (req_parse_int(ps, 1, &page) != 0)
		return resp_invalid_param(r, "query", "page", "int_parsing",
		    MSG_INT_PARSING, ps);
	if (page < 1)
		page = 1;
	if (page > LLONG_MAX / USERS_PAGE / 2)
		page = LLONG_MAX / USERS_PAGE / 2;
	e = user_list(r->db, r->a, req_query(r, "query"),
	    req_query(r, "order_by"), req_query(r, "direction"),
	    (page - 1) * USERS_PAGE, USERS_PAGE, &v, &n, &total);
	if (e != ERR_OK)
		return users_db_error(r, e);
	return resp_json(r, 200, users_list_json(v, n, total, user_json));
}

/* Returns 200 with every user (id, name, email, role), newest first. */
int
h_users_all(struct req *r)
{
	struct user **v;
	long long total;
	enum err e;
	int n;

	e = user_list(r->db, r->a, NULL, NULL, NULL, 0, 0, &v, &n, &total);
	if (e != ERR_OK)
		return users_db_error(r, e);
	return resp_json(r, 200, users_list_json(v, n, total,
	    users_info_json));
}

/* Returns 200 with the first 30 users (id, name) matching ?query. */
int
h_users_search(struct req *r)
{
	struct user **v;
	long long total;
	enum err e;
	int n;

	e = user_list(r->db, r->a, req_query(r, "query"), NULL, NULL, 0,
	    USERS_PAGE, &v, &n, &total);
	if (e != ERR_OK)
		return users_db_error(r, e);
	return resp_json(r, 200, users_list_json(v, n, total,
	    users_id_name_json));
}

/* Writes 200 with the groups (GroupModel) holding user_id. */
static int
users_groups_of(struct req *r, const char *user_id)
{
	struct group **g;
	enum err e;
	int n;

	if ((e = group_list_by_member(r->db, r->a, user_id, &g, &n)) != ERR_OK)
		return users_db_error(r, e);
	return resp_json(r, 200, group_array_json(g, n));
}

/* Returns 200 with the caller's groups. */
int
h_users_my_groups(struct req *r)
{
	return users_groups_of(r, r->user->id);
}

/* Returns 200 with the groups of {user_id} (admin). */
int
h_users_groups(struct req *r)
{
	return users_groups_of(r, r->params[0]);
}

/* Returns 200 with the caller's effective permissions. */
int
h_users_permissions(struct req *r)
{
	json_object *p;
	enum err e;

	if ((e = perm_of_user(r->db, r->a, r->user->id, &p)) != ERR_OK)
		return users_db_error(r, e);
	return resp_json(r, 200, p);
}

/* Returns 200 with USER_PERMISSIONS as the UserPermissions model reads
 * it (absent flags take the model's defaults). */
int
h_users_default_perms(struct req *r)
{
	json_object *cur = conf_get(CONF_USER_PERMISSIONS), *out, *errs;

	if (cur == NULL)
		cur = json_on_arena(r->a, json_object_new_object());
	errs = perm_validate(cur, 0, "body", &out);
	if (errs != NULL) {
		json_object_put(errs);
		log_error("[%s] stored user.permissions is not valid", r->id);
		return resp_internal(r, NULL, ERR_OK);
	}
	return resp_json(r, 200, out);
}

/* Stores the body as USER_PERMISSIONS and returns 200 with what was
 * stored; 422 when the body is not a UserPermissions document. */
int
h_users_default_perms_set(struct req *r)
{
	json_object *out, *errs;
	enum err e;

	if ((errs = perm_validate(r->json, 1, "body", &out)) != NULL)
		return resp_errors(r, errs);
	json_on_arena(r->a, out);
	e = conf_set(r->db, CONF_USER_PERMISSIONS, json_object_get(out));
	if (e != ERR_OK)
		return users_db_error(r, e);
	return resp_json(r, 200, json_object_get(out));
}

/* Returns 200 with the caller's settings (null when none). */
int
h_users_settings(struct req *r)
{
	json_object *s = json_on_arena(r->a, json_parse_col(r->user->settings));

	return resp_json(r, 200, user_settings_model(s));
}

/* Merges the body (a UserSettings document) into the caller's settings,
 * key by key at the top level, and returns 200 with the result; without
 * the direct_tool_servers permission a non-admin's ui.toolServers is
 * dropped. 422 when ui is neither an object nor null. */
int
h_users_settings_set(struct req *r)
{
	json_object *form, *ui, *cur, *errs;
	enum err e;
	int yes;

	if (json_object_object_get_ex(r->json, "ui", &ui) && ui != NULL &&
	    !json_object_is_type(ui, json_type_object)) {
		errs = json_object_new_array();
		json_error_add(errs, "dict_type",
		    "Input should be a valid dictionary", ui, "body", "ui", NULL);
		return resp_errors(r, errs);
	}
	form = json_on_arena(r->a, user_settings_model(r->json));
	ui = json_get(form, "ui");
	if (strcmp(r->user->role, "admin") != 0) {
		if (ui == NULL)		/* Python: None.keys() */
			return resp_internal(r, NULL, ERR_OK);
		if (json_object_object_get_ex(ui, "toolServers", NULL)) {
			e = perm_has(r->db, r->a, r->user->id,
			    "features.direct_tool_servers", &yes);
			if (e != ERR_OK)
				return users_db_error(r, e);
			if (!yes)
				json_object_object_del(ui, "toolServers");
		}
	}
	cur = json_on_arena(r->a, json_parse_col(r->user->settings));
	if (!json_object_is_type(cur, json_type_object))
		cur = json_on_arena(r->a, json_object_new_object());
	json_object_object_foreach(form, key, val)
		json_object_object_add(cur, key, json_object_get(val));
	e = user_set_settings(r->db, r->user->id, json_text(cur));
	if (e == ERR_NOTFOUND)
		return resp_error(r, 400, MSG_USER_NOT_FOUND);
	if (e != ERR_OK)
		return users_db_error(r, e);
	return resp_json(r, 200, user_settings_model(cur));
}

/* Returns 200 with the caller's info (null when none). */
int
h_users_info(struct req *r)
{
	return resp_json(r, 200, json_parse_col(r->user->info));
}

/* Merges the body (any JSON object) into the caller's info at the top
 * level and returns 200 with the result; 422 when the body is missing,
 * not JSON or not an object. */
int
h_users_info_set(struct req *r)
{
	json_object *body, *cur, *errs, *e0, *loc, *ctx;
	enum err e;

	if (r->body.len == 0)
		return resp_invalid(r, NULL, "missing", "Field required");
	body = json_on_arena(r->a, json_parse(r->body.p, r->body.len));
	if (body == NULL) {
		errs = json_object_new_array();
		e0 = json_object_new_object();
		loc = json_object_new_array();
		ctx = json_object_new_object();
		json_object_array_add(loc, json_object_new_string("body"));
		json_object_array_add(loc, json_object_new_int(0));
		json_object_object_add(e0, "type",
		    json_object_new_string("json_invalid"));
		json_object_object_add(e0, "loc", loc);
		json_object_object_add(e0, "msg",
		    json_object_new_string("JSON decode error"));
		json_object_object_add(e0, "input", json_object_new_object());
		json_object_object_add(ctx, "error",
		    json_object_new_string("Expecting value"));
		json_object_object_add(e0, "ctx", ctx);
		json_object_array_add(errs, e0);
		return resp_errors(r, errs);
	}
	if (!json_object_is_type(body, json_type_object)) {
		errs = json_object_new_array();
		json_error_add(errs, "dict_type",
		    "Input should be a valid dictionary", body, "body", NULL,
		    NULL);
		return resp_errors(r, errs);
	}
	cur = json_on_arena(r->a, json_parse_col(r->user->info));
	if (!json_object_is_type(cur, json_type_object))
		cur = json_on_arena(r->a, json_object_new_object());
	json_object_object_foreach(body, key, val)
		json_object_object_add(cur, key, json_object_get(val));
	e = user_set_info(r->db, r->user->id, json_text(cur));
	if (e == ERR_NOTFOUND)
		return resp_error(r, 400, MSG_USER_NOT_FOUND);
	if (e != ERR_OK)
		return users_db_error(r, e);
	return resp_json(r, 200, json_object_get(cur));
}

/* Returns 200 with {name, profile_image_url, active} of {user_id}, or of
 * the owner of chat X for "shared-X"; 400 when there is none. */
int
h_users_get(struct req *r)
{
	const char *id = r->params[0];
	struct user *u;
	json_object *o;
	char *owner;
	enum err e;

	if (strncmp(id, "shared-", 7) == 0) {
		/* Python: user_id.replace("shared-", "") */
		struct buf *chat = arena_alloc(r->a, sizeof(*chat));
		const char *p, *hit;

		buf_on_arena(chat, r->a);
		buf_puts(chat, "");
		for (p = id; (hit = strstr(p, "shared-")) != NULL; p = hit + 7)
			buf_append(chat, p, (size_t)(hit - p));
		buf_puts(chat, p);
		e = user_chat_owner(r->db, r->a, buf_str(chat), &owner);
		if (e == ERR_NOTFOUND)
			return resp_error(r, 400, MSG_USER_NOT_FOUND);
		if (e != ERR_OK)
			return users_db_error(r, e);
		id = owner;
	}
	e = user_get(r->db, r->a, id, &u);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 400, MSG_USER_NOT_FOUND);
	if (e != ERR_OK)
		return users_db_error(r, e);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_str_or_null(u->name));
	json_object_object_add(o, "profile_image_url",
	    json_str_or_null(u->profile_image_url));
	/* socket presence is cwebui-streamd's, not known here; in the
	 * shared-hosting mode it is the workers' (rt.db) */
	json_object_object_add(o, "active", json_object_new_boolean(
	    hosting_on() && hrt_user_active(u->id)));
	return resp_json(r, 200, o);
}

/* Returns 200 with the OAuth sessions of {user_id} without their tokens;
 * 400 when there are none. */
int
h_users_oauth_sessions(struct req *r)
{
	json_object *arr;
	enum err e;

	e = user_oauth_sessions(r->db, r->a, r->params[0], &arr);
	if (e != ERR_OK)
		return users_db_error(r, e);
	if (json_object_array_length(arr) == 0) {
		json_object_put(arr);
		return resp_error(r, 400, MSG_USER_NOT_FOUND);
	}
	return resp_json(r, 200, arr);
}

/* Returns the avatar of {user_id}: 302 to an http(s) URL, the decoded
 * bytes of a data:image URL (always as image/png, as Python), else 302 to
 * the frontend's default /user.png (Python sends that same file); 400 when
 * there is no such user. */
int
h_users_profile_image(struct req *r)
{
	struct user *u;
	enum err e;

	e = user_get(r->db, r->a, r->params[0], &u);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 400, MSG_USER_NOT_FOUND);
	if (e != ERR_OK)
		return users_db_error(r, e);
	return resp_image_url(r, u->profile_image_url, "/user.png");
}

/* Reads the UserUpdateForm body: role, name, email, profile_image_url
 * (strings) and password (string or null). Returns NULL, or the errors. */
static json_object *
users_update_form(json_object *body, const char *out[5])
{
	static const char *const keys[] = {
		"role", "name", "email", "profile_image_url", "password"
	};
	json_object *errs = json_object_new_array(), *v;
	size_t i;

	for (i = 0; i < 5; i++) {
		out[i] = NULL;
		if (!json_object_object_get_ex(body, keys[i], &v)) {
			if (i < 4)
				json_error_add(errs, "missing", "Field required",
				    body, "body", keys[i], NULL);
		} else if (v == NULL && i == 4)
			;
		else if (!json_object_is_type(v, json_type_string))
			json_error_add(errs, "string_type",
			    "Input should be a valid string", v, "body",
			    keys[i], NULL);
		else
			out[i] = json_object_get_string(v);
	}
	if (json_object_array_length(errs) == 0) {
		json_object_put(errs);
		return NULL;
	}
	return errs;
}

/* Updates {user_id}'s role, name, email, avatar and (when given) password
 * and returns 200 with the user; 500 "Could not verify primary admin
 * status." when another admin edits the primary admin or it would lose
 * its admin role (Python's except turns its 403 into that); 400 when the
 * user is missing or the email taken. */
int
h_users_update(struct req *r)
{
	const char *f[5], *id = r->params[0];
	char hash[64], *email;
	json_object *errs, *pw;
	struct user *first, *u, *other;
	enum err e;

	if ((errs = users_update_form(r->json, f)) != NULL)
		return resp_errors(r, errs);
	e = user_get_first(r->db, r->a, &first);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return resp_error(r, 500, MSG_PRIMARY_ADMIN);
	if (e == ERR_OK && strcmp(id, first->id) == 0 &&
	    (strcmp(r->user->id, id) != 0 || strcmp(f[0], "admin") != 0))
		return resp_error(r, 500, MSG_PRIMARY_ADMIN);
	e = user_get(r->db, r->a, id, &u);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 400, MSG_USER_NOT_FOUND);
	if (e != ERR_OK)
		return users_db_error(r, e);
	email = user_email_lower(r->a, f[2]);
	if (strcmp(email, u->email) != 0) {
		e = user_get_by_email(r->db, r->a, email, &other);
		if (e == ERR_OK)
			return resp_error(r, 400, MSG_EMAIL_TAKEN);
		if (e != ERR_NOTFOUND)
			return users_db_error(r, e);
	}
	if (f[4] != NULL && *f[4] != '\0') {
		json_object_object_get_ex(r->json, "password", &pw);
		/* passlib refuses a NUL byte: Python answers 500 */
		if ((size_t)json_object_get_string_len(pw) != strlen(f[4]))
			return resp_internal(r, NULL, ERR_OK);
		if ((e = passwd_hash(f[4], hash)) != ERR_OK)
			return users_db_error(r, e);
	}
	e = user_update(r->db, id, f[0], f[1], email, f[3],
	    f[4] != NULL && *f[4] != '\0' ? hash : NULL);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 400, MSG_USER_NOT_FOUND);
	if (e != ERR_OK)
		return users_db_error(r, e);
	if ((e = user_get(r->db, r->a, id, &u)) != ERR_OK)
		return resp_error(r, 400, MSG_DEFAULT);
	return resp_json(r, 200, user_json(u));
}

/* Deletes {user_id} with their chats and group memberships and returns
 * 200 true; 500 "Could not verify primary admin status." for the primary
 * admin, 403 for the caller themselves. */
int
h_users_delete(struct req *r)
{
	const char *id = r->params[0];
	struct user *first;
	enum err e;

	e = user_get_first(r->db, r->a, &first);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return resp_error(r, 500, MSG_PRIMARY_ADMIN);
	if (e == ERR_OK && strcmp(id, first->id) == 0)
		return resp_error(r, 500, MSG_PRIMARY_ADMIN);
	if (strcmp(r->user->id, id) == 0)
		return resp_error(r, 403, MSG_ACTION_PROHIBITED);
	if ((e = user_delete(r->db, r->a, id)) != ERR_OK) {
		log_error("[%s] could not delete user %s: %s", r->id, id,
		    err_str(e));
		return resp_error(r, 500, MSG_DELETE_USER_ERROR);
	}
	return resp_json(r, 200, json_object_new_boolean(1));
}
