/* h_chats_tags.c: the search box and the tags of /api/v1/chats/
 * (routers/chats.py): GET /search, GET /all/tags, POST /tags and
 * /{id}/tags (GET, POST, DELETE) and DELETE /{id}/tags/all. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "chat.h"
#include "chat_search.h"
#include "db.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "req.h"
#include "tag.h"
#include "user.h"

#define MSG_TAG_NONE	"[ERROR: Tag name cannot be 'None']"

/* Checks the body field key as an Optional[int]; adds an error to errs. */
static void
ct_body_int(struct req *r, const char *key, json_object *errs)
{
	json_object *v;
	long long i;
	double d;

	if (!json_object_object_get_ex(r->json, key, &v) || v == NULL)
		return;
	switch (json_object_get_type(v)) {
	case json_type_int:
	case json_type_boolean:
		return;
	case json_type_double:
		d = json_object_get_double(v);
		if (d != floor(d))
			json_error_add(errs, "int_from_float", "Input should "
			    "be a valid integer, got a number with a "
			    "fractional part", v, "body", key, NULL);
		return;
	case json_type_string:
		if (req_parse_int(json_object_get_string(v), 0, &i) != 0)
			json_error_add(errs, "int_parsing", "Input should be "
			    "a valid integer, unable to parse string as an "
			    "integer", v, "body", key, NULL);
		return;
	default:
		json_error_add(errs, "int_type", "Input should be a valid "
		    "integer", v, "body", key, NULL);
	}
}

/* Reads the required string field "name" (TagForm) into *name, or adds
 * an error to errs. */
static void
ct_body_name(struct req *r, json_object *errs, const char **name)
{
	json_object *v;

	*name = NULL;
	if (!json_object_object_get_ex(r->json, "name", &v))
		json_error_add(errs, "missing", "Field required", r->json,
		    "body", "name", NULL);
	else if (!json_object_is_type(v, json_type_string))
		json_error_add(errs, "string_type", "Input should be a valid "
		    "string", v, "body", "name", NULL);
	else
		*name = json_object_get_string(v);
}


static json_object *
ct_chats_json(struct chat **v, int n)
{
	json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, chat_title_id_json(v[i]));
	return arr;
}

static json_object *
ct_tags_json(struct tag **v, int n)
{
	json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, tag_json(v[i]));
	return arr;
}

/* Writes 200 with the tags (TagModel) whose ids chat id lists now. */
static int
ct_chat_tags(struct req *r, const char *id)
{
	struct chat *c;
	json_object *meta;
	struct tag **v;
	enum err e;
	int n;

	e = chat_get_for_user(r->db, r->a, id, r->user->id, &c);
	if (e == ERR_OK)
		e = tag_list_by_ids(r->db, r->a, r->user->id,
		    tag_chat_tags(r->a, c, &meta), &v, &n);
	if (e != ERR_OK)
		return resp_internal(r, "chats tags", e);
	return resp_json(r, 200, ct_tags_json(v, n));
}

/* Returns 200 with a page of 60 chats (id, title, updated_at, created_at)
 * matching ?text; 422 without text or with a page that is not an
 * integer; 500 for a page below 1 (Python's negative OFFSET, refused by
 * PostgreSQL). */
int
h_chats_search(struct req *r)
{
	const char *text = req_query(r, "text"), *ps = req_query(r, "page");
	json_object *errs = json_object_new_array();
	long long page = 1;
	struct chat **v;
	enum err e;
	int n, st;

	if (text == NULL)
		json_error_add(errs, "missing", "Field required", NULL,
		    "query", "text", NULL);
	if (req_parse_int(ps, 1, &page) != 0)
		json_error_add(errs, "int_parsing", "Input should be a valid "
		    "integer, unable to parse string as an integer",
		    json_on_arena(r->a, json_object_new_string(ps)), "query",
		    "page", NULL);
	if ((st = resp_errors(r, errs)) != 0)
		return st;
	/* Python's negative OFFSET: an error on PostgreSQL */
	if (page < 1 || page > LLONG_MAX / CHAT_SEARCH_PAGE)
		return resp_internal(r, "chats tags", ERR_INVAL);
	e = chat_search(r->db, r->a, r->user->id, text,
	    (page - 1) * CHAT_SEARCH_PAGE, CHAT_SEARCH_PAGE, &v, &n);
	if (e == ERR_OK && page == 1)
		e = chat_search_prune(r->db, r->a, r->user->id, text, n);
	if (e != ERR_OK)
		return resp_internal(r, "chats tags", e);
	return resp_json(r, 200, ct_chats_json(v, n));
}

/* Returns 200 with every tag of the caller (TagModel); 400 on failure. */
int
h_chats_all_tags(struct req *r)
{
	struct tag **v;
	int n;

	if (tag_list(r->db, r->a, r->user->id, &v, &n) != ERR_OK)
		return resp_error(r, 400, MSG_DEFAULT);
	return resp_json(r, 200, ct_tags_json(v, n));
}

/* Returns 200 with every chat of the caller carrying tag {name} (skip and
 * limit are checked and ignored, as in Python); deletes the tag row when
 * none does. */
int
h_chats_by_tag(struct req *r)
{
	json_object *errs = json_object_new_array();
	const char *name;
	struct chat **v;
	enum err e;
	int n, st;

	ct_body_name(r, errs, &name);
	ct_body_int(r, "skip", errs);
	ct_body_int(r, "limit", errs);
	if ((st = resp_errors(r, errs)) != 0)
		return st;
	e = chat_search_by_tag(r->db, r->a, r->user->id, name, &v, &n);
	if (e == ERR_OK && n == 0)
		e = tag_delete(r->db, r->a, name, r->user->id);
	if (e != ERR_OK)
		return resp_internal(r, "chats tags", e);
	return resp_json(r, 200, ct_chats_json(v, n));
}

/* Returns 200 with the tags of chat {id}; 401 when not the caller's. */
int
h_chats_tags_get(struct req *r)
{
	struct chat *c;
	enum err e;

	e = chat_get_for_user(r->db, r->a, r->params[0], r->user->id, &c);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_NOT_FOUND);
	if (e != ERR_OK)
		return resp_internal(r, "chats tags", e);
	return ct_chat_tags(r, c->id);
}

/* Adds tag {name} to chat {id} (creating the tag row) and returns 200 with
 * the chat's tags; 400 for the name "none", 401 when not the caller's. */
int
h_chats_tags_add(struct req *r)
{
	json_object *meta, *tags, *errs = json_object_new_array();
	const char *name, *tid;
	struct chat *c;
	enum err e;
	size_t i;
	int st, found = 0;

	ct_body_name(r, errs, &name);
	if ((st = resp_errors(r, errs)) != 0)
		return st;
	e = chat_get_for_user(r->db, r->a, r->params[0], r->user->id, &c);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_DEFAULT);
	if (e != ERR_OK)
		return resp_internal(r, "chats tags", e);
	tid = tag_id_of(r->a, name);
	if (strcmp(tid, "none") == 0)
		return resp_error(r, 400, MSG_TAG_NONE);
	tags = tag_chat_tags(r->a, c, &meta);
	for (i = 0; tags != NULL && i < json_object_array_length(tags); i++)
		found |= json_object_is_type(json_object_array_get_idx(tags,
		    i), json_type_string) && strcmp(json_object_get_string(
		    json_object_array_get_idx(tags, i)), tid) == 0;
	if (!found && (e = tag_chat_add(r->db, r->a, c, name)) != ERR_OK)
		log_error("[%s] chats tags: could not add tag: %s", r->id,
		    err_str(e));
	return ct_chat_tags(r, c->id);
}

/* Removes tag {name} from chat {id}, deletes the tag row when no other
 * chat uses it, and returns 200 with the chat's tags; 401 when not the
 * caller's. */
int
h_chats_tags_delete(struct req *r)
{
	json_object *errs = json_object_new_array();
	const char *name;
	struct chat *c;
	enum err e;
	int st;

	ct_body_name(r, errs, &name);
	if ((st = resp_errors(r, errs)) != 0)
		return st;
	e = chat_get_for_user(r->db, r->a, r->params[0], r->user->id, &c);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_NOT_FOUND);
	if (e != ERR_OK)
		return resp_internal(r, "chats tags", e);
	e = tag_chat_remove(r->db, r->a, c, name);
	if (e == ERR_OK)
		e = tag_prune(r->db, r->a, name, r->user->id);
	if (e != ERR_OK)
		return resp_internal(r, "chats tags", e);
	return ct_chat_tags(r, c->id);
}

/* Removes every tag of chat {id}, deleting the tag rows no chat uses any
 * more; 200 true, or 401 when not the caller's. */
int
h_chats_tags_clear(struct req *r)
{
	json_object *meta, *tags, *t;
	struct chat *c;
	enum err e;
	size_t i;

	e = chat_get_for_user(r->db, r->a, r->params[0], r->user->id, &c);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_NOT_FOUND);
	if (e == ERR_OK)
		e = tag_chat_clear(r->db, r->a, c);
	tags = e == ERR_OK ? tag_chat_tags(r->a, c, &meta) : NULL;
	for (i = 0; tags != NULL && e == ERR_OK &&
	    i < json_object_array_length(tags); i++) {
		t = json_object_array_get_idx(tags, i);
		if (json_object_is_type(t, json_type_string))
			e = tag_prune(r->db, r->a, json_object_get_string(t),
			    r->user->id);
	}
	if (e != ERR_OK)
		return resp_internal(r, "chats tags", e);
	return resp_json(r, 200, json_object_new_boolean(1));
}
