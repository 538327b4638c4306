/* ws.h: the server side of RFC 6455 WebSocket as a codec over buffers. It
 * never touches a socket: the daemon feeds it the bytes it read and writes
 * out whatever the codec appended to the connection's output buffer.
 *
 *	char accept[WS_ACCEPT_SIZE];
 *	if (ws_handshake(&hs, &out) != ERR_OK)	400 or 426 written: close
 *	ws = ws_new(&cb, max_msg, &out);
 *	ws_feed(ws, bytes, n);			calls cb.on_message per message
 *	ws_send(ws, WS_TEXT, json, len);	appends one frame to out
 *	if (ws_state(ws) == WS_CLOSED)		flush out, then close the socket
 *
 * Framing, masking rules, fragmentation, control frames, close codes and
 * UTF-8 of text messages are checked by libwslay (Debian's libwslay-dev);
 * this file adds the opening handshake and closes the few gaps it leaves. */
#ifndef CWEBUI_WS_H
#define CWEBUI_WS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct buf;

/* Close codes (RFC 6455 section 7.4.1). */
#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_GOING_AWAY	1001
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_NO_STATUS	1005	/* peer's close had no code */
#define WS_CLOSE_BAD_DATA	1007	/* text that is not UTF-8 */
#define WS_CLOSE_TOO_BIG	1009

/* "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" and its NUL. */
#define WS_ACCEPT_SIZE		29

/* The request headers that matter, as received (NULL when absent). */
struct ws_handshake {
	const char	*method;	/* "GET" */
	const char	*upgrade;	/* a list holding "websocket" */
	const char	*connection;	/* a list holding "Upgrade" */
	const char	*key;		/* Sec-WebSocket-Key: 16 bytes, base64 */
	const char	*version;	/* Sec-WebSocket-Version: "13" */
};

/* Computes Sec-WebSocket-Accept for key (SHA-1 of key and the RFC's GUID,
 * in base64) into accept. Returns ERR_CRYPTO if hashing failed. */
enum err ws_accept_key(const char *key, char accept[WS_ACCEPT_SIZE]);

/* Checks the opening handshake and appends a whole HTTP/1.1 response to
 * out: 101 Switching Protocols with Sec-WebSocket-Accept, or 400 Bad
 * Request, or 426 Upgrade Required with Sec-WebSocket-Version: 13 for
 * another version. Returns ERR_OK for 101, ERR_INVAL otherwise (the caller
 * then closes the connection after writing out). */
enum err ws_handshake(const struct ws_handshake *h, struct buf *out);

enum ws_opcode {
	WS_TEXT = 1,
	WS_BINARY = 2,
	WS_PING = 9
};

enum ws_state {
	WS_OPEN,	/* messages flow both ways */
	WS_CLOSING,	/* we sent a close frame, the peer's is awaited */
	WS_CLOSED	/* nothing more to read or send: flush out, close */
};

struct ws_cb {
	/* A whole message: binary is 0 for text (checked to be UTF-8), 1 for
	 * binary. p is valid during the call only (not NUL-terminated). It
	 * may call ws_send() and ws_close(). */
	void	(*on_message)(void *arg, int binary, const void *p, size_t n);
	void	*arg;
};

struct ws;

/* Returns a codec for one accepted connection, owned by the caller (free it
 * with ws_free()). Messages larger than max_msg bytes close the connection
 * with 1009. Every frame it produces is appended to out, which must outlive
 * it. */
struct ws *ws_new(const struct ws_cb *cb, size_t max_msg, struct buf *out);
void	 ws_free(struct ws *ws);

/* Parses n more bytes from the peer, in pieces of any size, calling
 * cb.on_message for each complete message and appending the answers
 * (pong, close) to out. Returns ERR_OK, or ERR_INVAL (protocol error, bad
 * UTF-8) or ERR_TOOBIG (message over max_msg) after appending a close frame
 * with that code (ws_close_code()); the state is then WS_CLOSED. Bytes
 * after the peer's close frame are ignored. */
enum err ws_feed(struct ws *ws, const void *p, size_t n);

/* Appends a frame of one whole message to out (server frames are not
 * masked). Returns ERR_OK, ERR_INVAL once closing or closed (nothing
 * written), or ERR_TOOBIG for a ping over 125 bytes. Text must be UTF-8. */
enum err ws_send(struct ws *ws, enum ws_opcode op, const void *p, size_t n);

/* Starts the closing handshake: appends a close frame with code and an
 * optional reason (at most 123 bytes of UTF-8, NULL for none). The state
 * becomes WS_CLOSING until the peer answers. Returns ERR_INVAL if a close
 * was already sent, ERR_TOOBIG for a longer reason (nothing written). */
enum err ws_close(struct ws *ws, uint16_t code, const char *reason);

enum ws_state ws_state(const struct ws *ws);

/* The code of the close frame the peer sent (WS_CLOSE_NO_STATUS if it had
 * none), or else the one we sent; 0 while open. */
uint16_t ws_close_code(const struct ws *ws);

#endif
