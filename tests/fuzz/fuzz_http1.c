/* fuzz_http1.c: libFuzzer target for the request head parser, the chunked
 * body decoder and percent-decoding of cwebui-streamd (http1.c). The first
 * input byte picks how the rest is cut; the checks: finding the head end
 * piece by piece agrees with finding it at once, a parsed head has sane
 * fields, and cutting never changes a decoded chunked body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "http1.h"

#define MAX_BODY	4096

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Finds the head end feeding n bytes in pieces from cut. */
static long
head_end_cut(const char *p, size_t n, unsigned cut)
{
	size_t have = 0, k;
	long r = 0;

	while (have < n) {
		k = 1 + cut % 13;
		cut = cut * 1103515245u + 12345u;
		have = have + k < n ? have + k : n;
		r = http1_head_end(p, have, have > k ? have - k : 0);
		if (r != 0)
			return r;
	}
	return r;
}

static void
check_head(const char *p, size_t n)
{
	struct http1_head h;
	struct buf path = BUF_INIT;
	char *copy = malloc(n + 1), *v;
	size_t i;
	int st;

	memcpy(copy, p, n);
	copy[n] = '\0';
	st = http1_parse_head(&h, copy, n);
	check(st == 0 || st == 400 || st == 413 || st == 431 || st == 501 ||
	    st == 505);
	if (st == 0) {
		check(h.target[0] == '/');
		check(h.path_len <= strlen(h.target));
		check(h.nheaders <= HTTPD_MAX_HEADERS);
		check(h.content_length <= HTTPD_MAX_BODY);
		check(!(h.chunked && h.content_length >= 0));
		for (i = 0; i < h.nheaders; i++)
			check(strchr(h.headers[i].value, '\r') == NULL &&
			    strchr(h.headers[i].value, '\n') == NULL);
		if (http1_pct_decode(h.target, h.path_len, &path) == 0)
			check(strlen(path.p) == path.len);
		v = http1_query_get(h.query, "EIO");
		free(v);
	}
	buf_free(&path);
	free(copy);
}

/* Decodes a chunked body in pieces; returns the result, body in b. */
static int
chunked(const char *p, size_t n, unsigned cut, struct buf *b)
{
	struct http1_chunked ck;
	size_t k, used;
	int r = 0;

	http1_chunked_init(&ck);
	buf_reset(b);
	while (n > 0) {
		k = cut == 0 ? n : 1 + cut % 11;
		if (k > n)
			k = n;
		cut = cut * 1103515245u + 12345u;
		r = http1_chunked_feed(&ck, p, k, &used, b, MAX_BODY);
		check(used <= k);
		if (r != 0)
			break;
		check(used == k);
		p += used;
		n -= used;
	}
	check(b->len <= MAX_BODY);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;
	struct buf a = BUF_INIT, b = BUF_INIT;
	unsigned cut;
	long end;
	int ra, rb;

	if (size < 1)
		return 0;
	cut = data[0] | 1;
	size--;
	end = http1_head_end(p, size, 0);
	check(end == head_end_cut(p, size, cut));
	if (end > 0)
		check_head(p, (size_t)end);
	else
		check_head(p, size);	/* not a head: must be refused */
	ra = chunked(p, size, 0, &a);
	rb = chunked(p, size, cut, &b);
	check(ra == rb);
	if (ra == 1)
		check(a.len == b.len && (a.len == 0 ||
		    memcmp(a.p, b.p, a.len) == 0));
	buf_free(&a);
	buf_free(&b);
	return 0;
}
