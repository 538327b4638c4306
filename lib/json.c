#include <string.h>

#include "json.h"
#include "mem.h"

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
	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
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

json_object *
json_str_or_null(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

void
json_merge(json_object *dst, json_object *src)
{
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
