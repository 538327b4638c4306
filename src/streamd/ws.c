/* ws.c: RFC 6455 server side over buffers, framing by libwslay.
 *
 * wslay's event API pulls bytes through a recv callback and pushes frames
 * through a send callback. Here the recv callback reads the slice given to
 * ws_feed() and says "would block" at its end; the send callback appends to
 * the caller's output buffer and never blocks, so wslay keeps no partial
 * state on the sending side and everything it queues is in out when a call
 * returns. What wslay gets wrong is fixed here: a frame-level protocol
 * error (bad length encoding, a control frame fragmented or over 125
 * bytes) makes it queue a close frame without a code, so we write our own
 * 1002 instead; it accepts a close frame with a 1-byte body, which RFC 6455
 * 5.5.1 forbids; and it checks the UTF-8 of a close reason per network read
 * (skipping two bytes of each read, not of the payload), so a bad reason
 * that arrives in pieces passes: we check the whole reason again. The
 * converse remains: a valid multi-byte reason cut by a read boundary can
 * make wslay answer 1007; the connection was closing anyway. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <wslay/wslay.h>

#include "buf.h"
#include "mem.h"
#include "utf8.h"
#include "ws.h"

#define WS_GUID	"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct ws {
	wslay_event_context_ptr	 ctx;
	struct ws_cb		 cb;
	struct buf		*out;
	const unsigned char	*in;	/* the slice ws_feed() is parsing */
	size_t			 inlen;
	enum ws_state		 state;
	enum err		 err;	/* why we closed, ERR_OK if cleanly */
	uint16_t		 code;
	int			 bad_close;	/* a 1-byte close body was seen */
	int			 bad_reason;	/* a close reason not UTF-8 */
};

enum err
ws_accept_key(const char *key, char accept[WS_ACCEPT_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	EVP_MD_CTX *c;
	int ok;

	if ((c = EVP_MD_CTX_new()) == NULL)
		return ERR_CRYPTO;
	ok = EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(c, key, strlen(key)) == 1 &&
	    EVP_DigestUpdate(c, WS_GUID, sizeof(WS_GUID) - 1) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == 20;
	EVP_MD_CTX_free(c);
	if (!ok)
		return ERR_CRYPTO;
	EVP_EncodeBlock((unsigned char *)accept, md, 20);
	return ERR_OK;
}

/* Returns 1 if the comma-separated list s holds token (any case). */
static int
ws_has_token(const char *s, const char *token)
{
	size_t n = strlen(token), len;
	const char *e;

	while (s != NULL && *s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		e = s + strcspn(s, ",");
		len = (size_t)(e - s);
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len == n && strncasecmp(s, token, n) == 0)
			return 1;
		s = e;
	}
	return 0;
}

/* Returns 1 if key is the base64 of 16 bytes: 22 digits and "==". */
static int
ws_key_ok(const char *key)
{
	size_t i;

	if (key == NULL || strlen(key) != 24 || strcmp(key + 22, "==") != 0)
		return 0;
	for (i = 0; i < 22; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '+' &&
		    key[i] != '/')
			return 0;
	return 1;
}

enum err
ws_handshake(const struct ws_handshake *h, struct buf *out)
{
	char accept[WS_ACCEPT_SIZE];

	if (h->method == NULL || strcmp(h->method, "GET") != 0 ||
	    !ws_has_token(h->upgrade, "websocket") ||
	    !ws_has_token(h->connection, "upgrade") || !ws_key_ok(h->key) ||
	    h->version == NULL)
		goto bad;
	if (strcmp(h->version, "13") != 0) {
		buf_puts(out, "HTTP/1.1 426 Upgrade Required\r\n"
		    "Sec-WebSocket-Version: 13\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n");
		return ERR_INVAL;
	}
	if (ws_accept_key(h->key, accept) != ERR_OK)
		goto bad;
	buf_printf(out, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
	return ERR_OK;
bad:
	buf_puts(out, "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n");
	return ERR_INVAL;
}

static ssize_t
ws_recv_cb(wslay_event_context_ptr ctx, uint8_t *p, size_t len, int flags,
    void *arg)
{
	struct ws *ws = arg;

	if (ws->inlen == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (len > ws->inlen)
		len = ws->inlen;
	memcpy(p, ws->in, len);
	ws->in += len;
	ws->inlen -= len;
	return (ssize_t)len;
}

static ssize_t
ws_send_cb(wslay_event_context_ptr ctx, const uint8_t *p, size_t len,
    int flags, void *arg)
{
	struct ws *ws = arg;

	buf_append(ws->out, p, len);
	return (ssize_t)len;
}

static void
ws_frame_start_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_start_arg *a, void *arg)
{
	struct ws *ws = arg;

	if (a->opcode == WSLAY_CONNECTION_CLOSE && a->payload_length == 1 &&
	    !ws->bad_close) {
		ws->bad_close = 1;
		wslay_event_queue_close(ctx, WS_CLOSE_PROTOCOL, NULL, 0);
		wslay_event_shutdown_read(ctx);
	}
}

static void
ws_msg_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *a, void *arg)
{
	struct ws *ws = arg;

	if (ws->bad_close)
		return;
	switch (a->opcode) {
	case WSLAY_TEXT_FRAME:
	case WSLAY_BINARY_FRAME:
		if (ws->state == WS_OPEN && ws->cb.on_message != NULL)
			ws->cb.on_message(ws->cb.arg,
			    a->opcode == WSLAY_BINARY_FRAME, a->msg,
			    a->msg_length);
		break;
	case WSLAY_CONNECTION_CLOSE:
		ws->code = a->status_code != 0 ? a->status_code :
		    WS_CLOSE_NO_STATUS;
		if (a->msg_length > 2 &&
		    !utf8_check(a->msg + 2, a->msg_length - 2, NULL))
			ws->bad_reason = 1;
		break;
	default:	/* pings are answered by wslay, pongs need nothing */
		break;
	}
}

struct ws *
ws_new(const struct ws_cb *cb, size_t max_msg, struct buf *out)
{
	static const struct wslay_event_callbacks wcb = {
		.recv_callback = ws_recv_cb,
		.send_callback = ws_send_cb,
		.on_frame_recv_start_callback = ws_frame_start_cb,
		.on_msg_recv_callback = ws_msg_cb,
	};
	struct ws *ws;

	ws = xcalloc(1, sizeof(*ws));
	ws->cb = *cb;
	ws->out = out;
	ws->state = WS_OPEN;
	if (wslay_event_context_server_init(&ws->ctx, &wcb, ws) != 0)
		abort();	/* only fails for lack of memory */
	wslay_event_config_set_max_recv_msg_length(ws->ctx, max_msg);
	return ws;
}

void
ws_free(struct ws *ws)
{
	if (ws == NULL)
		return;
	wslay_event_context_free(ws->ctx);
	free(ws);
}

/* Moves every frame wslay has queued into out. */
static void
ws_flush(struct ws *ws)
{
	int r;

	if ((r = wslay_event_send(ws->ctx)) == WSLAY_ERR_NOMEM)
		abort();
}

/* Appends a close frame with code to out, bypassing wslay's queue, unless
 * one was sent already. */
static void
ws_write_close(struct ws *ws, uint16_t code)
{
	unsigned char f[4] = { 0x88, 2, code >> 8, code & 0xff };

	if (!wslay_event_get_close_sent(ws->ctx))
		buf_append(ws->out, f, sizeof(f));
}

/* Ends the connection for a reason of ours. */
static enum err
ws_fail(struct ws *ws, uint16_t code)
{
	ws->state = WS_CLOSED;
	ws->code = code;
	ws->err = code == WS_CLOSE_TOO_BIG ? ERR_TOOBIG : ERR_INVAL;
	return ws->err;
}

enum err
ws_feed(struct ws *ws, const void *p, size_t n)
{
	int r;

	if (ws->state == WS_CLOSED)
		return ws->err;
	ws->in = p;
	ws->inlen = n;
	r = wslay_event_recv(ws->ctx);
	ws->in = NULL;
	ws->inlen = 0;
	if (r == WSLAY_ERR_NOMEM)
		abort();
	if (ws->bad_close) {
		ws_flush(ws);
		return ws_fail(ws, WS_CLOSE_PROTOCOL);
	}
	if (r != 0) {
		/* A frame-level error; wslay queued a close without a code. */
		ws_write_close(ws, WS_CLOSE_PROTOCOL);
		return ws_fail(ws, WS_CLOSE_PROTOCOL);
	}
	if (ws->bad_reason) {
		/* wslay queued an echo of the bad reason: send 1007 instead. */
		ws_write_close(ws, WS_CLOSE_BAD_DATA);
		return ws_fail(ws, WS_CLOSE_BAD_DATA);
	}
	ws_flush(ws);
	if (wslay_event_get_read_enabled(ws->ctx))
		return ERR_OK;
	if (wslay_event_get_close_received(ws->ctx)) {
		/* The peer closed; wslay answered (unless we had already). */
		ws->state = WS_CLOSED;
		return ERR_OK;
	}
	return ws_fail(ws, wslay_event_get_status_code_sent(ws->ctx));
}

enum err
ws_send(struct ws *ws, enum ws_opcode op, const void *p, size_t n)
{
	struct wslay_event_msg m = { (uint8_t)op, p, n };
	int r;

	if (ws->state != WS_OPEN)
		return ERR_INVAL;
	if (op == WS_PING && n > 125)
		return ERR_TOOBIG;
	if ((r = wslay_event_queue_msg(ws->ctx, &m)) == WSLAY_ERR_NOMEM)
		abort();
	if (r != 0)
		return ERR_INVAL;
	ws_flush(ws);
	return ERR_OK;
}

enum err
ws_close(struct ws *ws, uint16_t code, const char *reason)
{
	size_t n = reason != NULL ? strlen(reason) : 0;
	int r;

	if (ws->state != WS_OPEN)
		return ERR_INVAL;
	if (n > 123)
		return ERR_TOOBIG;
	r = wslay_event_queue_close(ws->ctx, code, (const uint8_t *)reason,
	    n);
	if (r == WSLAY_ERR_NOMEM)
		abort();
	if (r != 0)
		return ERR_INVAL;
	ws_flush(ws);
	ws->state = WS_CLOSING;
	ws->code = code;
	return ERR_OK;
}

enum ws_state
ws_state(const struct ws *ws)
{
	return ws->state;
}

uint16_t
ws_close_code(const struct ws *ws)
{
	return ws->code;
}
