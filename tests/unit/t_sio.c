/* t_sio.c: the Socket.IO v5 codec against the examples of the protocol
 * description (github.com/socketio/socket.io-protocol, v5) and what the
 * Open WebUI frontend sends: decoding, binary attachments, encoding, round
 * trips, and refusal of malformed packets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eio.h"
#include "json.h"
#include "sio.h"
#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1
#define PH(n)	"{\"_placeholder\":true,\"num\":" #n "}"

/* Returns the data as compact JSON text, or "-" when absent. */
static const char *
text_of(const struct sio_packet *p)
{
	return p->data != NULL ? json_text(p->data) : "-";
}

static void
test_decode(void)
{
	static const struct {
		const char	*in;
		enum sio_type	 type;
		const char	*nsp;
		long long	 id;
		const char	*data;
	} good[] = {
		{ "0", SIO_CONNECT, "/", -1, "-" },
		{ "0/admin,", SIO_CONNECT, "/admin", -1, "-" },
		{ "0/admin", SIO_CONNECT, "/admin", -1, "-" },
		{ "0{\"token\":\"123\"}", SIO_CONNECT, "/", -1,
		    "{\"token\":\"123\"}" },
		{ "0/admin,{\"token\":\"123\"}", SIO_CONNECT, "/admin", -1,
		    "{\"token\":\"123\"}" },
		{ "0/admin?x=1,{}", SIO_CONNECT, "/admin", -1, "{}" },
		{ "0{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", SIO_CONNECT, "/", -1,
		    "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}" },
		{ "1", SIO_DISCONNECT, "/", -1, "-" },
		{ "1/admin,", SIO_DISCONNECT, "/admin", -1, "-" },
		{ "2[\"hello\",1]", SIO_EVENT, "/", -1, "[\"hello\",1]" },
		{ "2/admin,456[\"project:delete\",123]", SIO_EVENT, "/admin",
		    456, "[\"project:delete\",123]" },
		{ "212[\"usage\",{\"action\":\"chat\"}]", SIO_EVENT, "/", 12,
		    "[\"usage\",{\"action\":\"chat\"}]" },
		{ "2[\"chat-events\",{\"chat_id\":\"c1\",\"message_id\":\"m1\","
		    "\"data\":{\"type\":\"chat:completion\",\"data\":"
		    "{\"content\":\"Hi \\u00e9\"}}}]", SIO_EVENT, "/", -1,
		    "[\"chat-events\",{\"chat_id\":\"c1\",\"message_id\":\"m1\","
		    "\"data\":{\"type\":\"chat:completion\",\"data\":"
		    "{\"content\":\"Hi \xc3\xa9\"}}}]" },
		{ "2[\"user-join\",{\"auth\":{\"token\":\"t\"}}]", SIO_EVENT, "/",
		    -1, "[\"user-join\",{\"auth\":{\"token\":\"t\"}}]" },
		{ "2[\"x\"," PH(0) "]", SIO_EVENT, "/", -1,
		    "[\"x\"," PH(0) "]" },
		{ "3/admin,456[]", SIO_ACK, "/admin", 456, "[]" },
		{ "31[{\"status\":true}]", SIO_ACK, "/", 1,
		    "[{\"status\":true}]" },
		{ "30[]", SIO_ACK, "/", 0, "[]" },
		{ "4{\"message\":\"Not authorized\"}", SIO_CONNECT_ERROR, "/",
		    -1, "{\"message\":\"Not authorized\"}" },
		{ "4/admin,{\"message\":\"Not authorized\"}", SIO_CONNECT_ERROR,
		    "/admin", -1, "{\"message\":\"Not authorized\"}" },
		{ "4\"Not authorized\"", SIO_CONNECT_ERROR, "/", -1,
		    "\"Not authorized\"" },
		{ "50-[\"x\"]", SIO_BINARY_EVENT, "/", -1, "[\"x\"]" },
		{ "29007199254740991[\"x\"]", SIO_EVENT, "/", SIO_MAX_ACK_ID,
		    "[\"x\"]" },
	};
	struct sio_packet p = { 0 };
	size_t i;

	sio_packet_clear(&p);
	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		if (!ok(sio_decode(&p, good[i].in, strlen(good[i].in)) ==
		    ERR_OK && p.type == good[i].type &&
		    strcmp(p.nsp, good[i].nsp) == 0 && p.id == good[i].id &&
		    strcmp(text_of(&p), good[i].data) == 0 && !sio_pending(&p),
		    "decodes %s '%.30s'", sio_type_str(good[i].type),
		    good[i].in))
			diag("type %d nsp %s id %lld data %s", p.type, p.nsp,
			    p.id, text_of(&p));
	}
	sio_decode(&p, S("2[\"x\"," PH(0) "]"));
	ok(!sio_bytes_get(json_object_array_get_idx(p.data, 1), NULL, NULL),
	    "a placeholder in a plain EVENT stays data");
	sio_packet_clear(&p);
	is_str(sio_type_str(SIO_BINARY_ACK), "BINARY_ACK", "type names");
	is_str(sio_type_str(SIO__MAX), "UNKNOWN", "unknown type name");
}

static void
test_refuse(void)
{
	static const struct {
		const char	*in;
		enum err	 rc;
	} bad[] = {
		{ "", ERR_INVAL },
		{ "7", ERR_INVAL },
		{ "9[\"x\"]", ERR_INVAL },
		{ "a", ERR_INVAL },
		{ "2", ERR_INVAL },			/* event without data */
		{ "2[]", ERR_INVAL },
		{ "2[1]", ERR_INVAL },
		{ "2{}", ERR_INVAL },
		{ "2\"x\"", ERR_INVAL },
		{ "2[\"connect\"]", ERR_INVAL },	/* reserved names */
		{ "2[\"disconnect\",1]", ERR_INVAL },
		{ "2[\"newListener\"]", ERR_INVAL },
		{ "2[\"a\"", ERR_INVAL },		/* bad JSON */
		{ "2[\"a\"]x", ERR_INVAL },
		{ "2[\"a\"][]", ERR_INVAL },
		{ "2['a']", ERR_INVAL },
		{ "2[\"a\",NaN]", ERR_INVAL },		/* JS cannot read it */
		{ "2[\"a\",-Infinity]", ERR_INVAL },
		{ "2[\"a\",1e400]", ERR_INVAL },
		{ "2[\"\xff\"]", ERR_INVAL },
		{ "2[\"a\tb\"]", ERR_INVAL },
		{ "2/admin,", ERR_INVAL },
		{ "2,[\"a\"]", ERR_INVAL },
		{ "2/a\x01,[\"a\"]", ERR_INVAL },	/* control in namespace */
		{ "29007199254740992[\"x\"]", ERR_INVAL },	/* id > 2^53-1 */
		{ "299999999999999999999999[\"x\"]", ERR_INVAL },
		{ "3", ERR_INVAL },			/* ack without data */
		{ "3[]", ERR_INVAL },			/* ack without id */
		{ "31{}", ERR_INVAL },
		{ "31\"x\"", ERR_INVAL },
		{ "1{}", ERR_INVAL },			/* disconnect with data */
		{ "11", ERR_INVAL },
		{ "0[]", ERR_INVAL },			/* connect: object only */
		{ "0\"x\"", ERR_INVAL },
		{ "012", ERR_INVAL },
		{ "012{}", ERR_INVAL },
		{ "4[1]", ERR_INVAL },
		{ "41", ERR_INVAL },
		{ "4null", ERR_INVAL },
		{ "5[\"x\"]", ERR_INVAL },		/* no attachment count */
		{ "5-[\"x\"]", ERR_INVAL },
		{ "51[\"x\"]", ERR_INVAL },
		{ "51", ERR_INVAL },
		{ "5a-[\"x\"]", ERR_INVAL },
		{ "517-[\"x\"]", ERR_TOOBIG },		/* > 16 attachments */
		{ "599999999999999999999-[\"x\"]", ERR_TOOBIG },
		{ "51-[\"x\",{\"_placeholder\":true,\"num\":1}]", ERR_INVAL },
		{ "51-[\"x\",{\"_placeholder\":true,\"num\":-1}]", ERR_INVAL },
		{ "51-[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]", ERR_INVAL },
		{ "51-[\"x\",{\"_placeholder\":true,\"num\":0.0}]", ERR_INVAL },
		{ "51-[\"x\",{\"_placeholder\":true}]", ERR_INVAL },
		{ "51-[\"x\",{\"a\":{\"_placeholder\":true,\"num\":3}}]",
		    ERR_INVAL },
		{ "50-[\"x\"," PH(0) "]", ERR_INVAL },
		{ "61-[" PH(0) "]", ERR_INVAL },	/* binary ack without id */
		{ "61-1{}", ERR_INVAL },
	};
	struct sio_packet p = { 0 };
	struct buf b = BUF_INIT;
	char *big;
	size_t i;
	int k;

	sio_packet_clear(&p);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		is_int(sio_decode(&p, bad[i].in, strlen(bad[i].in)), bad[i].rc,
		    "refuses #%zu '%s'", i, bad[i].in);
	}
	ok(p.data == NULL && p.type == SIO_CONNECT && p.id == -1 &&
	    strcmp(p.nsp, "/") == 0, "a refused packet leaves pkt empty");
	is_int(sio_decode(&p, S("2[\"a\\u0000b\"]")), ERR_OK,
	    "an escaped NUL in a string is data");
	is_int(json_object_get_string_len(json_object_array_get_idx(p.data,
	    0)), 3, "... three bytes long");
	sio_packet_clear(&p);
	is_int(sio_decode(&p, S("2[\"a\"]\0")), ERR_INVAL,
	    "a NUL byte after the JSON");

	/* nesting: the data array counts as level 1 */
	buf_puts(&b, "2[\"a\",");
	for (k = 1; k < SIO_MAX_DEPTH; k++)
		buf_putc(&b, '[');
	for (k = 1; k < SIO_MAX_DEPTH; k++)
		buf_putc(&b, ']');
	buf_putc(&b, ']');
	is_int(sio_decode(&p, b.p, b.len), ERR_OK, "%d levels of nesting",
	    SIO_MAX_DEPTH);
	sio_packet_clear(&p);
	buf_reset(&b);
	buf_puts(&b, "2[\"a\",");
	for (k = 0; k < SIO_MAX_DEPTH / 2; k++)
		buf_puts(&b, "{\"k\":[");
	for (k = 0; k < SIO_MAX_DEPTH / 2; k++)
		buf_puts(&b, "]}");
	buf_putc(&b, ']');
	is_int(sio_decode(&p, b.p, b.len), ERR_TOOBIG, "deeper is too big");
	buf_reset(&b);
	for (k = 0; k < 100000; k++)
		buf_putc(&b, '[');
	is_int(sio_decode(&p, b.p, b.len), ERR_INVAL,
	    "100000 open brackets");

	buf_reset(&b);
	buf_putc(&b, '0');
	for (k = 0; k <= SIO_MAX_NSP; k++)
		buf_putc(&b, '/');
	buf_puts(&b, ",{}");
	is_int(sio_decode(&p, b.p, b.len), ERR_TOOBIG, "namespace too long");
	buf_free(&b);

	big = malloc(SIO_MAX_PACKET + 1);
	memset(big, ' ', SIO_MAX_PACKET + 1);
	memcpy(big, "2[\"a\"]", 6);
	is_int(sio_decode(&p, big, SIO_MAX_PACKET), ERR_OK,
	    "a packet of %d bytes (trailing blanks)", SIO_MAX_PACKET);
	sio_packet_clear(&p);
	is_int(sio_decode(&p, big, SIO_MAX_PACKET + 1), ERR_TOOBIG,
	    "one byte more is too big");
	free(big);
}

static int	encodes(const struct sio_packet *, const char *, int,
		    const char *);

static void
test_binary(void)
{
	struct sio_packet p = { 0 };
	const char *bytes;
	size_t n;
	int done;

	sio_packet_clear(&p);
	is_int(sio_decode(&p, S("51-[\"hello\"," PH(0) "]")), ERR_OK,
	    "BINARY_EVENT with one attachment");
	ok(sio_pending(&p) && p.nattach == 1, "... waits for it");
	ok(sio_attach(&p, "\x01\x02\x03", 3, &done) == ERR_OK && done,
	    "attachment completes it");
	ok(!sio_pending(&p), "no longer pending");
	ok(sio_bytes_get(json_object_array_get_idx(p.data, 1), &bytes, &n) &&
	    n == 3 && memcmp(bytes, "\x01\x02\x03", 3) == 0,
	    "placeholder replaced by the bytes <01 02 03>");
	is_int(sio_attach(&p, "x", 1, &done), ERR_INVAL,
	    "one attachment too many refused");
	is_int(sio_decode(&p, S("2[\"x\"]")), ERR_OK, "decode reuses pkt");
	is_int(sio_attach(&p, "x", 1, &done), ERR_INVAL,
	    "no attachment for a plain EVENT");

	sio_decode(&p, S("52-/admin,456[\"project:delete\"," PH(0) "," PH(1)
	    "]"));
	ok(p.nattach == 2 && p.id == 456 && strcmp(p.nsp, "/admin") == 0,
	    "BINARY_EVENT with namespace, id, two attachments");
	ok(sio_attach(&p, "A", 1, &done) == ERR_OK && !done &&
	    sio_pending(&p), "first of two: still pending");
	ok(sio_attach(&p, "", 0, &done) == ERR_OK && done,
	    "second (empty) completes it");
	ok(sio_bytes_get(json_object_array_get_idx(p.data, 1), &bytes, &n) &&
	    n == 1 && bytes[0] == 'A' &&
	    sio_bytes_get(json_object_array_get_idx(p.data, 2), &bytes, &n) &&
	    n == 0, "attachments in order");

	sio_decode(&p, S("61-/admin,456[" PH(0) "]"));
	ok(p.type == SIO_BINARY_ACK && p.id == 456 && sio_pending(&p),
	    "BINARY_ACK from the protocol description");
	sio_attach(&p, "\x03\x02\x01", 3, &done);
	ok(done && sio_bytes_get(json_object_array_get_idx(p.data, 0), NULL,
	    NULL), "its attachment");

	/* the frontend's ydoc update with a Uint8Array, nested in an object,
	 * the same attachment referenced twice */
	sio_decode(&p, S("51-[\"ydoc:document:update\",{\"document_id\":"
	    "\"note:1\",\"update\":" PH(0) ",\"again\":[" PH(0) "]}]"));
	sio_attach(&p, "\x00\xff\x00", 3, &done);
	ok(done && sio_bytes_get(json_object_object_get(
	    json_object_array_get_idx(p.data, 1), "update"), &bytes, &n) &&
	    n == 3 && bytes[1] == '\xff', "nested placeholder replaced");
	ok(sio_bytes_get(json_object_array_get_idx(json_object_object_get(
	    json_object_array_get_idx(p.data, 1), "again"), 0), NULL, NULL),
	    "a second reference too");
	ok(encodes(&p, "51-[\"ydoc:document:update\",{\"document_id\":"
	    "\"note:1\",\"update\":" PH(0) ",\"again\":[" PH(0) "]}]", 1,
	    "re-encoded, the shared attachment is sent once"), "%s",
	    "(checked above)");
	sio_packet_clear(&p);
}

static void
test_plain_strings(void)
{
	json_object *s = json_object_new_string("abc"), *b;

	ok(!sio_bytes_get(s, NULL, NULL), "a plain string is no byte string");
	ok(!sio_bytes_get(NULL, NULL, NULL), "nor is NULL");
	b = sio_bytes_new("abc", 3);
	ok(sio_bytes_get(b, NULL, NULL), "sio_bytes_new makes one");
	json_object_put(s);
	json_object_put(b);
}

/* Encodes pkt and compares the text with want. */
static int
encodes(const struct sio_packet *pkt, const char *want, int nbins,
    const char *name)
{
	struct buf b = BUF_INIT;
	json_object *bins = NULL;
	enum err rc;
	int pass;

	rc = sio_encode(&b, pkt, &bins);
	pass = is_str(rc == ERR_OK ? buf_str(&b) : "(error)", want, "%s",
	    name);
	if (nbins != (bins != NULL ? (int)json_object_array_length(bins) : 0))
		pass = ok(0, "%s: %d attachments", name, nbins);
	json_object_put(bins);
	buf_free(&b);
	return pass;
}

static struct sio_packet
mk(enum sio_type t, const char *nsp, long long id, const char *json)
{
	struct sio_packet p = { 0 };

	sio_packet_clear(&p);
	p.type = t;
	if (nsp != NULL)
		strcpy(p.nsp, nsp);
	p.id = id;
	p.data = json != NULL ? json_parse(json, strlen(json)) : NULL;
	return p;
}

static void
test_encode(void)
{
	struct sio_packet p;
	struct buf b = BUF_INIT;
	json_object *bins, *arr;
	const char *bytes;
	size_t n;
	int i;

	p = mk(SIO_CONNECT, "/", -1, NULL);
	encodes(&p, "0", 0, "CONNECT main namespace");
	p = mk(SIO_CONNECT, "/admin", -1, NULL);
	encodes(&p, "0/admin,", 0, "CONNECT /admin");
	p = mk(SIO_CONNECT, "/admin", -1, "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}");
	encodes(&p, "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", 0,
	    "CONNECT reply with sid");
	sio_packet_clear(&p);
	p = mk(SIO_DISCONNECT, "/admin", -1, NULL);
	encodes(&p, "1/admin,", 0, "DISCONNECT /admin");
	p = mk(SIO_EVENT, "", -1, "[\"hello\",1]");
	encodes(&p, "2[\"hello\",1]", 0, "EVENT (empty nsp is /)");
	sio_packet_clear(&p);
	p = mk(SIO_EVENT, "/admin", 456, "[\"project:delete\",123]");
	encodes(&p, "2/admin,456[\"project:delete\",123]", 0,
	    "EVENT with namespace and ack id");
	sio_packet_clear(&p);
	p = mk(SIO_ACK, "/admin", 456, "[]");
	encodes(&p, "3/admin,456[]", 0, "ACK");
	sio_packet_clear(&p);
	p = mk(SIO_ACK, "/", 7, "[{\"a\":\"/x\"}]");
	encodes(&p, "37[{\"a\":\"/x\"}]", 0, "ACK, slash not escaped");
	sio_packet_clear(&p);
	p = mk(SIO_CONNECT_ERROR, NULL, -1, "{\"message\":\"Not authorized\"}");
	encodes(&p, "4{\"message\":\"Not authorized\"}", 0, "CONNECT_ERROR");
	sio_packet_clear(&p);

	/* byte strings become attachments */
	p = mk(SIO_EVENT, "/", -1, "[\"hello\"]");
	json_object_array_add(p.data, sio_bytes_new("\x01\x02\x03", 3));
	encodes(&p, "51-[\"hello\"," PH(0) "]", 1,
	    "EVENT with bytes becomes BINARY_EVENT");
	sio_encode(&b, &p, &bins);
	ok(bins != NULL && sio_bytes_get(json_object_array_get_idx(bins, 0),
	    &bytes, &n) && n == 3 && memcmp(bytes, "\x01\x02\x03", 3) == 0,
	    "... the attachment is the bytes");
	ok(sio_bytes_get(json_object_array_get_idx(p.data, 1), NULL, NULL),
	    "... and the packet's data is unchanged");
	json_object_put(bins);
	buf_reset(&b);
	sio_packet_clear(&p);

	p = mk(SIO_ACK, "/admin", 456, "[]");
	json_object_array_add(p.data, sio_bytes_new("x", 1));
	arr = json_object_new_object();
	json_object_object_add(arr, "b", sio_bytes_new("y", 1));
	json_object_array_add(p.data, arr);
	encodes(&p, "62-/admin,456[" PH(0) ",{\"b\":" PH(1) "}]", 2,
	    "ACK with bytes becomes BINARY_ACK");
	sio_packet_clear(&p);

	p = mk(SIO_BINARY_EVENT, "/", -1, "[\"x\"]");
	encodes(&p, "2[\"x\"]", 0, "BINARY_EVENT without bytes is an EVENT");
	sio_packet_clear(&p);

	p = mk(SIO_EVENT, "/", -1, "[\"x\"]");
	for (i = 0; i < SIO_MAX_ATTACHMENTS + 1; i++)
		json_object_array_add(p.data, sio_bytes_new("z", 1));
	is_int(sio_encode(&b, &p, &bins), ERR_TOOBIG,
	    "more than %d attachments", SIO_MAX_ATTACHMENTS);
	ok(bins == NULL && b.len == 0, "... nothing written");
	sio_packet_clear(&p);

	p = mk(SIO_CONNECT, "/", -1, "{}");
	json_object_object_add(p.data, "b", sio_bytes_new("z", 1));
	is_int(sio_encode(&b, &p, &bins), ERR_INVAL, "bytes in CONNECT");
	sio_packet_clear(&p);
	p = mk(SIO_EVENT, "admin", -1, "[\"x\"]");
	is_int(sio_encode(&b, &p, &bins), ERR_INVAL, "nsp without slash");
	sio_packet_clear(&p);
	p = mk(SIO_EVENT, "/a,b", -1, "[\"x\"]");
	is_int(sio_encode(&b, &p, &bins), ERR_INVAL, "nsp with comma");
	sio_packet_clear(&p);
	p = mk(SIO_EVENT, "/", -1, "{}");
	is_int(sio_encode(&b, &p, &bins), ERR_INVAL, "EVENT data not array");
	sio_packet_clear(&p);
	p = mk(SIO_ACK, "/", -1, "[]");
	is_int(sio_encode(&b, &p, &bins), ERR_INVAL, "ACK without id");
	sio_packet_clear(&p);
	p = mk(SIO_DISCONNECT, "/", -1, "{}");
	is_int(sio_encode(&b, &p, &bins), ERR_INVAL, "DISCONNECT with data");
	sio_packet_clear(&p);
	p = mk(SIO_EVENT, "/", -1, "[\"x\"]");
	json_object_array_add(p.data, json_object_new_double(NAN));
	is_int(sio_encode(&b, &p, &bins), ERR_INVAL, "NaN in the data");
	sio_packet_clear(&p);
	p = mk(SIO__MAX, "/", -1, NULL);
	is_int(sio_encode(&b, &p, &bins), ERR_INVAL, "unknown type");
	p = mk(SIO_EVENT, "/", SIO_MAX_ACK_ID + 1, "[\"x\"]");
	is_int(sio_encode(&b, &p, &bins), ERR_INVAL, "ack id too large");
	sio_packet_clear(&p);
	is_int(b.len, 0, "nothing written on errors");
	buf_free(&b);
}

/* Decodes each packet (with its attachments) and encodes it again: the
 * text and the attachments come back the same. */
static void
test_round_trip(void)
{
	static const char *const texts[] = {
		"0", "0/admin,", "0{\"token\":\"123\"}", "1/admin,",
		"2[\"hello\",1]", "2/admin,456[\"project:delete\",123]",
		"3/admin,456[]", "31[{\"status\":true,\"n\":[1,2.5,null]}]",
		"4{\"message\":\"Not authorized\"}",
		"2[\"chat-events\",{\"chat_id\":\"c\",\"message_id\":\"m\","
		    "\"data\":{\"type\":\"status\",\"data\":{\"done\":false}}}]",
		"51-[\"x\"," PH(0) "]",
		"52-/admin,456[\"project:delete\"," PH(0) "," PH(1) "]",
		"61-/admin,456[" PH(0) "]",
	};
	struct sio_packet p = { 0 };
	struct buf b = BUF_INIT;
	json_object *bins;
	const char *bytes;
	size_t i, n;
	int k, done, same;

	sio_packet_clear(&p);
	for (i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		same = sio_decode(&p, texts[i], strlen(texts[i])) == ERR_OK;
		for (k = 0; same && sio_pending(&p); k++)
			same = sio_attach(&p, "abcdef", (size_t)k + 1,
			    &done) == ERR_OK;
		buf_reset(&b);
		same = same && sio_encode(&b, &p, &bins) == ERR_OK &&
		    strcmp(buf_str(&b), texts[i]) == 0;
		for (k = 0; same && k < p.nattach; k++)
			same = sio_bytes_get(json_object_array_get_idx(bins, k),
			    &bytes, &n) && n == (size_t)k + 1 &&
			    memcmp(bytes, "abcdef", n) == 0;
		if (!ok(same, "round trip '%.40s'", texts[i]))
			diag("got %s", buf_str(&b));
		json_object_put(bins);
		bins = NULL;
	}
	sio_packet_clear(&p);
	buf_free(&b);
}

/* The two layers together, as the frontend's packets arrive on a
 * WebSocket: a text frame, then the attachment in a binary frame. */
static void
test_layers(void)
{
	struct sio_packet p = { 0 };
	struct eio_packet e;
	struct buf b = BUF_INIT;
	json_object *bins;
	const char *bytes;
	size_t n;
	int done;

	sio_packet_clear(&p);
	ok(eio_decode(S("451-[\"x\"," PH(0) "]"), &e) == ERR_OK &&
	    e.type == EIO_MESSAGE && !e.binary &&
	    sio_decode(&p, e.data, e.len) == ERR_OK && sio_pending(&p),
	    "451-[...] is a message holding a BINARY_EVENT");
	ok(eio_decode_binary(S("\xde\xad\xbe\xef"), &e) == ERR_OK &&
	    sio_attach(&p, e.data, e.len, &done) == ERR_OK && done,
	    "the binary frame completes it");
	ok(sio_bytes_get(json_object_array_get_idx(p.data, 1), &bytes, &n) &&
	    n == 4 && memcmp(bytes, "\xde\xad\xbe\xef", 4) == 0,
	    "bytes in place");
	sio_packet_clear(&p);

	ok(eio_decode(S("431[\"ok\"]"), &e) == ERR_OK &&
	    sio_decode(&p, e.data, e.len) == ERR_OK && p.type == SIO_ACK &&
	    p.id == 1, "431[...] is ACK 1");
	sio_packet_clear(&p);
	ok(eio_decode(S("40/admin,"), &e) == ERR_OK &&
	    sio_decode(&p, e.data, e.len) == ERR_OK &&
	    p.type == SIO_CONNECT && strcmp(p.nsp, "/admin") == 0,
	    "40/admin, is CONNECT to /admin");

	/* server side: an event with bytes, over a polling payload */
	sio_packet_clear(&p);
	p.type = SIO_EVENT;
	p.data = json_parse(S("[\"ydoc:document:state\"]"));
	json_object_array_add(p.data, sio_bytes_new("\x00\x00", 2));
	buf_putc(&b, '4');
	sio_encode(&b, &p, &bins);
	{
		struct buf payload = BUF_INIT;

		eio_payload_add(&payload, &(struct eio_packet){ EIO_MESSAGE,
		    0, b.p + 1, b.len - 1 });
		sio_bytes_get(json_object_array_get_idx(bins, 0), &bytes, &n);
		eio_payload_add(&payload, &(struct eio_packet){ EIO_MESSAGE,
		    1, bytes, n });
		is_str(buf_str(&payload), "451-[\"ydoc:document:state\","
		    PH(0) "]\x1e" "bAAA=", "polling payload with attachment");
		buf_free(&payload);
	}
	json_object_put(bins);
	sio_packet_clear(&p);
	buf_free(&b);
}

int
main(void)
{
	test_decode();
	test_refuse();
	test_binary();
	test_plain_strings();
	test_encode();
	test_round_trip();
	test_layers();
	return done_testing();
}
