/* h_chat_done.c: what the frontend posts once an answer is complete
 * (main.py chat_completed and chat_action over utils/chat.py).
 *
 * Python runs the outlet filters (pipeline filters and filter functions)
 * on /api/chat/completed and an action function on /api/chat/actions/.
 * cwebui runs no Python function code and serves no pipelines: with
 * nothing to run, Python answers the form back after its checks, and that
 * is what is answered here; an action is never a loaded action function. */
#include <string.h>

#include "handlers.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "req.h"

/* Python's type(v).__name__ for a JSON value. */
static const char *
done_type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return "NoneType";
	case json_type_boolean:
		return "bool";
	case json_type_int:
		return "int";
	case json_type_double:
		return "float";
	case json_type_string:
		return "str";
	case json_type_array:
		return "list";
	default:
		return "dict";
	}
}

/* Writes the 400 main.py makes of an exception: {"detail": str(e)}. */
static int
done_fail(struct req *r, const char *detail)
{
	return resp_error(r, 400, detail);
}

/* str() of the KeyError of a missing key. Arena-owned. */
static const char *
done_key_error(struct req *r, const char *key)
{
	return arena_printf(r->a, "'%s'", key);
}

/* form_data.pop("model_item", {}) and its .get("direct"): 0 with *item
 * (NULL when absent), or the status of the 400 written. */
static int
done_model_item(struct req *r, json_object **item)
{
	json_object *v = NULL;

	*item = NULL;
	if (!json_object_object_get_ex(r->json, "model_item", &v))
		return 0;
	json_on_arena(r->a, json_object_get(v));
	json_object_object_del(r->json, "model_item");
	if (!json_object_is_type(v, json_type_object))
		return done_fail(r, arena_printf(r->a, "'%s' object has no "
		    "attribute 'get'", done_type_name(v)));
	*item = json_truthy(json_get(v, "direct")) ? v : NULL;
	return 0;
}

/* The checks of chat_completed_handler before the filters: data["model"]
 * among the models (the direct model_item's id alone when direct), then
 * data["chat_id"], data["id"], data["session_id"]. 0, or the 400 written. */
static int
done_check(struct req *r, json_object *direct)
{
	static const char *const keys[] = { "chat_id", "id", "session_id" };
	json_object *id, *m = NULL, *did;
	size_t i;

	if (!json_object_object_get_ex(r->json, "model", &id))
		return done_fail(r, done_key_error(r, "model"));
	if (json_object_is_type(id, json_type_array) ||
	    json_object_is_type(id, json_type_object))
		return done_fail(r, arena_printf(r->a, "unhashable type: '%s'",
		    done_type_name(id)));
	if (direct != NULL) {
		if (!json_object_object_get_ex(direct, "id", &did))
			return done_fail(r, done_key_error(r, "id"));
		if (json_object_equal(did, id))
			m = direct;
	} else if (json_object_is_type(id, json_type_string) &&
	    models_get(r->db, r->a, r->user, json_object_get_string(id), &m) !=
	    ERR_OK)
		return resp_internal(r, "chat completed models", ERR_DB);
	if (m == NULL)
		return done_fail(r, "Model not found");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_object_object_get_ex(r->json, keys[i], NULL))
			return done_fail(r, done_key_error(r, keys[i]));
	return 0;
}

/* Returns 200 with the form (model_item removed), as Python's
 * chat_completed does with no outlet filter to run; 400 {"detail"} for
 * "Model not found", a missing model, chat_id, id or session_id (Python's
 * KeyError text), a model_item that is not an object. */
int
h_chat_completed(struct req *r)
{
	json_object *direct;
	int st;

	if ((st = done_model_item(r, &direct)) != 0 ||
	    (st = done_check(r, direct)) != 0)
		return st;
	return resp_json(r, 200, json_object_get(r->json));
}

/* Returns 400 "Action not found: {id}" (the part before a ".") as Python
 * does for an id that is no action function: cwebui loads none; 400 for a
 * model_item that is not an object or an id with more than one ".". */
int
h_chat_action(struct req *r)
{
	const char *id = r->params[0], *dot;
	json_object *direct;
	int st;

	if ((st = done_model_item(r, &direct)) != 0)
		return st;
	if ((dot = strchr(id, '.')) != NULL) {
		if (strchr(dot + 1, '.') != NULL)
			return done_fail(r, "too many values to unpack "
			    "(expected 2)");
		id = arena_strndup(r->a, id, (size_t)(dot - id));
	}
	return done_fail(r, arena_printf(r->a, "Action not found: %s", id));
}
