/* sio.h: the Socket.IO v5 codec, pure functions over buffers.
 *
 * A packet travels as the data of an Engine.IO message:
 *
 *	<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]
 *
 * "2[\"chat-events\",{...}]", "0/admin,{\"token\":\"x\"}", "3/admin,456[]".
 * A binary event or ack (types 5 and 6) announces N attachments and stands
 * {"_placeholder":true,"num":i} in its JSON for each; the N attachments
 * follow as Engine.IO binary messages.
 *
 * In the JSON a binary attachment is a "byte string": a json-c string
 * holding the raw bytes, told apart by sio_bytes_get(). Decoding puts them
 * where the placeholders stood; encoding takes them out again and returns
 * them as the attachments to send. */
#ifndef CWEBUI_SIO_H
#define CWEBUI_SIO_H

#include <stddef.h>

#include <json-c/json.h>

#include "err.h"

struct buf;

#define SIO_MAX_PACKET		1000000	/* bytes, as EIO_MAX_PAYLOAD */
#define SIO_MAX_ATTACHMENTS	16
#define SIO_MAX_DEPTH		64	/* nesting of the JSON data */
#define SIO_MAX_NSP		128	/* length of a namespace */
#define SIO_MAX_ACK_ID		9007199254740991LL	/* 2^53 - 1 */

enum sio_type {
	SIO_CONNECT = 0,	/* data: optional object (auth, or {sid}) */
	SIO_DISCONNECT,		/* no data */
	SIO_EVENT,		/* data: ["name", args...] */
	SIO_ACK,		/* ack id, data: [args...] */
	SIO_CONNECT_ERROR,	/* data: optional object or string */
	SIO_BINARY_EVENT,
	SIO_BINARY_ACK,
	SIO__MAX
};

struct sio_packet {
	enum sio_type	 type;
	char		 nsp[SIO_MAX_NSP + 1];	/* "/" when none was given */
	long long	 id;		/* ack id, -1 when none */
	int		 nattach;	/* attachments announced (types 5, 6) */
	json_object	*data;		/* NULL when absent; owned */
	json_object	*bins;		/* attachments received so far; owned */
};

/* Sets pkt to an empty CONNECT on "/" with no id and no data, releasing
 * what it held. Call it once before first use (or memset pkt to 0) and
 * when done with a decoded packet. */
void	 sio_packet_clear(struct sio_packet *pkt);

/* Decodes the text packet s into pkt (cleared first). The namespace loses
 * a "?query" part as python-socketio drops it. The data is checked as
 * socket.io-parser checks it: CONNECT an object, DISCONNECT nothing,
 * EVENT an array starting with a name that is not reserved, ACK an array
 * with an ack id, CONNECT_ERROR an object or a string. Returns ERR_OK,
 * ERR_TOOBIG beyond SIO_MAX_PACKET, SIO_MAX_ATTACHMENTS or a longer
 * namespace, ERR_INVAL for anything malformed (pkt is then empty). A
 * binary packet with attachments is then pending: see sio_attach(). */
enum err sio_decode(struct sio_packet *pkt, const char *s, size_t n);

/* Returns 1 when pkt still waits for binary attachments. */
int	 sio_pending(const struct sio_packet *pkt);

/* Adds the n bytes at p (copied) as the next attachment of the pending
 * packet pkt. With the last one the placeholders are replaced by byte
 * strings and *done is set to 1 (else 0). Returns ERR_OK, ERR_INVAL when
 * pkt is not pending or a placeholder is invalid, ERR_TOOBIG beyond
 * SIO_MAX_PACKET bytes. */
enum err sio_attach(struct sio_packet *pkt, const void *p, size_t n,
	    int *done);

/* Appends the text form of pkt to out. Byte strings in the data of an
 * EVENT or ACK are replaced by placeholders (the type becomes BINARY_*)
 * and *bins is set to a new array of them, in order, to be sent as binary
 * messages after the text (one byte string referenced twice is sent once);
 * *bins is NULL when there are none. Returns
 * ERR_OK, ERR_TOOBIG past SIO_MAX_ATTACHMENTS or SIO_MAX_DEPTH, ERR_INVAL
 * when the packet is not valid (as sio_decode() checks it, or a namespace
 * holding ','). out is unchanged on error. */
enum err sio_encode(struct buf *out, const struct sio_packet *pkt,
	    json_object **bins);

/* Returns a new byte string holding a copy of the n bytes at p, which
 * sio_encode() sends as a binary attachment (new reference), or NULL when
 * n exceeds SIO_MAX_PACKET. */
json_object *sio_bytes_new(const void *p, size_t n);

/* Returns 1 and sets *p and *n (borrowed from o) when o is a byte string,
 * else 0. */
int	 sio_bytes_get(json_object *o, const char **p, size_t *n);

/* Returns a static name of the packet type ("EVENT" ...), or "UNKNOWN". */
const char *sio_type_str(enum sio_type t);

#endif
