/* h_functions.c: /api/v1/functions/ (routers/functions.py). Only the list
 * is served so far. */
#include "function.h"
#include "handlers.h"
#include "req.h"

/* Returns 200 with every function (no source, no valves). */
int
h_functions_list(struct req *r)
{
	json_object *arr;
	enum err e;

	if ((e = function_list_json(r->db, r->a, &arr)) != ERR_OK)
		return resp_internal(r, "functions", e);
	return resp_json(r, 200, arr);
}
