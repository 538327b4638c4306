/* httpd.c: the HTTP/1.1 server side of cwebui-streamd on libevent, see
 * httpd.h. One request per connection: read the head (http1.c), then the
 * body, hand the request to srv_route(), write the response, close.
 *
 * A connection goes through these states:
 *	HEAD	reading the request head, under a deadline (slowloris)
 *	BODY	reading its body (Content-Length or chunked), same deadline
 *	WAIT	the handler owns the exchange; reading only notices EOF
 *	STREAM	a streamed response is being written
 *	FLUSH	the response is complete, bytes are still queued
 *	LINGER	all written, write side shut; a short wait for the peer's
 *		EOF so that closing with unread input does not reset the
 *		connection under the response (a lingering close)
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <json-c/json.h>

#include "buf.h"
#include "http.h"
#include "http1.h"
#include "httpd.h"
#include "log.h"
#include "mem.h"
#include "srv_routes.h"

#define LINGER_SECS	2
#define WAIT_MAX_INPUT	(256 * 1024)	/* unread bytes while the handler
					   owns the exchange (a WebSocket
					   client's first frames) */
#define READ_PIECE	16384

enum hstate { HS_HEAD, HS_BODY, HS_WAIT, HS_STREAM, HS_FLUSH, HS_LINGER };

struct hconn {
	struct bufferevent	*bev;
	enum hstate		 state;
	struct buf		 in;	/* the head, then what followed it */
	size_t			 in_off;	/* first byte after the head */
	struct http1_head	 h;
	struct http1_chunked	 ck;
	struct buf		 body;
	struct buf		 path;
	struct hreq		 req;
	struct event		*timer;
	void			(*close_fn)(void *);
	void			*close_arg;
	void			(*drain_fn)(void *);
	void			*drain_arg;
	char			 addr[INET6_ADDRSTRLEN];
};

static struct event_base	*base;
static struct evconnlistener	*listener;
static struct event		*resume_ev;	/* re-enables accepting */
static char			*unix_path;
static int			 nconns, max_conns, accepting;

static void	conn_free(struct hconn *);
static void	conn_fail(struct hconn *, int);

/* The reason phrase of a status line. */
static const char *
reason(int status)
{
	const char *s = http_reason(status);

	return *s != '\0' ? s : status < 400 ? "OK" : "Error";
}

struct event_base *
srv_base(void)
{
	return base;
}

const char *
hreq_header(const struct hreq *r, const char *name)
{
	return http1_header(r->headers, r->nheaders, name);
}

char *
hreq_query(const struct hreq *r, const char *name)
{
	return http1_query_get(r->query, name);
}

/* Re-enables or disables accepting to keep nconns below max_conns. */
static void
accept_adjust(void)
{
	if (listener == NULL)
		return;
	if (accepting && nconns >= max_conns) {
		evconnlistener_disable(listener);
		accepting = 0;
	} else if (!accepting && nconns < max_conns &&
	    (resume_ev == NULL || !event_pending(resume_ev, EV_TIMEOUT, NULL))) {
		evconnlistener_enable(listener);
		accepting = 1;
	}
}

static void
conn_free(struct hconn *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->timer != NULL)
		event_free(c->timer);
	buf_free(&c->in);
	buf_free(&c->body);
	buf_free(&c->path);
	free(c);
	nconns--;
	accept_adjust();
}

/* The client went away or timed out: tell the owner, then free. */
static void
conn_gone(struct hconn *c)
{
	void (*fn)(void *) = c->close_fn;

	if ((c->state == HS_WAIT || c->state == HS_STREAM) && fn != NULL) {
		c->close_fn = NULL;
		fn(c->close_arg);
	}
	conn_free(c);
}

static void
timer_arm(struct hconn *c, int secs)
{
	struct timeval tv = { secs, 0 };

	evtimer_add(c->timer, &tv);
}

/* Everything is written: shut the write side and linger for the EOF. */
static void
conn_linger(struct hconn *c)
{
	c->state = HS_LINGER;
	bufferevent_disable(c->bev, EV_WRITE);
	shutdown(bufferevent_getfd(c->bev), SHUT_WR);
	evbuffer_drain(bufferevent_get_input(c->bev),
	    evbuffer_get_length(bufferevent_get_input(c->bev)));
	bufferevent_enable(c->bev, EV_READ);
	timer_arm(c, LINGER_SECS);
}

/* The response is complete: close once it is written. */
static void
conn_finish(struct hconn *c)
{
	c->state = HS_FLUSH;
	c->close_fn = NULL;
	c->drain_fn = NULL;
	evtimer_del(c->timer);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_linger(c);
	/* else write_cb lingers once the queue is empty */
}

/* Appends the status line and the headers of a response to out. */
static void
put_head(struct evbuffer *out, int status, const char *ctype,
    const char *extra, long long len)
{
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n", status, reason(status));
	if (ctype != NULL)
		evbuffer_add_printf(out, "Content-Type: %s\r\n", ctype);
	if (len >= 0)
		evbuffer_add_printf(out, "Content-Length: %lld\r\n", len);
	evbuffer_add_printf(out, "Connection: close\r\n%s\r\n",
	    extra != NULL ? extra : "");
}

void
hconn_respond(struct hconn *c, int status, const char *ctype,
    const char *extra, const void *body, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (c->state != HS_WAIT && c->state != HS_HEAD &&
	    c->state != HS_BODY) {
		log_error("response %d on a connection in state %d", status,
		    (int)c->state);
		return;
	}
	put_head(out, status, ctype, extra, (long long)len);
	if (len > 0 && strcmp(c->req.method ? c->req.method : "", "HEAD"))
		evbuffer_add(out, body, len);
	conn_finish(c);
}

void
hconn_respond_detail(struct hconn *c, int status, const char *detail)
{
	json_object *o = json_object_new_object();
	const char *s;

	json_object_object_add(o, "detail", json_object_new_string(detail));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	hconn_respond(c, status, "application/json", NULL, s, strlen(s));
	json_object_put(o);
}

void
hconn_stream_start(struct hconn *c, int status, const char *ctype,
    const char *extra)
{
	struct timeval wtv = { HTTPD_WRITE_TIMEOUT, 0 };

	if (c->state != HS_WAIT) {
		log_error("stream start on a connection in state %d",
		    (int)c->state);
		return;
	}
	put_head(bufferevent_get_output(c->bev), status, ctype, extra, -1);
	c->state = HS_STREAM;
	bufferevent_set_timeouts(c->bev, NULL, &wtv);
}

int
hconn_stream_write(struct hconn *c, const void *p, size_t n)
{
	if (c->state != HS_STREAM)
		return -1;
	if (n > 0 && evbuffer_add(bufferevent_get_output(c->bev), p, n) != 0)
		return -1;
	return 0;
}

size_t
hconn_pending(const struct hconn *c)
{
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

void
hconn_on_drain(struct hconn *c, void (*fn)(void *), void *arg)
{
	c->drain_fn = fn;
	c->drain_arg = arg;
}

void
hconn_stream_end(struct hconn *c)
{
	if (c->state != HS_STREAM)
		return;
	conn_finish(c);
}

void
hconn_on_close(struct hconn *c, void (*fn)(void *), void *arg)
{
	c->close_fn = fn;
	c->close_arg = arg;
}

struct bufferevent *
hconn_takeover(struct hconn *c, struct evbuffer **early)
{
	struct bufferevent *bev = c->bev;

	*early = evbuffer_new();
	if (*early == NULL)
		abort();
	if (c->in.len > c->in_off)
		evbuffer_add(*early, c->in.p + c->in_off, c->in.len - c->in_off);
	evbuffer_add_buffer(*early, bufferevent_get_input(bev));
	bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
	bufferevent_set_timeouts(bev, NULL, NULL);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	c->bev = NULL;
	c->close_fn = NULL;
	conn_free(c);
	return bev;
}

/* The request is complete: fill in struct hreq and call its handler. */
static void
conn_dispatch(struct hconn *c)
{
	struct hreq *r = &c->req;
	int st;

	if ((st = http1_pct_decode(c->h.target, c->h.path_len, &c->path)) != 0) {
		conn_fail(c, st);
		return;
	}
	if (c->body.p == NULL)
		buf_puts(&c->body, "");
	r->conn = c;
	r->method = c->h.method;
	r->target = c->h.target;
	r->path = buf_str(&c->path);
	r->query = c->h.query;
	r->headers = c->h.headers;
	r->nheaders = c->h.nheaders;
	r->body = c->body.p;
	r->body_len = c->body.len;
	r->remote_addr = c->addr;
	c->state = HS_WAIT;
	evtimer_del(c->timer);
	srv_route(r);	/* c may be gone after this */
}

/* Answers an error found while reading the request. */
static void
conn_fail(struct hconn *c, int status)
{
	log_debug("request refused with %d", status);
	c->state = HS_WAIT;
	hconn_respond_detail(c, status, reason(status));
}

/* Feeds n body bytes at p. Returns bytes used; sets *done at the end of
 * the body, or answers an error and sets *done to -1. */
static size_t
body_feed(struct hconn *c, const char *p, size_t n, int *done)
{
	size_t used, need;
	int r;

	if (c->h.chunked) {
		r = http1_chunked_feed(&c->ck, p, n, &used, &c->body,
		    HTTPD_MAX_BODY);
		if (r > 1) {
			conn_fail(c, r);
			*done = -1;
			return 0;
		}
		*done = r;
		return used;
	}
	need = (size_t)c->h.content_length - c->body.len;
	used = n < need ? n : need;
	buf_append(&c->body, p, used);
	*done = c->body.len == (size_t)c->h.content_length;
	return used;
}

/* The head is complete (len bytes of c->in): parse it, start the body. */
static int
head_done(struct hconn *c, size_t len)
{
	const char *expect;
	int st, done = 0;

	c->in_off = len;
	if ((st = http1_parse_head(&c->h, c->in.p, len)) != 0) {
		conn_fail(c, st);
		return -1;
	}
	c->state = HS_BODY;
	if (c->h.chunked)
		http1_chunked_init(&c->ck);
	else if (c->h.content_length <= 0) {
		conn_dispatch(c);
		return -1;
	}
	expect = http1_header(c->h.headers, c->h.nheaders, "Expect");
	if (expect != NULL && strcasecmp(expect, "100-continue") == 0 &&
	    c->h.minor == 1)
		evbuffer_add_printf(bufferevent_get_output(c->bev),
		    "HTTP/1.1 100 Continue\r\n\r\n");
	if (c->in.len > len)
		c->in_off += body_feed(c, c->in.p + len, c->in.len - len, &done);
	if (done < 0)
		return -1;
	if (done) {
		conn_dispatch(c);
		return -1;
	}
	timer_arm(c, HTTPD_HEAD_TIMEOUT);
	return 0;
}

static void
read_head(struct hconn *c, struct evbuffer *in)
{
	size_t avail, room;
	long end;

	while ((avail = evbuffer_get_length(in)) > 0) {
		room = HTTPD_MAX_HEAD - c->in.len;
		if (avail > room)
			avail = room;
		if (avail > READ_PIECE)
			avail = READ_PIECE;
		if (avail == 0) {
			conn_fail(c, 431);
			return;
		}
		buf_reserve(&c->in, avail);
		evbuffer_remove(in, c->in.p + c->in.len, avail);
		end = http1_head_end(c->in.p, c->in.len + avail, c->in.len);
		c->in.len += avail;
		c->in.p[c->in.len] = '\0';
		if (end < 0) {
			conn_fail(c, (int)-end);
			return;
		}
		if (end > 0) {
			if (head_done(c, (size_t)end) != 0)
				return;
			break;
		}
	}
	if (c->state == HS_BODY && evbuffer_get_length(in) > 0)
		bufferevent_trigger(c->bev, EV_READ, 0);
}

static void
read_body(struct hconn *c, struct evbuffer *in)
{
	char piece[READ_PIECE];
	size_t n, used;
	int done = 0;

	while (!done && (n = evbuffer_copyout(in, piece, sizeof(piece))) > 0) {
		used = body_feed(c, piece, n, &done);
		evbuffer_drain(in, used);
	}
	if (done < 0)
		return;
	if (done) {
		conn_dispatch(c);
		return;
	}
	timer_arm(c, HTTPD_HEAD_TIMEOUT);
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct hconn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	switch (c->state) {
	case HS_HEAD:
		read_head(c, in);
		break;
	case HS_BODY:
		read_body(c, in);
		break;
	case HS_WAIT:
		/* kept for a WebSocket takeover; bounded */
		if (evbuffer_get_length(in) > WAIT_MAX_INPUT)
			conn_gone(c);
		break;
	default:
		evbuffer_drain(in, evbuffer_get_length(in));
		break;
	}
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct hconn *c = arg;

	if (c->state == HS_FLUSH)
		conn_linger(c);
	else if (c->state == HS_STREAM && c->drain_fn != NULL)
		c->drain_fn(c->drain_arg);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct hconn *c = arg;

	if (what & BEV_EVENT_ERROR)
		log_debug("client connection: %s", strerror(errno));
	if (c->state == HS_FLUSH && !(what & BEV_EVENT_ERROR) &&
	    (what & BEV_EVENT_EOF)) {
		/* the peer closed its side: finish writing, then close */
		bufferevent_disable(bev, EV_READ);
		return;
	}
	conn_gone(c);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hconn *c = arg;

	if (c->state == HS_HEAD || c->state == HS_BODY)
		log_debug("request not read within %d s", HTTPD_HEAD_TIMEOUT);
	conn_gone(c);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct hconn *c;

	c = xcalloc(1, sizeof(*c));
	nconns++;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr,
		    c->addr, sizeof(c->addr));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr,
		    c->addr, sizeof(c->addr));
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(base, timer_cb, c);
	if (c->bev == NULL || c->timer == NULL) {
		log_error("could not set up a connection");
		if (c->bev == NULL)
			evutil_closesocket(fd);
		conn_free(c);
		return;
	}
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	timer_arm(c, HTTPD_HEAD_TIMEOUT);
	accept_adjust();
}

static void
resume_cb(evutil_socket_t fd, short what, void *arg)
{
	accept_adjust();
}

/* accept() failed (out of descriptors...): pause accepting for a second
 * rather than spinning on the error. */
static void
accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct timeval tv = { 1, 0 };
	int e = EVUTIL_SOCKET_ERROR();

	log_error("accept failed: %s", evutil_socket_error_to_string(e));
	evconnlistener_disable(listener);
	accepting = 0;
	evtimer_add(resume_ev, &tv);
}

/* Opens a listening socket on addr. Returns the fd or -1 (logged). */
static int
listen_on(const char *addr)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_un sun;
	char host[256], *port;
	int fd = -1, one = 1, e;

	if (strchr(addr, '/') != NULL) {
		if (strlen(addr) >= sizeof(sun.sun_path)) {
			log_error("socket path too long: %s", addr);
			return -1;
		}
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strcpy(sun.sun_path, addr);
		unlink(addr);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
		    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
		    chmod(addr, 0660) != 0) {
			log_error("could not listen on %s: %s", addr,
			    strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		unix_path = xstrdup(addr);
		return fd;
	}
	if (strlen(addr) >= sizeof(host) ||
	    (port = strrchr(strcpy(host, addr), ':')) == NULL) {
		log_error("not a socket path or host:port: %s", addr);
		return -1;
	}
	*port++ = '\0';
	if (host[0] == '[' && port - host > 2 && port[-2] == ']') {
		port[-2] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((e = getaddrinfo(*host ? host : NULL, port, &hints, &res)) != 0) {
		log_error("could not resolve %s: %s", addr, gai_strerror(e));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		log_error("could not listen on %s: %s", addr, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

int
httpd_start(struct event_base *b, const char *addr, int maxc)
{
	int fd;

	base = b;
	max_conns = maxc > 0 ? maxc : 1;
	if ((fd = listen_on(addr)) < 0)
		return -1;
	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	listener = evconnlistener_new(base, accept_cb, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 1024, fd);
	resume_ev = evtimer_new(base, resume_cb, NULL);
	if (listener == NULL || resume_ev == NULL) {
		log_error("could not listen on %s: %s", addr, strerror(errno));
		if (listener == NULL)
			close(fd);
		httpd_stop();
		return -1;
	}
	evconnlistener_set_error_cb(listener, accept_error_cb);
	accepting = 1;
	return 0;
}

void
httpd_stop(void)
{
	if (listener != NULL)
		evconnlistener_free(listener);
	listener = NULL;
	if (resume_ev != NULL)
		event_free(resume_ev);
	resume_ev = NULL;
	if (unix_path != NULL)
		unlink(unix_path);
	free(unix_path);
	unix_path = NULL;
}
