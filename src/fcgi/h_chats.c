/* h_chats.c: /api/v1/chats/ (routers/chats.py): the caller's chat list and
 * documents, create, import, update, pin, archive, clone, share, delete,
 * and the admin's views of other users' chats.
 *
 * The search, tag and folder routes of the same router live in
 * h_chats_tags.c and h_folders.c. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "chat.h"
#include "conf.h"
#include "db.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "perm.h"
#include "req.h"
#include "tag.h"
#include "user.h"

/* routers/chats.py: every paged list has 60 rows a page */
#define CHATS_PAGE	60

/* Reads the query parameter "page" as pydantic's Optional[int]. Returns 0
 * with *skip and *limit (both 0 when absent and dflt is 0; else page dflt),
 * or the status of the 422 written. */
static int
chats_page(struct req *r, long long dflt, long long *skip, long long *limit)
{
	const char *s = req_query(r, "page");
	char *end;
	long long page;

	*skip = *limit = 0;
	if (s == NULL && dflt == 0)
		return 0;
	page = dflt;
	if (s != NULL) {
		while (isspace((unsigned char)*s))
			s++;
		page = strtoll(s, &end, 10);
		if (end != s && *end == '.')
			for (end++; *end == '0'; end++)
				;
		while (isspace((unsigned char)*end))
			end++;
		if (end == s || *end != '\0' || !isdigit((unsigned char)
		    s[*s == '-' || *s == '+']))
			return resp_invalid_param(r, "query", "page",
			    "int_parsing", MSG_INT_PARSING,
			    req_query(r, "page"));
	}
	if (page > LLONG_MAX / CHATS_PAGE)
		page = LLONG_MAX / CHATS_PAGE;
	if (page < LLONG_MIN / CHATS_PAGE + 1)
		page = LLONG_MIN / CHATS_PAGE + 1;
	*skip = (page - 1) * CHATS_PAGE;
	*limit = CHATS_PAGE;
	return 0;
}

/* Reads a query parameter as pydantic's bool: 1/0 in *v (0 when absent),
 * or returns the status of the 422 written. */
static int
chats_query_bool(struct req *r, const char *name, int *v)
{
	const char *s = req_query(r, name);

	*v = 0;
	if (s == NULL)
		return 0;
	if ((*v = json_lax_bool_str(s)) >= 0)
		return 0;
	*v = 0;
	return resp_invalid_param(r, "query", name, "bool_parsing",
	    "Input should be a valid boolean, unable to interpret input", s);

}

/* Writes 200 with a JSON array of the chats shaped by fn. */
static int
chats_array(struct req *r, struct chat **v, int n,
    json_object *(*fn)(const struct chat *))
{
	json_object *arr = json_object_new_array_ext(n);
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, fn(v[i]));
	return resp_json(r, 200, arr);
}

/* Runs chat_list(f) and writes the rows shaped by fn, or 500. */
static int
chats_list_reply(struct req *r, const struct chat_filter *f,
    json_object *(*fn)(const struct chat *))
{
	struct chat **v;
	enum err e;
	int n;

	if ((e = chat_list(r->db, r->a, f, &v, &n)) != ERR_OK)
		return resp_internal(r, "chats", e == ERR_INVAL ? ERR_OK : e);
	return chats_array(r, v, n, fn);
}

/* Reads the chat document of a ChatForm body: 0 with *doc (borrowed from
 * r->json), or the status of the 422 written. */
static int
chats_form_doc(struct req *r, json_object **doc)
{
	if (!json_object_object_get_ex(r->json, "chat", doc))
		return resp_invalid(r, "chat", "missing", "Field required");
	if (!json_object_is_type(*doc, json_type_object))
		return resp_invalid(r, "chat", "dict_type",
		    "Input should be a valid dictionary");
	return 0;
}

/* Returns the title a document gives its chat ("New Chat" without one),
 * or NULL when its title is not a string (Python fails to validate it). */
static const char *
chats_doc_title(json_object *doc)
{
	json_object *t;

	if (!json_object_object_get_ex(doc, "title", &t))
		return "New Chat";
	if (!json_object_is_type(t, json_type_string))
		return NULL;
	return json_object_get_string(t);
}

/* Writes 200 with the chat as ChatResponse. */
static int
chats_reply(struct req *r, const struct chat *c)
{
	return resp_json(r, 200, chat_json(c));
}

/* Returns 1 when the caller may use perm ("chat.delete"): admins always,
 * users as their permissions say; -1 on a database error. */
static int
chats_allowed(struct req *r, const char *perm)
{
	int yes;

	if (strcmp(r->user->role, "admin") == 0)
		return 1;
	if (perm_has(r->db, r->a, r->user->id, perm, &yes) != ERR_OK)
		return -1;
	return yes;
}

/* Returns 200 with the caller's chats outside folders, unpinned, not
 * archived, newest first, as ChatTitleIdResponse (60 a page with ?page). */
int
h_chats_list(struct req *r)
{
	struct chat_filter f = { .user_id = r->user->id, .archived = CHAT_NO,
	    .pinned = CHAT_NO, .title_only = 1 };
	int st, folders;

	if ((st = chats_page(r, 0, &f.skip, &f.limit)) != 0 ||
	    (st = chats_query_bool(r, "include_folders", &folders)) != 0)
		return st;
	f.no_folder = !folders;
	if (f.skip < 0 && db_engine(r->db) == DB_PG)
		return resp_error(r, 400, MSG_DEFAULT);
	return chats_list_reply(r, &f, chat_title_id_json);
}

/* Returns 200 true after deleting all the caller's chats and their shared
 * copies; 401 when a user lacks chat.delete. */
int
h_chats_delete_all(struct req *r)
{
	enum err e;
	int ok;

	if ((ok = chats_allowed(r, "chat.delete")) < 0)
		return resp_internal(r, "chats", ERR_DB);
	if (!ok)
		return resp_error(r, 401, MSG_ACCESS_PROHIBITED);
	if ((e = db_begin(r->db)) != ERR_OK)
		return resp_internal(r, "chats", e);
	if ((e = chat_delete_all_by_user(r->db, r->a, r->user->id)) != ERR_OK ||
	    (e = db_commit(r->db)) != ERR_OK) {
		db_rollback(r->db);
		log_error("[%s] could not delete chats: %s", r->id, err_str(e));
		return resp_json(r, 200, json_object_new_boolean(0));
	}
	return resp_json(r, 200, json_object_new_boolean(1));
}

/* Writes page ?page (default 1) of the chats f selects as
 * ChatTitleIdResponse, narrowed by query, order_by and direction as
 * Python's filter dict: with none of them the order is updated_at
 * descending; with any, the order is the requested one or none. */
static int
chats_filtered_reply(struct req *r, struct chat_filter *f)
{
	const char *q = req_query(r, "query"), *ob = req_query(r, "order_by");
	const char *dir = req_query(r, "direction");
	int st;

	if ((st = chats_page(r, 1, &f->skip, &f->limit)) != 0)
		return st;
	if (f->skip < 0 && db_engine(r->db) == DB_PG)
		return resp_internal(r, "chats", ERR_OK);

	if (q != NULL && *q == '\0')
		q = NULL;
	if (ob != NULL && *ob == '\0')
		ob = NULL;
	if (dir != NULL && *dir == '\0')
		dir = NULL;
	if (q != NULL || ob != NULL || dir != NULL) {
		f->title_like = q;
		if (ob != NULL && dir != NULL) {
			f->order_by = ob;
			f->direction = dir;
		} else
			f->unordered = 1;
	}
	return chats_list_reply(r, f, chat_title_id_json);
}

/* Returns 200 with {user_id}'s chats, archived included, as
 * ChatTitleIdResponse; 401 unless ENABLE_ADMIN_CHAT_ACCESS. */
int
h_chats_list_user(struct req *r)
{
	struct chat_filter f = { .user_id = r->params[0], .title_only = 1 };

	if (!conf_bool(CONF_ENABLE_ADMIN_CHAT_ACCESS))
		return resp_error(r, 401, MSG_ACCESS_PROHIBITED);
	return chats_filtered_reply(r, &f);
}

/* Inserts the chat described by in with the document doc and writes it;
 * 400 when the document's title is not a string. */
static int
chats_insert_reply(struct req *r, struct chat *in, json_object *doc)
{
	struct chat *c;
	enum err e;

	if ((in->title = (char *)chats_doc_title(doc)) == NULL)
		return resp_error(r, 400, MSG_DEFAULT);
	in->user_id = r->user->id;
	in->chat = (char *)json_text(doc);
	if ((e = chat_insert(r->db, r->a, in, &c)) != ERR_OK) {
		log_error("[%s] could not insert chat: %s", r->id, err_str(e));
		return resp_error(r, 400, MSG_DEFAULT);
	}
	return chats_reply(r, c);
}

/* Returns 200 with the new chat (title from the document, "New Chat"
 * without one); 400 when it cannot be stored. */
int
h_chats_new(struct req *r)
{
	struct chat in = { .pinned = 0 };
	struct body_field folder;
	json_object *doc;
	int st;

	if ((st = chats_form_doc(r, &doc)) != 0 ||
	    (st = body_str(r, "folder_id", 0, NULL, &folder)) != 0)
		return st;
	in.folder_id = (char *)folder.s;
	return chats_insert_reply(r, &in, doc);
}

/* Reads an Optional[int] body field (null or absent: 0) into *v; returns 0
 * or the status of the 422 written. */
static int
chats_body_int(struct req *r, const char *key, long long *v)
{
	json_object *o;

	*v = 0;
	if (!json_object_object_get_ex(r->json, key, &o) || o == NULL)
		return 0;
	if (json_object_is_type(o, json_type_int)) {
		*v = json_object_get_int64(o);
		return 0;
	}
	return resp_invalid(r, key, "int_type", "Input should be a valid "
	    "integer");
}

/* Creates the tags an imported chat names, as Python's import_chat route:
 * tag ids become names by capitalising their words ("big_idea" is "Big
 * Idea"). */
static enum err
chats_import_tags(struct req *r, json_object *tags)
{
	size_t i, n = tags != NULL ? json_object_array_length(tags) : 0;
	enum err e;

	for (i = 0; i < n; i++) {
		const char *t = json_object_get_string(
		    json_object_array_get_idx(tags, i));
		char *name = tag_id_of(r->a, t), *p;
		int start = 1;

		if (strcmp(name, "none") == 0)
			continue;
		for (p = name; *p != '\0'; p++) {
			if (*p == '_')
				*p = ' ';
			else if (start)
				*p = (char)toupper((unsigned char)*p);
			start = *p == ' ';
		}
		if ((e = tag_ensure(r->db, r->a, name, r->user->id)) != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Returns 200 with the imported chat (meta, pinned, folder_id and
 * timestamps from the body) after creating the tags it names; 400 when it
 * cannot be stored. */
int
h_chats_import(struct req *r)
{
	struct chat in = { .pinned = 0 };
	struct body_field folder;
	json_object *doc, *meta = NULL, *tags = NULL, *pin;
	size_t i;
	int st;

	if ((st = chats_form_doc(r, &doc)) != 0 ||
	    (st = body_str(r, "folder_id", 0, NULL, &folder)) != 0 ||
	    (st = chats_body_int(r, "created_at", &in.created_at)) != 0 ||
	    (st = chats_body_int(r, "updated_at", &in.updated_at)) != 0)
		return st;
	if (json_object_object_get_ex(r->json, "meta", &meta)) {
		if (meta == NULL)	/* ChatModel refuses meta None */
			return resp_error(r, 400, MSG_DEFAULT);
		if (!json_object_is_type(meta, json_type_object))
			return resp_invalid(r, "meta", "dict_type",
			    "Input should be a valid dictionary");
		in.meta = (char *)json_text(meta);
		tags = json_get(meta, "tags");
	}
	if (json_object_object_get_ex(r->json, "pinned", &pin)) {
		if (pin != NULL && !json_object_is_type(pin, json_type_boolean))
			return resp_invalid(r, "pinned", "bool_type",
			    "Input should be a valid boolean");
		in.pinned = pin == NULL ? -1 : json_object_get_boolean(pin);
	}
	/* Python fails on tags that are not strings after the insert; refuse
	 * them before it instead of storing half an import */
	if (tags != NULL && !json_object_is_type(tags, json_type_array))
		return resp_error(r, 400, MSG_DEFAULT);
	for (i = 0; tags != NULL && i < json_object_array_length(tags); i++)
		if (!json_object_is_type(json_object_array_get_idx(tags, i),
		    json_type_string))
			return resp_error(r, 400, MSG_DEFAULT);
	in.folder_id = (char *)folder.s;
	if (chats_import_tags(r, tags) != ERR_OK)
		return resp_error(r, 400, MSG_DEFAULT);
	return chats_insert_reply(r, &in, doc);
}

/* Returns 200 with the caller's pinned, unarchived chats as
 * ChatTitleIdResponse. */
int
h_chats_pinned(struct req *r)
{
	struct chat_filter f = { .user_id = r->user->id, .archived = CHAT_NO,
	    .pinned = CHAT_YES, .title_only = 1 };

	return chats_list_reply(r, &f, chat_title_id_json);
}

/* Returns 200 with every chat of the caller (archived too) in full. */
int
h_chats_all(struct req *r)
{
	struct chat_filter f = { .user_id = r->user->id };

	return chats_list_reply(r, &f, chat_json);
}

/* Returns 200 with the caller's archived chats in full. */
int
h_chats_all_archived(struct req *r)
{
	struct chat_filter f = { .user_id = r->user->id,
	    .archived = CHAT_YES };

	return chats_list_reply(r, &f, chat_json);
}

/* Returns 200 with every chat in the database (shared copies too); 401
 * unless ENABLE_ADMIN_EXPORT. */
int
h_chats_all_db(struct req *r)
{
	struct chat_filter f = { .user_id = NULL };

	if (!conf_bool(CONF_ENABLE_ADMIN_EXPORT))
		return resp_error(r, 401, MSG_ACCESS_PROHIBITED);
	return chats_list_reply(r, &f, chat_json);
}

/* Returns 200 with a page of the caller's archived chats as
 * ChatTitleIdResponse, filtered and ordered by query, order_by and
 * direction. */
int
h_chats_archived(struct req *r)
{
	struct chat_filter f = { .user_id = r->user->id, .archived = CHAT_YES,
	    .title_only = 1 };

	return chats_filtered_reply(r, &f);
}

/* Returns 200 true after setting archived on all the caller's chats. */
static int
chats_archive_all(struct req *r, int archived)
{
	enum err e;

	e = chat_archive_all(r->db, r->a, r->user->id, archived);
	if (e != ERR_OK)
		log_error("[%s] could not archive chats: %s", r->id,
		    err_str(e));
	return resp_json(r, 200, json_object_new_boolean(e == ERR_OK));
}

/* Returns 200 true after archiving all the caller's chats. */
int
h_chats_archive_all(struct req *r)
{
	return chats_archive_all(r, 1);
}

/* Returns 200 true after unarchiving all the caller's chats. */
int
h_chats_unarchive_all(struct req *r)
{
	return chats_archive_all(r, 0);
}

/* Returns 200 with the shared copy {share_id} (an admin with
 * ENABLE_ADMIN_CHAT_ACCESS reads any chat by id); 401 when there is
 * none. */
int
h_chats_shared(struct req *r)
{
	struct chat *c;
	enum err e;

	if (strcmp(r->user->role, "admin") == 0 &&
	    conf_bool(CONF_ENABLE_ADMIN_CHAT_ACCESS))
		e = chat_get(r->db, r->a, r->params[0], &c);
	else
		e = chat_get_by_share_id(r->db, r->a, r->params[0], &c);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_NOT_FOUND);
	if (e != ERR_OK)
		return resp_internal(r, "chats", e);
	return chats_reply(r, c);
}

/* Looks up the caller's chat {id}. Returns 0 with *c, or the status of
 * the 401 (with detail) or 500 written. */
static int
chats_own(struct req *r, const char *detail, struct chat **c)
{
	enum err e;

	e = chat_get_for_user(r->db, r->a, r->params[0], r->user->id, c);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, detail);
	if (e != ERR_OK)
		return resp_internal(r, "chats", e);
	return 0;
}

/* Returns 200 with the caller's chat {id}; 401 when it is not theirs. */
int
h_chats_get(struct req *r)
{
	struct chat *c;
	int st;

	if ((st = chats_own(r, MSG_NOT_FOUND, &c)) != 0)
		return st;
	return chats_reply(r, c);
}

/* Stores doc as the document of chat c (title from doc) and writes the
 * stored chat; 400 when the title is not a string, nothing stored. */
static int
chats_store_reply(struct req *r, const struct chat *c, json_object *doc)
{
	const char *title = chats_doc_title(doc);
	struct chat *out;
	enum err e;

	if (title == NULL)
		return resp_error(r, 400, MSG_DEFAULT);
	e = chat_update(r->db, r->a, c->id, json_text(doc), title, &out);
	if (e != ERR_OK)
		return resp_internal(r, "chats", e);
	return chats_reply(r, out);
}

/* Parses the stored document of c on the request arena; NULL when it is
 * not a JSON object. */
static json_object *
chats_doc(struct req *r, const struct chat *c)
{
	json_object *doc = json_on_arena(r->a, json_parse_col(c->chat));

	return json_object_is_type(doc, json_type_object) ? doc : NULL;
}

/* Returns 200 with the chat after merging the posted document's top-level
 * keys into the stored one; 401 when it is not the caller's. */
int
h_chats_update(struct req *r)
{
	json_object *doc, *stored;
	struct chat *c;
	int st;

	if ((st = chats_form_doc(r, &doc)) != 0 ||
	    (st = chats_own(r, MSG_ACCESS_PROHIBITED, &c)) != 0)
		return st;
	if ((stored = chats_doc(r, c)) == NULL)
		return resp_internal(r, "chats", ERR_OK);
	json_object_object_foreach(doc, k, v)
		json_object_object_add(stored, k, json_object_get(v));
	return chats_store_reply(r, c, stored);
}

/* Returns 200 with the chat after setting the content of message
 * {message_id} (NULs removed) and making it the current one; 401 when the
 * chat is missing or neither the caller's nor the caller an admin. */
int
h_chats_message(struct req *r)
{
	json_object *doc, *hist, *msgs, *old, *msg;
	struct body_field content;
	const char *mid = r->params[1];
	struct chat *c;
	struct buf *clean = arena_alloc(r->a, sizeof(*clean));
	enum err e;
	size_t i;
	int st;

	if ((st = body_str(r, "content", 1, NULL, &content)) != 0)
		return st;
	e = chat_get(r->db, r->a, r->params[0], &c);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_ACCESS_PROHIBITED);
	if (e != ERR_OK)
		return resp_internal(r, "chats", e);
	if (strcmp(c->user_id, r->user->id) != 0 &&
	    strcmp(r->user->role, "admin") != 0)
		return resp_error(r, 401, MSG_ACCESS_PROHIBITED);
	/* Python fails (500) on a document without history.messages */
	if ((doc = chats_doc(r, c)) == NULL ||
	    !json_object_object_get_ex(doc, "history", &hist) ||
	    !json_object_is_type(hist, json_type_object) ||
	    !json_object_object_get_ex(hist, "messages", &msgs) ||
	    !json_object_is_type(msgs, json_type_object))
		return resp_internal(r, "chats", ERR_OK);
	buf_on_arena(clean, r->a);
	buf_puts(clean, "");
	for (i = 0; i < content.len; i++)
		if (content.s[i] != '\0')
			buf_putc(clean, content.s[i]);
	if (json_object_object_get_ex(msgs, mid, &old)) {
		if (!json_object_is_type(old, json_type_object))
			return resp_internal(r, "chats", ERR_OK);
		msg = old;
	} else {
		msg = json_object_new_object();
		json_object_object_add(msgs, mid, msg);
	}
	json_object_object_add(msg, "content",
	    json_object_new_string_len(buf_str(clean), (int)clean->len));
	json_object_object_add(hist, "currentId", json_object_new_string(mid));
	/* the chat:message socket event goes here (cwebui-streamd, issue 5) */
	return chats_store_reply(r, c, doc);
}

/* Returns 200 true after deleting the chat {id} and its shared copy (an
 * admin any chat, a user with chat.delete their own), dropping tags left
 * without chats; 401 without chat.delete; 500 when there is no such chat,
 * as Python. */
int
h_chats_delete(struct req *r)
{
	json_object *meta, *tags;
	struct chat *c;
	long long n;
	enum err e;
	size_t i;
	int ok, admin = strcmp(r->user->role, "admin") == 0;

	if (!admin) {
		if ((ok = chats_allowed(r, "chat.delete")) < 0)
			return resp_internal(r, "chats", ERR_DB);
		if (!ok)
			return resp_error(r, 401, MSG_ACCESS_PROHIBITED);
	}
	if ((e = chat_get(r->db, r->a, r->params[0], &c)) != ERR_OK)
		return resp_internal(r, "chats", e == ERR_NOTFOUND ? ERR_OK : e);
	tags = tag_chat_tags(r->a, c, &meta);
	for (i = 0; tags != NULL && i < json_object_array_length(tags); i++) {
		const char *t = json_object_get_string(
		    json_object_array_get_idx(tags, i));

		if (tag_count_chats(r->db, r->a, t, r->user->id, &n) == ERR_OK &&
		    n == 1)
			(void)tag_delete(r->db, r->a, t, r->user->id);
	}
	/* unlike Python, a user's request never deletes the shared copy of
	 * someone else's chat */
	if (admin || strcmp(c->user_id, r->user->id) == 0)
		e = chat_delete(r->db, r->a, c->id);
	if (e != ERR_OK)
		log_error("[%s] could not delete chat: %s", r->id, err_str(e));
	return resp_json(r, 200, json_object_new_boolean(e == ERR_OK));
}

/* Returns 200 with pinned (true, false or null) of the caller's chat;
 * 401 when it is not theirs. */
int
h_chats_pinned_get(struct req *r)
{
	struct chat *c;
	int st;

	if ((st = chats_own(r, MSG_DEFAULT, &c)) != 0)
		return st;
	return resp_json(r, 200, c->pinned < 0 ? NULL :
	    json_object_new_boolean(c->pinned));
}

/* Returns 200 with the chat after flipping pinned; 401 when it is not the
 * caller's. */
int
h_chats_pin(struct req *r)
{
	struct chat *c;
	enum err e;
	int st;

	if ((st = chats_own(r, MSG_DEFAULT, &c)) != 0)
		return st;
	if ((e = chat_toggle_pinned(r->db, r->a, c->id, &c)) != ERR_OK)
		return resp_internal(r, "chats", e);
	return chats_reply(r, c);
}

/* Inserts a copy of c for the caller titled title, pointing back at c
 * (originalChatId, branchPointMessageId), and writes it; 500 when c's
 * document has no history.currentId, as Python. */
static int
chats_clone_reply(struct req *r, const struct chat *c, const char *title)
{
	json_object *doc, *hist, *cur;
	struct chat in = { .pinned = c->pinned };

	if ((doc = chats_doc(r, c)) == NULL ||
	    !json_object_object_get_ex(doc, "history", &hist) ||
	    !json_object_is_type(hist, json_type_object) ||
	    !json_object_object_get_ex(hist, "currentId", &cur))
		return resp_internal(r, "chats", ERR_OK);
	json_object_object_add(doc, "originalChatId",
	    json_object_new_string(c->id));
	json_object_object_add(doc, "branchPointMessageId",
	    json_object_get(cur));
	json_object_object_add(doc, "title", json_object_new_string(title));
	in.meta = c->meta;
	in.folder_id = c->folder_id;
	return chats_insert_reply(r, &in, doc);
}

/* Returns 200 with a copy of the caller's chat titled by the body's title
 * or "Clone of <title>"; 401 when it is not the caller's. */
int
h_chats_clone(struct req *r)
{
	struct body_field title;
	struct chat *c;
	int st;

	if ((st = body_str(r, "title", 0, NULL, &title)) != 0 ||
	    (st = chats_own(r, MSG_DEFAULT, &c)) != 0)
		return st;
	if (title.s == NULL || title.len == 0)
		title.s = arena_printf(r->a, "Clone of %s", c->title);
	return chats_clone_reply(r, c, title.s);
}

/* Returns 200 with the caller's copy of the shared chat {id} (a share
 * id; an admin may name any chat) titled "Clone of <title>"; 401 when
 * there is none. */
int
h_chats_clone_shared(struct req *r)
{
	struct chat *c;
	enum err e;

	if (strcmp(r->user->role, "admin") == 0)
		e = chat_get(r->db, r->a, r->params[0], &c);
	else
		e = chat_get_by_share_id(r->db, r->a, r->params[0], &c);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_DEFAULT);
	if (e != ERR_OK)
		return resp_internal(r, "chats", e);
	return chats_clone_reply(r, c,
	    arena_printf(r->a, "Clone of %s", c->title));
}

/* Returns 200 with the chat after flipping archived: archiving drops the
 * caller's tags left without unarchived chats, unarchiving recreates the
 * chat's tags; 401 when it is not the caller's. */
int
h_chats_archive(struct req *r)
{
	json_object *meta, *tags;
	struct chat *c;
	enum err e;
	size_t i;
	int st;

	if ((st = chats_own(r, MSG_DEFAULT, &c)) != 0)
		return st;
	if ((e = chat_toggle_archived(r->db, r->a, c->id, &c)) != ERR_OK)
		return resp_internal(r, "chats", e);
	tags = tag_chat_tags(r->a, c, &meta);
	for (i = 0; tags != NULL && i < json_object_array_length(tags); i++) {
		const char *t = json_object_get_string(
		    json_object_array_get_idx(tags, i));

		e = c->archived ? tag_prune(r->db, r->a, t, r->user->id) :
		    tag_ensure(r->db, r->a, t, r->user->id);
		if (e != ERR_OK)
			log_error("[%s] could not update tag: %s", r->id,
			    err_str(e));
	}
	return chats_reply(r, c);
}

/* Returns 200 with the shared copy of the caller's chat, created or
 * refreshed from it; 401 when it is not the caller's or a user lacks
 * chat.share. */
int
h_chats_share(struct req *r)
{
	struct chat *c, *copy;
	enum err e;
	int ok, st;

	if ((ok = chats_allowed(r, "chat.share")) < 0)
		return resp_internal(r, "chats", ERR_DB);
	if (!ok)
		return resp_error(r, 401, MSG_ACCESS_PROHIBITED);
	if ((st = chats_own(r, MSG_ACCESS_PROHIBITED, &c)) != 0)
		return st;
	if ((e = chat_share(r->db, r->a, c->id, &copy)) != ERR_OK)
		return resp_internal(r, "chats", e == ERR_NOTFOUND ? ERR_OK : e);
	return chats_reply(r, copy);
}

/* Returns 200 true after deleting the shared copy of the caller's chat,
 * false when it was not shared; 401 when it is not the caller's. */
int
h_chats_unshare(struct req *r)
{
	struct chat *c;
	enum err e;
	int st;

	if ((st = chats_own(r, MSG_ACCESS_PROHIBITED, &c)) != 0)
		return st;
	if (c->share_id == NULL)
		return resp_json(r, 200, json_object_new_boolean(0));
	if ((e = chat_unshare(r->db, r->a, c->id)) != ERR_OK)
		log_error("[%s] could not unshare chat: %s", r->id, err_str(e));
	return resp_json(r, 200, json_object_new_boolean(e == ERR_OK));
}
