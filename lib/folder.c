/* folder.c: the "folder" table, as Python's models/folders.py uses it. */
#include <string.h>
#include <time.h>

#include "db.h"
#include "folder.h"
#include "group.h"
#include "json.h"
#include "mem.h"
#include "rand.h"

#define FOLDER_COLS	"id, parent_id, user_id, name, items, meta, data, " \
			"is_expanded, created_at, updated_at"

static struct folder *
folder_from_row(struct arena *a, const struct db_res *res, int row)
{
	struct folder *f = arena_alloc(a, sizeof(*f));

	f->id = arena_strdup(a, db_cell(res, row, 0));
	f->parent_id = arena_strdup(a, db_cell(res, row, 1));
	f->user_id = arena_strdup(a, db_cell(res, row, 2));
	f->name = arena_strdup(a, db_cell(res, row, 3));
	f->items = arena_strdup(a, db_cell(res, row, 4));
	f->meta = arena_strdup(a, db_cell(res, row, 5));
	f->data = arena_strdup(a, db_cell(res, row, 6));
	f->is_expanded = db_cell_bool(res, row, 7);
	f->created_at = db_cell_int(res, row, 8);
	f->updated_at = db_cell_int(res, row, 9);
	return f;
}

/* Returns the rows of res as an arena array of folders. */
static struct folder **
folder_rows(struct arena *a, const struct db_res *res)
{
	struct folder **v;
	int i;

	v = arena_alloc(a, sizeof(*v) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++)
		v[i] = folder_from_row(a, res, i);
	return v;
}

enum err
folder_get(struct db *db, struct arena *a, const char *id,
    const char *user_id, struct folder **out)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "SELECT " FOLDER_COLS " FROM folder "
	    "WHERE id = $1 AND user_id = $2", DBV_TEXT(id), DBV_TEXT(user_id));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0)
		return ERR_NOTFOUND;
	*out = folder_from_row(a, res, 0);
	return ERR_OK;
}

enum err
folder_list(struct db *db, struct arena *a, const char *user_id,
    struct folder ***out, int *n)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "SELECT " FOLDER_COLS " FROM folder "
	    "WHERE user_id = $1", DBV_TEXT(user_id));
	if (e != ERR_OK)
		return e;
	*out = folder_rows(a, res);
	*n = res->nrows;
	return ERR_OK;
}

enum err
folder_find_sibling(struct db *db, struct arena *a, const char *parent_id,
    const char *user_id, const char *name, struct folder **out)
{
	struct db_res *res;
	enum err e;

	/* SQLAlchemy's ilike(): ILIKE on PostgreSQL, lower() LIKE lower() on
	 * SQLite; lower() LIKE lower() gives the same answers on both. */
	if (parent_id == NULL)
		e = DBQ(db, a, &res, "SELECT " FOLDER_COLS " FROM folder "
		    "WHERE parent_id IS NULL AND user_id = $1 AND "
		    "lower(name) LIKE lower($2) LIMIT 1", DBV_TEXT(user_id),
		    DBV_TEXT(name));
	else
		e = DBQ(db, a, &res, "SELECT " FOLDER_COLS " FROM folder "
		    "WHERE parent_id = $1 AND user_id = $2 AND "
		    "lower(name) LIKE lower($3) LIMIT 1", DBV_TEXT(parent_id),
		    DBV_TEXT(user_id), DBV_TEXT(name));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0)
		return ERR_NOTFOUND;
	*out = folder_from_row(a, res, 0);
	return ERR_OK;
}

/* JSON text to store for a document: Python's json.dumps(None) for none. */
static const char *
folder_doc(const char *text)
{
	return text != NULL ? text : "null";
}

enum err
folder_insert(struct db *db, struct arena *a, const struct folder *in,
    struct folder **out)
{
	char id[37];
	long long now = (long long)time(NULL);
	enum err e;

	rand_uuid4(id);
	e = DBQ(db, a, NULL, "INSERT INTO folder (id, parent_id, user_id, "
	    "name, items, meta, data, is_expanded, created_at, updated_at) "
	    "VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, $9)", DBV_TEXT(id),
	    DBV_TEXT(in->user_id), DBV_TEXT(in->name),
	    DBV_TEXT(folder_doc(in->items)), DBV_TEXT(folder_doc(in->meta)),
	    DBV_TEXT(folder_doc(in->data)), DBV_BOOL(in->is_expanded),
	    DBV_INT(now), DBV_INT(now));
	if (e != ERR_OK)
		return e;
	return folder_get(db, a, id, in->user_id, out);
}

/* Returns the stored document text with the keys of add (borrowed) set on
 * top, as Python's {**(stored or {}), **add}. Arena-owned. */
static const char *
folder_merge(struct arena *a, const char *stored, json_object *add)
{
	json_object *o = json_on_arena(a, json_parse_col(stored));

	if (o == NULL || !json_object_is_type(o, json_type_object))
		o = json_on_arena(a, json_object_new_object());
	json_object_object_foreach(add, k, v)
		json_object_object_add(o, k, json_object_get(v));
	return arena_strdup(a, json_text(o));
}

enum err
folder_update(struct db *db, struct arena *a, const char *id,
    const char *user_id, const char *name, json_object *data,
    json_object *meta, struct folder **out)
{
	struct folder *f;
	struct db_res *res;
	enum err e;

	if ((e = folder_get(db, a, id, user_id, &f)) != ERR_OK)
		return e;
	if (name != NULL) {
		/* the exact-name check of update_folder_by_id_and_user_id */
		e = DBQ(db, a, &res, "SELECT id FROM folder WHERE name = $1 AND "
		    "user_id = $2 AND (parent_id = $3 OR ($3 IS NULL AND "
		    "parent_id IS NULL)) AND id <> $4", DBV_TEXT(name),
		    DBV_TEXT(user_id), DBV_TEXT(f->parent_id), DBV_TEXT(id));
		if (e != ERR_OK)
			return e;
		if (res->nrows > 0)
			return ERR_EXISTS;
		f->name = arena_strdup(a, name);
	}
	if (data != NULL)
		f->data = (char *)folder_merge(a, f->data, data);
	if (meta != NULL)
		f->meta = (char *)folder_merge(a, f->meta, meta);
	e = DBQ(db, a, NULL, "UPDATE folder SET name = $1, data = $2, "
	    "meta = $3, updated_at = $4 WHERE id = $5 AND user_id = $6",
	    DBV_TEXT(f->name), DBV_TEXT(f->data), DBV_TEXT(f->meta),
	    DBV_INT(time(NULL)), DBV_TEXT(id),
	    DBV_TEXT(user_id));
	if (e != ERR_OK)
		return e;
	return folder_get(db, a, id, user_id, out);
}

/* Runs "UPDATE folder SET <col> = $1, updated_at = $2 WHERE id = $3 AND
 * user_id = $4" and reads the row back. */
static enum err
folder_set(struct db *db, struct arena *a, const char *sql, struct db_val v,
    const char *id, const char *user_id, struct folder **out)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, sql, v, DBV_INT(time(NULL)), DBV_TEXT(id),
	    DBV_TEXT(user_id));
	if (e != ERR_OK)
		return e;
	if (res->changes == 0)
		return ERR_NOTFOUND;
	return folder_get(db, a, id, user_id, out);
}

enum err
folder_set_parent(struct db *db, struct arena *a, const char *id,
    const char *user_id, const char *parent_id, struct folder **out)
{
	return folder_set(db, a, "UPDATE folder SET parent_id = $1, "
	    "updated_at = $2 WHERE id = $3 AND user_id = $4",
	    DBV_TEXT(parent_id), id, user_id, out);
}

enum err
folder_set_expanded(struct db *db, struct arena *a, const char *id,
    const char *user_id, int is_expanded, struct folder **out)
{
	return folder_set(db, a, "UPDATE folder SET is_expanded = $1, "
	    "updated_at = $2 WHERE id = $3 AND user_id = $4",
	    DBV_BOOL(is_expanded), id, user_id, out);
}

enum err
folder_subtree(struct db *db, struct arena *a, const char *id,
    const char *user_id, const char ***ids, int *n)
{
	struct folder **all, *top;
	const char **v;
	int nall, k = 0, done, i, j;
	enum err e;

	if ((e = folder_get(db, a, id, user_id, &top)) != ERR_OK)
		return e;
	if ((e = folder_list(db, a, user_id, &all, &nall)) != ERR_OK)
		return e;
	/* breadth first over the user's folders; each folder is taken once,
	 * so a parent_id loop cannot make the walk endless */
	v = arena_alloc(a, sizeof(*v) * (size_t)(nall + 2));
	v[k++] = top->id;
	for (done = 0; done < k; done++)
		for (i = 0; i < nall; i++) {
			if (all[i] == NULL || all[i]->parent_id == NULL ||
			    strcmp(all[i]->parent_id, v[done]) != 0)
				continue;
			for (j = 0; j < k; j++)
				if (strcmp(v[j], all[i]->id) == 0)
					break;
			if (j == k)
				v[k++] = all[i]->id;
			all[i] = NULL;
		}
	*ids = v;
	*n = k;
	return ERR_OK;
}

enum err
folder_delete(struct db *db, struct arena *a, const char *id,
    const char *user_id, const char ***ids, int *n)
{
	const char **v;
	int nv, i;
	enum err e;

	if ((e = folder_subtree(db, a, id, user_id, &v, &nv)) != ERR_OK)
		return e;
	for (i = 0; i < nv; i++) {
		e = DBQ(db, a, NULL, "DELETE FROM folder WHERE id = $1 AND "
		    "user_id = $2", DBV_TEXT(v[i]), DBV_TEXT(user_id));
		if (e != ERR_OK)
			return e;
	}
	if (ids != NULL)
		*ids = v;
	if (n != NULL)
		*n = nv;
	return ERR_OK;
}

/* utils/access_control.py has_access(user_id, "read", access_control):
 * no access_control means readable; otherwise read.user_ids holds the user
 * or read.group_ids one of the user's groups. */
static enum err
folder_may_read(struct db *db, struct arena *a, const char *user_id,
    const char *access_control, int *yes)
{
	json_object *ac = json_on_arena(a, json_parse_col(access_control));
	json_object *ids, *v;
	struct group **g;
	size_t i;
	int n, k;
	enum err e;

	*yes = ac == NULL;
	if (ac == NULL)
		return ERR_OK;
	ids = json_get_path(ac, "read.user_ids");
	for (i = 0; json_object_is_type(ids, json_type_array) &&
	    i < json_object_array_length(ids); i++) {
		v = json_object_array_get_idx(ids, i);
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), user_id) == 0) {
			*yes = 1;
			return ERR_OK;
		}
	}
	ids = json_get_path(ac, "read.group_ids");
	if (!json_object_is_type(ids, json_type_array))
		return ERR_OK;
	if ((e = group_list_by_member(db, a, user_id, &g, &n)) != ERR_OK)
		return e;
	for (i = 0; i < json_object_array_length(ids); i++) {
		v = json_object_array_get_idx(ids, i);
		for (k = 0; k < n && json_object_is_type(v, json_type_string);
		    k++)
			if (strcmp(json_object_get_string(v), g[k]->id) == 0) {
				*yes = 1;
				return ERR_OK;
			}
	}
	return ERR_OK;
}

/* Sets *yes when the user may read the file or knowledge base the data.files
 * entry f points at (Files/Knowledges.check_access_by_user_id). */
static enum err
folder_file_readable(struct db *db, struct arena *a, const char *user_id,
    json_object *f, int *yes)
{
	const char *type = json_get_str(f, "type");
	const char *id = json_get_str(f, "id");
	struct db_res *res;
	enum err e;

	*yes = 1;
	if (type == NULL || (strcmp(type, "file") != 0 &&
	    strcmp(type, "collection") != 0))
		return ERR_OK;
	*yes = 0;
	if (id == NULL)
		return ERR_OK;
	if (strcmp(type, "file") == 0) {
		e = DBQ(db, a, &res, "SELECT user_id FROM file WHERE id = $1",
		    DBV_TEXT(id));
		if (e == ERR_OK && res->nrows > 0)
			*yes = strcmp(db_cell(res, 0, 0), user_id) == 0;
		return e;
	}
	e = DBQ(db, a, &res, "SELECT user_id, access_control FROM knowledge "
	    "WHERE id = $1", DBV_TEXT(id));
	if (e != ERR_OK || res->nrows == 0)
		return e;
	if (strcmp(db_cell(res, 0, 0), user_id) == 0) {
		*yes = 1;
		return ERR_OK;
	}
	return folder_may_read(db, a, user_id, db_cell(res, 0, 1), yes);
}

enum err
folder_prune_files(struct db *db, struct arena *a, const char *user_id,
    json_object *data, int *changed)
{
	json_object *files = json_get(data, "files"), *keep;
	size_t i;
	int yes;
	enum err e;

	*changed = 0;
	if (files == NULL || !json_object_is_type(files, json_type_array))
		return ERR_OK;
	keep = json_object_new_array();
	for (i = 0; i < json_object_array_length(files); i++) {
		json_object *f = json_object_array_get_idx(files, i);

		e = folder_file_readable(db, a, user_id, f, &yes);
		if (e != ERR_OK) {
			json_object_put(keep);
			return e;
		}
		if (yes)
			json_object_array_add(keep, json_object_get(f));
	}
	json_object_object_add(data, "files", keep);
	*changed = 1;
	return ERR_OK;
}

/* Adds is_expanded, created_at and updated_at, the last keys of both
 * response shapes, to o; returns o. */
static json_object *
folder_json_tail(json_object *o, const struct folder *f)
{
	json_object_object_add(o, "is_expanded",
	    json_object_new_boolean(f->is_expanded));
	json_object_object_add(o, "created_at",
	    json_object_new_int64(f->created_at));
	json_object_object_add(o, "updated_at",
	    json_object_new_int64(f->updated_at));
	return o;
}

json_object *
folder_json(const struct folder *f)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_str_or_null(f->id));
	json_object_object_add(o, "parent_id", json_str_or_null(f->parent_id));
	json_object_object_add(o, "user_id", json_str_or_null(f->user_id));
	json_object_object_add(o, "name", json_str_or_null(f->name));
	json_object_object_add(o, "items", json_parse_col(f->items));
	json_object_object_add(o, "meta", json_parse_col(f->meta));
	json_object_object_add(o, "data", json_parse_col(f->data));
	return folder_json_tail(o, f);
}

json_object *
folder_name_id_json(const struct folder *f)
{
	json_object *o = json_object_new_object();
	json_object *meta = json_parse_col(f->meta), *m = NULL;

	if (meta != NULL && json_object_is_type(meta, json_type_object)) {
		m = json_object_new_object();
		json_object_object_add(m, "icon",
		    json_str_or_null(json_get_str(meta, "icon")));
	}
	json_object_put(meta);
	json_object_object_add(o, "id", json_str_or_null(f->id));
	json_object_object_add(o, "name", json_str_or_null(f->name));
	json_object_object_add(o, "meta", m);
	json_object_object_add(o, "parent_id", json_str_or_null(f->parent_id));
	return folder_json_tail(o, f);
}
