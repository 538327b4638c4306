/* body.c: string fields of a JSON request body, as pydantic reads them. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "body.h"
#include "json.h"
#include "mem.h"
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

/* Appends one error at loc + [key] (+ [idx] when idx >= 0). */
static void
body_err(json_object *errs, json_object *loc, const char *key, int idx,
    const char *type, const char *msg, json_object *input)
{
	json_object *l = NULL;

	json_object_deep_copy(loc, &l, NULL);
	if (l == NULL)
		l = json_object_new_array();
	if (key != NULL)
		json_object_array_add(l, json_object_new_string(key));
	if (idx >= 0)
		json_object_array_add(l, json_object_new_int(idx));
	json_error_add_loc(errs, type, msg, input, l);
}


/* Reads v as pydantic's lax int (true is 1); returns NULL with *out, or
 * the error type. */
static const char *
body_int(json_object *v, long long *out)
{
	double d;

	switch (json_object_get_type(v)) {
	case json_type_boolean:
		*out = json_object_get_boolean(v);
		return NULL;
	case json_type_int:
		*out = json_object_get_int64(v);
		return NULL;
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d) || d != floor(d))
			return "int_from_float";
		/* integral past long long: saturated as req_parse_int() does */
		if (!json_double_ll(d, out))
			*out = d > 0 ? LLONG_MAX : LLONG_MIN;
		return NULL;
	case json_type_string:
		return req_parse_int(json_object_get_string(v), 0, out) == 0 ?
		    NULL : "int_parsing";
	default:
		return "int_type";
	}
}

/* Checks a list[Model] field; returns the number of errors added. */
static int
body_models(struct arena *a, json_object *errs, json_object *loc,
    const struct body_spec *f, json_object *v)
{
	json_object *l, *item;
	size_t i, nf;
	int bad = 0;

	for (nf = 0; f->sub[nf].key != NULL; nf++)
		;
	for (i = 0; i < json_object_array_length(v); i++) {
		item = json_object_array_get_idx(v, i);
		if (!json_object_is_type(item, json_type_object)) {
			body_err(errs, loc, f->key, (int)i, "model_type",
			    arena_printf(a, "Input should be a valid "
			    "dictionary or instance of %s", f->sub_name), item);
			bad++;
			continue;
		}
		l = NULL;
		if (json_object_deep_copy(loc, &l, NULL) != 0)
			l = json_object_new_array();
		json_object_array_add(l, json_object_new_string(f->key));
		json_object_array_add(l, json_object_new_int((int)i));
		bad += body_check(a, errs, l, item, f->sub, nf, NULL);
		json_object_put(l);
	}
	return bad;
}

int
body_check(struct arena *a, json_object *errs, json_object *loc,
    json_object *obj, const struct body_spec *spec, size_t n,
    json_object **vals)
{
	const struct body_spec *f;
	json_object *v, *out;
	const char *why;
	long long iv;
	size_t i, j;
	int bad = 0, b;

	for (i = 0; i < n; i++) {
		f = &spec[i];
		out = NULL;
		if (!json_object_object_get_ex(obj, f->key, &v)) {
			if (!(f->flags & BODY_ABSENT)) {
				body_err(errs, loc, f->key, -1, "missing",
				    "Field required", obj);
				bad++;
			}
			goto next;
		}
		if (v == NULL) {
			if (!(f->flags & BODY_NULL) && f->type != BODY_ANY)
				goto wrong;
			goto next;
		}
		switch (f->type) {
		case BODY_BOOL:
			if ((b = json_lax_bool(v)) < 0) {
				body_err(errs, loc, f->key, -1, b == -1 ?
				    "bool_parsing" : "bool_type", b == -1 ?
				    "Input should be a valid boolean, unable "
				    "to interpret input" : "Input should be a "
				    "valid boolean", v);
				bad++;
				break;
			}
			out = json_object_new_boolean(b);
			break;
		case BODY_INT:
			if ((why = body_int(v, &iv)) != NULL) {
				body_err(errs, loc, f->key, -1, why,
				    strcmp(why, "int_type") == 0 ? "Input "
				    "should be a valid integer" :
				    strcmp(why, "int_parsing") == 0 ? "Input "
				    "should be a valid integer, unable to "
				    "parse string as an integer" : "Input "
				    "should be a valid integer, got a number "
				    "with a fractional part", v);
				bad++;
				break;
			}
			out = json_object_new_int64(iv);
			break;
		case BODY_STR:
			if (!json_object_is_type(v, json_type_string))
				goto wrong;
			out = json_object_get(v);
			break;
		case BODY_DICT:
			if (!json_object_is_type(v, json_type_object))
				goto wrong;
			out = json_object_get(v);
			break;
		case BODY_LIST_STR:
		case BODY_LIST_MODEL:
			if (!json_object_is_type(v, json_type_array))
				goto wrong;
			if (f->type == BODY_LIST_MODEL) {
				int k = body_models(a, errs, loc, f, v);

				bad += k;
				if (k == 0)
					out = json_object_get(v);
				break;
			}
			for (j = 0; j < json_object_array_length(v); j++)
				if (!json_object_is_type(
				    json_object_array_get_idx(v, j),
				    json_type_string)) {
					body_err(errs, loc, f->key, (int)j,
					    "string_type", "Input should be a "
					    "valid string",
					    json_object_array_get_idx(v, j));
					bad++;
				}
			out = json_object_get(v);
			break;
		case BODY_ANY:
			out = json_object_get(v);
			break;
		}
		goto next;
wrong:
		body_err(errs, loc, f->key, -1,
		    f->type == BODY_BOOL ? "bool_type" :
		    f->type == BODY_INT ? "int_type" :
		    f->type == BODY_STR ? "string_type" :
		    f->type == BODY_DICT ? "dict_type" : "list_type",
		    f->type == BODY_BOOL ? "Input should be a valid boolean" :
		    f->type == BODY_INT ? "Input should be a valid integer" :
		    f->type == BODY_STR ? "Input should be a valid string" :
		    f->type == BODY_DICT ? "Input should be a valid dictionary" :
		    "Input should be a valid list", v);
		bad++;
next:
		if (vals != NULL)
			vals[i] = json_on_arena(a, out);
		else
			json_object_put(out);
	}
	return bad;
}

int
body_read(struct req *r, const struct body_spec *spec, size_t n,
    json_object **vals)
{
	json_object *errs = json_object_new_array(), *loc;

	loc = json_object_new_array();
	json_object_array_add(loc, json_object_new_string("body"));
	body_check(r->a, errs, loc, r->json, spec, n, vals);
	json_object_put(loc);
	return resp_errors(r, errs);
}

