/* eiosrv.h: Engine.IO v4 server sessions as python-engineio 4 serves them:
 * HTTP long-polling (GET waits for packets, POST delivers a payload), the
 * WebSocket transport (directly, or by upgrade from polling: 2probe, 3probe,
 * noop to the pending poll, 5), ping/pong with WEBSOCKET_SERVER_PING_
 * INTERVAL/TIMEOUT, close. The layer above (siosrv.c) sees sessions, their
 * messages and their end. Loop thread only. */
#ifndef CWEBUI_EIOSRV_H
#define CWEBUI_EIOSRV_H

#include <stddef.h>

struct hreq;
struct eio_sess;

/* Bytes a session may have queued for its client (a client that never
 * reads) before it is closed. */
#define EIOSRV_MAX_QUEUE	(8 * 1024 * 1024)

struct eiosrv_cb {
	/* A message from the client: text (binary 0, UTF-8) or binary bytes,
	 * valid during the call. The callee may send and close. */
	void	(*on_message)(struct eio_sess *s, int binary, const char *p,
		    size_t n);
	/* The session ends (closed by either side, timed out, transport
	 * lost); nothing can be sent any more and s is freed after the
	 * loop iteration. Called once. */
	void	(*on_close)(struct eio_sess *s);
};

/* Sets the callbacks; reads WEBSOCKET_SERVER_PING_INTERVAL/TIMEOUT
 * (seconds) and CORS_ALLOW_ORIGIN. Call once before eiosrv_http(). */
void	 eiosrv_init(const struct eiosrv_cb *cb);

/* The HTTP handler of the Engine.IO endpoint: ends r's exchange, now or
 * later (a long-poll), or takes the connection over for WebSocket. */
void	 eiosrv_http(struct hreq *r);

/* Sends one message (text or binary) to the client: a WebSocket frame, or
 * queued for the next poll. Returns 0, or -1 when the session is closed
 * or has just been closed because its queue passed EIOSRV_MAX_QUEUE. */
int	 eiosrv_send(struct eio_sess *s, int binary, const void *p, size_t n);

/* Closes the session from the server side (a close packet goes to the
 * client); on_close is called from within. No-op once closed. */
void	 eiosrv_close(struct eio_sess *s);

/* Returns 1 once the session is closed (the pointer stays valid until the
 * end of the loop iteration). */
int	 eiosrv_closed(const struct eio_sess *s);

/* The pointer the layer above keeps with the session (NULL at first). */
void	 eiosrv_set_data(struct eio_sess *s, void *data);
void	*eiosrv_data(const struct eio_sess *s);

/* The session id. */
const char *eiosrv_sid(const struct eio_sess *s);

/* Writes a new random id (20 characters of base64url, as python-engineio's
 * generate_id) and its NUL into out. */
void	 eiosrv_new_id(char out[21]);

#endif
