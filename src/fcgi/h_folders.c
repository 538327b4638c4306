/* h_folders.c: /api/v1/folders/ (routers/folders.py) and the folder routes
 * of routers/chats.py: the caller's folder tree, and chats listed in and
 * moved into folders.
 *
 * One deliberate difference: data.files entries the caller may not read
 * are dropped when a folder is created or updated, not only when the
 * folders are next listed (GHSA-r472-mw7m-967f). */
#include <limits.h>
#include <string.h>

#include "body.h"
#include "chat.h"
#include "db.h"
#include "folder.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "perm.h"
#include "req.h"
#include "user.h"

#define MSG_FOLDER_EXISTS	"[ERROR: Folder already exists]"
#define MSG_FOLDER_CREATE	"[ERROR: Error creating folder]"
#define MSG_FOLDER_UPDATE	"[ERROR: Error updating folder]"
#define MSG_FOLDER_DELETE	"[ERROR: Error deleting folder]"

/* routers/chats.py: chats per page of a folder's list */
#define FOLDERS_CHAT_PAGE	60

/* Reads the caller's folder r->params[0] into *f. Returns 0, or the
 * status written: 404 when the caller has no such folder. */
static int
folders_own(struct req *r, struct folder **f)
{
	enum err e;

	e = folder_get(r->db, r->a, r->params[0], r->user->id, f);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 404, MSG_NOT_FOUND);
	if (e != ERR_OK)
		return resp_internal(r, "folders", e);
	return 0;
}

/* Writes FastAPI's 422 for one body field; v is the offending value. */
static int
folders_invalid(struct req *r, const char *field, const char *type,
    const char *msg, json_object *v)
{
	json_object *errs = json_object_new_array();

	json_error_add(errs, type, msg, v, "body", field, NULL);
	return resp_errors(r, errs);
}


/* Reads the Optional[dict] body field key: *present is 1 when the key is
 * in the body, *out its object or NULL for JSON null. Returns 0, or the
 * status of the 422 written. */
static int
folders_body_dict(struct req *r, const char *key, int *present,
    json_object **out)
{
	json_object *v = NULL;

	*present = json_object_object_get_ex(r->json, key, &v);
	*out = v;
	if (v != NULL && !json_object_is_type(v, json_type_object))
		return folders_invalid(r, key, "dict_type",
		    "Input should be a valid dictionary", v);
	return 0;
}

/* Reads the body's name (when given), data and meta as FolderForm and
 * FolderUpdateForm do; data is pruned of files the caller may not read.
 * Returns 0, or the status written. */
static int
folders_form(struct req *r, int name_required, struct body_field *name,
    int *has[3], json_object **data, json_object **meta)
{
	json_object *tmp;
	int st, changed;
	enum err e;

	*has[0] = json_object_object_get_ex(r->json, "name", &tmp);
	if ((st = body_str(r, "name", name_required, NULL, name)) != 0)
		return st;
	if ((st = folders_body_dict(r, "data", has[1], data)) != 0 ||
	    (st = folders_body_dict(r, "meta", has[2], meta)) != 0)
		return st;
	if (*data == NULL)
		return 0;
	/* prune a copy: r->json may still be echoed in a 422 */
	tmp = NULL;
	if (json_object_deep_copy(*data, &tmp, NULL) != 0)
		return resp_internal(r, "folders", ERR_INVAL);
	*data = json_on_arena(r->a, tmp);
	e = folder_prune_files(r->db, r->a, r->user->id, *data, &changed);
	return e != ERR_OK ? resp_internal(r, "folders", e) : 0;
}

/* Returns 200 with the caller's folders (id, name, meta.icon, parent_id,
 * is_expanded, timestamps), after dropping from each folder's data.files
 * the files and knowledge bases the caller can no longer read. */
int
h_folders_list(struct req *r)
{
	struct folder **v, *tmp;
	json_object *arr, *data;
	enum err e;
	int i, n, changed;

	if ((e = folder_list(r->db, r->a, r->user->id, &v, &n)) != ERR_OK)
		return resp_internal(r, "folders", e);
	for (i = 0; i < n; i++) {
		data = json_on_arena(r->a, json_parse_col(v[i]->data));
		if (!json_truthy(data) ||
		    !json_object_is_type(data, json_type_object) ||
		    !json_object_object_get_ex(data, "files", NULL))
			continue;
		e = folder_prune_files(r->db, r->a, r->user->id, data,
		    &changed);
		if (e == ERR_OK && changed)
			e = folder_update(r->db, r->a, v[i]->id, r->user->id,
			    NULL, data, NULL, &tmp);
		if (e != ERR_OK && e != ERR_NOTFOUND)
			return resp_internal(r, "folders", e);
	}
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, folder_name_id_json(v[i]));
	return resp_json(r, 200, arr);
}

/* Creates a folder at the root. Returns 200 with it (FolderModel), 400 if
 * a root folder has that name (any case), 422 for a bad body. */
int
h_folders_create(struct req *r)
{
	struct folder in = { 0 }, *f;
	struct body_field name;
	json_object *data, *meta, *v;
	int has_name, has_data, has_meta, *has[3] = { &has_name, &has_data,
	    &has_meta };
	int st, b;
	enum err e;

	if ((st = folders_form(r, 1, &name, has, &data, &meta)) != 0)
		return st;
	/* extra fields FolderModel takes from the form: items, is_expanded */
	if (json_object_object_get_ex(r->json, "items", &v) && v != NULL &&
	    !json_object_is_type(v, json_type_object))
		return resp_error(r, 400, MSG_FOLDER_CREATE);
	in.items = v != NULL ? (char *)json_text(v) : NULL;
	if (json_object_object_get_ex(r->json, "is_expanded", &v)) {
		if ((b = json_lax_bool(v)) < 0)
			return resp_error(r, 400, MSG_FOLDER_CREATE);
		in.is_expanded = b;
	}
	e = folder_find_sibling(r->db, r->a, NULL, r->user->id, name.s, &f);
	if (e == ERR_OK)
		return resp_error(r, 400, MSG_FOLDER_EXISTS);
	if (e != ERR_NOTFOUND)
		return resp_internal(r, "folders", e);
	/* Python on PostgreSQL fails to store a NUL and answers null */
	if (body_has_nul(&name))
		return resp_json(r, 200, NULL);
	in.user_id = r->user->id;
	in.name = (char *)name.s;
	in.data = data != NULL ? (char *)json_text(data) : NULL;
	in.meta = meta != NULL ? (char *)json_text(meta) : NULL;
	if ((e = folder_insert(r->db, r->a, &in, &f)) != ERR_OK) {
		log_error("[%s] folders: could not create folder: %s", r->id,
		    err_str(e));
		return resp_json(r, 200, NULL);
	}
	return resp_json(r, 200, folder_json(f));
}

/* Returns 200 with the caller's folder (FolderModel); 404 if missing or
 * not the caller's. */
int
h_folders_get(struct req *r)
{
	struct folder *f;
	int st;

	if ((st = folders_own(r, &f)) != 0)
		return st;
	return resp_json(r, 200, folder_json(f));
}

/* Renames the folder and merges data and meta into its own. Returns 200
 * with it; 400 if a sibling has that name; 404 if missing or not the
 * caller's; 200 null where Python's update fails (a null name, data or
 * meta). */
int
h_folders_update(struct req *r)
{
	struct folder *f, *sib;
	struct body_field name;
	json_object *data, *meta;
	int has_name, has_data, has_meta, *has[3] = { &has_name, &has_data,
	    &has_meta };
	int st;
	enum err e;

	if ((st = folders_form(r, 0, &name, has, &data, &meta)) != 0)
		return st;
	if ((st = folders_own(r, &f)) != 0)
		return st;
	if (name.s != NULL) {
		e = folder_find_sibling(r->db, r->a, f->parent_id, r->user->id,
		    name.s, &sib);
		if (e == ERR_OK && strcmp(sib->id, f->id) != 0)
			return resp_error(r, 400, MSG_FOLDER_EXISTS);
		if (e != ERR_OK && e != ERR_NOTFOUND)
			return resp_internal(r, "folders", e);
	}
	if ((has_name && name.s == NULL) || (has_data && data == NULL) ||
	    (has_meta && meta == NULL) || body_has_nul(&name))
		return resp_json(r, 200, NULL);
	e = folder_update(r->db, r->a, f->id, r->user->id, name.s, data, meta,
	    &f);
	if (e != ERR_OK) {
		if (e != ERR_EXISTS)
			log_error("[%s] folders: could not update folder: %s",
			    r->id, err_str(e));
		return resp_json(r, 200, NULL);
	}
	return resp_json(r, 200, folder_json(f));
}

/* Moves the folder under parent_id (null: the root). Returns 200 with it;
 * 400 if the target already holds a folder of that name (the folder itself
 * included); 404 if missing or not the caller's. Like Python it checks
 * neither the target's owner nor loops. */
int
h_folders_set_parent(struct req *r)
{
	struct folder *f, *sib;
	struct body_field parent;
	enum err e;
	int st;

	if ((st = body_str(r, "parent_id", 0, NULL, &parent)) != 0)
		return st;
	if ((st = folders_own(r, &f)) != 0)
		return st;
	e = folder_find_sibling(r->db, r->a, parent.s, r->user->id, f->name,
	    &sib);
	if (e == ERR_OK)
		return resp_error(r, 400, MSG_FOLDER_EXISTS);
	if (e != ERR_NOTFOUND)
		return resp_internal(r, "folders", e);
	if (body_has_nul(&parent))
		return resp_json(r, 200, NULL);
	e = folder_set_parent(r->db, r->a, f->id, r->user->id, parent.s, &f);
	if (e != ERR_OK) {
		log_error("[%s] folders: could not move folder: %s", r->id,
		    err_str(e));
		return resp_json(r, 200, NULL);
	}
	return resp_json(r, 200, folder_json(f));
}

/* Sets is_expanded. Returns 200 with the folder; 404 if missing or not the
 * caller's; 422 when is_expanded is missing or not a boolean. */
int
h_folders_set_expanded(struct req *r)
{
	struct folder *f;
	json_object *v;
	enum err e;
	int b;

	if (!json_object_object_get_ex(r->json, "is_expanded", &v))
		return folders_invalid(r, "is_expanded", "missing",
		    "Field required", r->json);
	if ((b = json_lax_bool(v)) == -1)
		return folders_invalid(r, "is_expanded", "bool_parsing",
		    "Input should be a valid boolean, unable to interpret "
		    "input", v);
	if (b < 0)
		return folders_invalid(r, "is_expanded", "bool_type",
		    "Input should be a valid boolean", v);
	e = folder_set_expanded(r->db, r->a, r->params[0], r->user->id, b, &f);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 404, MSG_NOT_FOUND);
	if (e != ERR_OK)
		return resp_internal(r, "folders", e);
	return resp_json(r, 200, folder_json(f));
}

/* Deletes the folder, the folders below it and the chats in all of them.
 * Returns 200 true; 403 when the folder holds chats and the caller is
 * neither admin nor granted chat.delete; 404 if missing or not the
 * caller's. */
int
h_folders_delete(struct req *r)
{
	const char **ids;
	struct folder *f;
	long long nchats;
	int i, n, st, yes = 1;
	enum err e;

	e = chat_count_in_folder(r->db, r->a, r->user->id, r->params[0],
	    &nchats);
	if (e == ERR_OK && nchats > 0 && strcmp(r->user->role, "admin") != 0)
		e = perm_has(r->db, r->a, r->user->id, "chat.delete", &yes);
	if (e != ERR_OK)
		return resp_internal(r, "folders", e);
	if (!yes)
		return resp_error(r, 403, MSG_ACCESS_PROHIBITED);
	if ((st = folders_own(r, &f)) != 0)
		return st;
	if ((e = db_begin(r->db)) != ERR_OK)
		goto fail;
	e = folder_delete(r->db, r->a, f->id, r->user->id, &ids, &n);
	for (i = 0; e == ERR_OK && i < n; i++)
		e = chat_delete_in_folder(r->db, r->a, r->user->id, ids[i]);
	if (e == ERR_OK && (e = db_commit(r->db)) == ERR_OK)
		return resp_json(r, 200, json_object_new_boolean(1));
	db_rollback(r->db);
fail:
	log_error("[%s] folders: could not delete folder: %s", r->id,
	    err_str(e));
	return resp_error(r, 400, MSG_FOLDER_DELETE);
}

/* Returns 200 with the caller's chats (ChatResponse) in the folder and the
 * folders below it, neither pinned nor archived, newest first. */
int
h_chats_by_folder(struct req *r)
{
	const char **ids, *one[1] = { r->params[0] };
	struct chat **v;
	json_object *arr;
	int i, n, nids;
	enum err e;

	e = folder_subtree(r->db, r->a, r->params[0], r->user->id, &ids, &nids);
	if (e == ERR_NOTFOUND) {
		ids = one;
		nids = 1;
	} else if (e != ERR_OK)
		return resp_internal(r, "folders", e);
	e = chat_list_in_folders(r->db, r->a, r->user->id, ids, nids, 0, 0,
	    &v, &n);
	if (e != ERR_OK)
		return resp_internal(r, "folders", e);
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, chat_json(v[i]));
	return resp_json(r, 200, arr);
}

/* Returns 200 with page ?page (60 a page) of the caller's chats in the
 * folder itself as [{title, id, updated_at}]; 422 for a page that is not
 * an integer; 400 where Python's query fails (a page below 1 on
 * PostgreSQL). */
int
h_chats_by_folder_list(struct req *r)
{
	const char *ps = req_query(r, "page"), *ids[1] = { r->params[0] };
	struct chat **v;
	json_object *arr, *o;
	long long page;
	int i, n;
	enum err e;

	if (req_parse_int(ps, 1, &page) != 0)
		return resp_invalid_param(r, "query", "page", "int_parsing",
		    MSG_INT_PARSING, ps);
	if (page > LLONG_MAX / FOLDERS_CHAT_PAGE ||
	    page < LLONG_MIN / FOLDERS_CHAT_PAGE + 1)
		return resp_error(r, 400, MSG_DEFAULT);
	e = chat_list_in_folders(r->db, r->a, r->user->id, ids, 1,
	    (page - 1) * FOLDERS_CHAT_PAGE, FOLDERS_CHAT_PAGE, &v, &n);
	if (e != ERR_OK)
		return resp_error(r, 400, MSG_DEFAULT);
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "title", json_str_or_null(v[i]->title));
		json_object_object_add(o, "id", json_str_or_null(v[i]->id));
		json_object_object_add(o, "updated_at",
		    json_object_new_int64(v[i]->updated_at));
		json_object_array_add(arr, o);
	}
	return resp_json(r, 200, arr);
}

/* Moves the caller's chat into folder_id (null: out of folders) and unpins
 * it. Returns 200 with the chat; 401 if missing or not the caller's. */
int
h_chats_set_folder(struct req *r)
{
	struct body_field folder;
	struct chat *c;
	enum err e;
	int st;

	if ((st = body_str(r, "folder_id", 0, NULL, &folder)) != 0)
		return st;
	e = chat_get_for_user(r->db, r->a, r->params[0], r->user->id, &c);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_DEFAULT);
	if (e != ERR_OK)
		return resp_internal(r, "folders", e);
	if (body_has_nul(&folder))
		return resp_internal(r, "folders", ERR_INVAL);
	if ((e = chat_set_folder(r->db, r->a, c->id, folder.s, &c)) != ERR_OK)
		return resp_internal(r, "folders", e);
	return resp_json(r, 200, chat_json(c));
}
