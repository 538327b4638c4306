/* fuzz_body.c: libFuzzer target for the JSON request decoding of
 * cwebui-fcgi's handlers: json_parse() (strict, as Python's json), the
 * pydantic-style field checks of src/fcgi/body.c (body_check, body_read,
 * body_str with FastAPI's 422), the lax scalars of query and body fields
 * (json_lax_bool*, json_float_str, req_parse_int, base64 data: URLs), the
 * JSON helpers handlers apply to request bodies (json_merge, dotted paths,
 * json_truthy, json_index_members) and lib/payload.c's conversions of a
 * chat request (model params, system prompt, OpenAI to Ollama).
 *
 * The first input byte picks the decoder, the rest is its input. The
 * checks: serializing a parsed body and parsing it again gives the same
 * text; body_check() reports as many errors as it appends and normalizes
 * what it accepts (bools, ints); body_read()/body_str() answer 0 or a
 * well-formed 422; the payload conversions leave serializable JSON. */
#define _GNU_SOURCE	/* strcasestr */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "body.h"
#include "check.h"
#include "fakereq.h"
#include "json.h"
#include "mem.h"
#include "payload.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct body_spec item_spec[] = {
	{ "id", BODY_STR, 0, NULL, NULL },
	{ "n", BODY_INT, BODY_ABSENT, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

/* A model with one field of each kind, as the handlers' forms have. */
static const struct body_spec spec[] = {
	{ "name", BODY_STR, 0, NULL, NULL },
	{ "bio", BODY_STR, BODY_NULL | BODY_ABSENT, NULL, NULL },
	{ "active", BODY_BOOL, BODY_ABSENT, NULL, NULL },
	{ "limit", BODY_INT, BODY_NULL | BODY_ABSENT, NULL, NULL },
	{ "meta", BODY_DICT, BODY_NULL | BODY_ABSENT, NULL, NULL },
	{ "tags", BODY_LIST_STR, BODY_ABSENT, NULL, NULL },
	{ "items", BODY_LIST_MODEL, BODY_ABSENT, item_spec, "Item" },
	{ "data", BODY_ANY, BODY_ABSENT, NULL, NULL },
};
#define NSPEC	(sizeof(spec) / sizeof(spec[0]))

/* Parses the input; a second parse of its text gives the same text. */
static json_object *
parse(const uint8_t *data, size_t size)
{
	json_object *o = json_parse((const char *)data, size), *again;
	const char *text;

	if (o == NULL)
		return NULL;
	text = json_text(o);
	again = json_parse(text, strlen(text));
	check(again != NULL);
	check(strcmp(json_text(again), text) == 0);
	json_object_put(again);
	return o;
}

static void
fuzz_check(struct arena *a, json_object *o)
{
	json_object *errs = json_object_new_array(), *loc;
	json_object *vals[NSPEC];
	size_t i;
	int bad;

	loc = json_object_new_array();
	json_object_array_add(loc, json_object_new_string("body"));
	bad = body_check(a, errs, loc, o, spec, NSPEC, vals);
	check(bad >= 0 && (size_t)bad == json_object_array_length(errs));
	for (i = 0; i < NSPEC; i++) {
		if (vals[i] == NULL)
			continue;
		if (spec[i].type == BODY_BOOL)
			check(json_object_is_type(vals[i],
			    json_type_boolean));
		if (spec[i].type == BODY_INT)
			check(json_object_is_type(vals[i], json_type_int));
	}
	for (i = 0; i < (size_t)bad; i++) {
		json_object *e = json_object_array_get_idx(errs, i), *l;

		check(json_object_object_get_ex(e, "loc", &l));
		check(strcmp(json_object_get_string(
		    json_object_array_get_idx(l, 0)), "body") == 0);
	}
	json_object_put(loc);
	json_object_put(errs);
}

/* body_read() and body_str() on a request whose parsed body is o; each
 * request has its own arena, which must not outlive it. */
static void
fuzz_req(json_object *o)
{
	static const char *const env[] = { "REQUEST_METHOD=POST", NULL };
	struct body_field bf;
	struct fakereq f;
	struct arena *a;
	json_object *vals[NSPEC];
	int st;

	a = arena_new();
	fakereq_start(&f, a, NULL, env, "", 0);
	f.r.json = o;
	st = body_read(&f.r, spec, NSPEC, vals);
	check(st == 0 || st == 422);
	check(fakereq_finish(&f) == st);
	fakereq_free(&f);
	arena_free(a);
	a = arena_new();
	fakereq_start(&f, a, NULL, env, "", 0);
	f.r.json = o;
	st = body_str(&f.r, "name", 1, NULL, &bf);
	check(st == 0 || st == 422);
	check(fakereq_finish(&f) == st);
	if (st == 0) {
		check(bf.s != NULL);
		check(body_has_nul(&bf) == (strlen(bf.s) != bf.len));
	}
	fakereq_free(&f);
	arena_free(a);
}

/* The scalars of query parameters and lax fields, from text. */
static void
fuzz_text(struct arena *a, const uint8_t *data, size_t size)
{
	char *s = arena_strndup(a, (const char *)data, size), *end;
	unsigned char *bytes = arena_alloc(a, size / 4 * 3 + 3);
	long long v, w;
	double d;
	long n;
	int b;

	b = json_lax_bool_str(s);
	check(b == 0 || b == 1 || b == -1);
	if (json_float_str(s, &d) == 0)
		check(!isnan(d) || strcasestr(s, "nan") != NULL);
	if (req_parse_int(s, 0, &v) == 0 && strchr(s, '.') == NULL) {
		errno = 0;
		w = strtoll(s, &end, 10);
		if (errno == 0)
			check(v == w);
	}
	n = b64_decode_lax(s, strlen(s), bytes);
	check(n >= -1 && (size_t)(n + 1) <= strlen(s) / 4 * 3 + 4);
}

/* The JSON helpers on [dst, src, "dotted.path"]. */
static void
fuzz_merge(json_object *o)
{
	json_object *dst, *src, *path, *v, *copy;
	const char *p;

	if (!json_object_is_type(o, json_type_array) ||
	    json_object_array_length(o) != 3)
		return;
	dst = json_object_array_get_idx(o, 0);
	src = json_object_array_get_idx(o, 1);
	path = json_object_array_get_idx(o, 2);
	(void)json_truthy(src);
	if (json_object_is_type(dst, json_type_object)) {
		json_merge(dst, src);
		v = json_index_members(dst, 4);
		json_object_put(v);
		if (json_object_is_type(path, json_type_string)) {
			p = json_object_get_string(path);
			(void)json_get_path(dst, p);
			/* json_merge() shares src's members with dst: a
			 * copy, or src would end up inside itself */
			copy = NULL;
			json_object_deep_copy(src, &copy, NULL);
			json_set_path(dst, p, copy);
			if (*p != '\0' && strlen(p) < 128 &&
			    p[strlen(p) - 1] != '.' &&
			    strstr(p, "..") == NULL && *p != '.')
				check(json_get_path(dst, p) == copy);
		}
	}
	check(json_text(o) != NULL);
}

/* lib/payload.c on {"params": {...}, "payload": {...}, "system": "..."}. */
static void
fuzz_payload(json_object *o, int which)
{
	json_object *params, *payload, *copy = NULL, *out = NULL, *meta;
	const char *system;

	if (!json_object_is_type(o, json_type_object))
		return;
	if (which == 0) {
		if (payload_openai_to_ollama(o, &out) == ERR_OK) {
			check(out != NULL && json_text(out) != NULL);
			json_object_put(out);
		}
		return;
	}
	payload = json_get(o, "payload");
	if (!json_object_is_type(payload, json_type_object))
		return;
	params = json_get(o, "params");
	if (which == 3) {
		system = json_get_str(o, "system");
		meta = json_get(o, "metadata");
		payload_apply_system(system, payload,
		    json_object_is_type(meta, json_type_object) ? meta : NULL,
		    NULL);
		check(json_text(payload) != NULL);
		if (system != NULL)
			free(payload_prompt_template(system, NULL));
		return;
	}
	if (!json_object_is_type(params, json_type_object))
		return;
	json_object_deep_copy(params, &copy, NULL);
	(void)(which == 1 ? payload_params_openai(copy, payload) :
	    payload_params_ollama(copy, payload));
	check(json_text(payload) != NULL);
	json_object_put(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *a;
	json_object *o;

	if (a == NULL)
		a = arena_new();
	if (size < 1)
		return 0;
	if (data[0] % 8 == 0) {
		fuzz_text(a, data + 1, size - 1);
		arena_reset(a);
		return 0;
	}
	o = parse(data + 1, size - 1);
	if (o != NULL) {
		switch (data[0] % 8) {
		case 1:
			fuzz_check(a, o);
			break;
		case 2:
			if (json_object_is_type(o, json_type_object))
				fuzz_req(o);
			break;
		case 3:
			fuzz_merge(o);
			break;
		default:
			fuzz_payload(o, data[0] % 8 - 4);
			break;
		}
	}
	json_object_put(o);
	arena_reset(a);
	return 0;
}
