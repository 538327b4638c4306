/* sio.c: the Socket.IO v5 codec (see sio.h). */
#include <math.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "sio.h"

static const char *const sio_type_names[SIO__MAX] = {
	"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR",
	"BINARY_EVENT", "BINARY_ACK"
};

/* Event names a client may not emit (socket.io-parser's list). */
static const char *const sio_reserved[] = {
	"connect", "connect_error", "disconnect", "disconnecting",
	"newListener", "removeListener"
};

/* Its address marks a json-c string as a byte string. */
static char sio_bytes_tag;

const char *
sio_type_str(enum sio_type t)
{
	return (unsigned)t < SIO__MAX ? sio_type_names[t] : "UNKNOWN";
}

json_object *
sio_bytes_new(const void *p, size_t n)
{
	json_object *o;

	if (n > SIO_MAX_PACKET)
		return NULL;
	o = json_object_new_string_len(n > 0 ? p : "", (int)n);
	json_object_set_userdata(o, &sio_bytes_tag, NULL);
	return o;
}

int
sio_bytes_get(json_object *o, const char **p, size_t *n)
{
	if (o == NULL || !json_object_is_type(o, json_type_string) ||
	    json_object_get_userdata(o) != &sio_bytes_tag)
		return 0;
	if (p != NULL)
		*p = json_object_get_string(o);
	if (n != NULL)
		*n = (size_t)json_object_get_string_len(o);
	return 1;
}

void
sio_packet_clear(struct sio_packet *pkt)
{
	json_object_put(pkt->data);
	json_object_put(pkt->bins);
	memset(pkt, 0, sizeof(*pkt));
	pkt->type = SIO_CONNECT;
	pkt->nsp[0] = '/';
	pkt->id = -1;
}

static int
sio_is_binary(enum sio_type t)
{
	return t == SIO_BINARY_EVENT || t == SIO_BINARY_ACK;
}

/* Returns ERR_OK when data and id suit the type t, as socket.io-parser's
 * isPayloadValid() judges them (ack ids only on events and acks). */
static enum err
sio_check(enum sio_type t, long long id, json_object *data)
{
	const char *name;
	size_t i;

	switch (t) {
	case SIO_CONNECT:
		if (data != NULL && !json_object_is_type(data, json_type_object))
			return ERR_INVAL;
		return id < 0 ? ERR_OK : ERR_INVAL;
	case SIO_DISCONNECT:
		return id < 0 && data == NULL ? ERR_OK : ERR_INVAL;
	case SIO_CONNECT_ERROR:
		if (data != NULL && !json_object_is_type(data, json_type_object)
		    && !json_object_is_type(data, json_type_string))
			return ERR_INVAL;
		return id < 0 ? ERR_OK : ERR_INVAL;
	case SIO_EVENT:
	case SIO_BINARY_EVENT:
		if (!json_object_is_type(data, json_type_array) ||
		    json_object_array_length(data) == 0 ||
		    !json_object_is_type(json_object_array_get_idx(data, 0),
		    json_type_string))
			return ERR_INVAL;
		name = json_object_get_string(json_object_array_get_idx(data,
		    0));
		for (i = 0; i < sizeof(sio_reserved) / sizeof(*sio_reserved);
		    i++)
			if (strcmp(name, sio_reserved[i]) == 0)
				return ERR_INVAL;
		return ERR_OK;
	case SIO_ACK:
	case SIO_BINARY_ACK:
		if (!json_object_is_type(data, json_type_array))
			return ERR_INVAL;
		return id >= 0 ? ERR_OK : ERR_INVAL;
	default:
		return ERR_INVAL;
	}
}

/* Returns 0 when o is no placeholder, 1 with *num for a valid one (num
 * below nattach), -1 for an object whose _placeholder is true but whose
 * num is missing or out of range. */
static int
sio_placeholder(json_object *o, int nattach, int *num)
{
	json_object *v;
	int64_t i;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "_placeholder", &v) ||
	    !json_object_is_type(v, json_type_boolean) ||
	    !json_object_get_boolean(v))
		return 0;
	if (!json_object_object_get_ex(o, "num", &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	i = json_object_get_int64(v);
	if (i < 0 || i >= nattach)
		return -1;
	*num = (int)i;
	return 1;
}

/* Returns 1 for NaN and the infinities, which JSON.parse() refuses. */
static int
sio_nonfinite(json_object *o)
{
	return json_object_is_type(o, json_type_double) &&
	    !isfinite(json_object_get_double(o));
}

static enum err sio_walk(json_object *, int, int, json_object *);

/* Walks the child c of a container at depth. Sets *att to the attachment
 * (borrowed) that must take c's place when c is a placeholder and bins is
 * not NULL, else to NULL. Returns as sio_walk(). */
static enum err
sio_walk_child(json_object *c, int depth, int nattach, json_object *bins,
    json_object **att)
{
	int num, ph;

	*att = NULL;
	ph = nattach < 0 ? 0 : sio_placeholder(c, nattach, &num);
	if (ph < 0)
		return ERR_INVAL;
	if (ph == 0)
		return sio_walk(c, depth, nattach, bins);
	if (bins != NULL)
		*att = json_object_array_get_idx(bins, num);
	return ERR_OK;
}

/* Checks the nesting of o (depth counts o itself) and its numbers. With
 * nattach >= 0 it also checks the placeholders and, when bins is not NULL,
 * replaces each by its attachment. Returns ERR_OK, ERR_TOOBIG or
 * ERR_INVAL. */
static enum err
sio_walk(json_object *o, int depth, int nattach, json_object *bins)
{
	json_object *att;
	enum err rc;
	size_t i;

	if (depth > SIO_MAX_DEPTH)
		return ERR_TOOBIG;
	if (sio_nonfinite(o))
		return ERR_INVAL;
	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++) {
			if ((rc = sio_walk_child(json_object_array_get_idx(o,
			    i), depth + 1, nattach, bins, &att)) != ERR_OK)
				return rc;
			if (att != NULL)
				json_object_array_put_idx(o, i,
				    json_object_get(att));
		}
	} else if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, v) {
			if ((rc = sio_walk_child(v, depth + 1, nattach, bins,
			    &att)) != ERR_OK)
				return rc;
			/* replaces the value in place: the walk goes on */
			if (att != NULL)
				json_object_object_add(o, key,
				    json_object_get(att));
		}
	}
	return ERR_OK;
}

enum err
sio_decode(struct sio_packet *pkt, const char *s, size_t n)
{
	const char *comma, *q;
	size_t i = 1, start, len, nsplen;
	enum err rc = ERR_INVAL;

	sio_packet_clear(pkt);
	if (n > SIO_MAX_PACKET)
		return ERR_TOOBIG;
	if (n == 0 || s[0] < '0' || s[0] >= '0' + SIO__MAX)
		return ERR_INVAL;
	pkt->type = (enum sio_type)(s[0] - '0');
	if (sio_is_binary(pkt->type)) {
		for (start = i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			pkt->nattach = pkt->nattach * 10 + (s[i] - '0');
			if (pkt->nattach > SIO_MAX_ATTACHMENTS) {
				rc = ERR_TOOBIG;
				goto fail;
			}
		}
		if (i == start || i >= n || s[i] != '-')
			goto fail;
		i++;
	}
	if (i < n && s[i] == '/') {
		comma = memchr(s + i, ',', n - i);
		len = comma != NULL ? (size_t)(comma - (s + i)) : n - i;
		q = memchr(s + i, '?', len);
		nsplen = q != NULL ? (size_t)(q - (s + i)) : len;
		if (nsplen > SIO_MAX_NSP) {
			rc = ERR_TOOBIG;
			goto fail;
		}
		for (start = i; start < i + nsplen; start++)
			if ((unsigned char)s[start] < 0x20)
				goto fail;
		memcpy(pkt->nsp, s + i, nsplen);
		pkt->nsp[nsplen] = '\0';
		i += len + (comma != NULL);
	}
	if (i < n && s[i] >= '0' && s[i] <= '9') {
		for (pkt->id = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			pkt->id = pkt->id * 10 + (s[i] - '0');
			if (pkt->id > SIO_MAX_ACK_ID)
				goto fail;
		}
	}
	if (i < n && (pkt->data = json_parse(s + i, n - i)) == NULL)
		goto fail;
	if ((rc = sio_check(pkt->type, pkt->id, pkt->data)) != ERR_OK)
		goto fail;
	/* placeholders are checked now, replaced when all data is there */
	if ((rc = sio_walk(pkt->data, 1, sio_is_binary(pkt->type) ?
	    pkt->nattach : -1, NULL)) != ERR_OK)
		goto fail;
	return ERR_OK;
fail:
	sio_packet_clear(pkt);
	return rc == ERR_OK ? ERR_INVAL : rc;
}

int
sio_pending(const struct sio_packet *pkt)
{
	size_t got;

	if (!sio_is_binary(pkt->type))
		return 0;
	got = pkt->bins != NULL ? json_object_array_length(pkt->bins) : 0;
	return got < (size_t)pkt->nattach;
}

enum err
sio_attach(struct sio_packet *pkt, const void *p, size_t n, int *done)
{
	*done = 0;
	if (!sio_pending(pkt))
		return ERR_INVAL;
	if (n > SIO_MAX_PACKET)
		return ERR_TOOBIG;
	if (pkt->bins == NULL)
		pkt->bins = json_object_new_array();
	json_object_array_add(pkt->bins, sio_bytes_new(p, n));
	if (sio_pending(pkt))
		return ERR_OK;
	if (sio_walk(pkt->data, 1, pkt->nattach, pkt->bins) != ERR_OK)
		return ERR_INVAL;	/* not reached: checked by sio_decode */
	*done = 1;
	return ERR_OK;
}

/* The distinct byte strings of a packet being encoded, in order. */
struct sio_seen {
	json_object	*bytes[SIO_MAX_ATTACHMENTS];
	int		 count;
};

/* Returns the index of byte string o in seen, or -1. */
static int
sio_seen_find(const struct sio_seen *seen, json_object *o)
{
	int i;

	for (i = 0; i < seen->count; i++)
		if (seen->bytes[i] == o)
			return i;
	return -1;
}

/* Collects the distinct byte strings of o into seen (one referenced twice
 * becomes one attachment). Returns ERR_OK, ERR_TOOBIG past
 * SIO_MAX_ATTACHMENTS or SIO_MAX_DEPTH, ERR_INVAL for a number JSON cannot
 * hold. */
static enum err
sio_scan(json_object *o, int depth, struct sio_seen *seen)
{
	enum err rc;
	size_t i;

	if (depth > SIO_MAX_DEPTH)
		return ERR_TOOBIG;
	if (sio_nonfinite(o))
		return ERR_INVAL;
	if (sio_bytes_get(o, NULL, NULL)) {
		if (sio_seen_find(seen, o) >= 0)
			return ERR_OK;
		if (seen->count == SIO_MAX_ATTACHMENTS)
			return ERR_TOOBIG;
		seen->bytes[seen->count++] = o;
	} else if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			if ((rc = sio_scan(json_object_array_get_idx(o, i),
			    depth + 1, seen)) != ERR_OK)
				return rc;
	} else if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, v) {
			(void)key;
			if ((rc = sio_scan(v, depth + 1, seen)) != ERR_OK)
				return rc;
		}
	}
	return ERR_OK;
}

/* Returns a new reference to a copy of o in which each byte string is the
 * placeholder of its index in seen. Scalars are shared, not copied. */
static json_object *
sio_unbind(json_object *o, const struct sio_seen *seen)
{
	json_object *c;
	size_t i;

	if (sio_bytes_get(o, NULL, NULL)) {
		c = json_object_new_object();
		json_object_object_add(c, "_placeholder",
		    json_object_new_boolean(1));
		json_object_object_add(c, "num",
		    json_object_new_int(sio_seen_find(seen, o)));
		return c;
	}
	if (json_object_is_type(o, json_type_array)) {
		c = json_object_new_array();
		for (i = 0; i < json_object_array_length(o); i++)
			json_object_array_add(c, sio_unbind(
			    json_object_array_get_idx(o, i), seen));
		return c;
	}
	if (json_object_is_type(o, json_type_object)) {
		c = json_object_new_object();
		json_object_object_foreach(o, key, v)
			json_object_object_add(c, key, sio_unbind(v, seen));
		return c;
	}
	return json_object_get(o);
}

enum err
sio_encode(struct buf *out, const struct sio_packet *pkt, json_object **bins)
{
	enum sio_type type = pkt->type;
	struct sio_seen seen = { { NULL }, 0 };
	json_object *data;
	size_t nsplen;
	enum err rc;
	int i;

	*bins = NULL;
	nsplen = strnlen(pkt->nsp, sizeof(pkt->nsp));
	if (nsplen > SIO_MAX_NSP || (nsplen > 0 && (pkt->nsp[0] != '/' ||
	    memchr(pkt->nsp, ',', nsplen) != NULL)))
		return ERR_INVAL;
	if (pkt->id > SIO_MAX_ACK_ID)
		return ERR_INVAL;
	if (type == SIO_BINARY_EVENT)
		type = SIO_EVENT;
	else if (type == SIO_BINARY_ACK)
		type = SIO_ACK;
	if ((rc = sio_check(type, pkt->id, pkt->data)) != ERR_OK)
		return rc;
	if ((rc = sio_scan(pkt->data, 1, &seen)) != ERR_OK)
		return rc;
	if (seen.count > 0 && type != SIO_EVENT && type != SIO_ACK)
		return ERR_INVAL;
	if (seen.count > 0) {
		type = type == SIO_EVENT ? SIO_BINARY_EVENT : SIO_BINARY_ACK;
		data = sio_unbind(pkt->data, &seen);
		*bins = json_object_new_array();
		for (i = 0; i < seen.count; i++)
			json_object_array_add(*bins,
			    json_object_get(seen.bytes[i]));
	} else
		data = json_object_get(pkt->data);
	buf_putc(out, (char)('0' + type));
	if (seen.count > 0)
		buf_printf(out, "%d-", seen.count);
	if (nsplen > 0 && strcmp(pkt->nsp, "/") != 0) {
		buf_append(out, pkt->nsp, nsplen);
		buf_putc(out, ',');
	}
	if (pkt->id >= 0)
		buf_printf(out, "%lld", pkt->id);
	if (data != NULL)
		buf_puts(out, json_text(data));
	json_object_put(data);
	return ERR_OK;
}
