/* http.c: outgoing HTTP on one libcurl multi handle per process. The
 * multi handle owns the connection cache, so every request of a worker,
 * single or in a batch, can reuse a connection a previous one opened. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"
#include "log.h"
#include "mem.h"

#define HTTP_MAX_REDIRS		5
#define HTTP_MAX_CONNECTS	32
#define HTTP_POLL_MS		1000

/* Python's defaults (env.py), in seconds. */
#define HTTP_TIMEOUT_BAD_S	300
#define HTTP_MODEL_LIST_S	10

/* One request of a batch while it runs. */
struct xfer {
	CURL		  *e;
	struct curl_slist *hdrs;
	struct buf	   body;
	int		   toobig;
	int		   done;
	CURLcode	   rc;
	enum err	   err;
	char		   errbuf[CURL_ERROR_SIZE];
	/* http_stream(): the body goes to cb as it comes */
	const struct http_stream_cb *cb;
	void		  *arg;
	int		   head;	/* cb->head called */
	int		   stopped;	/* a callback stopped it */
};

static CURLM	*http_multi;
static pid_t	 http_pid;
/* A handle inherited through fork(): never used nor cleaned up in the
 * child (that could shut down TLS sessions the parent still uses), only
 * kept reachable. */
static CURLM	*http_inherited;

/* Returns the process's multi handle, creating it on first use and again
 * in a forked child. */
static CURLM *
http_multi_get(void)
{
	static int inited;

	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			abort();
		inited = 1;
	}
	if (http_multi != NULL && http_pid != getpid()) {
		http_inherited = http_multi;
		http_multi = NULL;
	}
	if (http_multi == NULL) {
		if ((http_multi = curl_multi_init()) == NULL)
			abort();
		curl_multi_setopt(http_multi, CURLMOPT_MAXCONNECTS,
		    (long)HTTP_MAX_CONNECTS);
		http_pid = getpid();
	}
	return http_multi;
}

/* Reads a number of seconds as Python's int(): optional blanks and sign,
 * decimal digits, optional blanks. Returns 0 and sets *out on success. */
static int
http_parse_int(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno != 0)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Turns an environment value into milliseconds as env.py does: unset gives
 * dflt_s, empty gives no limit (0), a non-integer gives bad_s; zero or
 * negative seconds mean no limit. */
static long
http_env_timeout(const char *v, long dflt_s, long bad_s)
{
	long s;

	if (v == NULL)
		s = dflt_s;
	else if (*v == '\0')
		return 0;
	else if (http_parse_int(v, &s) != 0)
		s = bad_s;
	if (s <= 0)
		return 0;
	if (s > LONG_MAX / 1000)
		return 0;
	return s * 1000;
}

long
http_timeout_ms(void)
{
	static long ms = -1;

	if (ms < 0) {
		const char *v = getenv("AIOHTTP_CLIENT_TIMEOUT");

		/* unset is "" in Python: no limit */
		ms = http_env_timeout(v == NULL ? "" : v, 0,
		    HTTP_TIMEOUT_BAD_S);
	}
	return ms;
}

long
http_timeout_model_list_ms(void)
{
	static long ms = -1;

	if (ms < 0) {
		const char *v = getenv("AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST");

		if (v == NULL)
			v = getenv("AIOHTTP_CLIENT_TIMEOUT_OPENAI_MODEL_LIST");
		ms = http_env_timeout(v, HTTP_MODEL_LIST_S, HTTP_MODEL_LIST_S);
	}
	return ms;
}

/* AIOHTTP_CLIENT_SESSION_SSL: certificates are verified unless it is
 * "false" (any case), as in Python. */
static int
http_verify_tls(void)
{
	static int verify = -1;

	if (verify < 0) {
		const char *v = getenv("AIOHTTP_CLIENT_SESSION_SSL");

		verify = v == NULL || strcasecmp(v, "true") == 0;
	}
	return verify;
}

/* Calls cb->head once, with the status and content type known now. */
static void
http_stream_head(struct xfer *x)
{
	const char *ct = NULL;
	long status = 0;

	if (x->head)
		return;
	x->head = 1;
	curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->e, CURLINFO_CONTENT_TYPE, &ct);
	x->cb->head(x->arg, status, ct);
}

static size_t
http_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	if (x->cb != NULL) {
		http_stream_head(x);
		if (x->cb->data(x->arg, p, n) != 0) {
			x->stopped = 1;
			return 0;
		}
		return n;
	}
	if (x->body.len + n > (size_t)HTTP_MAX_BODY) {
		x->toobig = 1;
		return 0;	/* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	buf_append(&x->body, p, n);
	(void)size;	/* always 1 */
	return n;
}

static int
http_url_ok(const char *url)
{
	return url != NULL && (strncasecmp(url, "http://", 7) == 0 ||
	    strncasecmp(url, "https://", 8) == 0);
}

/* Prepares x for q. Returns ERR_OK, or ERR_INVAL when q cannot be sent. */
static enum err
http_xfer_setup(struct xfer *x, const struct http_req *q)
{
	const char *method = q->method != NULL ? q->method : "GET";
	const char *const *h;

	if (!http_url_ok(q->url))
		return ERR_INVAL;
	if ((x->e = curl_easy_init()) == NULL)
		abort();
	curl_easy_setopt(x->e, CURLOPT_URL, q->url);
	curl_easy_setopt(x->e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->e, CURLOPT_FOLLOWLOCATION, (long)(q->follow != 0));
	curl_easy_setopt(x->e, CURLOPT_MAXREDIRS, (long)HTTP_MAX_REDIRS);
	curl_easy_setopt(x->e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(x->e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(x->e, CURLOPT_USERAGENT, "cwebui");
	curl_easy_setopt(x->e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->e, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(x->e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)HTTP_MAX_BODY);
	if (!http_verify_tls()) {
		curl_easy_setopt(x->e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(x->e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (q->timeout_ms > 0)
		curl_easy_setopt(x->e, CURLOPT_TIMEOUT_MS, q->timeout_ms);
	if (q->connect_timeout_ms > 0)
		curl_easy_setopt(x->e, CURLOPT_CONNECTTIMEOUT_MS,
		    q->connect_timeout_ms);

	if (q->body != NULL || strcmp(method, "POST") == 0) {
		curl_easy_setopt(x->e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(q->body != NULL ? q->body_len : 0));
		curl_easy_setopt(x->e, CURLOPT_POSTFIELDS,
		    q->body != NULL ? q->body : "");
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(x->e, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
		curl_easy_setopt(x->e, CURLOPT_CUSTOMREQUEST, method);
	else if (strcmp(method, "GET") == 0 && q->body != NULL)
		curl_easy_setopt(x->e, CURLOPT_CUSTOMREQUEST, "GET");

	/* no "Expect: 100-continue" round trip before large bodies */
	x->hdrs = curl_slist_append(NULL, "Expect:");
	for (h = q->headers; h != NULL && *h != NULL; h++)
		x->hdrs = curl_slist_append(x->hdrs, *h);
	curl_easy_setopt(x->e, CURLOPT_HTTPHEADER, x->hdrs);
	return ERR_OK;
}

/* Fills *out from the finished x and releases x's handles; the body's
 * storage goes to the arena. */
static void
http_xfer_finish(struct arena *a, struct xfer *x, const struct http_req *q,
    struct http_resp *out)
{
	const char *ct = NULL;
	struct curl_header *hv;
	long status = 0;

	memset(out, 0, sizeof(*out));
	if (x->err == ERR_INVAL) {
		out->error = arena_strdup(a, "invalid URL: only http and "
		    "https are allowed");
		goto fail;
	}
	if (!x->done || x->toobig || x->rc == CURLE_FILESIZE_EXCEEDED) {
		x->err = !x->done ? ERR_IO : ERR_TOOBIG;
		out->error = arena_strdup(a, !x->done ? "transfer not done" :
		    "response body larger than 64 MiB");
		goto fail;
	}
	if (x->rc != CURLE_OK) {
		x->err = ERR_IO;
		out->error = arena_strdup(a, x->errbuf[0] != '\0' ? x->errbuf :
		    curl_easy_strerror(x->rc));
		goto fail;
	}
	curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->e, CURLINFO_CONTENT_TYPE, &ct);
	out->status = status;
	out->content_type = arena_strdup(a, ct);
	if (q->want_header != NULL && curl_easy_header(x->e, q->want_header,
	    0, CURLH_HEADER, -1, &hv) == CURLHE_OK)
		out->header = arena_strdup(a, hv->value);
	buf_append(&x->body, "", 0);	/* never NULL */
	out->body = x->body;
	arena_defer(a, free, x->body.p);
	x->body = (struct buf)BUF_INIT;
	x->err = ERR_OK;
	goto done;
fail:
	log_debug("http %s %s: %s", q->method != NULL ? q->method : "GET",
	    q->url != NULL ? q->url : "(null)", out->error);
	buf_free(&x->body);
	buf_append(&out->body, "", 0);
	arena_defer(a, free, out->body.p);
done:
	if (x->e != NULL)
		curl_easy_cleanup(x->e);
	curl_slist_free_all(x->hdrs);
	x->e = NULL;
	x->hdrs = NULL;
}

/* Runs the multi handle until every transfer of xs is done. */
static void
http_run(CURLM *m, struct xfer *xs, int n)
{
	CURLMsg *msg;
	int running = 1, left, i;

	while (running > 0) {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < n; i++)
				if (xs[i].e == msg->easy_handle) {
					xs[i].done = 1;
					xs[i].rc = msg->data.result;
				}
		}
		if (running > 0 &&
		    curl_multi_poll(m, NULL, 0, HTTP_POLL_MS, NULL) != CURLM_OK)
			break;
	}
}

enum err
http_do_many(struct arena *a, const struct http_req *q,
    struct http_resp *out, int n)
{
	struct xfer *xs;
	CURLM *m;
	int i;

	if (n < 0)
		return ERR_INVAL;
	if (n == 0)
		return ERR_OK;
	m = http_multi_get();
	xs = xcalloc((size_t)n, sizeof(*xs));
	for (i = 0; i < n; i++) {
		xs[i].err = http_xfer_setup(&xs[i], &q[i]);
		if (xs[i].err == ERR_OK)
			curl_multi_add_handle(m, xs[i].e);
	}
	http_run(m, xs, n);
	for (i = 0; i < n; i++) {
		if (xs[i].e != NULL)
			curl_multi_remove_handle(m, xs[i].e);
		http_xfer_finish(a, &xs[i], &q[i], &out[i]);
	}
	free(xs);
	return ERR_OK;
}

enum err
http_do(struct arena *a, const struct http_req *q, struct http_resp *out)
{
	struct xfer x;
	CURLM *m = http_multi_get();

	memset(&x, 0, sizeof(x));
	x.err = http_xfer_setup(&x, q);
	if (x.err == ERR_OK) {
		curl_multi_add_handle(m, x.e);
		http_run(m, &x, 1);
		curl_multi_remove_handle(m, x.e);
	}
	http_xfer_finish(a, &x, q, out);
	return x.err;
}

static int
http_xferinfo_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct xfer *x = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	if (x->cb->tick != NULL && x->cb->tick(x->arg) != 0) {
		x->stopped = 1;
		return 1;	/* CURLE_ABORTED_BY_CALLBACK */
	}
	return 0;
}

enum err
http_stream(struct arena *a, const struct http_req *q,
    const struct http_stream_cb *cb, void *arg, const char **error)
{
	struct xfer x;
	CURLM *m = http_multi_get();

	*error = NULL;
	memset(&x, 0, sizeof(x));
	x.cb = cb;
	x.arg = arg;
	if ((x.err = http_xfer_setup(&x, q)) != ERR_OK) {
		*error = "invalid URL: only http and https are allowed";
		return x.err;
	}
	curl_easy_setopt(x.e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
	curl_easy_setopt(x.e, CURLOPT_XFERINFOFUNCTION, http_xferinfo_cb);
	curl_easy_setopt(x.e, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(x.e, CURLOPT_NOPROGRESS, 0L);
	curl_multi_add_handle(m, x.e);
	http_run(m, &x, 1);
	curl_multi_remove_handle(m, x.e);
	if (x.stopped)
		x.err = ERR_DENIED;
	else if (!x.done || x.rc != CURLE_OK) {
		x.err = ERR_IO;
		*error = arena_strdup(a, x.errbuf[0] != '\0' ? x.errbuf :
		    !x.done ? "transfer not done" : curl_easy_strerror(x.rc));
	} else {
		http_stream_head(&x);	/* a response without a body */
		x.err = ERR_OK;
	}
	curl_easy_cleanup(x.e);
	curl_slist_free_all(x.hdrs);
	return x.err;
}

const char *
http_reason(long status)
{
	static const struct {
		long		 code;
		const char	*text;
	} t[] = {
		{ 101, "Switching Protocols" }, { 200, "OK" },
		{ 201, "Created" }, { 204, "No Content" },
		{ 301, "Moved Permanently" }, { 302, "Found" },
		{ 304, "Not Modified" }, { 307, "Temporary Redirect" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 408, "Request Timeout" },
		{ 409, "Conflict" }, { 411, "Length Required" },
		{ 413, "Payload Too Large" }, { 415, "Unsupported Media Type" },
		{ 422, "Unprocessable Entity" }, { 426, "Upgrade Required" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" }
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].code == status)
			return t[i].text;
	return "";
}
