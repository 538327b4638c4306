/* t_eio.c: the Engine.IO v4 codec against the examples of the protocol
 * description (github.com/socketio/engine.io-protocol, v4): packets,
 * polling payloads with base64 binary, the handshake, and round trips. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eio.h"
#include "tap.h"

#define S(lit)	lit, sizeof(lit) - 1

#define HANDSHAKE "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":" \
	"[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":20000," \
	"\"maxPayload\":1000000}"

/* Returns a NUL-terminated copy of the packet's data (static; tests only). */
static const char *
data_of(const struct eio_packet *p)
{
	static char s[256];
	size_t n = p->len < sizeof(s) - 1 ? p->len : sizeof(s) - 1;

	memcpy(s, p->data, n);
	s[n] = '\0';
	return s;
}

static void
test_decode(void)
{
	static const struct {
		const char	*in;
		enum eio_type	 type;
		const char	*data;
	} good[] = {
		{ "0" HANDSHAKE, EIO_OPEN, HANDSHAKE },
		{ "1", EIO_CLOSE, "" },
		{ "2", EIO_PING, "" },
		{ "2probe", EIO_PING, "probe" },
		{ "3", EIO_PONG, "" },
		{ "3probe", EIO_PONG, "probe" },
		{ "4hello", EIO_MESSAGE, "hello" },
		{ "4\xe2\x82\xac", EIO_MESSAGE, "\xe2\x82\xac" },
		{ "42[\"chat-events\",{\"chat_id\":\"c\"}]", EIO_MESSAGE,
		    "2[\"chat-events\",{\"chat_id\":\"c\"}]" },
		{ "5", EIO_UPGRADE, "" },
		{ "6", EIO_NOOP, "" },
	};
	static const char *const bad[] = {
		"", "7", "9", "b", "bAQIDBA==", "x4", " 4", "-1",
		"4\xff", "4\xc0\x80", "4\xed\xa0\x80", "4\xe2\x82",
		"4\xf4\x90\x80\x80", "4\x80", "4\xf8\x88\x80\x80\x80",
	};
	struct eio_packet p;
	char *big;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		ok(eio_decode(good[i].in, strlen(good[i].in), &p) == ERR_OK &&
		    p.type == good[i].type && !p.binary &&
		    strcmp(data_of(&p), good[i].data) == 0,
		    "decodes %s packet '%.20s'", eio_type_str(good[i].type),
		    good[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		is_int(eio_decode(bad[i], strlen(bad[i]), &p), ERR_INVAL,
		    "refuses packet #%zu '%s'", i, bad[i]);
	is_int(eio_decode(S("4a\0b"), &p), ERR_OK, "a NUL byte is data");
	is_int(p.len, 3, "... kept whole");
	is_int(eio_decode(S("4\xf0\x9f\x98\x80"), &p), ERR_OK,
	    "four-byte UTF-8 is fine");

	big = malloc(EIO_MAX_PAYLOAD + 2);
	memset(big, 'a', EIO_MAX_PAYLOAD + 1);
	big[0] = '4';
	is_int(eio_decode(big, EIO_MAX_PAYLOAD, &p), ERR_OK,
	    "a packet of maxPayload bytes is accepted");
	is_int(eio_decode(big, EIO_MAX_PAYLOAD + 1, &p), ERR_TOOBIG,
	    "one byte more is too big");
	is_int(eio_decode_binary(big, EIO_MAX_PAYLOAD + 1, &p), ERR_TOOBIG,
	    "a binary frame too");
	is_int(eio_payload_init(&(struct eio_reader){ 0 }, big,
	    EIO_MAX_PAYLOAD + 1), ERR_TOOBIG, "a polling payload too");
	free(big);

	ok(eio_decode_binary(S("\x01\x02\x03\x04"), &p) == ERR_OK &&
	    p.type == EIO_MESSAGE && p.binary && p.len == 4 &&
	    memcmp(p.data, "\x01\x02\x03\x04", 4) == 0,
	    "a binary frame is a binary message");
	ok(eio_decode_binary("", 0, &p) == ERR_OK && p.len == 0,
	    "an empty binary frame is an empty binary message");
	is_str(eio_type_str(EIO_UPGRADE), "upgrade", "type names");
	is_str(eio_type_str(EIO__MAX), "unknown", "unknown type name");
}

static void
test_payload(void)
{
	struct buf scratch = BUF_INIT;
	struct eio_reader r;
	struct eio_packet p;
	struct buf many = BUF_INIT;
	int i, n;
	enum err rc;

	/* the two examples of the protocol description */
	is_int(eio_payload_init(&r, S("4hello\x1e" "4\xe2\x82\xac")), ERR_OK,
	    "payload of two text messages");
	ok(eio_payload_next(&r, &p, &scratch) == ERR_OK &&
	    p.type == EIO_MESSAGE && !p.binary &&
	    strcmp(data_of(&p), "hello") == 0, "first is 'hello'");
	ok(eio_payload_next(&r, &p, &scratch) == ERR_OK &&
	    strcmp(data_of(&p), "\xe2\x82\xac") == 0, "second is the euro");
	is_int(eio_payload_next(&r, &p, &scratch), ERR_NOTFOUND, "then end");
	is_int(eio_payload_next(&r, &p, &scratch), ERR_NOTFOUND,
	    "and stays at the end");

	eio_payload_init(&r, S("4hello\x1e" "bAQIDBA=="));
	ok(eio_payload_next(&r, &p, &scratch) == ERR_OK &&
	    strcmp(data_of(&p), "hello") == 0, "text then binary: text");
	ok(eio_payload_next(&r, &p, &scratch) == ERR_OK && p.binary &&
	    p.type == EIO_MESSAGE && p.len == 4 &&
	    memcmp(p.data, "\x01\x02\x03\x04", 4) == 0,
	    "... binary <01 02 03 04> from base64");
	is_int(eio_payload_next(&r, &p, &scratch), ERR_NOTFOUND, "end");

	eio_payload_init(&r, S("2probe"));
	ok(eio_payload_next(&r, &p, &scratch) == ERR_OK &&
	    p.type == EIO_PING && strcmp(data_of(&p), "probe") == 0,
	    "one packet without separator");

	eio_payload_init(&r, S("b"));
	ok(eio_payload_next(&r, &p, &scratch) == ERR_OK && p.binary &&
	    p.len == 0, "'b' alone is an empty binary message");

	is_int(eio_payload_init(&r, "", 0), ERR_INVAL, "empty payload");
	eio_payload_init(&r, S("4a\x1e"));
	eio_payload_next(&r, &p, &scratch);
	is_int(eio_payload_next(&r, &p, &scratch), ERR_INVAL,
	    "trailing separator: empty packet");
	eio_payload_init(&r, S("\x1e" "4a"));
	is_int(eio_payload_next(&r, &p, &scratch), ERR_INVAL,
	    "leading separator: empty packet");
	eio_payload_init(&r, S("4a\x1e\x1e" "4b"));
	eio_payload_next(&r, &p, &scratch);
	is_int(eio_payload_next(&r, &p, &scratch), ERR_INVAL,
	    "double separator: empty packet");
	eio_payload_init(&r, S("bAQ"));
	is_int(eio_payload_next(&r, &p, &scratch), ERR_INVAL,
	    "truncated base64");
	eio_payload_init(&r, S("bAQ\xc3\xa9=="));
	is_int(eio_payload_next(&r, &p, &scratch), ERR_INVAL,
	    "non-ASCII in base64");
	eio_payload_init(&r, S("8x\x1e" "4a"));
	is_int(eio_payload_next(&r, &p, &scratch), ERR_INVAL,
	    "unknown type in a payload");

	for (i = 0; i <= EIO_MAX_PACKETS; i++)
		eio_payload_add(&many, &(struct eio_packet){ EIO_NOOP, 0,
		    "", 0 });
	eio_payload_init(&r, many.p, many.len);
	for (n = 0; (rc = eio_payload_next(&r, &p, &scratch)) == ERR_OK; n++)
		;
	ok(n == EIO_MAX_PACKETS && rc == ERR_TOOBIG,
	    "at most %d packets in a payload (read %d)", EIO_MAX_PACKETS, n);
	buf_free(&many);
	buf_free(&scratch);
}

static void
test_encode(void)
{
	struct buf b = BUF_INIT;

	ok(eio_encode(&b, &(struct eio_packet){ EIO_MESSAGE, 0, "hello",
	    5 }) == ERR_OK && strcmp(buf_str(&b), "4hello") == 0,
	    "text message frame");
	buf_reset(&b);
	eio_encode(&b, &(struct eio_packet){ EIO_PONG, 0, "probe", 5 });
	is_str(buf_str(&b), "3probe", "pong probe");
	buf_reset(&b);
	eio_encode(&b, &(struct eio_packet){ EIO_PING, 0, NULL, 0 });
	is_str(buf_str(&b), "2", "ping without data");
	buf_reset(&b);
	ok(eio_encode(&b, &(struct eio_packet){ EIO_MESSAGE, 1,
	    "\x01\x02\x03", 3 }) == ERR_OK && b.len == 3 &&
	    memcmp(b.p, "\x01\x02\x03", 3) == 0,
	    "binary message frame is the raw bytes");
	buf_reset(&b);
	is_int(eio_encode(&b, &(struct eio_packet){ EIO_PING, 1, "x", 1 }),
	    ERR_INVAL, "binary ping refused");
	is_int(eio_encode(&b, &(struct eio_packet){ EIO__MAX, 0, "x", 1 }),
	    ERR_INVAL, "unknown type refused");
	is_int(eio_payload_add(&b, &(struct eio_packet){ 9, 0, "x", 1 }),
	    ERR_INVAL, "... in a payload too");
	is_int(b.len, 0, "nothing written on error");

	eio_payload_add(&b, &(struct eio_packet){ EIO_MESSAGE, 0, "hello",
	    5 });
	eio_payload_add(&b, &(struct eio_packet){ EIO_MESSAGE, 1,
	    "\x01\x02\x03\x04", 4 });
	is_str(buf_str(&b), "4hello\x1e" "bAQIDBA==",
	    "payload as in the protocol description");
	buf_free(&b);
}

/* Encodes packets of every type and binary messages of every length
 * modulo 3 into a payload and reads them back. */
static void
test_round_trip(void)
{
	struct buf b = BUF_INIT, scratch = BUF_INIT;
	unsigned char bin[300];
	struct eio_packet p, in[40];
	struct eio_reader r;
	int i, n, same = 1;

	for (i = 0; i < (int)sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 37 + 11);
	for (i = 0; i < 40; i++) {
		in[i].type = (enum eio_type)(i % EIO__MAX);
		in[i].binary = i % 3 == 0;
		if (in[i].binary)
			in[i].type = EIO_MESSAGE;
		in[i].data = in[i].binary ? (const char *)bin + i :
		    "text \xe2\x82\xac" + (i % 5);
		in[i].len = in[i].binary ? (size_t)i * 7 % 11 :
		    strlen(in[i].data);
		eio_payload_add(&b, &in[i]);
	}
	eio_payload_init(&r, b.p, b.len);
	for (n = 0; eio_payload_next(&r, &p, &scratch) == ERR_OK; n++)
		if (n >= 40 || p.type != in[n].type ||
		    p.binary != in[n].binary || p.len != in[n].len ||
		    memcmp(p.data, in[n].data, p.len) != 0)
			same = 0;
	ok(n == 40 && same, "payload round trip of 40 packets (%d read)", n);
	buf_free(&b);
	buf_free(&scratch);
}

static void
test_handshake(void)
{
	struct eio_handshake h = { "lv_VI97HAXpY6yYWAAAC", 1,
	    EIO_PING_INTERVAL, EIO_PING_TIMEOUT, EIO_MAX_PAYLOAD };
	struct eio_handshake g;
	struct buf b = BUF_INIT;
	static const char *const bad[] = {
		"", "[]", "null", "{",
		"{\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1,"
		    "\"maxPayload\":1}",
		"{\"sid\":1,\"upgrades\":[],\"pingInterval\":1,"
		    "\"pingTimeout\":1,\"maxPayload\":1}",
		"{\"sid\":\"\",\"upgrades\":[],\"pingInterval\":1,"
		    "\"pingTimeout\":1,\"maxPayload\":1}",
		"{\"sid\":\"a\",\"upgrades\":\"websocket\",\"pingInterval\":1,"
		    "\"pingTimeout\":1,\"maxPayload\":1}",
		"{\"sid\":\"a\",\"upgrades\":[1],\"pingInterval\":1,"
		    "\"pingTimeout\":1,\"maxPayload\":1}",
		"{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":\"1\","
		    "\"pingTimeout\":1,\"maxPayload\":1}",
		"{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":0,"
		    "\"pingTimeout\":1,\"maxPayload\":1}",
		"{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,"
		    "\"pingTimeout\":-5,\"maxPayload\":1}",
		"{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,"
		    "\"pingTimeout\":1,\"maxPayload\":1.5}",
		"{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,"
		    "\"pingTimeout\":1,\"maxPayload\":99999999999}",
		"{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,"
		    "\"pingTimeout\":1}",
		"{\"sid\":\"a\\u0000b\",\"upgrades\":[],\"pingInterval\":1,"
		    "\"pingTimeout\":1,\"maxPayload\":1}",
		"{\"sid\":\"01234567890123456789012345678901234567890123456789"
		    "01234567890123456789\",\"upgrades\":[],\"pingInterval\":1,"
		    "\"pingTimeout\":1,\"maxPayload\":1}",
	};
	size_t i;

	is_int(eio_handshake_encode(&b, &h), ERR_OK, "handshake encodes");
	is_str(buf_str(&b), HANDSHAKE, "as in the protocol description");
	ok(eio_handshake_decode(b.p, b.len, &g) == ERR_OK &&
	    strcmp(g.sid, h.sid) == 0 && g.upgrade == 1 &&
	    g.ping_interval == 25000 && g.ping_timeout == 20000 &&
	    g.max_payload == 1000000, "and decodes back");
	buf_reset(&b);
	h.upgrade = 0;
	eio_handshake_encode(&b, &h);
	ok(strstr(buf_str(&b), "\"upgrades\":[]") != NULL,
	    "no upgrade: empty upgrades");
	ok(eio_handshake_decode(b.p, b.len, &g) == ERR_OK && g.upgrade == 0,
	    "... decodes with upgrade 0");
	is_int(eio_handshake_decode(S("{\"sid\":\"x\",\"upgrades\":[\"foo\","
	    "\"websocket\"],\"pingInterval\":1,\"pingTimeout\":2,"
	    "\"maxPayload\":3,\"extra\":{}}"), &g), ERR_OK,
	    "unknown upgrades and members are ignored");
	is_int(g.upgrade, 1, "... websocket found");
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		is_int(eio_handshake_decode(bad[i], strlen(bad[i]), &g),
		    ERR_INVAL, "refuses handshake #%zu", i);
	is_str(g.sid, "", "refused handshake leaves no sid");
	h.sid[0] = '\0';
	is_int(eio_handshake_encode(&b, &h), ERR_INVAL, "empty sid refused");
	buf_free(&b);
}

int
main(void)
{
	test_decode();
	test_payload();
	test_encode();
	test_round_trip();
	test_handshake();
	return done_testing();
}
