/* fcgic.c: the FastCGI client of cwebui-streamd, see fcgic.h. One
 * connection per call (no FCGI_KEEP_CONN: cwebui-fcgi's libfcgi closes it
 * after the request), request id 1, everything on the loop. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "buf.h"
#include "fcgic.h"
#include "fcgirec.h"
#include "httpd.h"
#include "ikey.h"
#include "log.h"
#include "mem.h"

#define REQ_ID		1
#define STDERR_LOG_MAX	1000	/* bytes of the application's stderr
				   logged per record */

struct fcgic_call {
	struct bufferevent	*bev;
	struct event		*timer;
	struct buf		 out;	/* the application's stdout */
	fcgic_cb		 cb;
	void			*arg;
	int			 failed_at_once;
};

static struct sockaddr_storage	peer;
static socklen_t		peer_len;
static char			*peer_name;
static long			 call_timeout_ms;

int
fcgic_init(const char *addr, long timeout_ms)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&peer;
	struct addrinfo hints, *res = NULL;
	char host[256], *port;
	int e;

	call_timeout_ms = timeout_ms;
	free(peer_name);
	peer_name = xstrdup(addr);
	memset(&peer, 0, sizeof(peer));
	if (strchr(addr, '/') != NULL) {
		if (strlen(addr) >= sizeof(sun->sun_path)) {
			log_error("FastCGI socket path too long: %s", addr);
			return -1;
		}
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, addr);
		peer_len = sizeof(*sun);
		return 0;
	}
	if (strlen(addr) >= sizeof(host) ||
	    (port = strrchr(strcpy(host, addr), ':')) == NULL) {
		log_error("FastCGI address is not a path or host:port: %s",
		    addr);
		return -1;
	}
	*port++ = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(*host ? host : "127.0.0.1", port, &hints, &res))
	    != 0) {
		log_error("could not resolve %s: %s", addr, gai_strerror(e));
		return -1;
	}
	memcpy(&peer, res->ai_addr, res->ai_addrlen);
	peer_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void
call_free(struct fcgic_call *c)
{
	if (c->bev != NULL)
		bufferevent_free(c->bev);
	if (c->timer != NULL)
		event_free(c->timer);
	buf_free(&c->out);
	free(c);
}

/* Calls cb with the parsed response (ok) or NULL, then frees c. */
static void
call_done(struct fcgic_call *c, int ok)
{
	struct fcgic_resp r;
	struct fcgirec_cgi cgi;
	struct buf hdrs = BUF_INIT, ctype = BUF_INIT;
	const struct fcgic_resp *rp = NULL;

	if (ok && fcgirec_cgi(c->out.p ? c->out.p : "", c->out.len, &cgi,
	    &hdrs, &ctype) != 0)
		log_error("cwebui-fcgi sent a malformed response head");
	else if (ok) {
		r.status = cgi.status;
		r.content_type = ctype.len > 0 ? ctype.p : NULL;
		r.headers = buf_str(&hdrs);
		r.body = c->out.p + cgi.body_off;
		r.body_len = c->out.len - cgi.body_off;
		rp = &r;
	}
	c->cb(c->arg, rp);
	buf_free(&hdrs);
	buf_free(&ctype);
	call_free(c);
}

/* Handles one record; returns 1 at the end of the request, -1 on a broken
 * reply, 0 to go on. */
static int
on_record(struct fcgic_call *c, const struct fcgirec *rec)
{
	if (rec->id != REQ_ID)
		return rec->id == 0 ? 0 : -1;	/* management records */
	switch (rec->type) {
	case FCGI_STDOUT:
		if (c->out.len + rec->len > (size_t)FCGIC_MAX_RESPONSE) {
			log_error("cwebui-fcgi response over %ld bytes",
			    FCGIC_MAX_RESPONSE);
			return -1;
		}
		buf_append(&c->out, rec->content, rec->len);
		return 0;
	case FCGI_STDERR:
		if (rec->len > 0)
			log_warn("cwebui-fcgi: %.*s", (int)(rec->len <
			    STDERR_LOG_MAX ? rec->len : STDERR_LOG_MAX),
			    (const char *)rec->content);
		return 0;
	case FCGI_END_REQUEST:
		return 1;
	default:
		return -1;
	}
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct fcgic_call *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	unsigned char hdr[FCGIREC_HEADER];
	struct fcgirec rec;
	size_t n, need;
	long used;
	int r;

	while ((n = evbuffer_get_length(in)) >= FCGIREC_HEADER) {
		evbuffer_copyout(in, hdr, sizeof(hdr));
		need = FCGIREC_HEADER + ((size_t)hdr[4] << 8 | hdr[5]) + hdr[6];
		if (n < need)
			return;
		used = fcgirec_next(evbuffer_pullup(in, (ssize_t)need), need,
		    &rec);
		r = used <= 0 ? -1 : on_record(c, &rec);
		if (r != 0) {
			if (r < 0)
				log_error("broken FastCGI reply from %s",
				    peer_name);
			call_done(c, r > 0);
			return;
		}
		evbuffer_drain(in, (size_t)used);
	}
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct fcgic_call *c = arg;

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & BEV_EVENT_ERROR)
		log_error("FastCGI connection to %s: %s", peer_name,
		    strerror(errno));
	else
		log_error("cwebui-fcgi closed the connection before the end "
		    "of the request");
	call_done(c, 0);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fcgic_call *c = arg;

	if (c->failed_at_once)
		log_error("could not connect to %s: %s", peer_name,
		    strerror(c->failed_at_once));
	else
		log_error("no answer from cwebui-fcgi within %ld ms",
		    call_timeout_ms);
	call_done(c, 0);
}

/* Starts a call sending params (pairs) and the body. */
static struct fcgic_call *
call_start(struct buf *params, const void *body, size_t len, fcgic_cb cb,
    void *arg)
{
	struct fcgic_call *c;
	struct buf req = BUF_INIT;
	struct timeval tv;

	if (peer_len == 0)
		return NULL;
	fcgirec_pair(params, "CWEBUI_STREAMD", 14, ikey_value(),
	    strlen(ikey_value()));
	c = xcalloc(1, sizeof(*c));
	c->cb = cb;
	c->arg = arg;
	c->timer = evtimer_new(srv_base(), timer_cb, c);
	c->bev = bufferevent_socket_new(srv_base(), -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->timer == NULL || c->bev == NULL)
		abort();
	bufferevent_setcb(c->bev, read_cb, NULL, event_cb, c);
	fcgirec_begin(&req, REQ_ID, FCGI_RESPONDER, 0);
	fcgirec_stream(&req, FCGI_PARAMS, REQ_ID, params->p, params->len);
	fcgirec_stream(&req, FCGI_PARAMS, REQ_ID, NULL, 0);
	if (len > 0)
		fcgirec_stream(&req, FCGI_STDIN, REQ_ID, body, len);
	fcgirec_stream(&req, FCGI_STDIN, REQ_ID, NULL, 0);
	bufferevent_write(c->bev, req.p, req.len);
	buf_free(&req);
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&peer,
	    (int)peer_len) != 0) {
		/* reported from the loop, as every other failure */
		c->failed_at_once = errno ? errno : ECONNREFUSED;
		bufferevent_free(c->bev);
		c->bev = NULL;
		tv.tv_sec = 0;
		tv.tv_usec = 0;
	} else {
		bufferevent_enable(c->bev, EV_READ | EV_WRITE);
		tv.tv_sec = call_timeout_ms / 1000;
		tv.tv_usec = call_timeout_ms % 1000 * 1000;
	}
	evtimer_add(c->timer, &tv);
	return c;
}

static void
pair(struct buf *params, const char *name, const char *value)
{
	fcgirec_pair(params, name, strlen(name), value, strlen(value));
}

/* The params every request carries. */
static void
base_params(struct buf *p, const char *method, const char *uri,
    const char *path, const char *query, size_t len, const char *remote)
{
	char clen[32];

	snprintf(clen, sizeof(clen), "%zu", len);
	pair(p, "GATEWAY_INTERFACE", "CGI/1.1");
	pair(p, "SERVER_PROTOCOL", "HTTP/1.1");
	pair(p, "SERVER_SOFTWARE", "cwebui-streamd");
	pair(p, "REMOTE_ADDR", remote);
	pair(p, "REQUEST_METHOD", method);
	pair(p, "REQUEST_URI", uri);
	pair(p, "SCRIPT_NAME", "");
	pair(p, "PATH_INFO", path);
	pair(p, "QUERY_STRING", query);
	pair(p, "CONTENT_LENGTH", clen);
}

struct fcgic_call *
fcgic_request(const char *method, const char *uri, const char *const *params,
    const void *body, size_t len, fcgic_cb cb, void *arg)
{
	struct buf p = BUF_INIT, path = BUF_INIT;
	struct fcgic_call *c;
	const char *q = strchr(uri, '?');
	size_t i;

	buf_append(&path, uri, q != NULL ? (size_t)(q - uri) : strlen(uri));
	base_params(&p, method, uri, buf_str(&path), q != NULL ? q + 1 : "",
	    len, "127.0.0.1");
	pair(&p, "SERVER_NAME", "localhost");
	pair(&p, "SERVER_PORT", "80");
	if (len > 0)
		pair(&p, "CONTENT_TYPE", "application/json");
	for (i = 0; params != NULL && params[i] != NULL &&
	    params[i + 1] != NULL; i += 2)
		pair(&p, params[i], params[i + 1]);
	c = call_start(&p, body, len, cb, arg);
	buf_free(&p);
	buf_free(&path);
	return c;
}

/* Appends HTTP_<NAME> for header i of r, its value joined with the values
 * of later headers of the same name; skips names seen before. */
static void
header_param(struct buf *p, const struct hreq *r, size_t i)
{
	struct buf name = BUF_INIT, val = BUF_INIT;
	const char *n = r->headers[i].name, *s;
	size_t j;

	for (j = 0; j < i; j++)
		if (strcasecmp(r->headers[j].name, n) == 0)
			return;
	for (s = n; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-')
			return;
	if (strcasecmp(n, "Content-Type") == 0 ||
	    strcasecmp(n, "Content-Length") == 0 ||
	    strcasecmp(n, "Transfer-Encoding") == 0 ||
	    strcasecmp(n, "Proxy") == 0)
		return;
	buf_puts(&name, "HTTP_");
	for (s = n; *s != '\0'; s++)
		buf_putc(&name, *s == '-' ? '_' :
		    (char)toupper((unsigned char)*s));
	buf_puts(&val, r->headers[i].value);
	for (j = i + 1; j < r->nheaders; j++)
		if (strcasecmp(r->headers[j].name, n) == 0) {
			buf_puts(&val, strcasecmp(n, "Cookie") == 0 ?
			    "; " : ", ");
			buf_puts(&val, r->headers[j].value);
		}
	fcgirec_pair(p, name.p, name.len, buf_str(&val), val.len);
	buf_free(&name);
	buf_free(&val);
}

/* SERVER_NAME and SERVER_PORT from the Host header. */
static void
server_params(struct buf *p, const struct hreq *r, int https)
{
	const char *host = hreq_header(r, "Host"), *colon;
	struct buf name = BUF_INIT;

	if (host == NULL || *host == '\0')
		host = "localhost";
	colon = strrchr(host, ':');
	if (colon != NULL && strchr(colon, ']') != NULL)
		colon = NULL;	/* an IPv6 literal without a port */
	buf_append(&name, host, colon != NULL ? (size_t)(colon - host) :
	    strlen(host));
	pair(p, "SERVER_NAME", buf_str(&name));
	pair(p, "SERVER_PORT", colon != NULL && colon[1] != '\0' ? colon + 1 :
	    https ? "443" : "80");
	buf_free(&name);
}

struct fcgic_call *
fcgic_forward(const struct hreq *r, fcgic_cb cb, void *arg)
{
	struct buf p = BUF_INIT, addr = BUF_INIT;
	struct fcgic_call *c;
	const char *xff = hreq_header(r, "X-Forwarded-For");
	const char *proto = hreq_header(r, "X-Forwarded-Proto");
	const char *ctype = hreq_header(r, "Content-Type"), *last;
	int https = proto != NULL && strcasecmp(proto, "https") == 0;
	size_t i;

	if (xff != NULL && *xff != '\0') {
		last = strrchr(xff, ',');
		last = last != NULL ? last + 1 : xff;
		while (*last == ' ')
			last++;
		buf_append(&addr, last, strcspn(last, " "));
	} else
		buf_puts(&addr, *r->remote_addr ? r->remote_addr : "127.0.0.1");
	base_params(&p, r->method, r->target, r->path, r->query, r->body_len,
	    buf_str(&addr));
	server_params(&p, r, https);
	if (ctype != NULL)
		pair(&p, "CONTENT_TYPE", ctype);
	if (https)
		pair(&p, "HTTPS", "on");
	for (i = 0; i < r->nheaders; i++)
		header_param(&p, r, i);
	c = call_start(&p, r->body, r->body_len, cb, arg);
	buf_free(&p);
	buf_free(&addr);
	return c;
}

void
fcgic_cancel(struct fcgic_call *c)
{
	if (c != NULL)
		call_free(c);
}
