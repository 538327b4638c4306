/* t_path.c: route pattern matching. */
#include "path.h"
#include "tap.h"

int
main(void)
{
	const char *p[4] = { 0 };

	ok(path_match("/api/config", "/api/config", p, 4), "literal match");
	ok(!path_match("/api/config", "/api/config/", p, 4),
	    "a trailing slash is another path");
	ok(!path_match("/api/v1/auths/", "/api/v1/auths", p, 4),
	    "a missing trailing slash is another path");
	ok(path_match("/api/v1/users/{id}", "/api/v1/users/abc", p, 4),
	    "one capture");
	is_str(p[0], "abc", "capture points at the segment");
	ok(path_match("/api/v1/users/{id}/update", "/api/v1/users/x-1/update",
	    p, 4), "capture then literal");
	is_int(p[0][3], '/', "capture ends at the next slash");
	ok(!path_match("/api/v1/users/{id}", "/api/v1/users/", p, 4),
	    "an empty segment does not match");
	ok(!path_match("/api/v1/users/{id}", "/api/v1/users/a/b", p, 4),
	    "a capture never spans a slash");
	ok(path_match("/a/{x}/b/{y}", "/a/1/b/2", p, 4), "two captures");
	is_str(p[1], "2", "second capture");
	ok(!path_match("/a/{x}/{y}", "/a/1/2", p, 1), "capture limit");
	ok(!path_match("/api", "/ap", p, 4), "prefix is not a match");
	ok(path_match("/openai/{path:path}", "/openai/v1/files/x", p, 4),
	    "a path capture spans slashes");
	is_str(p[0], "v1/files/x", "path capture takes the rest");
	ok(path_match("/openai/{path:path}", "/openai/", p, 4),
	    "a path capture may be empty");
	is_str(p[0], "", "empty path capture");
	ok(!path_match("/openai/{path:path}", "/openai", p, 4),
	    "the literal before a path capture must match");
	ok(!path_match("/o/{x}/{path:path}", "/o/1/a/b", p, 1),
	    "a path capture counts toward the limit");
	return done_testing();
}
