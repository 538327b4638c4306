/* h_tools.c: /api/v1/tools/ (routers/tools.py). Only the list is served
 * so far; tool servers (TOOL_SERVER_CONNECTIONS) are not listed yet. */
#include <string.h>

#include "access.h"
#include "handlers.h"
#include "json.h"
#include "mem.h"
#include "req.h"
#include "tool.h"
#include "user.h"

/* Returns 200 with the tools the caller may read (all of them for an admin
 * when BYPASS_ADMIN_ACCESS_CONTROL), newest first, each with its owner and
 * has_user_valves. */
int
h_tools_list(struct req *r)
{
	int all = strcmp(r->user->role, "admin") == 0 && access_admin_bypass();
	json_object *arr, *o, *u;
	struct access_groups g;
	struct tool *v;
	enum err e;
	int i, n;

	if ((e = tool_list(r->db, r->a, &v, &n)) != ERR_OK ||
	    (!all && (e = access_groups_of(r->db, r->a, r->user->id, &g)) !=
	    ERR_OK))
		return resp_internal(r, "tools", e);
	arr = json_on_arena(r->a, json_object_new_array());
	for (i = 0; i < n; i++) {
		if (!all && strcmp(v[i].user_id, r->user->id) != 0 &&
		    !access_check(r->user->id, "read", json_on_arena(r->a,
		    json_parse_col(v[i].access_control)), &g))
			continue;
		if ((e = user_response(r->db, r->a, v[i].user_id, &u)) != ERR_OK)
			return resp_internal(r, "tools", e);
		o = tool_json(&v[i]);
		json_object_object_add(o, "user", u);
		json_object_object_add(o, "has_user_valves",
		    json_object_new_boolean(tool_has_user_valves(&v[i])));
		json_object_array_add(arr, o);
	}
	return resp_json(r, 200, json_object_get(arr));
}
