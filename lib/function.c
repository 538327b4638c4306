/* function.c: the "function" table. */
#include <string.h>

#include "db.h"
#include "function.h"
#include "json.h"
#include "mem.h"

/* FunctionMeta: description (default null) and manifest (default {})
 * first, then the other keys. New reference. */
static json_object *
function_meta(const char *text)
{
	json_object *in = json_parse_col(text), *o = json_object_new_object();
	json_object *v;

	if (!json_object_is_type(in, json_type_object)) {
		json_object_put(in);
		in = json_object_new_object();
	}
	json_object_object_add(o, "description",
	    json_object_get(json_get(in, "description")));
	if (!json_object_object_get_ex(in, "manifest", &v))
		v = json_object_new_object();
	else
		json_object_get(v);
	json_object_object_add(o, "manifest", v);
	json_object_object_foreach(in, key, val) {
		if (strcmp(key, "description") != 0 &&
		    strcmp(key, "manifest") != 0)
			json_object_object_add(o, key, json_object_get(val));
	}
	json_object_put(in);
	return o;
}

enum err
function_list_json(struct db *db, struct arena *a, json_object **out)
{
	struct db_res *res;
	json_object *arr, *o;
	enum err e;
	int i;

	e = DBQ0(db, a, &res, "SELECT id, user_id, type, name, meta, "
	    "is_active, is_global, updated_at, created_at FROM function");
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	for (i = 0; i < res->nrows; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "id",
		    json_str_or_null(db_cell(res, i, 0)));
		json_object_object_add(o, "user_id",
		    json_str_or_null(db_cell(res, i, 1)));
		json_object_object_add(o, "type",
		    json_str_or_null(db_cell(res, i, 2)));
		json_object_object_add(o, "name",
		    json_str_or_null(db_cell(res, i, 3)));
		json_object_object_add(o, "meta",
		    function_meta(db_cell(res, i, 4)));
		json_object_object_add(o, "is_active",
		    json_object_new_boolean(db_cell_bool(res, i, 5)));
		json_object_object_add(o, "is_global",
		    json_object_new_boolean(db_cell_bool(res, i, 6)));
		json_object_object_add(o, "updated_at",
		    json_object_new_int64(db_cell_int(res, i, 7)));
		json_object_object_add(o, "created_at",
		    json_object_new_int64(db_cell_int(res, i, 8)));
		json_object_array_add(arr, o);
	}
	*out = arr;
	return ERR_OK;
}
