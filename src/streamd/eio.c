/* eio.c: the Engine.IO v4 codec (see eio.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "eio.h"
#include "json.h"
#include "log.h"
#include "utf8.h"

static const char *const eio_type_names[EIO__MAX] = {
	"open", "close", "ping", "pong", "message", "upgrade", "noop"
};

const char *
eio_type_str(enum eio_type t)
{
	return (unsigned)t < EIO__MAX ? eio_type_names[t] : "unknown";
}

enum err
eio_decode(const char *s, size_t n, struct eio_packet *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	if (n > EIO_MAX_PAYLOAD)
		return ERR_TOOBIG;
	if (n == 0 || s[0] < '0' || s[0] >= '0' + EIO__MAX)
		return ERR_INVAL;
	if (!utf8_check(s + 1, n - 1, NULL))
		return ERR_INVAL;
	pkt->type = (enum eio_type)(s[0] - '0');
	pkt->data = s + 1;
	pkt->len = n - 1;
	return ERR_OK;
}

enum err
eio_decode_binary(const void *p, size_t n, struct eio_packet *pkt)
{
	memset(pkt, 0, sizeof(*pkt));
	if (n > EIO_MAX_PAYLOAD)
		return ERR_TOOBIG;
	pkt->type = EIO_MESSAGE;
	pkt->binary = 1;
	pkt->data = p;
	pkt->len = n;
	return ERR_OK;
}

enum err
eio_payload_init(struct eio_reader *r, const char *s, size_t n)
{
	memset(r, 0, sizeof(*r));
	if (n > EIO_MAX_PAYLOAD)
		return ERR_TOOBIG;
	if (n == 0)
		return ERR_INVAL;
	r->p = s;
	r->end = s + n;
	return ERR_OK;
}

enum err
eio_payload_next(struct eio_reader *r, struct eio_packet *pkt,
    struct buf *scratch)
{
	const char *s, *sep;
	size_t n;
	long got;

	memset(pkt, 0, sizeof(*pkt));
	if (r->p == NULL)
		return ERR_NOTFOUND;
	if (++r->count > EIO_MAX_PACKETS)
		return ERR_TOOBIG;
	s = r->p;
	if ((sep = memchr(s, EIO_SEPARATOR, (size_t)(r->end - s))) != NULL) {
		n = (size_t)(sep - s);
		r->p = sep + 1;
	} else {
		n = (size_t)(r->end - s);
		r->p = NULL;
	}
	if (n == 0 || s[0] != 'b')
		return eio_decode(s, n, pkt);
	buf_reset(scratch);
	buf_reserve(scratch, (n - 1) / 4 * 3 + 3);
	if ((got = b64_decode_lax(s + 1, n - 1,
	    (unsigned char *)scratch->p)) < 0)
		return ERR_INVAL;
	scratch->len = (size_t)got;
	scratch->p[got] = '\0';
	pkt->type = EIO_MESSAGE;
	pkt->binary = 1;
	pkt->data = scratch->p;
	pkt->len = scratch->len;
	return ERR_OK;
}

/* Returns ERR_OK when pkt can be encoded. */
static enum err
eio_check(const struct eio_packet *pkt)
{
	if ((unsigned)pkt->type >= EIO__MAX)
		return ERR_INVAL;
	if (pkt->binary && pkt->type != EIO_MESSAGE)
		return ERR_INVAL;
	return ERR_OK;
}

enum err
eio_encode(struct buf *out, const struct eio_packet *pkt)
{
	if (eio_check(pkt) != ERR_OK)
		return ERR_INVAL;
	if (!pkt->binary)
		buf_putc(out, (char)('0' + pkt->type));
	buf_append(out, pkt->data, pkt->len);
	return ERR_OK;
}

enum err
eio_payload_add(struct buf *out, const struct eio_packet *pkt)
{
	if (eio_check(pkt) != ERR_OK)
		return ERR_INVAL;
	if (out->len > 0)
		buf_putc(out, EIO_SEPARATOR);
	if (!pkt->binary)
		return eio_encode(out, pkt);
	buf_putc(out, 'b');
	b64_encode(out, pkt->data, pkt->len);
	return ERR_OK;
}

enum err
eio_handshake_encode(struct buf *out, const struct eio_handshake *h)
{
	json_object *o, *up;
	size_t n = strnlen(h->sid, sizeof(h->sid));

	if (n == 0 || n > EIO_MAX_SID)
		return ERR_INVAL;
	o = json_object_new_object();
	up = json_object_new_array();
	if (h->upgrade)
		json_object_array_add(up, json_object_new_string("websocket"));
	json_object_object_add(o, "sid", json_object_new_string_len(h->sid,
	    (int)n));
	json_object_object_add(o, "upgrades", up);
	json_object_object_add(o, "pingInterval",
	    json_object_new_int64(h->ping_interval));
	json_object_object_add(o, "pingTimeout",
	    json_object_new_int64(h->ping_timeout));
	json_object_object_add(o, "maxPayload",
	    json_object_new_int64(h->max_payload));
	buf_puts(out, json_text(o));
	json_object_put(o);
	return ERR_OK;
}

/* Reads the positive int member key of o into *out; returns 1 on success. */
static int
eio_get_ms(json_object *o, const char *key, long *out)
{
	json_object *v;
	int64_t i;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return 0;
	i = json_object_get_int64(v);
	if (i <= 0 || i > INT_MAX)
		return 0;
	*out = (long)i;
	return 1;
}

enum err
eio_handshake_decode(const char *s, size_t n, struct eio_handshake *h)
{
	json_object *o, *v, *e;
	enum err rc = ERR_INVAL;
	const char *sid;
	size_t i, len;

	memset(h, 0, sizeof(*h));
	if (n > EIO_MAX_PAYLOAD)
		return ERR_TOOBIG;
	if ((o = json_parse(s, n)) == NULL)
		return ERR_INVAL;
	if (!json_object_is_type(o, json_type_object))
		goto fail;
	if (!json_object_object_get_ex(o, "sid", &v) ||
	    !json_object_is_type(v, json_type_string))
		goto fail;
	sid = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len == 0 || len > EIO_MAX_SID || memchr(sid, '\0', len) != NULL)
		goto fail;
	memcpy(h->sid, sid, len);
	if (!json_object_object_get_ex(o, "upgrades", &v) ||
	    !json_object_is_type(v, json_type_array))
		goto fail;
	for (i = 0; i < json_object_array_length(v); i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			goto fail;
		if (strcmp(json_object_get_string(e), "websocket") == 0)
			h->upgrade = 1;
	}
	if (!eio_get_ms(o, "pingInterval", &h->ping_interval) ||
	    !eio_get_ms(o, "pingTimeout", &h->ping_timeout) ||
	    !eio_get_ms(o, "maxPayload", &h->max_payload))
		goto fail;
	rc = ERR_OK;
fail:
	json_object_put(o);
	if (rc != ERR_OK)
		memset(h, 0, sizeof(*h));
	return rc;
}

long
eio_env_ms(const char *name, long dflt_ms)
{
	const char *v = getenv(name);
	char *end;
	double d;

	if (v == NULL || *v == '\0')
		return dflt_ms;
	d = strtod(v, &end);
	if (*end != '\0' || !(d > 0) || d > 86400) {
		log_warn("ignoring %s=%s: not a number of seconds", name, v);
		return dflt_ms;
	}
	return (long)(d * 1000);
}
