/* upstream.h: streamed requests to model providers from cwebui-streamd:
 * libcurl multi driven by the libevent loop (socket and timer callbacks),
 * body bytes handed over as they arrive. */
#ifndef CWEBUI_UPSTREAM_H
#define CWEBUI_UPSTREAM_H

#include <stddef.h>
#include <json-c/json.h>

struct upstream;

struct upstream_cbs {
	/* The response head arrived: status and Content-Type (NULL if
	 * none). */
	void	(*on_head)(void *arg, long status, const char *content_type);
	/* Body bytes, in pieces of any size. */
	void	(*on_data)(void *arg, const char *p, size_t n);
	/* The end: ok 1 after the whole body, 0 on a transport failure or
	 * timeout (error says why; on_head may not have been called). The
	 * handle is freed after this returns. */
	void	(*on_done)(void *arg, int ok, const char *error);
};

/* Starts the request described by spec, the "upstream" object of a
 * hand-off ({method, url, headers: ["Name: value"], body, timeout_ms}).
 * Returns NULL (no callback will come) when spec is malformed. */
struct upstream *upstream_start(json_object *spec,
	    const struct upstream_cbs *cb, void *arg);

/* Stops delivering on_data (the transfer pauses) / resumes it. */
void	 upstream_pause(struct upstream *u, int paused);

/* Aborts the request (the connection to the provider is closed at once);
 * no callback is called after this, the handle is freed. */
void	 upstream_abort(struct upstream *u);

#endif
