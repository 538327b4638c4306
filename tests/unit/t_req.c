/* t_req.c: the text helpers of cwebui-fcgi's request adapter (req.c):
 * pydantic's lax int of a query parameter and percent-decoding. */
#include <limits.h>
#include <string.h>

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

int
main(void)
{
	test_parse_int();
	test_urldecode();
	return done_testing();
}
