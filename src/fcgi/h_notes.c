/* h_notes.c: /api/v1/notes/ (routers/notes.py). Only the lists are
 * served so far. Users need the features.notes permission; admins do
 * not. */
#include <limits.h>
#include <string.h>

#include "handlers.h"
#include "json.h"
#include "mem.h"
#include "note.h"
#include "perm.h"
#include "req.h"
#include "user.h"

/* routers/notes.py: the paged list has 60 notes a page */
#define NOTES_PAGE	60

/* Returns 1 when the caller may use notes, 0 when not, -1 on a database
 * error (logged by the caller's resp_internal). */
static int
notes_allowed(struct req *r)
{
	int yes = 1;

	if (strcmp(r->user->role, "admin") != 0 &&
	    perm_has(r->db, r->a, r->user->id, "features.notes", &yes) !=
	    ERR_OK)
		return -1;
	return yes;
}

/* Returns 200 with the notes the caller owns or may write, newest first,
 * each with its owner; 401 without features.notes. */
int
h_notes_list(struct req *r)
{
	json_object *arr, *u;
	size_t i, n;
	enum err e;
	int ok;

	if ((ok = notes_allowed(r)) < 0)
		return resp_internal(r, "notes", ERR_DB);
	if (!ok)
		return resp_error(r, 401, MSG_UNAUTHORIZED);
	if ((e = note_list_permitted(r->db, r->a, r->user->id, "write", 0, 0,
	    &arr)) != ERR_OK)
		return resp_internal(r, "notes", e);
	json_on_arena(r->a, arr);
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		if ((e = user_response(r->db, r->a, json_get_str(o, "user_id"),
		    &u)) != ERR_OK)
			return resp_internal(r, "notes", e);
		/* Python reads the owner's fields unchecked: a 500 */
		if (u == NULL)
			return resp_internal(r, "notes: note without owner",
			    ERR_NOTFOUND);
		json_object_object_add(o, "user", u);
	}
	return resp_json(r, 200, json_object_get(arr));
}

/* Returns 200 with {id, title, updated_at, created_at} of the notes the
 * caller owns or may write, newest first, 60 a page with ?page; 422 for a
 * page that is not an integer; 401 without features.notes. */
int
h_notes_list_titles(struct req *r)
{
	static const char *keys[] = { "id", "title", "updated_at",
	    "created_at" };
	const char *s = req_query(r, "page");
	json_object *arr, *out, *o, *t;
	long long page = 0, skip = 0, limit = 0;
	size_t i, k, n;
	enum err e;
	int ok;

	if (s != NULL && req_parse_int(s, 0, &page) != 0)
		return resp_invalid_param(r, "query", "page", "int_parsing",
		    MSG_INT_PARSING, s);
	if ((ok = notes_allowed(r)) < 0)
		return resp_internal(r, "notes", ERR_DB);
	if (!ok)
		return resp_error(r, 401, MSG_UNAUTHORIZED);
	if (s != NULL) {
		if (page > LLONG_MAX / NOTES_PAGE)
			page = LLONG_MAX / NOTES_PAGE;
		skip = page < 1 ? 0 : (page - 1) * NOTES_PAGE;
		limit = NOTES_PAGE;
	}
	if ((e = note_list_permitted(r->db, r->a, r->user->id, "write", skip,
	    limit, &arr)) != ERR_OK)
		return resp_internal(r, "notes", e);
	json_on_arena(r->a, arr);
	out = json_object_new_array();
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(arr, i);
		t = json_object_new_object();
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			json_object_object_add(t, keys[k],
			    json_object_get(json_get(o, keys[k])));
		json_object_array_add(out, t);
	}
	return resp_json(r, 200, out);
}
