/* http.h: outgoing HTTP requests to model providers (OpenAI-compatible
 * and Ollama servers), on libcurl.
 *
 * One curl multi handle is kept per process, so connections to a provider
 * are reused by the next request of the same worker. Redirects are not
 * followed unless a request asks for it (a provider URL must not bounce the
 * server to another address), only http and https are spoken, and a
 * response body larger than HTTP_MAX_BODY is refused.
 *
 * Not thread-safe: one thread per process uses it (a prefork worker).
 * After fork(), a child calls nothing here that its parent left open;
 * the kept handle is recreated when the process id changes. */
#ifndef CWEBUI_HTTP_H
#define CWEBUI_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct arena;

/* Largest response body accepted, in bytes (64 MiB). */
#define HTTP_MAX_BODY	(64L * 1024 * 1024)

struct http_req {
	const char	 *method;	/* "GET", "POST", ...; NULL is GET */
	const char	 *url;		/* http:// or https:// only */
	/* NULL-terminated list of "Name: value" lines, or NULL */
	const char *const *headers;
	const char	 *body;		/* NULL: no body */
	size_t		  body_len;
	long		  timeout_ms;	/* whole exchange; <= 0: no limit */
	long		  connect_timeout_ms; /* <= 0: libcurl's default */
	int		  follow;	/* follow redirects (at most 5); 0 = no */
	/* name of a response header to return in http_resp.header, or NULL */
	const char	 *want_header;
};

struct http_resp {
	long		 status;	/* 0 = transport failure or timeout */
	/* the response body, NUL-terminated; storage owned by the arena
	 * given to http_do (do not buf_free it) */
	struct buf	 body;
	char		*error;		/* arena; NULL when status != 0 */
	char		*content_type;	/* arena; NULL when absent */
	char		*header;	/* arena; want_header's value or NULL */
};

/* Performs one request and fills *out (always fully initialized). Returns
 * ERR_OK when an HTTP response arrived, whatever its status; ERR_IO on a
 * transport failure or timeout (status 0, error says why); ERR_TOOBIG when
 * the body exceeded HTTP_MAX_BODY (status 0); ERR_INVAL for a missing or
 * non-http(s) URL (status 0). Strings and body are owned by a. */
enum err http_do(struct arena *a, const struct http_req *q,
	    struct http_resp *out);

/* Performs the n requests q[0..n-1] in parallel and fills out[0..n-1] as
 * http_do does for each; returns when all finished or timed out, so the
 * wall time is about that of the slowest one. Returns ERR_OK (each out[i]
 * tells its own outcome), ERR_INVAL when n < 0. */
enum err http_do_many(struct arena *a, const struct http_req *q,
	    struct http_resp *out, int n);

/* What http_stream() hands the response to, as it arrives. */
struct http_stream_cb {
	/* once, before the first data (or at the end, without a body);
	 * ctype NULL when there is none */
	void	(*head)(void *arg, long status, const char *ctype);
	/* each piece of the body; returns 0 to go on, else the transfer
	 * stops */
	int	(*data)(void *arg, const char *p, size_t n);
	/* called often while the transfer runs (also when nothing arrives);
	 * returns 0 to go on, else the transfer stops; may be NULL */
	int	(*tick)(void *arg);
};

/* Performs q, handing the response to cb as it arrives (no size limit:
 * cb bounds what it keeps). Returns ERR_OK when the response arrived
 * whole, whatever its status; ERR_DENIED when a callback stopped it;
 * ERR_IO on a transport failure or timeout, the head perhaps not given
 * (*error says why, arena-owned or static); ERR_INVAL for a missing or
 * non-http(s) URL. */
enum err http_stream(struct arena *a, const struct http_req *q,
	    const struct http_stream_cb *cb, void *arg, const char **error);

/* AIOHTTP_CLIENT_TIMEOUT in milliseconds, for chat and other requests:
 * unset or empty gives 0 (no limit, as Python's None); a value that is not
 * an integer gives 300 s. Read once from the environment. */
long	 http_timeout_ms(void);

/* AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST (or, when unset, the older
 * AIOHTTP_CLIENT_TIMEOUT_OPENAI_MODEL_LIST) in milliseconds, for model list
 * requests: default 10 s, empty gives 0 (no limit), not an integer gives
 * 10 s. Read once from the environment. */
long	 http_timeout_model_list_ms(void);

/* The reason phrase Python's requests shows for an HTTP status ("Not
 * Found"); "" for one it does not name. Static storage. */
const char *http_reason(long status);

#endif
