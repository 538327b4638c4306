/* httpd.h: the HTTP/1.1 server side of cwebui-streamd, on libevent
 * bufferevents. The web server (lighttpd mod_proxy, nginx proxy_pass,
 * Apache mod_proxy_http/wstunnel) is the only peer: one request per
 * connection, the connection closes when the response ends (no keep-alive),
 * so a response needs no chunked encoding.
 *
 * A request reaches its handler (the table in srv_routes.c) once its head
 * and whole body are read (Content-Length or chunked, at most
 * HTTPD_MAX_BODY bytes; a bigger one is answered 413 by httpd itself).
 * The handler then owns the exchange until it ends it with exactly one of
 * hconn_respond(), hconn_stream_end() or hconn_takeover(); until then
 * struct hreq and its strings stay valid. A handler may end the exchange
 * later, from another callback (a long-polling GET waits for packets). */
#ifndef CWEBUI_HTTPD_H
#define CWEBUI_HTTPD_H

#include <stddef.h>

struct bufferevent;
struct event_base;
struct evbuffer;

#define HTTPD_MAX_HEAD		(64 * 1024)	/* request line + headers */
#define HTTPD_MAX_HEADERS	100
#define HTTPD_MAX_BODY		(16L * 1024 * 1024)
#define HTTPD_HEAD_TIMEOUT	30	/* s to read a request head; also the
					   longest pause inside its body */
#define HTTPD_WRITE_TIMEOUT	300	/* s a client may leave queued
					   response bytes unread */

struct hconn;

struct hheader {
	const char	*name;		/* as received */
	const char	*value;		/* leading/trailing blanks removed */
};

struct hreq {
	struct hconn	*conn;
	const char	*method;	/* "GET", "POST", ... */
	const char	*target;	/* raw request-target "/a%20b?x=1" */
	const char	*path;		/* percent-decoded path, no query */
	const char	*query;		/* raw query after '?', "" if none */
	struct hheader	*headers;
	size_t		 nheaders;
	const char	*body;		/* NUL-terminated; "" if none */
	size_t		 body_len;
	const char	*remote_addr;	/* peer address text, "" for unix */
};

/* The value of the first header named name (case-insensitive), or NULL. */
const char *hreq_header(const struct hreq *r, const char *name);

/* The percent-decoded value of query parameter name into an arena-less
 * static-free malloc'd string the caller frees, or NULL when absent. */
char	*hreq_query(const struct hreq *r, const char *name);

/* Writes a whole response (status line, Content-Type unless ctype is NULL,
 * Content-Length, "Connection: close", the extra header lines, each ending
 * in "\r\n", or NULL) and ends the exchange; the connection closes once
 * the bytes are written. */
void	 hconn_respond(struct hconn *c, int status, const char *ctype,
	    const char *extra, const void *body, size_t len);

/* hconn_respond with a JSON body {"detail": detail}. */
void	 hconn_respond_detail(struct hconn *c, int status, const char *detail);

/* Starts a streamed response: status line and headers, no length; the
 * body ends when the connection closes (hconn_stream_end). */
void	 hconn_stream_start(struct hconn *c, int status, const char *ctype,
	    const char *extra);
/* Queues n bytes of the body; they are sent as soon as the socket takes
 * them (each call's bytes are passed to the kernel together, never split
 * by a flush between calls). Returns 0, or -1 once the client is gone. */
int	 hconn_stream_write(struct hconn *c, const void *p, size_t n);
/* Bytes queued and not yet taken by the socket: a producer that sees more
 * than it wants to hold pauses its source (back-pressure). */
size_t	 hconn_pending(const struct hconn *c);
/* Calls fn(arg) once whenever the queue drains to zero, until replaced
 * (fn NULL removes it). */
void	 hconn_on_drain(struct hconn *c, void (*fn)(void *), void *arg);
/* Ends a streamed response: flush, then close. */
void	 hconn_stream_end(struct hconn *c);

/* Calls fn(arg) once if the client goes away (EOF, error, timeout) before
 * the exchange ended; after fn, c is gone: do not use it again. Replaces
 * an earlier callback; fn NULL removes it. */
void	 hconn_on_close(struct hconn *c, void (*fn)(void *), void *arg);

/* Hands the raw connection to the caller (a WebSocket upgrade): returns its
 * bufferevent with all callbacks cleared and reading enabled, and moves any
 * bytes that arrived after the request head into *early (which the caller
 * frees with evbuffer_free; never NULL). c and the request are gone after. */
struct bufferevent *hconn_takeover(struct hconn *c, struct evbuffer **early);

/* The loop every part of streamd runs on (the base given to
 * httpd_start()). */
struct event_base *srv_base(void);

/* Listens on addr: a unix socket path (any stale socket there is removed;
 * mode 0660) or host:port, accepting at most max_conns connections at a
 * time (more wait in the kernel's backlog). Each complete request goes to
 * srv_route(). Returns 0, or -1 with the cause logged. */
int	 httpd_start(struct event_base *base, const char *addr, int max_conns);

/* Stops accepting: closes the listening socket and removes a unix socket
 * path. Connections already open carry on. */
void	 httpd_stop(void);

#endif
