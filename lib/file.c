/* file.c: the "file" table. */
#include "buf.h"
#include "db.h"
#include "file.h"
#include "json.h"
#include "mem.h"

static const struct json_col file_meta_cols[] = {
	{ "id", JSON_COL_STR },
	{ "meta", JSON_COL_JSON },
	{ "created_at", JSON_COL_INT },
	{ "updated_at", JSON_COL_INT },
};

enum err
file_metadata_by_ids(struct db *db, struct arena *a, json_object *ids,
    json_object **out)
{
	struct db_val *v;
	struct db_res *res;
	struct buf sql = BUF_INIT;
	enum err e = ERR_OK;
	int i, k;

	*out = NULL;
	buf_puts(&sql, "SELECT id, meta, created_at, updated_at FROM file "
	    "WHERE id IN (");
	k = json_sql_in(a, ids, &sql, &v);
	buf_puts(&sql, ") ORDER BY updated_at DESC");
	if (k > 0)
		e = db_query(db, a, &res, buf_str(&sql), k, v);
	buf_free(&sql);
	if (e != ERR_OK)
		return e;
	*out = json_object_new_array();
	for (i = 0; k > 0 && i < res->nrows; i++)
		json_object_array_add(*out, json_row(res, i,
		    file_meta_cols, sizeof(file_meta_cols) /
		    sizeof(file_meta_cols[0])));
	return ERR_OK;
}
