/* body.c: string fields of a JSON request body, as pydantic reads them. */
#include <string.h>

#include <json-c/json.h>

#include "body.h"
#include "req.h"

int
body_str(struct req *r, const char *key, int required, const char *def,
    struct body_field *f)
{
	json_object	*v;

	if (!json_object_object_get_ex(r->json, key, &v)) {
		if (required)
			return resp_invalid(r, key, "missing",
			    "Field required");
		f->s = def;
		f->len = def != NULL ? strlen(def) : 0;
		return 0;
	}
	if (v == NULL && !required) {
		f->s = NULL;
		f->len = 0;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return resp_invalid(r, key, "string_type",
		    "Input should be a valid string");
	f->s = json_object_get_string(v);
	f->len = (size_t)json_object_get_string_len(v);
	return 0;
}

int
body_has_nul(const struct body_field *f)
{
	return f->s != NULL && strlen(f->s) != f->len;
}
