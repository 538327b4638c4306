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
	static const struct json_col cols[] = {
		{ "id", JSON_COL_STR }, { "user_id", JSON_COL_STR },
		{ "type", JSON_COL_STR }, { "name", JSON_COL_STR },
		{ "meta", JSON_COL_STR }, { "is_active", JSON_COL_BOOL },
		{ "is_global", JSON_COL_BOOL }, { "updated_at", JSON_COL_INT },
		{ "created_at", JSON_COL_INT }
	};
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
		o = json_row(res, i, cols, 9);
		/* replaces the text in place, keeping the member order */
		json_object_object_add(o, "meta",
		    function_meta(db_cell(res, i, 4)));
		json_object_array_add(arr, o);
	}

	*out = arr;
	return ERR_OK;
}
