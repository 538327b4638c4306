/* fuzz_sse.c: libFuzzer target for the SSE parser, the NDJSON splitter and
 * the SSE writer. The first input byte picks the mode and how the rest is
 * cut; the checks: cutting never changes what comes out, everything that
 * comes out is UTF-8 with a NUL after it, and a record written by
 * sse_write() parses back to the same data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "sse.h"
#include "utf8.h"

#define MAX	256

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
on_event(void *arg, const struct sse_event *ev)
{
	struct buf *b = arg;

	check(ev->data[ev->len] == '\0');
	check(utf8_check(ev->data, ev->len, NULL));
	check(utf8_check(ev->type, strlen(ev->type), NULL));
	buf_printf(b, "%zu:%s|%s|", ev->len, ev->type, ev->id);
	buf_append(b, ev->data, ev->len);
}

static void
on_line(void *arg, const char *p, size_t n)
{
	struct buf *b = arg;

	check(p[n] == '\0');
	check(utf8_check(p, n, NULL));
	check(n > 0 && memchr(p, '\n', n) == NULL);
	buf_printf(b, "%zu:", n);
	buf_append(b, p, n);
}

/* Feeds data to an SSE parser (ndjson 0) or a splitter in pieces whose
 * sizes come from cut (0: all at once); returns the error. */
static enum err
run(int ndjson, int flags, const uint8_t *p, size_t n, unsigned cut,
    struct buf *got)
{
	struct sse_lines l;
	struct sse s;
	enum err e = ERR_OK;
	size_t k;

	if (ndjson)
		sse_lines_init(&l, SSE_LINES_NDJSON, MAX, on_line, got);
	else
		sse_init(&s, flags, MAX, on_event, got);
	while (n > 0) {
		k = cut == 0 ? n : 1 + cut % 7;
		if (k > n)
			k = n;
		e = ndjson ? sse_lines_feed(&l, p, k) : sse_feed(&s, p, k);
		p += k;
		n -= k;
		cut = cut * 1103515245u + 12345u;
	}
	e = ndjson ? sse_lines_finish(&l) : sse_finish(&s);
	if (ndjson)
		sse_lines_free(&l);
	else
		sse_free(&s);
	return e;
}

/* Writes data as a record and checks that it parses back whole. */
static void
roundtrip(const uint8_t *p, size_t n)
{
	struct buf out = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	struct sse s;

	sse_write(&out, NULL, (const char *)p, n);
	sse_init(&s, 0, 3 * out.len + 16, on_event, &got);	/* repair grows */
	check(sse_feed(&s, out.p, out.len) == ERR_OK);
	sse_free(&s);
	if (utf8_check(p, n, NULL) && memchr(p, '\r', n) == NULL) {
		buf_printf(&want, "%zu:message||", n);
		buf_append(&want, p, n);
		check(got.len == want.len &&
		    memcmp(got.p, want.p, got.len) == 0);
	} else
		check(got.len > 0);	/* one event, repaired */
	buf_free(&out);
	buf_free(&got);
	buf_free(&want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	enum err ea, eb;
	int ndjson, flags;
	unsigned cut;

	if (size < 1)
		return 0;
	ndjson = data[0] & 1;
	flags = data[0] & 2 ? SSE_EACH_DATA_LINE : 0;
	cut = data[0] >> 2 | 1;
	data++;
	size--;
	ea = run(ndjson, flags, data, size, 0, &a);
	eb = run(ndjson, flags, data, size, cut, &b);
	check(ea == eb);
	check(a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0));
	roundtrip(data, size < 300 ? size : 300);
	buf_free(&a);
	buf_free(&b);
	return 0;
}
