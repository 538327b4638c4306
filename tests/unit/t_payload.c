/* t_payload.c: lib/payload.c, a workspace model's params applied to a chat
 * body with Python's casts. */
#include <limits.h>
#include <string.h>

#include "json.h"
#include "payload.h"
#include "tap.h"

/* Applies the params text to an empty Ollama body; returns the result of
 * payload_params_ollama() and options.num_ctx in *n. */
static enum err
num_ctx(const char *params, long long *n)
{
	json_object *p = json_parse(params, strlen(params));
	json_object *body = json_object_new_object();
	enum err e;

	e = payload_params_ollama(p, body);
	*n = json_object_get_int64(json_get_path(body, "options.num_ctx"));
	json_object_put(p);
	json_object_put(body);
	return e;
}

int
main(void)
{
	long long n;

	ok(num_ctx("{\"num_ctx\": \"2048\"}", &n) == ERR_OK && n == 2048,
	    "int from text");
	ok(num_ctx("{\"num_ctx\": 4096.7}", &n) == ERR_OK && n == 4096,
	    "int from float truncates");
	/* found by fuzz_body: the cast of these was undefined */
	ok(num_ctx("{\"num_ctx\": 1e300}", &n) == ERR_OK && n == LLONG_MAX,
	    "huge float saturates");
	ok(num_ctx("{\"num_ctx\": -1e300}", &n) == ERR_OK && n == LLONG_MIN,
	    "huge negative float saturates");
	ok(num_ctx("{\"num_ctx\": 1e999}", &n) == ERR_INVAL,
	    "inf raises as Python's int() does");
	return done_testing();
}
