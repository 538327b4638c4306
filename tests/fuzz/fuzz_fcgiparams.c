/* fuzz_fcgiparams.c: libFuzzer target for what cwebui-fcgi reads from the
 * FastCGI params of a request once libfcgi has decoded the records: the
 * path and query split out of REQUEST_URI, headers from HTTP_* (and
 * CONTENT_TYPE), cookies, the base URL from Host / X-Forwarded-Proto /
 * HTTPS, CONTENT_LENGTH and the body limit, CORS, the internal key of
 * cwebui-streamd, and the credential chain of authn.c (Bearer header, the
 * token cookie, sk- API keys, JWTs checked against the users of a real
 * SQLite database). The request runs through worker.c's worker_serve()
 * and the real router with handler stubs (see fuzz_router.c).
 *
 * Input: fakereq.h's format, NAME=VALUE lines, an empty line, the body;
 * @ADMIN@, @PENDING@, @KEY@ and @IKEY@ stand for valid credentials. The
 * checks: every reply is a well-formed CGI response (fakereq_finish), a
 * body past the limit is a 413, a handler runs only with a user of the
 * route's level, headers read back as their params, cookies decode to no
 * more bytes than the header holds, and req_parse_int agrees with strtoll
 * on plain numbers. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fakereq.h"
#include "mem.h"
#include "path.h"
#include "router.h"
#include "utf8.h"
#include "user.h"

/* worker_serve() is file-static: the target compiles worker.c in. */
#include "worker.c"

#define MAX_BODY	1024

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The handler ran: its route's auth level must hold for r->user. */
static void
check_auth(struct req *r)
{
	const struct route *rt;
	const char *tmp[REQ_MAX_PARAMS];

	for (rt = routes; rt < routes + routes_len; rt++)
		if (rt->handler == fakereq_stub_called &&
		    path_match(rt->pattern, r->path, tmp, REQ_MAX_PARAMS))
			break;
	check(rt < routes + routes_len);
	if (rt->flags & R_STREAMD)
		check(req_from_streamd(r));
	if (rt->auth >= AUTH_ANY)
		check(r->user != NULL && r->token != NULL);
	if (rt->auth == AUTH_VERIFIED)
		check(strcmp(r->user->role, "user") == 0 ||
		    strcmp(r->user->role, "admin") == 0);
	if (rt->auth == AUTH_ADMIN)
		check(strcmp(r->user->role, "admin") == 0);
	if (r->api_key)
		check(strncmp(r->token, "sk-", 3) == 0);
}

static void
check_headers(struct req *r)
{
	static const char *const names[][2] = {
		{ "Authorization", "HTTP_AUTHORIZATION" },
		{ "Cookie", "HTTP_COOKIE" },
		{ "Origin", "HTTP_ORIGIN" },
		{ "X-Forwarded-Proto", "HTTP_X_FORWARDED_PROTO" },
		{ "Content-Type", "CONTENT_TYPE" },
	};
	const char *h, *c, *u;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		h = req_header(r, names[i][0]);
		check(h == req_param(r, names[i][1]));
	}
	if ((c = req_cookie(r, "token")) != NULL)
		check(strlen(c) <= 3 * strlen(req_header(r, "Cookie")) &&
		    utf8_check(c, strlen(c), NULL));
	/* X-Forwarded-Proto is taken as sent, as uvicorn's proxy headers
	 * middleware takes it */
	u = req_base_url(r);
	check(strstr(u, "://") != NULL);
}

/* req_parse_int() against strtoll() for the query parameter "limit". */
static void
check_int(struct req *r)
{
	const char *s = req_query(r, "limit");
	long long v, w;
	char *end;

	if (s == NULL || req_parse_int(s, 0, &v) != 0)
		return;
	errno = 0;
	w = strtoll(s, &end, 10);
	if (errno == 0 && strchr(s, '.') == NULL)
		check(v == w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct worker_opts o = { .max_body = MAX_BODY };
	static struct db *db;
	static struct arena *a;
	struct fakereq f;
	size_t body;
	int st;

	if (db == NULL) {
		db = fakereq_setup();
		a = arena_new();
	}
	fakereq_parse(&f, a, db, data, size);
	body = (size_t)(f.in.stop - f.in.rdNext);
	fakereq_stub_called = NULL;
	worker_serve(&f.r, &o);
	st = fakereq_finish(&f);
	check(st != 0 && st == f.r.status);
	if (body > MAX_BODY)
		check(st == 413 || st == 400 || (st == 200 &&
		    fakereq_stub_called == NULL));
	if (fakereq_stub_called != NULL)
		check_auth(&f.r);
	check_headers(&f.r);
	check_int(&f.r);
	fakereq_free(&f);
	arena_reset(a);
	return 0;
}
