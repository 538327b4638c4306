#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "buf.h"
#include "bus.h"
#include "clock.h"
#include "fcgirec.h"
#include "http1.h"
#include "probe.h"

/* Sets send and receive timeouts (connect() obeys the send one). */
static void
probe_timeouts(int fd)
{
	struct timeval tv = { PROBE_TIMEOUT_MS / 1000,
	    (PROBE_TIMEOUT_MS % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Connects to a unix socket path (spec holds a '/') or host:port.
 * Returns the socket or -1. */
static int
probe_connect(const char *spec, char *why, size_t n)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_un sun;
	const char *colon;
	char host[256];
	int fd = -1, rc;

	if (strchr(spec, '/') != NULL) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(spec) >= sizeof(sun.sun_path)) {
			snprintf(why, n, "the socket path is too long");
			return -1;
		}
		strcpy(sun.sun_path, spec);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
			snprintf(why, n, "could not make a socket: %s",
			    strerror(errno));
			return -1;
		}
		probe_timeouts(fd);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		snprintf(why, n, "could not connect to %s: %s", spec,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if ((colon = strrchr(spec, ':')) == NULL ||
	    (size_t)(colon - spec) >= sizeof(host)) {
		snprintf(why, n, "%s is neither a socket path nor host:port",
		    spec);
		return -1;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0) {
		snprintf(why, n, "could not resolve %s: %s", spec,
		    gai_strerror(rc));
		return -1;
	}
	snprintf(why, n, "could not connect to %s", spec);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		probe_timeouts(fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		snprintf(why, n, "could not connect to %s: %s", spec,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Sends req, then reads into out until done(out) says the answer is
 * complete, the peer closes, or PROBE_MAX; a peer that trickles bytes
 * gets PROBE_TIMEOUT_MS for the whole answer. Returns 0 or -1. */
static int
probe_exchange(const char *spec, const struct buf *req, struct buf *out,
    int (*done)(const struct buf *), char *why, size_t n)
{
	char chunk[16384];
	double until = clock_mono() + PROBE_TIMEOUT_MS / 1000.0;
	size_t off = 0;
	ssize_t r;
	int fd;

	buf_reset(out);
	if ((fd = probe_connect(spec, why, n)) < 0)
		return -1;
	while (off < req->len) {
		r = write(fd, req->p + off, req->len - off);
		if (r <= 0) {
			snprintf(why, n, "could not send to %s: %s", spec,
			    r < 0 ? strerror(errno) : "closed");
			goto fail;
		}
		off += (size_t)r;
	}
	while (!done(out)) {
		r = read(fd, chunk, sizeof(chunk));
		if (r == 0)
			break;
		if (r < 0) {
			snprintf(why, n, "no answer from %s: %s", spec,
			    errno == EAGAIN ? "timed out" : strerror(errno));
			goto fail;
		}
		buf_append(out, chunk, (size_t)r);
		if (!done(out) && clock_mono() > until) {
			snprintf(why, n, "no whole answer from %s: timed out",
			    spec);
			goto fail;
		}
		if (out->len > PROBE_MAX) {
			snprintf(why, n, "the answer of %s is too long", spec);
			goto fail;
		}
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/* Walks the FastCGI records of in; copies STDOUT to out when it is not
 * NULL. Returns 1 once END_REQUEST was seen. */
static int
probe_fcgi_walk(const struct buf *in, struct buf *out)
{
	struct fcgirec rec;
	size_t off = 0;
	long used;

	while (off < in->len &&
	    (used = fcgirec_next(in->p + off, in->len - off, &rec)) > 0) {
		off += (size_t)used;
		if (rec.type == FCGI_END_REQUEST)
			return 1;
		if (rec.type == FCGI_STDOUT && out != NULL)
			buf_append(out, rec.content, rec.len);
	}
	return 0;
}

static int
probe_fcgi_done(const struct buf *in)
{
	return probe_fcgi_walk(in, NULL);
}

static void
probe_pair(struct buf *params, const char *name, const char *value)
{
	fcgirec_pair(params, name, strlen(name), value, strlen(value));
}

int
probe_fcgi(const char *spec, const char *path, int *status,
    struct buf *body, char *why, size_t whylen)
{
	struct buf req = BUF_INIT, params = BUF_INIT, in = BUF_INIT;
	struct buf out = BUF_INIT, headers = BUF_INIT, ctype = BUF_INIT;
	struct fcgirec_cgi cgi;
	int rc = -1;

	fcgirec_begin(&req, 1, FCGI_RESPONDER, 0);
	probe_pair(&params, "REQUEST_METHOD", "GET");
	probe_pair(&params, "REQUEST_URI", path);
	probe_pair(&params, "SCRIPT_NAME", "");
	probe_pair(&params, "PATH_INFO", path);
	probe_pair(&params, "QUERY_STRING", "");
	probe_pair(&params, "SERVER_NAME", "localhost");
	probe_pair(&params, "SERVER_PORT", "80");
	probe_pair(&params, "SERVER_PROTOCOL", "HTTP/1.1");
	probe_pair(&params, "REMOTE_ADDR", "127.0.0.1");
	probe_pair(&params, "HTTP_HOST", "localhost");
	fcgirec_stream(&req, FCGI_PARAMS, 1, params.p, params.len);
	fcgirec_stream(&req, FCGI_PARAMS, 1, NULL, 0);
	fcgirec_stream(&req, FCGI_STDIN, 1, NULL, 0);
	if (probe_exchange(spec, &req, &in, probe_fcgi_done, why, whylen) != 0)
		goto out;
	if (!probe_fcgi_walk(&in, &out)) {
		snprintf(why, whylen, "%s closed the connection before the "
		    "end of the answer", spec);
		goto out;
	}
	if (fcgirec_cgi(buf_str(&out), out.len, &cgi, &headers, &ctype) != 0) {
		snprintf(why, whylen, "%s answered something that is not a "
		    "CGI response", spec);
		goto out;
	}
	*status = cgi.status;
	buf_reset(body);
	buf_append(body, out.p + cgi.body_off, out.len - cgi.body_off);
	rc = 0;
out:
	buf_free(&req);
	buf_free(&params);
	buf_free(&in);
	buf_free(&out);
	buf_free(&headers);
	buf_free(&ctype);
	return rc;
}

/* The offset of the body of an HTTP answer, or 0 while the head is
 * incomplete. */
static size_t
probe_http_body(const struct buf *in)
{
	const char *end = in->p != NULL ? strstr(in->p, "\r\n\r\n") : NULL;

	return end != NULL ? (size_t)(end + 4 - in->p) : 0;
}

/* Returns the value of header name in the head of in, or NULL. */
static const char *
probe_http_header(const struct buf *in, const char *name, size_t body)
{
	const char *p = in->p;
	size_t n = strlen(name);

	while ((p = strstr(p, "\r\n")) != NULL && (size_t)(p - in->p) < body) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return p + n + 1;
	}
	return NULL;
}

/* Decodes the chunked body of in (which starts at off) into out when out
 * is not NULL. Returns 1 when it is complete, 0 when more is to come, -1
 * when it is malformed. */
static int
probe_http_chunked(const struct buf *in, size_t off, struct buf *out)
{
	struct http1_chunked ck;
	struct buf scratch = BUF_INIT;
	size_t used;
	int rc;

	http1_chunked_init(&ck);
	rc = http1_chunked_feed(&ck, in->p + off, in->len - off, &used,
	    out != NULL ? out : &scratch, PROBE_MAX);
	buf_free(&scratch);
	return rc == 0 || rc == 1 ? rc : -1;
}

/* Returns 1 when the head is ended and the body of the length it
 * announces (or the end of a chunked one) has arrived, or the chunked
 * body is malformed. */
static int
probe_http_done(const struct buf *in)
{
	size_t body = probe_http_body(in);
	const char *cl, *te;

	if (body == 0)
		return 0;
	if ((cl = probe_http_header(in, "Content-Length", body)) != NULL)
		return in->len - body >= (size_t)strtoul(cl, NULL, 10);
	te = probe_http_header(in, "Transfer-Encoding", body);
	if (te != NULL && strncasecmp(te + strspn(te, " "), "chunked", 7) == 0)
		return probe_http_chunked(in, body, NULL) != 0;
	return 0;
}

int
probe_http(const char *spec, const char *path, int *status,
    struct buf *body, char *why, size_t whylen)
{
	struct buf req = BUF_INIT, in = BUF_INIT;
	const char *te;
	size_t off;
	int rc = -1;

	buf_printf(&req, "GET %s HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\n\r\n", path);
	if (probe_exchange(spec, &req, &in, probe_http_done, why, whylen) != 0)
		goto out;
	if ((off = probe_http_body(&in)) == 0 ||
	    sscanf(buf_str(&in), "HTTP/1.%*c %3d", status) != 1) {
		snprintf(why, whylen, "%s answered something that is not "
		    "HTTP", spec);
		goto out;
	}
	buf_reset(body);
	te = probe_http_header(&in, "Transfer-Encoding", off);
	if (te != NULL && strncasecmp(te + strspn(te, " "), "chunked", 7) == 0) {
		if (probe_http_chunked(&in, off, body) != 1) {
			snprintf(why, whylen, "%s answered a malformed or "
			    "incomplete chunked body", spec);
			goto out;
		}
	} else
		buf_append(body, in.p + off, in.len - off);
	rc = 0;
out:
	buf_free(&req);
	buf_free(&in);
	return rc;
}

/* Sends one command; returns 0 when the reply is not an error (copied to
 * why otherwise). expect, when not NULL, is the status reply wanted. */
static int
probe_redis_cmd(redisContext *c, const char *expect, char *why, size_t n,
    const char *fmt, ...)
{
	redisReply *r;
	va_list ap;
	int rc = -1;

	va_start(ap, fmt);
	r = redisvCommand(c, fmt, ap);
	va_end(ap);
	if (r == NULL)
		snprintf(why, n, "%s", c->errstr);
	else if (r->type == REDIS_REPLY_ERROR)
		snprintf(why, n, "%s", r->str);
	else if (expect != NULL && (r->type != REDIS_REPLY_STATUS ||
	    strcmp(r->str, expect) != 0))
		snprintf(why, n, "unexpected reply to %s", fmt);
	else
		rc = 0;
	freeReplyObject(r);
	return rc;
}

int
probe_redis(const char *url, char *why, size_t whylen)
{
	struct timeval tv = { PROBE_TIMEOUT_MS / 1000, 0 };
	struct bus_url u;
	redisContext *c;
	int rc = -1;

	if (bus_url_parse(url, &u) != 0) {
		snprintf(why, whylen, "it is not a redis:// or unix:// URL");
		return -1;
	}
	c = u.path != NULL ? redisConnectUnixWithTimeout(u.path, tv) :
	    redisConnectWithTimeout(u.host, u.port, tv);
	if (c == NULL || c->err) {
		snprintf(why, whylen, "could not connect: %s",
		    c != NULL ? c->errstr : "out of memory");
		goto out;
	}
	redisSetTimeout(c, tv);
	if (u.password != NULL && (u.user != NULL ?
	    probe_redis_cmd(c, NULL, why, whylen, "AUTH %s %s", u.user,
	    u.password) : probe_redis_cmd(c, NULL, why, whylen, "AUTH %s",
	    u.password)) != 0)
		goto out;
	if (u.db != 0 && probe_redis_cmd(c, NULL, why, whylen, "SELECT %d",
	    u.db) != 0)
		goto out;
	rc = probe_redis_cmd(c, "PONG", why, whylen, "PING");
out:
	redisFree(c);
	bus_url_free(&u);
	return rc;
}
