/* worker.c: the FastCGI accept loop with a per-request arena. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "clock.h"
#include "conf.h"
#include "cors.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "rand.h"
#include "req.h"
#include "router.h"
#include "user.h"
#include "worker.h"

static volatile sig_atomic_t worker_stop;

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
	FCGX_ShutdownPending();
}

static void
worker_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_term;	/* no SA_RESTART: accept() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Splits REQUEST_URI into the decoded path and the raw query. */
static void
worker_uri(struct req *r)
{
	const char *uri = req_param(r, "REQUEST_URI"), *q;

	if (uri == NULL || *uri == '\0')
		uri = "/";
	q = strchr(uri, '?');
	r->path = req_urldecode(r->a, uri, q ? (size_t)(q - uri) : strlen(uri), 0);
	r->query = q ? arena_strdup(r->a, q + 1) : "";
}

/* CORS (lib/cors.h): the header lines go with the answer; a preflight is
 * answered here, and so is a refused origin. Returns 0 to go on. */
static int
worker_cors(struct req *r)
{
	switch (cors_headers(&r->out_headers, conf_str(CONF_CORS_ALLOW_ORIGIN),
	    req_header(r, "Origin"), r->method,
	    req_header(r, "Access-Control-Request-Method"),
	    req_header(r, "Access-Control-Request-Headers"))) {
	case CORS_PREFLIGHT:
		return resp_raw(r, 200, "text/plain", "OK", 2);
	case CORS_REFUSE:
		return resp_raw(r, 400, "text/plain", "Disallowed CORS origin",
		    22);
	default:
		return 0;
	}
}

static void
worker_serve(struct req *r, const struct worker_opts *o)
{
	enum err e;

	worker_uri(r);
	if (worker_cors(r) != 0)
		return;
	if (conf_refresh(r->db) != ERR_OK) {
		resp_error(r, 500, MSG_DEFAULT);
		return;
	}
	e = req_read_body(r, o->max_body);
	if (e == ERR_TOOBIG) {
		resp_error(r, 413, "Request body too large");
		return;
	}
	router_dispatch(r);
}

/* Writes 16 random hex digits for the logs. */
static void
worker_request_id(char out[17])
{
	unsigned char b[8];
	int i;

	if (rand_bytes(b, sizeof(b)) != ERR_OK)
		memset(b, 0, sizeof(b));
	for (i = 0; i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Opens the database lazily and readies it for a request (db_ping()), so
 * a worker survives a database restart. Returns NULL, leaving *db as it
 * is, while the database cannot be reached. */
static struct db *
worker_db(struct db **db, const char *url)
{
	if (*db == NULL && db_open(url, db) != ERR_OK)
		return NULL;
	return db_ping(*db) == ERR_OK ? *db : NULL;
}

int
worker_run(const struct worker_opts *o)
{
	FCGX_Request fr;
	struct arena *a = arena_new();
	struct db *db = NULL;
	unsigned long served = 0;
	struct req r;
	double t0;

	worker_signals();
	FCGX_Init();
	FCGX_InitRequest(&fr, o->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	while (!worker_stop && FCGX_Accept_r(&fr) == 0) {
		t0 = clock_mono();
		memset(&r, 0, sizeof(r));
		r.a = a;
		r.io = &fr;
		r.status = 500;
		worker_request_id(r.id);
		r.method = req_param(&r, "REQUEST_METHOD");
		if (r.method == NULL)
			r.method = "GET";
		buf_on_arena(&r.out_headers, a);
		if ((r.db = worker_db(&db, o->database_url)) == NULL) {
			worker_uri(&r);
			resp_error(&r, 503, MSG_DB_UNAVAILABLE);
		} else
			worker_serve(&r, o);
		log_info("%s %s %d %.1fms %s %s", r.method,
		    r.path ? r.path : "-", r.status,
		    (clock_mono() - t0) * 1000.0, r.id,
		    r.user ? r.user->id : "-");
		FCGX_Finish_r(&fr);
		arena_reset(a);
		if (o->max_requests > 0 && ++served >= o->max_requests)
			break;
	}
	db_close(db);
	arena_free(a);
	return 0;
}
