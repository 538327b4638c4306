/* t_ws.c: the WebSocket codec: handshake, frames in and out, failures. */
#include <string.h>

#include "buf.h"
#include "tap.h"
#include "ws.h"

struct got {
	struct buf	 msgs;	/* "T:text|" or "B:<n>|" per message */
	int		 count;
};

static void
on_message(void *arg, int binary, const void *p, size_t n)
{
	struct got *g = arg;

	g->count++;
	if (binary)
		buf_printf(&g->msgs, "B:%zu|", n);
	else {
		buf_puts(&g->msgs, "T:");
		buf_append(&g->msgs, p, n);
		buf_putc(&g->msgs, '|');
	}
}

/* Appends a client frame: masked with a fixed key unless mask is 0. */
static void
frame(struct buf *b, int fin, int op, const void *p, size_t n, int mask)
{
	static const unsigned char key[4] = { 0x37, 0xfa, 0x21, 0x3d };
	const unsigned char *s = p;
	unsigned char h[14];
	size_t hl = 2, i;

	h[0] = (unsigned char)((fin ? 0x80 : 0) | op);
	if (n < 126)
		h[1] = (unsigned char)n;
	else if (n < 65536) {
		h[1] = 126;
		h[2] = (unsigned char)(n >> 8);
		h[3] = (unsigned char)n;
		hl = 4;
	} else {
		h[1] = 127;
		for (i = 0; i < 8; i++)
			h[2 + i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
		hl = 10;
	}
	if (mask) {
		h[1] |= 0x80;
		memcpy(h + hl, key, 4);
		hl += 4;
	}
	buf_append(b, h, hl);
	for (i = 0; i < n; i++)
		buf_putc(b, (char)(mask ? s[i] ^ key[i % 4] : s[i]));
}

/* Feeds in to a fresh codec (all at once, or byte by byte), and returns
 * the first error; out gets what the server wrote. */
static enum err
run(const struct buf *in, int bytewise, size_t max, struct got *g,
    struct buf *out, uint16_t *code, enum ws_state *st)
{
	struct ws_cb cb = { on_message, g };
	struct ws *ws = ws_new(&cb, max, out);
	enum err e = ERR_OK, r;
	size_t i;

	if (!bytewise)
		e = ws_feed(ws, in->p, in->len);
	else
		for (i = 0; i < in->len; i++)
			if ((r = ws_feed(ws, in->p + i, 1)) != ERR_OK &&
			    e == ERR_OK)
				e = r;
	*code = ws_close_code(ws);
	*st = ws_state(ws);
	ws_free(ws);
	return e;
}

/* Checks that in makes the server fail the connection with code. */
static void
fails(const struct buf *in, uint16_t want, const char *what)
{
	struct got g = { BUF_INIT, 0 };
	struct buf out = BUF_INIT;
	enum ws_state st;
	uint16_t code;
	enum err e;
	int bw;

	for (bw = 0; bw < 2; bw++) {
		buf_reset(&out);
		e = run(in, bw, 1 << 20, &g, &out, &code, &st);
		ok(e == (want == WS_CLOSE_TOO_BIG ? ERR_TOOBIG : ERR_INVAL) &&
		    code == want && st == WS_CLOSED && out.len >= 4 &&
		    (unsigned char)out.p[out.len - 4] == 0x88 &&
		    out.p[out.len - 3] == 2 &&
		    (unsigned char)out.p[out.len - 2] == want >> 8 &&
		    (unsigned char)out.p[out.len - 1] == (want & 0xff),
		    "%s: close %u%s (got err %d, code %u)", what, want,
		    bw ? ", byte by byte" : "", e, code);
	}
	buf_free(&g.msgs);
	buf_free(&out);
}

static void
test_handshake(void)
{
	struct ws_handshake h = { "GET", "websocket", "Upgrade",
	    "dGhlIHNhbXBsZSBub25jZQ==", "13" };
	char acc[WS_ACCEPT_SIZE];
	struct buf out = BUF_INIT;

	ok(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", acc) == ERR_OK,
	    "accept key computed");
	is_str(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "RFC 6455 1.3 example");

	is_int(ws_handshake(&h, &out), ERR_OK, "valid handshake");
	is_str(buf_str(&out), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
	    "101 response");

	h.upgrade = "WebSocket";
	h.connection = "keep-alive, Upgrade";
	buf_reset(&out);
	is_int(ws_handshake(&h, &out), ERR_OK,
	    "tokens in lists, any case (Firefox's Connection)");

	h.version = "8";
	buf_reset(&out);
	ok(ws_handshake(&h, &out) == ERR_INVAL && strstr(buf_str(&out),
	    "426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n") != NULL,
	    "version 8: 426 naming 13");
	h.version = "13";

	{
		struct ws_handshake bad[] = {
			{ "POST", "websocket", "Upgrade",
			    "dGhlIHNhbXBsZSBub25jZQ==", "13" },
			{ "GET", NULL, "Upgrade",
			    "dGhlIHNhbXBsZSBub25jZQ==", "13" },
			{ "GET", "websockets", "Upgrade",
			    "dGhlIHNhbXBsZSBub25jZQ==", "13" },
			{ "GET", "websocket", "keep-alive",
			    "dGhlIHNhbXBsZSBub25jZQ==", "13" },
			{ "GET", "websocket", "Upgrade", NULL, "13" },
			{ "GET", "websocket", "Upgrade", "dGhlIHNhbXBsZQ==",
			    "13" },
			{ "GET", "websocket", "Upgrade",
			    "dGhlIHNhbXBsZSBub25jZQ=!", "13" },
			{ "GET", "websocket", "Upgrade",
			    "dGhlIHNhbXBsZSBub25j*Q==", "13" },
			{ "GET", "websocket", "Upgrade",
			    "dGhlIHNhbXBsZSBub25jZQ==", NULL },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			buf_reset(&out);
			ok(ws_handshake(&bad[i], &out) == ERR_INVAL &&
			    strncmp(buf_str(&out), "HTTP/1.1 400 Bad Request"
			    "\r\n", 26) == 0, "bad handshake %zu: 400", i);
		}
	}
	buf_free(&out);
}

static void
test_receive(void)
{
	static const unsigned char hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21,
	    0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct got g = { BUF_INIT, 0 };
	static char big[70000];
	enum ws_state st;
	uint16_t code;
	int bw;

	for (bw = 0; bw < 2; bw++) {
		const char *how = bw ? " (byte by byte)" : "";

		buf_reset(&in);
		buf_reset(&out);
		buf_reset(&g.msgs);
		buf_append(&in, hello, sizeof(hello));
		is_int(run(&in, bw, 1000, &g, &out, &code, &st), ERR_OK,
		    "RFC masked Hello%s", how);
		is_str(buf_str(&g.msgs), "T:Hello|", "Hello delivered%s", how);
		ok(out.len == 0 && st == WS_OPEN, "nothing written, open%s",
		    how);

		/* RFC 5.7: "Hel" + "lo" fragments, a ping between them. */
		buf_reset(&in);
		buf_reset(&g.msgs);
		frame(&in, 0, 1, "Hel", 3, 1);
		frame(&in, 1, 9, "pi", 2, 1);
		frame(&in, 1, 0, "lo", 2, 1);
		is_int(run(&in, bw, 1000, &g, &out, &code, &st), ERR_OK,
		    "fragments%s", how);
		is_str(buf_str(&g.msgs), "T:Hello|", "joined%s", how);
		ok(out.len == 4 && memcmp(out.p, "\x8a\x02pi", 4) == 0,
		    "ping answered by an unmasked pong%s", how);

		/* U+20AC split between two fragments. */
		buf_reset(&in);
		buf_reset(&g.msgs);
		frame(&in, 0, 1, "a\xe2\x82", 3, 1);
		frame(&in, 1, 0, "\xac", 1, 1);
		is_int(run(&in, bw, 1000, &g, &out, &code, &st), ERR_OK,
		    "UTF-8 across fragments%s", how);
		is_str(buf_str(&g.msgs), "T:a\xe2\x82\xac|", "euro sign%s", how);

		/* 16-bit and 64-bit lengths, binary. */
		buf_reset(&in);
		buf_reset(&g.msgs);
		frame(&in, 1, 2, big, 200, 1);
		frame(&in, 1, 2, big, sizeof(big), 1);
		is_int(run(&in, bw, 1 << 20, &g, &out, &code, &st), ERR_OK,
		    "long frames%s", how);
		is_str(buf_str(&g.msgs), "B:200|B:70000|", "200 and 70000 "
		    "bytes%s", how);

		/* A close with 1000 and a reason is echoed; later bytes are
		 * ignored. */
		buf_reset(&in);
		buf_reset(&out);
		buf_reset(&g.msgs);
		frame(&in, 1, 8, "\x03\xe8" "bye", 5, 1);
		frame(&in, 1, 1, "late", 4, 1);
		is_int(run(&in, bw, 1000, &g, &out, &code, &st), ERR_OK,
		    "close%s", how);
		ok(code == 1000 && st == WS_CLOSED && out.len == 7 &&
		    memcmp(out.p, "\x88\x05\x03\xe8" "bye", 7) == 0 &&
		    g.msgs.len == 0, "close echoed, closed%s",
		    how);

		buf_reset(&in);
		buf_reset(&out);
		frame(&in, 1, 8, "", 0, 1);
		is_int(run(&in, bw, 1000, &g, &out, &code, &st), ERR_OK,
		    "empty close%s", how);
		ok(code == WS_CLOSE_NO_STATUS && out.len == 2 &&
		    memcmp(out.p, "\x88\x00", 2) == 0, "1005, empty close "
		    "answered%s", how);
	}
	buf_free(&in);
	buf_free(&out);
	buf_free(&g.msgs);
}

static void
test_failures(void)
{
	struct buf in = BUF_INIT;
	static const unsigned char len_msb[] = { 0x82, 0xff, 0x80, 0, 0, 0,
	    0, 0, 0, 1, 0, 0, 0, 0 };
	static const unsigned char len_loose[] = { 0x82, 0xfe, 0, 5, 0, 0, 0,
	    0, 1, 2, 3, 4, 5 };
	static char many[(1 << 20) + 1];

#define CASE(what, want, ...) do {	\
	buf_reset(&in);			\
	__VA_ARGS__;			\
	fails(&in, want, what);		\
} while (0)

	CASE("unmasked client frame", 1002,
	    frame(&in, 1, 1, "Hello", 5, 0));
	CASE("invalid UTF-8 text", 1007, frame(&in, 1, 1, "a\xff", 2, 1));
	CASE("overlong UTF-8 text", 1007, frame(&in, 1, 1, "\xc0\xaf", 2, 1));
	CASE("surrogate in text", 1007,
	    frame(&in, 1, 1, "\xed\xa0\x80", 3, 1));
	CASE("truncated UTF-8 at message end", 1007,
	    frame(&in, 0, 1, "a", 1, 1); frame(&in, 1, 0, "\xe2\x82", 2, 1));
	CASE("bad UTF-8 across fragments", 1007,
	    frame(&in, 0, 1, "\xe2", 1, 1); frame(&in, 1, 0, "\x28", 1, 1));
	CASE("ping over 125 bytes", 1002, frame(&in, 1, 9, many, 126, 1));
	CASE("fragmented ping", 1002, frame(&in, 0, 9, "x", 1, 1));
	CASE("continuation without start", 1002,
	    frame(&in, 1, 0, "x", 1, 1));
	CASE("text inside a fragmented message", 1002,
	    frame(&in, 0, 1, "a", 1, 1); frame(&in, 1, 1, "b", 1, 1));
	CASE("reserved opcode 3", 1002, frame(&in, 1, 3, "", 0, 1));
	CASE("reserved control opcode 11", 1002,
	    frame(&in, 1, 11, "", 0, 1));
	CASE("RSV1 without extension", 1002,
	    frame(&in, 1, 1, "x", 1, 1); in.p[0] |= 0x40);
	CASE("close code 999", 1002, frame(&in, 1, 8, "\x03\xe7", 2, 1));
	CASE("close code 1005 on the wire", 1002,
	    frame(&in, 1, 8, "\x03\xed", 2, 1));
	CASE("close code 5000", 1002, frame(&in, 1, 8, "\x13\x88", 2, 1));
	CASE("close with a 1-byte body", 1002,
	    frame(&in, 1, 8, "\x03", 1, 1));
	CASE("close reason not UTF-8", 1007,
	    frame(&in, 1, 8, "\x03\xe8\xff", 3, 1));
	CASE("64-bit length with its top bit", 1002,
	    buf_append(&in, len_msb, sizeof(len_msb)));
	CASE("length not in its shortest form", 1002,
	    buf_append(&in, len_loose, sizeof(len_loose)));
	CASE("message over the maximum", 1009,
	    frame(&in, 0, 2, many, 200, 1);
	    frame(&in, 0, 0, many, 200, 1);
	    frame(&in, 1, 0, many, 1 << 20, 1));
#undef CASE
	buf_free(&in);
}

static void
test_send(void)
{
	struct ws_cb cb = { on_message, NULL };
	struct got g = { BUF_INIT, 0 };
	struct buf out = BUF_INIT, in = BUF_INIT;
	static char big[70000];
	struct ws *ws;

	cb.arg = &g;
	ws = ws_new(&cb, 1000, &out);
	is_int(ws_send(ws, WS_TEXT, "Hello", 5), ERR_OK, "send text");
	ok(out.len == 7 && memcmp(out.p, "\x81\x05Hello", 7) == 0,
	    "81 05 Hello, unmasked");
	buf_reset(&out);
	ws_send(ws, WS_BINARY, big, 256);
	ok(out.len == 260 && memcmp(out.p, "\x82\x7e\x01\x00", 4) == 0,
	    "256 bytes: 16-bit length");
	buf_reset(&out);
	ws_send(ws, WS_BINARY, big, sizeof(big));
	ok(out.len == sizeof(big) + 10 && memcmp(out.p, "\x82\x7f\0\0\0\0"
	    "\x00\x01\x11\x70", 10) == 0, "70000 bytes: 64-bit length");
	buf_reset(&out);
	ws_send(ws, WS_PING, "", 0);
	ok(out.len == 2 && memcmp(out.p, "\x89\x00", 2) == 0, "ping");
	is_int(ws_send(ws, WS_PING, big, 126), ERR_TOOBIG, "ping too long");

	buf_reset(&out);
	is_int(ws_close(ws, WS_CLOSE_GOING_AWAY, "bye"), ERR_OK, "close");
	ok(out.len == 7 && memcmp(out.p, "\x88\x05\x03\xe9" "bye", 7) == 0,
	    "close frame 1001 bye");
	is_int(ws_state(ws), WS_CLOSING, "closing");
	is_int(ws_send(ws, WS_TEXT, "x", 1), ERR_INVAL, "no send after close");
	is_int(ws_close(ws, 1000, NULL), ERR_INVAL, "no second close");

	buf_reset(&out);
	frame(&in, 1, 1, "still", 5, 1);
	frame(&in, 1, 8, "\x03\xe9", 2, 1);
	is_int(ws_feed(ws, in.p, in.len), ERR_OK, "peer answers the close");
	ok(ws_state(ws) == WS_CLOSED && out.len == 0 && g.count == 0,
	    "closed; data after our close dropped, no second close frame");
	ws_free(ws);
	buf_free(&out);
	buf_free(&in);
	buf_free(&g.msgs);
}

int
main(void)
{
	test_handshake();
	test_receive();
	test_failures();
	test_send();
	return done_testing();
}
