/* fuzz_sio.c: libFuzzer target for the Socket.IO codec. The input is a
 * text packet, then binary attachments, separated by 0x1e. A packet that
 * decodes whole must encode, decode again and encode to the same text and
 * the same attachments. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Returns 1 when the attachment arrays a and b hold the same bytes. */
static int
same_bins(json_object *a, json_object *b)
{
	const char *p, *q;
	size_t i, n, m;

	if (a == NULL || b == NULL)
		return a == b;
	if (json_object_array_length(a) != json_object_array_length(b))
		return 0;
	for (i = 0; i < json_object_array_length(a); i++)
		if (!sio_bytes_get(json_object_array_get_idx(a, i), &p, &n) ||
		    !sio_bytes_get(json_object_array_get_idx(b, i), &q, &m) ||
		    n != m || memcmp(p, q, n) != 0)
			return 0;
	return 1;
}

/* Decodes the text s and its attachments (all of bins) into pkt; returns 1
 * when the packet is complete. */
static int
decode_all(struct sio_packet *pkt, const char *s, size_t n, json_object *bins)
{
	const char *p;
	size_t i, len;
	int done = 0;

	if (sio_decode(pkt, s, n) != ERR_OK)
		return 0;
	for (i = 0; bins != NULL && i < json_object_array_length(bins); i++) {
		if (!sio_bytes_get(json_object_array_get_idx(bins, i), &p, &len)
		    || sio_attach(pkt, p, len, &done) != ERR_OK)
			return 0;
	}
	return !sio_pending(pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *sep;
	struct sio_packet pkt = { 0 }, again = { 0 };
	struct buf b1 = BUF_INIT, b2 = BUF_INIT;
	json_object *bins1 = NULL, *bins2 = NULL;
	size_t n;
	int done = 0;

	sio_packet_clear(&pkt);
	sio_packet_clear(&again);
	sep = memchr(s, '\x1e', size);
	n = sep != NULL ? (size_t)(sep - s) : size;
	if (sio_decode(&pkt, s, n) != ERR_OK)
		goto out;
	while (sep != NULL && sio_pending(&pkt)) {
		s = sep + 1;
		sep = memchr(s, '\x1e', (size_t)(end - s));
		n = sep != NULL ? (size_t)(sep - s) : (size_t)(end - s);
		if (sio_attach(&pkt, s, n, &done) != ERR_OK)
			abort();	/* placeholders were checked */
	}
	if (sio_pending(&pkt))
		goto out;
	if (sio_encode(&b1, &pkt, &bins1) != ERR_OK)
		abort();
	if (!decode_all(&again, b1.p, b1.len, bins1))
		abort();
	if (sio_encode(&b2, &again, &bins2) != ERR_OK ||
	    b1.len != b2.len || memcmp(b1.p, b2.p, b1.len) != 0 ||
	    !same_bins(bins1, bins2))
		abort();
out:
	json_object_put(bins1);
	json_object_put(bins2);
	sio_packet_clear(&pkt);
	sio_packet_clear(&again);
	buf_free(&b1);
	buf_free(&b2);
	return 0;
}
