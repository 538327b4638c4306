/* fuzz_router.c: libFuzzer target for the router of cwebui-fcgi with the
 * real route table (routes.c), and for the URL handling in front of it:
 * REQUEST_URI split into the percent-decoded path and the raw query
 * (worker.c), path matching and {name} captures (lib/path.c), query
 * parameters (req_query) and percent-decoding (req_urldecode).
 *
 * Input: one flags byte (bit 0: the request comes from cwebui-streamd;
 * bit 1: it has the body {}), then "METHOD URI". The request carries the
 * admin's JWT, so every route passes authentication; the handlers are
 * stubs (generated from handlers.h by tests/fuzz/run) that only record
 * which one the router called. The checks: the handler called is the one
 * of the first route in table order that matches path and method, its
 * captures are single segments (a {name:path} capture excepted); with no
 * match the answer is 405 when another method matches, else a 307 to the
 * other slash form or 404; every reply is a well-formed CGI response
 * (fakereq_finish); every query parameter name is found by req_query(). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fakereq.h"
#include "mem.h"
#include "path.h"
#include "router.h"
#include "utf8.h"

/* worker_uri() is file-static: the target compiles worker.c in. */
#include "worker.c"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The first route in table order for r's path and method, as the router
 * must find it; *path_hit is set when some visible route matches the path
 * alone. */
static const struct route *
expected_route(struct req *r, int streamd, int *path_hit)
{
	const struct route *rt;
	const char *tmp[REQ_MAX_PARAMS];

	*path_hit = 0;
	for (rt = routes; rt < routes + routes_len; rt++) {
		if ((rt->flags & R_STREAMD) && !streamd)
			continue;
		if (!path_match(rt->pattern, r->path, tmp, REQ_MAX_PARAMS))
			continue;
		*path_hit = 1;
		if (strcmp(rt->method, r->method) == 0 ||
		    (strcmp(r->method, "HEAD") == 0 &&
		    strcmp(rt->method, "GET") == 0))
			return rt;
	}
	return NULL;
}

static void
check_captures(struct req *r, const struct route *rt)
{
	int i, n = 0;
	const char *p;

	for (p = rt->pattern; (p = strchr(p, '{')) != NULL; p++)
		n++;
	check(n <= REQ_MAX_PARAMS);
	for (i = 0; i < n; i++) {
		check(r->params[i] != NULL);
		if (i + 1 < n || strstr(rt->pattern, ":path}") == NULL)
			check(*r->params[i] != '\0' &&
			    strchr(r->params[i], '/') == NULL);
	}
}

/* Every name of the query string is found again by req_query(). */
static void
check_query(struct req *r)
{
	char *rest = arena_strdup(r->a, r->query), *pair, *name;
	size_t raw;

	while ((pair = strsep(&rest, "&")) != NULL) {
		raw = strcspn(pair, "=");
		pair[raw] = '\0';
		if (strstr(pair, "%00") != NULL ||
		    (*pair == '\0' && rest == NULL))
			continue;
		name = req_urldecode(r->a, pair, raw, 1);
		/* each byte at most one U+FFFD (3 bytes), and UTF-8 */
		check(strlen(name) <= 3 * raw);
		check(utf8_check(name, strlen(name), NULL));
		check(req_query(r, name) != NULL);
	}
}

static void
check_urldecode(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *d = req_urldecode(a, s, n, 0);

	/* bytes that are not UTF-8 become U+FFFD (3 bytes each) */
	check(strlen(d) <= 3 * n);
	check(utf8_check(d, strlen(d), NULL));
	if (strpbrk(s, "%") == NULL && utf8_check(s, n, NULL))
		check(strcmp(d, s) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct db *db;
	static struct arena *a;
	const char *env[8], *sp, *text;
	const struct route *want;
	struct fakereq f;
	int flags, st, path_hit, n = 0;

	if (db == NULL) {
		db = fakereq_setup();
		a = arena_new();
	}
	if (size < 1)
		return 0;
	flags = data[0];
	text = arena_strndup(a, (const char *)data + 1, size - 1);
	sp = strchr(text, ' ');
	if (sp == NULL || sp == text) {
		arena_reset(a);
		return 0;
	}
	env[n++] = arena_printf(a, "REQUEST_METHOD=%.*s", (int)(sp - text),
	    text);
	env[n++] = arena_printf(a, "REQUEST_URI=%s", sp + 1);
	env[n++] = "HTTP_AUTHORIZATION=Bearer @ADMIN@";
	env[n++] = "HTTP_HOST=localhost";
	if (flags & 1)
		env[n++] = "CWEBUI_STREAMD=@IKEY@";
	env[n] = NULL;
	fakereq_start(&f, a, db, env, "{}", (flags & 2) ? 2 : 0);
	fakereq_stub_called = NULL;
	worker_uri(&f.r);
	check_urldecode(a, sp + 1);
	check(req_read_body(&f.r, 4096) == ERR_OK);
	st = router_dispatch(&f.r);
	check(fakereq_finish(&f) == st);
	want = expected_route(&f.r, flags & 1, &path_hit);
	if (want != NULL) {
		if ((want->flags & R_JSON) && !(flags & 2))
			check(st == 422 && fakereq_stub_called == NULL);
		else {
			check(st == 200 && fakereq_stub_called == want->handler);
			check_captures(&f.r, want);
		}
	} else if (path_hit)
		check(st == 405 && fakereq_stub_called == NULL);
	else
		check((st == 404 || st == 307) && fakereq_stub_called == NULL);
	check_query(&f.r);
	fakereq_free(&f);
	arena_reset(a);
	return 0;
}
