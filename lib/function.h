/* function.h: the "function" table (pipes, filters and actions). Only the
 * list is served so far. Everything returned lives in the arena passed in. */
#ifndef CWEBUI_FUNCTION_H
#define CWEBUI_FUNCTION_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

/* Returns in *out a new JSON array of every function as Python's
 * FunctionResponse (id, user_id, type, name, meta as FunctionMeta,
 * is_active, is_global, updated_at, created_at), in the database's order
 * (Functions.get_functions). ERR_OK or ERR_DB. */
enum err function_list_json(struct db *db, struct arena *a,
	    json_object **out);

#endif
