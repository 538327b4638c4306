/* fcgic.h: a non-blocking FastCGI client from cwebui-streamd to the
 * cwebui-fcgi worker pool (CWEBUI_FCGI_SOCKET). Every request carries the
 * CWEBUI_STREAMD param (ikey.h), which marks it as coming from streamd. */
#ifndef CWEBUI_FCGIC_H
#define CWEBUI_FCGIC_H

#include <stddef.h>

struct hreq;

#define FCGIC_MAX_RESPONSE	(64L * 1024 * 1024)

struct fcgic_resp {
	int		 status;	/* from the Status: line, 200 without */
	const char	*content_type;	/* NULL if absent */
	const char	*headers;	/* the other header lines, each
					   "\r\n" ended; "" if none (never
					   Status, Content-Length...) */
	const char	*body;		/* NUL-terminated */
	size_t		 body_len;
};

/* r NULL: the request failed (no connection, broken reply, timeout);
 * r and its strings are valid during the call only. */
typedef void (*fcgic_cb)(void *arg, const struct fcgic_resp *r);

struct fcgic_call;

/* Where the calls go: addr is a unix socket path or host:port (resolved
 * here, once); each call may take timeout_ms in all. Returns 0, or -1 with
 * the cause logged. */
int	 fcgic_init(const char *addr, long timeout_ms);

/* Sends an internal request (method, uri with an optional query, JSON or
 * empty body) with the extra params (NULL-terminated name, value, name,
 * value... list, or NULL: e.g. "HTTP_AUTHORIZATION", "Bearer x") and
 * calls cb once, later, from the loop (a connection that fails at once
 * is reported through cb too). Returns a handle for fcgic_cancel(), valid
 * until cb is called; NULL only before fcgic_init() (cb is then not
 * called). The response may hold at most FCGIC_MAX_RESPONSE bytes; a
 * bigger one is a failure. */
struct fcgic_call *fcgic_request(const char *method, const char *uri,
	    const char *const *params, const void *body, size_t len,
	    fcgic_cb cb, void *arg);

/* Forwards a client request as the web server would have sent it (every
 * header as HTTP_*, REQUEST_URI, QUERY_STRING, CONTENT_*...). REMOTE_ADDR
 * is the last X-Forwarded-For hop (the web server appends the client's
 * address there), HTTPS is "on" for X-Forwarded-Proto: https. Header names
 * with characters other than letters, digits and '-' are dropped (they
 * would alias another header's HTTP_ name), as is Proxy (httpoxy). */
struct fcgic_call *fcgic_forward(const struct hreq *r, fcgic_cb cb,
	    void *arg);

/* Drops a pending call (NULL is accepted): cb is never called. Not from
 * within cb. */
void	 fcgic_cancel(struct fcgic_call *c);

#endif
