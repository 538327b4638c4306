/* fuzz_ws.c: libFuzzer target for the WebSocket codec. The first input
 * byte picks how the rest is cut and what the server does with messages
 * (echo them, close after one); the rest is what a client sends. Checked:
 * text messages are UTF-8, nothing arrives after the close, and what the
 * server writes is a sequence of well-formed unmasked server frames. A few
 * inputs starting with 'H' go to the handshake instead. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "utf8.h"
#include "ws.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	struct ws	*ws;
	int		 mode;
	int		 count;
};

static void
on_message(void *arg, int binary, const void *p, size_t n)
{
	struct state *st = arg;

	check(ws_state(st->ws) == WS_OPEN);
	check(binary || utf8_check(p, n, NULL));
	st->count++;
	if (st->mode & 1)
		check(ws_send(st->ws, binary ? WS_BINARY : WS_TEXT, p, n) ==
		    ERR_OK);
	if (st->mode & 2)
		check(ws_close(st->ws, WS_CLOSE_NORMAL, "done") == ERR_OK);
	if (st->mode & 4)
		ws_send(st->ws, WS_PING, p, n);
}

/* Checks that out holds whole server frames, the close (if any) last. */
static void
frames(const struct buf *out)
{
	const unsigned char *p = (const unsigned char *)out->p;
	size_t off = 0, hl;
	uint64_t n;
	int op, closed = 0;

	while (off < out->len) {
		check(!closed);
		check(out->len - off >= 2);
		op = p[off] & 0x0f;
		check((p[off] & 0x70) == 0 && (p[off + 1] & 0x80) == 0);
		check(op == 1 || op == 2 || op == 8 || op == 9 || op == 10);
		check(p[off] & 0x80);	/* the server never fragments */
		n = p[off + 1] & 0x7f;
		hl = 2;
		if (n == 126) {
			check(out->len - off >= 4);
			n = (uint64_t)p[off + 2] << 8 | p[off + 3];
			hl = 4;
		} else if (n == 127) {
			int i;

			check(out->len - off >= 10);
			for (n = 0, i = 0; i < 8; i++)
				n = n << 8 | p[off + 2 + i];
			hl = 10;
		}
		check(op < 8 || n <= 125);
		check(n <= out->len - off - hl);
		if (op == 8) {
			closed = 1;
			check(n != 1);
		}
		off += hl + n;
	}
}

static void
handshake(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *f[5] = { NULL }, *q;
	struct ws_handshake h;
	struct buf out = BUF_INIT;
	int i;

	memcpy(s, data, size);
	s[size] = '\0';
	for (i = 0, q = s; i < 5 && q != NULL; i++) {
		f[i] = q;
		if ((q = strchr(q, '\n')) != NULL)
			*q++ = '\0';
	}
	h.method = f[0];
	h.upgrade = f[1];
	h.connection = f[2];
	h.key = f[3];
	h.version = f[4];
	if (ws_handshake(&h, &out) == ERR_OK)
		check(strstr(buf_str(&out), "Sec-WebSocket-Accept: ") != NULL);
	else
		check(strncmp(buf_str(&out), "HTTP/1.1 4", 10) == 0);
	buf_free(&out);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_cb cb = { on_message, NULL };
	struct buf out = BUF_INIT;
	struct state st = { NULL, 0, 0 };
	unsigned cut;
	size_t k;
	enum err e;

	if (size < 1)
		return 0;
	if (data[0] == 'H') {
		handshake(data + 1, size - 1);
		return 0;
	}
	st.mode = data[0] & 7;
	cut = data[0] >> 3;
	data++;
	size--;
	cb.arg = &st;
	st.ws = ws_new(&cb, 4096, &out);
	while (size > 0) {
		k = cut == 0 ? size : 1 + cut % 13;
		if (k > size)
			k = size;
		e = ws_feed(st.ws, data, k);
		if (e != ERR_OK)
			check(ws_state(st.ws) == WS_CLOSED &&
			    ws_close_code(st.ws) >= 1000);
		data += k;
		size -= k;
		cut = cut * 1103515245u + 12345u;
	}
	frames(&out);
	ws_free(st.ws);
	buf_free(&out);
	return 0;
}
