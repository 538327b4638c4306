/* tool.c: the "tool" table. */
#include <ctype.h>
#include <string.h>

#include "db.h"
#include "json.h"
#include "mem.h"
#include "tool.h"

enum err
tool_list(struct db *db, struct arena *a, struct tool **out, int *n)
{
	struct db_res *res;
	struct tool *v;
	enum err e;
	int i;

	e = DBQ0(db, a, &res, "SELECT id, user_id, name, content, specs, "
	    "meta, access_control, updated_at, created_at FROM tool "
	    "ORDER BY updated_at DESC");
	if (e != ERR_OK)
		return e;
	v = arena_alloc(a, sizeof(*v) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++) {
		v[i].id = arena_strdup(a, db_cell(res, i, 0));
		v[i].user_id = arena_strdup(a, db_cell(res, i, 1));
		v[i].name = arena_strdup(a, db_cell(res, i, 2));
		v[i].content = arena_strdup(a, db_cell(res, i, 3));
		v[i].specs = arena_strdup(a, db_cell(res, i, 4));
		v[i].meta = arena_strdup(a, db_cell(res, i, 5));
		v[i].access_control = arena_strdup(a, db_cell(res, i, 6));
		v[i].updated_at = db_cell_int(res, i, 7);
		v[i].created_at = db_cell_int(res, i, 8);
	}
	*out = v;
	*n = res->nrows;
	return ERR_OK;
}

json_object *
tool_json(const struct tool *t)
{
	json_object *o = json_object_new_object(), *meta, *in, *v;
	json_object *specs = json_parse_col(t->specs);

	if (!json_object_is_type(specs, json_type_array)) {
		json_object_put(specs);
		specs = json_object_new_array();
	}
	in = json_parse_col(t->meta);
	meta = json_object_new_object();
	json_object_object_add(meta, "description",
	    json_object_get(json_get(in, "description")));
	if (!json_object_is_type(in, json_type_object) ||
	    !json_object_object_get_ex(in, "manifest", &v))
		v = json_object_new_object();
	else
		json_object_get(v);
	json_object_object_add(meta, "manifest", v);
	json_object_put(in);
	json_object_object_add(o, "id", json_str_or_null(t->id));
	json_object_object_add(o, "user_id", json_str_or_null(t->user_id));
	json_object_object_add(o, "name", json_str_or_null(t->name));
	json_object_object_add(o, "content", json_str_or_null(t->content));
	json_object_object_add(o, "specs", specs);
	json_object_object_add(o, "meta", meta);
	json_object_object_add(o, "access_control",
	    json_parse_col(t->access_control));
	json_object_object_add(o, "updated_at",
	    json_object_new_int64(t->updated_at));
	json_object_object_add(o, "created_at",
	    json_object_new_int64(t->created_at));
	return o;
}

int
tool_has_user_valves(const struct tool *t)
{
	const char *p = t->content, *hit;

	/* "class UserValves" at the start of a line */
	while (p != NULL && (hit = strstr(p, "class UserValves")) != NULL) {
		if ((hit == t->content || hit[-1] == '\n') &&
		    !isalnum((unsigned char)hit[16]) && hit[16] != '_')
			return 1;
		p = hit + 16;
	}
	return 0;
}
