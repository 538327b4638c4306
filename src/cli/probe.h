/* probe.h: one blocking request to a local service, for doctor: a
 * FastCGI request to cwebui-fcgi, an HTTP/1.1 request to cwebui-streamd,
 * a PING to Redis. Each waits at most PROBE_TIMEOUT_MS per step (and for
 * the whole answer) and reads at most PROBE_MAX bytes. On failure why holds a plain reason. */
#ifndef CWEBUI_PROBE_H
#define CWEBUI_PROBE_H

#include <stddef.h>

struct buf;

#define PROBE_TIMEOUT_MS	5000
#define PROBE_MAX		(1L << 20)

/* Sends GET path to the FastCGI responder at spec (a unix socket path,
 * or host:port) and fills *status and body (the response body, reset
 * first; the caller owns and frees it). Returns 0 or -1. */
int	 probe_fcgi(const char *spec, const char *path, int *status,
	    struct buf *body, char *why, size_t whylen);

/* Sends GET path over HTTP/1.1 to spec (as above) and fills *status and
 * body (the bytes after the head, chunked or not). Returns 0 or -1. */
int	 probe_http(const char *spec, const char *path, int *status,
	    struct buf *body, char *why, size_t whylen);

/* Connects to the Redis of url (REDIS_URL syntax), authenticates,
 * selects the database and sends PING. Returns 0 when it answers PONG,
 * else -1. */
int	 probe_redis(const char *url, char *why, size_t whylen);

#endif
