#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "db.h"
#include "json.h"
#include "mem.h"

/* Nesting accepted when parsing: about what Python's json reaches. */
#define JSON_PARSE_MAX_DEPTH	1000

/* Refuses what json-c accepts but Python's json does not: single-quoted
 * strings and raw control characters inside strings. */
static int
json_strict_ok(const char *s, size_t len)
{
	int in_str = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!in_str) {
			if (c == '"')
				in_str = 1;
			else if (c == '\'')
				return 0;
		} else if (c == '\\')
			i++;
		else if (c == '"')
			in_str = 0;
		else if (c < 0x20)
			return 0;
	}
	return 1;
}

json_object *
json_parse(const char *s, size_t len)
{
	struct json_tokener *tok;
	json_object *o;

	if (s == NULL || len > (size_t)INT32_MAX || !json_strict_ok(s, len))
		return NULL;
	tok = json_tokener_new_ex(JSON_PARSE_MAX_DEPTH);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		/* a lone number is only complete at the end of input */
		if (o == NULL && json_tokener_get_error(tok) ==
		    json_tokener_continue)
			o = json_tokener_parse_ex(tok, "", 1);
		else {
			json_object_put(o);
			o = NULL;
		}
		if (json_tokener_get_error(tok) != json_tokener_success) {
			json_object_put(o);
			o = NULL;
		}
	}
	json_tokener_free(tok);
	return o;
}

json_object *
json_parse_col(const char *s)
{
	if (s == NULL)
		return NULL;
	return json_parse(s, strlen(s));
}

static void
json_put_cb(void *p)
{
	json_object_put(p);
}

json_object *
json_on_arena(struct arena *a, json_object *o)
{
	if (o != NULL)
		arena_defer(a, json_put_cb, o);
	return o;
}

const char *
json_text(json_object *o)
{
	return json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

json_object *
json_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *
json_get_str(json_object *o, const char *key)
{
	json_object *v = json_get(o, key);

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
json_get_bool(json_object *o, const char *key, int *out)
{
	json_object *v = json_get(o, key);

	if (v == NULL || !json_object_is_type(v, json_type_boolean))
		return 0;
	*out = json_object_get_boolean(v);
	return 1;
}

int
json_truthy(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return 0;
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		return json_object_get_int64(v) != 0;
	case json_type_double:
		return json_object_get_double(v) != 0.0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return json_object_array_length(v) > 0;
	case json_type_object:
		return json_object_object_length(v) > 0;
	}
	return 0;
}

void
json_error_add(json_object *errs, const char *type, const char *msg,
    json_object *input, const char *loc0, const char *loc1, const char *loc2)
{
	json_object *loc = json_object_new_array();
	const char *const parts[] = { loc0, loc1, loc2 };
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i] != NULL)
			json_object_array_add(loc, json_object_new_string(parts[i]));
	json_error_add_loc(errs, type, msg, input, loc);
}

void
json_error_add_loc(json_object *errs, const char *type, const char *msg,
    json_object *input, json_object *loc)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "type", json_object_new_string(type));
	json_object_object_add(e, "loc", loc);
	json_object_object_add(e, "msg", json_object_new_string(msg));
	json_object_object_add(e, "input", json_object_get(input));
	json_object_array_add(errs, e);
}


json_object *
json_str_or_null(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

void
json_merge(json_object *dst, json_object *src)
{
	/* json-c's foreach would read the member table of a non-object */
	if (!json_object_is_type(dst, json_type_object) ||
	    !json_object_is_type(src, json_type_object))
		return;
	json_object_object_foreach(src, k, v) {
		json_object *d = json_get(dst, k);

		if (d != NULL && json_object_is_type(d, json_type_object) &&
		    v != NULL && json_object_is_type(v, json_type_object))
			json_merge(d, v);
		else
			json_object_object_add(dst, k, json_object_get(v));
	}
}

json_object *
json_get_path(json_object *o, const char *path)
{
	char key[128];
	const char *dot;
	size_t n;

	while (o != NULL && (dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_get(o, key);
		path = dot + 1;
	}
	return json_get(o, path);
}

void
json_set_path(json_object *o, const char *path, json_object *v)
{
	char key[128];
	const char *dot;
	json_object *next;
	size_t n;

	while ((dot = strchr(path, '.')) != NULL) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			n = sizeof(key) - 1;
		memcpy(key, path, n);
		key[n] = '\0';
		next = json_get(o, key);
		if (next == NULL || !json_object_is_type(next, json_type_object)) {
			next = json_object_new_object();
			json_object_object_add(o, key, next);
		}
		o = next;
		path = dot + 1;
	}
	json_object_object_add(o, path, v);
}

int
json_lax_bool_str(const char *s)
{
	static const char *const yes[] = { "1", "on", "t", "true", "y", "yes" };
	static const char *const no[] = { "0", "off", "f", "false", "n", "no" };
	size_t k;

	for (k = 0; k < sizeof(yes) / sizeof(yes[0]); k++) {
		if (strcasecmp(s, yes[k]) == 0)
			return 1;
		if (strcasecmp(s, no[k]) == 0)
			return 0;
	}
	return -1;
}

int
json_lax_bool(json_object *v)
{
	double d;
	int64_t i;

	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
		i = json_object_get_int64(v);
		return i == 0 || i == 1 ? (int)i : -1;
	case json_type_double:
		d = json_object_get_double(v);
		if (d == 0.0 || d == 1.0)
			return d == 1.0;
		return isfinite(d) && d == floor(d) ? -1 : -2;
	case json_type_string:
		return json_lax_bool_str(json_object_get_string(v));
	default:
		return -2;
	}
}

json_object *
json_index_members(json_object *o, size_t n)
{
	json_object *out = json_object_new_object();
	char idx[24];
	size_t i;

	json_object_object_foreach(o, k, v) {
		for (i = 0; i < n; i++) {
			snprintf(idx, sizeof(idx), "%zu", i);
			if (strcmp(k, idx) == 0)
				break;
		}
		if (i < n)
			json_object_object_add(out, k, json_object_get(v));
	}
	return out;
}

json_object *
json_row(const struct db_res *res, int row, const struct json_col *cols,
    size_t n)
{
	json_object *o = json_object_new_object(), *v;
	size_t i;

	for (i = 0; i < n; i++) {
		switch (cols[i].kind) {
		case JSON_COL_INT:
			v = json_object_new_int64(db_cell_int(res, row, (int)i));
			break;
		case JSON_COL_BOOL:
			v = json_object_new_boolean(db_cell_bool(res, row,
			    (int)i));
			break;
		case JSON_COL_JSON:
			v = json_parse_col(db_cell(res, row, (int)i));
			break;
		default:
			v = json_str_or_null(db_cell(res, row, (int)i));
			break;
		}
		json_object_object_add(o, cols[i].name, v);
	}
	return o;
}

int
json_sql_in(struct arena *a, json_object *ids, struct buf *sql,
    struct db_val **v)
{
	size_t i, n = json_object_array_length(ids);
	json_object *s;
	int k = 0;

	*v = arena_alloc(a, sizeof(**v) * (n + 1));
	for (i = 0; i < n; i++) {
		s = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(s, json_type_string))
			continue;
		(*v)[k] = DBV_TEXT(json_object_get_string(s));
		buf_printf(sql, "%s$%d", k > 0 ? ", " : "", k + 1);
		k++;
	}
	return k;
}

int
json_double_ll(double d, long long *out)
{
	/* -2^63 is exact in a double; 2^63 is the first value out of range */
	if (!isfinite(d) || d < -9223372036854775808.0 ||
	    d >= 9223372036854775808.0)
		return 0;
	*out = (long long)d;
	return 1;
}

int
json_float_str(const char *s, double *out)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '\0')
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	if (end == s)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	return *end == '\0' ? 0 : -1;
}
