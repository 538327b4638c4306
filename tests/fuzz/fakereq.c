/* fakereq.c: an in-memory FastCGI request for the fuzz targets of
 * src/fcgi/ (see fakereq.h). */
#define _GNU_SOURCE	/* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "authn.h"
#include "check.h"
#include "db.h"
#include "fakereq.h"
#include "ikey.h"
#include "json.h"
#include "jwt.h"
#include "log.h"
#include "mem.h"
#include "setup.h"
#include "user.h"

#define FAKEREQ_API_KEY	"sk-fuzz0123456789abcdef"

static char	*fakereq_dir;
static char	*fakereq_admin;		/* JWT of the admin */
static char	*fakereq_pending;	/* JWT of a pending user */

/* Removes the private DATA_DIR at exit. */
static void
fakereq_cleanup(void)
{
	static const char *const files[] = { "webui.db", "webui.db-wal",
	    "webui.db-shm", "webui.db-journal", NULL };
	char path[4096];
	int i;

	for (i = 0; files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", fakereq_dir, files[i]);
		unlink(path);
	}
	rmdir(fakereq_dir);
}

/* Creates a user and returns a JWT for it (malloc'd). */
static char *
fakereq_user(struct db *db, struct arena *a, const char *secret,
    const char *email, const char *role, const char *key)
{
	struct user *u;
	char *tok;

	check(user_create(db, a, "Fuzz", email, "x", role, "/user.png", &u) ==
	    ERR_OK);
	if (key != NULL)
		check(user_set_api_key(db, u->id, key) == ERR_OK);
	check(jwt_sign(secret, u->id, 0, &tok) == ERR_OK);
	return tok;
}

struct db *
fakereq_setup(void)
{
	static struct db *db;
	const char *tmp = getenv("TMPDIR");
	struct arena *a;
	struct setup st;
	char dir[4096];

	if (db != NULL)
		return db;
	snprintf(dir, sizeof(dir), "%s/cwebui-fuzz-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	check(mkdtemp(dir) != NULL);
	fakereq_dir = xstrdup(dir);
	atexit(fakereq_cleanup);
	setenv("DATA_DIR", dir, 1);
	unsetenv("DATABASE_URL");
	unsetenv("DATABASE_TYPE");
	setenv("WEBUI_SECRET_KEY", "fuzz-secret", 1);
	setenv("GLOBAL_LOG_LEVEL", "CRITICAL", 1);
	setenv("ENABLE_API_KEY", "true", 1);
	log_open("fuzz", 0);
	check(setup_init(&st) == ERR_OK);
	authn_set_secret(st.secret);
	check(ikey_init(st.secret) == ERR_OK);
	check(db_open(st.database_url, &db) == ERR_OK);
	a = arena_new();
	fakereq_admin = fakereq_user(db, a, st.secret, "admin@fuzz.invalid",
	    "admin", FAKEREQ_API_KEY);
	fakereq_pending = fakereq_user(db, a, st.secret,
	    "pending@fuzz.invalid", "pending", NULL);
	arena_free(a);
	setup_free(&st);
	return db;
}

/* Copies s[0..n) into a with the placeholders of fakereq.h replaced. */
static char *
fakereq_expand(struct arena *a, const char *s, size_t n)
{
	static const struct {
		const char	*name;
		const char	**value;
	} ph[] = {
		{ "@ADMIN@", (const char **)&fakereq_admin },
		{ "@PENDING@", (const char **)&fakereq_pending },
	};
	struct buf b = BUF_INIT;
	const char *v;
	size_t i, k, l;
	char *out;

	for (i = 0; i < n; ) {
		for (k = 0; k < sizeof(ph) / sizeof(ph[0]); k++) {
			l = strlen(ph[k].name);
			if (n - i >= l && memcmp(s + i, ph[k].name, l) == 0)
				break;
		}
		if (k < sizeof(ph) / sizeof(ph[0]) && *ph[k].value != NULL) {
			buf_puts(&b, *ph[k].value);
			i += strlen(ph[k].name);
		} else if (n - i >= 5 && memcmp(s + i, "@KEY@", 5) == 0) {
			buf_puts(&b, FAKEREQ_API_KEY);
			i += 5;
		} else if (n - i >= 6 && memcmp(s + i, "@IKEY@", 6) == 0 &&
		    *(v = ikey_value()) != '\0') {
			buf_puts(&b, v);
			i += 6;
		} else
			buf_append(&b, s + i++, 1);
	}
	out = arena_strndup(a, b.p != NULL ? b.p : "", b.len);
	buf_free(&b);
	return out;
}

/* The stdin stream has all of the body at once: the end when drained. */
static void
fakereq_fill(FCGX_Stream *s)
{
	s->isClosed = 1;
}

/* The stdout stream: moves what was written into the reply. */
static void
fakereq_empty(FCGX_Stream *s, int doClose)
{
	struct fakereq *f = s->data;

	buf_append(&f->reply, f->outbuf, (size_t)(s->wrNext - f->outbuf));
	s->wrNext = f->outbuf;
	if (doClose)
		s->isClosed = 1;
}

/* Sets up the streams and the request around f->env. */
static void
fakereq_init(struct fakereq *f, struct arena *a, struct db *db,
    const void *body, size_t len)
{
	const char *m;

	f->in.rdNext = f->in.stopUnget = (unsigned char *)body;
	f->in.stop = (unsigned char *)body + len;
	f->in.isReader = 1;
	f->in.fillBuffProc = fakereq_fill;
	f->out.rdNext = f->out.wrNext = f->out.stopUnget = f->outbuf;
	f->out.stop = f->outbuf + sizeof(f->outbuf);
	f->out.emptyBuffProc = fakereq_empty;
	f->out.data = f;
	f->fr.in = &f->in;
	f->fr.out = &f->out;
	f->fr.envp = f->env;
	f->r.a = a;
	f->r.db = db;
	f->r.io = &f->fr;
	f->r.status = 500;
	memcpy(f->r.id, "fuzz000000000000", 17);
	buf_on_arena(&f->r.out_headers, a);
	m = req_param(&f->r, "REQUEST_METHOD");
	f->r.method = m != NULL ? m : "GET";
}

void
fakereq_parse(struct fakereq *f, struct arena *a, struct db *db,
    const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p) {
			p++;
			break;
		}
		/* libfcgi hands params over as C strings: a NUL ends them */
		if (n < FAKEREQ_MAX_ENV && memchr(p, '\0', (size_t)(nl - p)) ==
		    NULL && memchr(p, '=', (size_t)(nl - p)) != NULL)
			f->env[n++] = fakereq_expand(a, p, (size_t)(nl - p));
		p = nl + (nl < end);
	}
	fakereq_init(f, a, db, p, (size_t)(end - p));
}

void
fakereq_start(struct fakereq *f, struct arena *a, struct db *db,
    const char *const *env, const void *body, size_t len)
{
	size_t n;

	memset(f, 0, sizeof(*f));
	for (n = 0; env[n] != NULL && n < FAKEREQ_MAX_ENV; n++)
		f->env[n] = fakereq_expand(a, env[n], strlen(env[n]));
	fakereq_init(f, a, db, body, len);
}

/* Checks one header line [p, e) of the reply; returns the Content-Length
 * when it is that header, else -1. */
static long
fakereq_header(const char *p, const char *e, int *json)
{
	const char *colon = memchr(p, ':', (size_t)(e - p)), *q;

	check(colon != NULL && colon > p && colon + 1 < e && colon[1] == ' ');
	for (q = p; q < colon; q++)
		check(*q > ' ' && *q < 0x7f);
	for (q = colon; q < e; q++)
		check(*q != '\r' && *q != '\n' && *q != '\0');
	if ((size_t)(colon - p) == 12 && strncmp(p, "Content-Type", 12) == 0 &&
	    (size_t)(e - colon - 2) >= 16 &&
	    strncmp(colon + 2, "application/json", 16) == 0)
		*json = 1;
	if ((size_t)(colon - p) == 14 && strncmp(p, "Content-Length", 14) == 0)
		return strtol(colon + 2, NULL, 10);
	return -1;
}

int
fakereq_finish(struct fakereq *f)
{
	const char *p, *e, *head_end, *end;
	long cl = -1, v;
	int status, json = 0;
	size_t blen;
	json_object *o;

	fakereq_empty(&f->out, 0);
	if (f->reply.len == 0)
		return 0;
	p = f->reply.p;
	end = p + f->reply.len;
	head_end = memmem(p, f->reply.len, "\r\n\r\n", 4);
	check(head_end != NULL);
	check(strncmp(p, "Status: ", 8) == 0);
	status = atoi(p + 8);
	check(status >= 100 && status <= 599 && status == f->r.status);
	for (p = strstr(p, "\r\n") + 2; p < head_end + 2; p = e + 2) {
		e = memmem(p, (size_t)(head_end + 2 - p), "\r\n", 2);
		check(e != NULL);
		if ((v = fakereq_header(p, e, &json)) >= 0)
			cl = v;
	}
	blen = (size_t)(end - (head_end + 4));
	check(cl >= 0);
	if (strcmp(f->r.method, "HEAD") == 0)
		check(blen == 0);
	else {
		check((size_t)cl == blen);
		/* json_parse() gives NULL for the text null too */
		if (json && !(blen == 4 && memcmp(head_end + 4, "null", 4) ==
		    0)) {
			o = json_parse(head_end + 4, blen);
			check(o != NULL);
			json_object_put(o);
		}
	}
	return status;
}

int	(*fakereq_stub_called)(struct req *);

int
fuzz_stub(struct req *r, int (*handler)(struct req *))
{
	check(fakereq_stub_called == NULL);
	fakereq_stub_called = handler;
	return resp_raw(r, 200, "text/plain", "stub", 4);
}

void
fakereq_free(struct fakereq *f)
{
	buf_free(&f->reply);
}
