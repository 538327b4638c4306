/* t_req.c: the text helpers of cwebui-fcgi's request adapter (req.c):
 * pydantic's lax int of a query parameter and percent-decoding; and the
 * int fields of a JSON body (body.c). */
#include <limits.h>
#include <string.h>

#include "body.h"
#include "json.h"
#include "mem.h"
#include "req.h"
#include "tap.h"

static void
test_parse_int(void)
{
	long long v = 0;

	ok(req_parse_int(" 12 ", 0, &v) == 0 && v == 12, "blanks around");
	ok(req_parse_int("-3.00", 0, &v) == 0 && v == -3, "zero fraction");
	ok(req_parse_int("1.5", 0, &v) == -1, "a fraction is refused");
	ok(req_parse_int("+", 0, &v) == -1, "a sign alone is refused");
	ok(req_parse_int(NULL, 7, &v) == 0 && v == 7, "absent gives def");
	ok(req_parse_int("9223372036854775807", 0, &v) == 0 && v == LLONG_MAX,
	    "LLONG_MAX");
	ok(req_parse_int("99999999999999999999", 0, &v) == 0 &&
	    v == LLONG_MAX, "past LLONG_MAX saturates");
	/* found by fuzz_body: this read as -LLONG_MAX */
	ok(req_parse_int("-9223372036854775808", 0, &v) == 0 && v == LLONG_MIN,
	    "LLONG_MIN");
	ok(req_parse_int("-9223372036854775807", 0, &v) == 0 &&
	    v == -LLONG_MAX, "-LLONG_MAX");
	ok(req_parse_int("-99999999999999999999", 0, &v) == 0 &&
	    v == LLONG_MIN, "past LLONG_MIN saturates");
}

static void
test_urldecode(void)
{
	struct arena *a = arena_new();

	is_str(req_urldecode(a, "a%2Fb+c", 7, 0), "a/b+c", "path: + kept");
	is_str(req_urldecode(a, "a%2fb+c", 7, 1), "a/b c", "query: + is space");
	is_str(req_urldecode(a, "%4", 2, 0), "%4", "cut escape kept");
	is_str(req_urldecode(a, "%zz%41", 6, 0), "%zzA", "bad escape kept");
	arena_free(a);
}

/* body_check() of an int field given a JSON number. */
static long long
body_int_of(struct arena *a, const char *text, int *bad)
{
	static const struct body_spec spec[] = {
		{ "n", BODY_INT, 0, NULL, NULL }
	};
	json_object *o = json_on_arena(a, json_parse(text, strlen(text)));
	json_object *errs = json_on_arena(a, json_object_new_array());
	json_object *loc = json_on_arena(a, json_object_new_array());
	json_object *vals[1] = { NULL };

	*bad = body_check(a, errs, loc, o, spec, 1, vals);
	return vals[0] != NULL ? json_object_get_int64(vals[0]) : 0;
}

static void
test_body_int(void)
{
	struct arena *a = arena_new();
	int bad;

	ok(body_int_of(a, "{\"n\": 2.0}", &bad) == 2 && bad == 0,
	    "integral float is an int");
	body_int_of(a, "{\"n\": 2.5}", &bad);
	ok(bad == 1, "a fraction is an error");
	/* found by fuzz_body: the cast of 2e300 was undefined */
	ok(body_int_of(a, "{\"n\": 2e300}", &bad) == LLONG_MAX && bad == 0,
	    "huge float saturates");
	ok(body_int_of(a, "{\"n\": -2e300}", &bad) == LLONG_MIN && bad == 0,
	    "huge negative float saturates");
	arena_free(a);
}

int
main(void)
{
	test_parse_int();
	test_body_int();
	test_urldecode();
	return done_testing();
}
