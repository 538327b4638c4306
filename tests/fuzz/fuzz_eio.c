/* fuzz_eio.c: libFuzzer target for the Engine.IO codec. The input is read
 * as a text packet, a binary frame, a polling payload and a handshake; what
 * decodes must encode back to an equal packet and decode again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the payload p twice side by side with the one re-encoded from it
 * and aborts when they differ. */
static void
fuzz_payload(const char *s, size_t n)
{
	struct buf scratch = BUF_INIT, again = BUF_INIT, scratch2 = BUF_INIT;
	struct eio_reader r, r2;
	struct eio_packet p, p2;
	enum err rc;

	if (eio_payload_init(&r, s, n) != ERR_OK)
		return;
	while ((rc = eio_payload_next(&r, &p, &scratch)) == ERR_OK)
		if (eio_payload_add(&again, &p) != ERR_OK)
			abort();
	if (rc != ERR_NOTFOUND || again.len == 0)
		goto done;
	/* the whole payload decoded: its re-encoding reads the same */
	eio_payload_init(&r, s, n);
	if (eio_payload_init(&r2, again.p, again.len) != ERR_OK)
		abort();
	while (eio_payload_next(&r, &p, &scratch) == ERR_OK) {
		if (eio_payload_next(&r2, &p2, &scratch2) != ERR_OK ||
		    p.type != p2.type || p.binary != p2.binary ||
		    p.len != p2.len || memcmp(p.data, p2.data, p.len) != 0)
			abort();
	}
	if (eio_payload_next(&r2, &p2, &scratch2) != ERR_NOTFOUND)
		abort();
done:
	buf_free(&scratch);
	buf_free(&scratch2);
	buf_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct eio_packet p;
	struct eio_handshake h, h2;
	struct buf b = BUF_INIT;

	if (eio_decode(s, size, &p) == ERR_OK) {
		if (eio_encode(&b, &p) != ERR_OK || b.len != size ||
		    memcmp(b.p, s, size) != 0)
			abort();
	}
	buf_reset(&b);
	if (eio_decode_binary(s, size, &p) == ERR_OK) {
		if (eio_encode(&b, &p) != ERR_OK || b.len != size ||
		    (size > 0 && memcmp(b.p, s, size) != 0))
			abort();
	}
	fuzz_payload(s, size);
	buf_reset(&b);
	if (eio_handshake_decode(s, size, &h) == ERR_OK) {
		if (eio_handshake_encode(&b, &h) != ERR_OK ||
		    eio_handshake_decode(b.p, b.len, &h2) != ERR_OK ||
		    memcmp(&h, &h2, sizeof(h)) != 0)
			abort();
	}
	buf_free(&b);
	return 0;
}
