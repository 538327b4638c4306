/* model.c: the "model" table (workspace models). */
#include <string.h>
#include <time.h>

#include "db.h"
#include "json.h"
#include "mem.h"
#include "model.h"

#define MODEL_COLS	"id, user_id, base_model_id, name, params, meta, " \
			"access_control, is_active, updated_at, created_at"

static void
model_from_row(struct arena *a, const struct db_res *res, int row,
    struct model *m)
{
	m->id = arena_strdup(a, db_cell(res, row, 0));
	m->user_id = arena_strdup(a, db_cell(res, row, 1));
	m->base_model_id = arena_strdup(a, db_cell(res, row, 2));
	m->name = arena_strdup(a, db_cell(res, row, 3));
	m->params = arena_strdup(a, db_cell(res, row, 4));
	m->meta = arena_strdup(a, db_cell(res, row, 5));
	m->access_control = arena_strdup(a, db_cell(res, row, 6));
	m->is_active = db_cell_bool(res, row, 7);
	m->updated_at = db_cell_int(res, row, 8);
	m->created_at = db_cell_int(res, row, 9);
}

/* Runs a SELECT of MODEL_COLS and returns its rows as an array. */
static enum err
model_select(struct db *db, struct arena *a, const char *sql,
    struct model **out, int *n)
{
	struct db_res *res;
	struct model *v;
	enum err e;
	int i;

	if ((e = DBQ0(db, a, &res, sql)) != ERR_OK)
		return e;
	v = arena_alloc(a, sizeof(*v) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++)
		model_from_row(a, res, i, &v[i]);
	*out = v;
	*n = res->nrows;
	return ERR_OK;
}

enum err
model_list_all(struct db *db, struct arena *a, struct model **out, int *n)
{
	return model_select(db, a, "SELECT " MODEL_COLS " FROM model", out, n);
}

enum err
model_list_custom(struct db *db, struct arena *a, struct model **out, int *n)
{
	return model_select(db, a, "SELECT " MODEL_COLS " FROM model "
	    "WHERE base_model_id IS NOT NULL", out, n);
}

enum err
model_list_base(struct db *db, struct arena *a, struct model **out, int *n)
{
	return model_select(db, a, "SELECT " MODEL_COLS " FROM model "
	    "WHERE base_model_id IS NULL", out, n);
}

enum err
model_get(struct db *db, struct arena *a, const char *id, struct model **out)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "SELECT " MODEL_COLS " FROM model WHERE id = $1",
	    DBV_TEXT(id));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0)
		return ERR_NOTFOUND;
	*out = arena_alloc(a, sizeof(**out));
	model_from_row(a, res, 0, *out);
	return ERR_OK;
}

/* The JSON text Python stores for a column: text as is, NULL as null. */
static const char *
model_col(const char *text)
{
	return text != NULL ? text : "null";
}

/* The meta text Python stores: ModelMeta.model_dump() of m->meta. */
static const char *
model_meta_text(struct arena *a, const struct model *m)
{
	json_object *o = json_on_arena(a, model_meta_json(m->meta));

	return arena_strdup(a, json_text(o));
}

enum err
model_insert(struct db *db, struct arena *a, const struct model *m)
{
	return DBQ(db, a, NULL, "INSERT INTO model (" MODEL_COLS ") VALUES "
	    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
	    DBV_TEXT(m->id), DBV_TEXT(m->user_id), DBV_TEXT(m->base_model_id),
	    DBV_TEXT(m->name), DBV_TEXT(model_col(m->params)),
	    DBV_TEXT(model_meta_text(a, m)),
	    DBV_TEXT(model_col(m->access_control)), DBV_BOOL(m->is_active),
	    DBV_INT(m->updated_at), DBV_INT(m->created_at));
}

enum err
model_update(struct db *db, struct arena *a, const struct model *m)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "UPDATE model SET base_model_id = $1, name = $2, "
	    "params = $3, meta = $4, access_control = $5, is_active = $6 "
	    "WHERE id = $7",
	    DBV_TEXT(m->base_model_id), DBV_TEXT(m->name),
	    DBV_TEXT(model_col(m->params)), DBV_TEXT(model_meta_text(a, m)),
	    DBV_TEXT(model_col(m->access_control)), DBV_BOOL(m->is_active),
	    DBV_TEXT(m->id));
	if (e == ERR_OK && res->changes == 0)
		e = ERR_NOTFOUND;
	return e;
}

enum err
model_toggle(struct db *db, struct arena *a, const char *id)
{
	struct model *m;
	enum err e;

	if ((e = model_get(db, a, id, &m)) != ERR_OK)
		return e;
	return DBQ(db, a, NULL, "UPDATE model SET is_active = $1, "
	    "updated_at = $2 WHERE id = $3", DBV_BOOL(!m->is_active),
	    DBV_INT(time(NULL)), DBV_TEXT(id));
}

enum err
model_delete(struct db *db, struct arena *a, const char *id)
{
	return DBQ(db, a, NULL, "DELETE FROM model WHERE id = $1",
	    DBV_TEXT(id));
}

enum err
model_delete_all(struct db *db, struct arena *a)
{
	return DBQ0(db, a, NULL, "DELETE FROM model");
}

/* Returns 1 when id is the id of one of the n models of v. */
static int
model_in(const struct model *v, int n, const char *id)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return 1;
	return 0;
}

/* Writes the n models of v (update or insert) and deletes the rest. */
static enum err
model_sync_rows(struct db *db, struct arena *a, const char *user_id,
    struct model *v, int n)
{
	struct model *old;
	long long now = time(NULL);
	enum err e;
	int i, k;

	if ((e = model_list_all(db, a, &old, &k)) != ERR_OK)
		return e;
	for (i = 0; i < n; i++) {
		v[i].user_id = (char *)user_id;
		v[i].updated_at = now;
		if (!model_in(old, k, v[i].id))
			e = model_insert(db, a, &v[i]);
		else if ((e = model_update(db, a, &v[i])) == ERR_OK)
			e = DBQ(db, a, NULL, "UPDATE model SET user_id = $1, "
			    "updated_at = $2, created_at = $3 WHERE id = $4",
			    DBV_TEXT(user_id), DBV_INT(now),
			    DBV_INT(v[i].created_at), DBV_TEXT(v[i].id));
		if (e != ERR_OK)
			return e;
	}
	for (i = 0; i < k; i++)
		if (!model_in(v, n, old[i].id) &&
		    (e = model_delete(db, a, old[i].id)) != ERR_OK)
			return e;
	return ERR_OK;
}

enum err
model_sync(struct db *db, struct arena *a, const char *user_id,
    struct model *v, int n)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = model_sync_rows(db, a, user_id, v, n)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

json_object *
model_meta_json(const char *text)
{
	json_object *in = json_parse_col(text), *o = json_object_new_object();
	json_object *v;

	if (!json_object_is_type(in, json_type_object)) {
		json_object_put(in);
		in = json_object_new_object();
	}
	if (!json_object_object_get_ex(in, "profile_image_url", &v))
		v = json_object_new_string("/static/favicon.png");
	else
		json_object_get(v);
	json_object_object_add(o, "profile_image_url", v);
	json_object_object_add(o, "description",
	    json_object_get(json_get(in, "description")));
	json_object_object_add(o, "capabilities",
	    json_object_get(json_get(in, "capabilities")));
	json_object_object_foreach(in, key, val) {
		if (strcmp(key, "profile_image_url") != 0 &&
		    strcmp(key, "description") != 0 &&
		    strcmp(key, "capabilities") != 0)
			json_object_object_add(o, key, json_object_get(val));
	}
	json_object_put(in);
	return o;
}

json_object *
model_json(const struct model *m)
{
	json_object *o = json_object_new_object();
	json_object *params = json_parse_col(m->params);

	if (!json_object_is_type(params, json_type_object)) {
		json_object_put(params);
		params = json_object_new_object();
	}
	json_object_object_add(o, "id", json_str_or_null(m->id));
	json_object_object_add(o, "user_id", json_str_or_null(m->user_id));
	json_object_object_add(o, "base_model_id",
	    json_str_or_null(m->base_model_id));
	json_object_object_add(o, "name", json_str_or_null(m->name));
	json_object_object_add(o, "params", params);
	json_object_object_add(o, "meta", model_meta_json(m->meta));
	json_object_object_add(o, "access_control",
	    json_parse_col(m->access_control));
	json_object_object_add(o, "is_active",
	    json_object_new_boolean(m->is_active));
	json_object_object_add(o, "updated_at",
	    json_object_new_int64(m->updated_at));
	json_object_object_add(o, "created_at",
	    json_object_new_int64(m->created_at));
	return o;
}
