/* group.c: the "group" table. */
#include <string.h>
#include <time.h>

#include "db.h"
#include "group.h"
#include "json.h"
#include "mem.h"
#include "rand.h"

#define GROUP_COLS	"id, user_id, name, description, data, meta, " \
			"permissions, user_ids, created_at, updated_at"

static struct group *
group_from_row(struct arena *a, const struct db_res *res, int row)
{
	struct group *g = arena_alloc(a, sizeof(*g));

	g->id = arena_strdup(a, db_cell(res, row, 0));
	g->user_id = arena_strdup(a, db_cell(res, row, 1));
	g->name = arena_strdup(a, db_cell(res, row, 2));
	g->description = arena_strdup(a, db_cell(res, row, 3));
	g->data = arena_strdup(a, db_cell(res, row, 4));
	g->meta = arena_strdup(a, db_cell(res, row, 5));
	g->permissions = arena_strdup(a, db_cell(res, row, 6));
	g->user_ids = arena_strdup(a, db_cell(res, row, 7));
	g->created_at = db_cell_int(res, row, 8);
	g->updated_at = db_cell_int(res, row, 9);
	return g;
}

/* Returns the index of the first string equal to user_id in the JSON array
 * ids, or -1 (also when ids is not an array). */
static int
group_member_index(json_object *ids, const char *user_id)
{
	size_t i, n;
	json_object *v;

	if (ids == NULL || !json_object_is_type(ids, json_type_array))
		return -1;
	n = json_object_array_length(ids);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(ids, i);
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), user_id) == 0)
			return (int)i;
	}
	return -1;
}

enum err
group_list_by_member(struct db *db, struct arena *a, const char *user_id,
    struct group ***out, int *n)
{
	struct db_res *res;
	struct group **v;
	json_object *ids;
	enum err e;
	int i, k = 0;

	e = DBQ0(db, a, &res, "SELECT " GROUP_COLS " FROM \"group\" "
	    "ORDER BY updated_at DESC");
	if (e != ERR_OK)
		return e;
	v = arena_alloc(a, sizeof(*v) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++) {
		ids = json_on_arena(a, json_parse_col(db_cell(res, i, 7)));
		if (group_member_index(ids, user_id) >= 0)
			v[k++] = group_from_row(a, res, i);
	}
	*out = v;
	*n = k;
	return ERR_OK;
}

enum err
group_list(struct db *db, struct arena *a, struct group ***out, int *n)
{
	struct db_res *res;
	struct group **v;
	enum err e;
	int i;

	e = DBQ0(db, a, &res, "SELECT " GROUP_COLS " FROM \"group\" "
	    "ORDER BY updated_at DESC");
	if (e != ERR_OK)
		return e;
	v = arena_alloc(a, sizeof(*v) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++)
		v[i] = group_from_row(a, res, i);
	*out = v;
	*n = res->nrows;
	return ERR_OK;
}

enum err
group_get(struct db *db, struct arena *a, const char *id, struct group **out)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "SELECT " GROUP_COLS " FROM \"group\" "
	    "WHERE id = $1", DBV_TEXT(id));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0)
		return ERR_NOTFOUND;
	*out = group_from_row(a, res, 0);
	return ERR_OK;
}

enum err
group_create(struct db *db, struct arena *a, const char *user_id,
    const char *name, const char *description, const char *permissions,
    struct group **out)
{
	char id[37];
	long long now = time(NULL);
	enum err e;

	rand_uuid4(id);
	e = DBQ(db, a, NULL, "INSERT INTO \"group\" (" GROUP_COLS ") "
	    "VALUES ($1, $2, $3, $4, 'null', 'null', $5, '[]', $6, $6)",
	    DBV_TEXT(id), DBV_TEXT(user_id), DBV_TEXT(name),
	    DBV_TEXT(description),
	    DBV_TEXT(permissions != NULL ? permissions : "null"),
	    DBV_INT(now));
	if (e != ERR_OK)
		return e;
	return group_get(db, a, id, out);
}

enum err
group_update(struct db *db, struct arena *a, const char *id, const char *name,
    const char *description, const char *permissions, const char *user_ids,
    struct group **out)
{
	enum err e;

	/* NULL keeps the column: CASE on the bound flag, same on both engines */
	e = DBQ(db, a, NULL, "UPDATE \"group\" SET name = $1, "
	    "description = $2, "
	    "permissions = CASE WHEN $3 = 1 THEN $4 ELSE permissions END, "
	    "user_ids = CASE WHEN $5 = 1 THEN $6 ELSE user_ids END, "
	    "updated_at = $7 WHERE id = $8",
	    DBV_TEXT(name), DBV_TEXT(description),
	    DBV_INT(permissions != NULL), DBV_TEXT(permissions),
	    DBV_INT(user_ids != NULL), DBV_TEXT(user_ids),
	    DBV_INT(time(NULL)), DBV_TEXT(id));
	if (e != ERR_OK)
		return e;
	return group_get(db, a, id, out);
}

/* Returns a new array of the strings of ids without repeats, in order. */
static json_object *
group_dedup(json_object *ids)
{
	json_object *out = json_object_new_array(), *v;
	size_t i, n = json_object_array_length(ids);

	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(v, json_type_string) ||
		    group_member_index(out, json_object_get_string(v)) >= 0)
			continue;
		json_object_array_add(out, json_object_get(v));
	}
	return out;
}

enum err
group_set_members(struct db *db, struct arena *a, const char *id,
    json_object *ids, int add, struct group **out)
{
	json_object *cur, *v;
	struct group *g;
	const char *s;
	size_t i, n;
	enum err e;
	int at;

	if ((e = group_get(db, a, id, &g)) != ERR_OK)
		return e;
	cur = json_on_arena(a, json_parse_col(g->user_ids));
	if (!json_object_is_type(cur, json_type_array) ||
	    json_object_array_length(cur) == 0) {
		if (!add) {
			*out = g;
			return ERR_OK;
		}
		cur = NULL;
	}
	cur = json_on_arena(a, cur != NULL ? group_dedup(cur) :
	    json_object_new_array());
	n = ids != NULL ? json_object_array_length(ids) : 0;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(v, json_type_string))
			continue;
		s = json_object_get_string(v);
		at = group_member_index(cur, s);
		if (add && at < 0)
			json_object_array_add(cur, json_object_new_string(s));
		else if (!add && at >= 0)
			json_object_array_del_idx(cur, (size_t)at, 1);
	}
	e = DBQ(db, a, NULL, "UPDATE \"group\" SET user_ids = $1, "
	    "updated_at = $2 WHERE id = $3", DBV_TEXT(json_text(cur)),
	    DBV_INT(time(NULL)), DBV_TEXT(id));
	if (e != ERR_OK)
		return e;
	return group_get(db, a, id, out);
}

enum err
group_delete(struct db *db, struct arena *a, const char *id)
{
	return DBQ(db, a, NULL, "DELETE FROM \"group\" WHERE id = $1",
	    DBV_TEXT(id));
}

enum err
group_remove_user(struct db *db, struct arena *a, const char *user_id)
{
	struct group **v;
	json_object *ids;
	enum err e;
	int i, n, at;

	if ((e = group_list_by_member(db, a, user_id, &v, &n)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		ids = json_on_arena(a, json_parse_col(v[i]->user_ids));
		/* Python's list.remove(): the first occurrence only */
		if ((at = group_member_index(ids, user_id)) < 0)
			continue;
		json_object_array_del_idx(ids, (size_t)at, 1);
		e = DBQ(db, a, NULL, "UPDATE \"group\" SET user_ids = $1, "
		    "updated_at = $2 WHERE id = $3",
		    DBV_TEXT(json_text(ids)), DBV_INT(time(NULL)),
		    DBV_TEXT(v[i]->id));
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Adds the parsed JSON column, or null. */
static void
group_add_json(json_object *o, const char *key, const char *text)
{
	json_object_object_add(o, key, json_parse_col(text));
}

json_object *
group_json(const struct group *g)
{
	json_object *o = json_object_new_object();
	json_object *ids = json_parse_col(g->user_ids);

	json_object_object_add(o, "id", json_str_or_null(g->id));
	json_object_object_add(o, "user_id", json_str_or_null(g->user_id));
	json_object_object_add(o, "name", json_str_or_null(g->name));
	json_object_object_add(o, "description",
	    json_str_or_null(g->description));
	group_add_json(o, "data", g->data);
	group_add_json(o, "meta", g->meta);
	group_add_json(o, "permissions", g->permissions);
	if (ids == NULL)
		ids = json_object_new_array();
	json_object_object_add(o, "user_ids", ids);
	json_object_object_add(o, "created_at",
	    json_object_new_int64(g->created_at));
	json_object_object_add(o, "updated_at",
	    json_object_new_int64(g->updated_at));
	return o;
}

json_object *
group_array_json(struct group **v, int n)
{
	json_object *arr = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, group_json(v[i]));
	return arr;
}
