/* eio.h: the Engine.IO v4 codec, pure functions over buffers.
 *
 * A packet is a type digit followed by its data ("4hello", "2probe", "3").
 * Over WebSocket each frame holds one packet: a text frame is the digit and
 * the text, a binary frame is the raw bytes of a binary message. Over HTTP
 * long-polling a payload holds packets separated by the record separator
 * 0x1e; a binary message there is "b" followed by its base64.
 *
 * Decoded packets borrow their data: from the input, or for a base64
 * binary message from the scratch buffer the caller passes. Nothing here
 * allocates except into buffers the caller owns. Every malformed input is
 * an error value; no input is read past its length. */
#ifndef CWEBUI_EIO_H
#define CWEBUI_EIO_H

#include <stddef.h>

#include "err.h"

struct buf;

#define EIO_MAX_PAYLOAD		1000000	/* bytes, python-engineio's default */
#define EIO_MAX_PACKETS		1000	/* packets in one polling payload */
#define EIO_MAX_SID		64	/* length of a session id */
#define EIO_PING_INTERVAL	25000	/* ms, python-engineio's defaults */
#define EIO_PING_TIMEOUT	20000
#define EIO_SEPARATOR		'\x1e'

enum eio_type {
	EIO_OPEN = 0,		/* server: handshake JSON */
	EIO_CLOSE,
	EIO_PING,		/* server heartbeat; "2probe" in an upgrade */
	EIO_PONG,
	EIO_MESSAGE,		/* carries a Socket.IO packet or binary data */
	EIO_UPGRADE,
	EIO_NOOP,
	EIO__MAX
};

struct eio_packet {
	enum eio_type	 type;
	int		 binary;	/* 1: binary message (EIO_MESSAGE only) */
	const char	*data;		/* borrowed; not NUL-terminated */
	size_t		 len;
};

/* The data of the open packet. */
struct eio_handshake {
	char	sid[EIO_MAX_SID + 1];
	int	upgrade;	/* 1: "websocket" is offered as an upgrade */
	long	ping_interval;	/* ms */
	long	ping_timeout;	/* ms */
	long	max_payload;	/* bytes */
};

/* Polling payload reader; see eio_payload_next(). */
struct eio_reader {
	const char	*p;	/* next packet; NULL when all were read */
	const char	*end;
	int		 count;
};

/* Decodes one text packet (a WebSocket text frame or one packet of a
 * polling payload, "b" form excluded). Returns ERR_OK with *pkt borrowing
 * s, ERR_TOOBIG beyond EIO_MAX_PAYLOAD, ERR_INVAL for an empty packet, an
 * unknown type or text that is not UTF-8. */
enum err eio_decode(const char *s, size_t n, struct eio_packet *pkt);

/* Decodes a WebSocket binary frame: a binary message borrowing p. Returns
 * ERR_OK or ERR_TOOBIG. */
enum err eio_decode_binary(const void *p, size_t n, struct eio_packet *pkt);

/* Starts reading the polling payload s (the body of a POST). Returns
 * ERR_OK, ERR_TOOBIG beyond EIO_MAX_PAYLOAD, or ERR_INVAL when empty. */
enum err eio_payload_init(struct eio_reader *r, const char *s, size_t n);

/* Decodes the next packet of the payload into *pkt. A base64 binary
 * message is decoded into scratch (reset first), so *pkt is valid until
 * the next call with the same scratch. Returns ERR_OK, ERR_NOTFOUND when
 * no packet is left, ERR_TOOBIG after EIO_MAX_PACKETS packets, ERR_INVAL
 * for a malformed packet (the payload is then to be refused whole). */
enum err eio_payload_next(struct eio_reader *r, struct eio_packet *pkt,
	    struct buf *scratch);

/* Appends pkt as one WebSocket frame's payload: text (the type digit and
 * the data) or, for a binary message, the raw bytes, to be sent in a
 * binary frame. Returns ERR_OK, or ERR_INVAL for an unknown type or a
 * binary packet that is not a message. */
enum err eio_encode(struct buf *out, const struct eio_packet *pkt);

/* Appends pkt to the polling payload out, after a separator when out is
 * not empty; a binary message is written as "b" and base64. Returns as
 * eio_encode(). */
enum err eio_payload_add(struct buf *out, const struct eio_packet *pkt);

/* Appends the handshake JSON (the open packet's data) to out:
 * {"sid","upgrades","pingInterval","pingTimeout","maxPayload"}. Returns
 * ERR_OK, or ERR_INVAL for an empty or too long sid. */
enum err eio_handshake_encode(struct buf *out, const struct eio_handshake *h);

/* Reads the handshake JSON s into *h. Returns ERR_OK, or ERR_INVAL when a
 * member is missing, of the wrong type or out of range. */
enum err eio_handshake_decode(const char *s, size_t n,
	    struct eio_handshake *h);

/* Returns a static name of the packet type ("open", "message" ...), or
 * "unknown". */
const char *eio_type_str(enum eio_type t);

/* A setting in whole (or fractional) seconds from the environment
 * (WEBSOCKET_SERVER_PING_INTERVAL ...), in ms; dflt_ms when it is unset,
 * empty or not a number of seconds in (0, 86400] (then with a warning). */
long	 eio_env_ms(const char *name, long dflt_ms);

#endif
