/* t_http1.c: the request head parser, percent-decoding, query parameters
 * and the chunked body decoder of cwebui-streamd (http1.c). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http1.h"
#include "tap.h"

static struct http1_head h;

/* Parses a copy of s (a whole head); returns the status (0 for OK). */
static int
parse(const char *s)
{
	static char copy[HTTPD_MAX_HEAD + 16];
	size_t n = strlen(s);
	long end = http1_head_end(s, n, 0);

	if (end <= 0)
		return end < 0 ? (int)-end : -1;	/* -1: incomplete */
	memcpy(copy, s, n + 1);
	return http1_parse_head(&h, copy, (size_t)end);
}

static void
test_head(void)
{
	is_int(parse("GET /ws/socket.io/?EIO=4&transport=polling HTTP/1.1\r\n"
	    "Host: x\r\nX-A:  b c  \r\n\r\n"), 0, "a plain GET");
	is_str(h.method, "GET", "method");
	is_str(h.target, "/ws/socket.io/?EIO=4&transport=polling", "target");
	is_int(h.path_len, 14, "path length");
	is_str(h.query, "EIO=4&transport=polling", "query");
	is_int(h.nheaders, 2, "two headers");
	is_str(http1_header(h.headers, h.nheaders, "x-a"), "b c",
	    "value trimmed, name case-insensitive");
	ok(http1_header(h.headers, h.nheaders, "Nope") == NULL, "absent");
	is_int(h.content_length, -1, "no Content-Length");
	is_int(parse("POST /a HTTP/1.0\r\nContent-Length: 12\r\n\r\n"), 0,
	    "HTTP/1.0 with a length");
	is_int(h.minor, 0, "minor 0");
	is_int(h.content_length, 12, "length read");
	is_int(parse("POST /a HTTP/1.1\r\nContent-Length: 3\r\n"
	    "content-length: 3\r\n\r\n"), 0, "same length twice");
	is_int(parse("POST /a HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n"),
	    0, "chunked");
	ok(h.chunked, "chunked flag");
	is_str(h.query, "", "empty query");

	is_int(parse("GET /a HTTP/1.1\r\nHost: x\r\n"), -1, "incomplete");
	is_int(parse("GET /a HTTP/1.1\nHost: x\n\n"), -1, "bare LF never ends");
	is_int(parse("GET /a HTTP/1.1\r\nHost: x\nY: z\r\n\r\n"), 400,
	    "bare LF inside");
	is_int(parse("GET /a HTTP/1.1\r\nHost: x\ry\r\n\r\n"), 400, "bare CR");
	is_int(parse("GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), 400,
	    "obs-fold");
	is_int(parse("GET /a HTTP/1.1\r\nHost : x\r\n\r\n"), 400,
	    "space before colon");
	is_int(parse("GET /a HTTP/1.1\r\n: x\r\n\r\n"), 400, "empty name");
	is_int(parse("GET /a HTTP/1.1\r\nNoColon\r\n\r\n"), 400, "no colon");
	is_int(parse("GET /a HTTP/1.1\r\nA: x\001y\r\n\r\n"), 400,
	    "control byte in a value");
	is_int(parse("GET /a HTTP/1.1\r\nA: \xc3\xa9\r\n\r\n"), 0,
	    "obs-text in a value");
	is_int(parse("GET  /a HTTP/1.1\r\n\r\n"), 400, "two spaces");
	is_int(parse("GET a HTTP/1.1\r\n\r\n"), 400, "not origin-form");
	is_int(parse("GET http://x/a HTTP/1.1\r\n\r\n"), 400,
	    "absolute-form refused");
	is_int(parse("G(T /a HTTP/1.1\r\n\r\n"), 400, "bad method");
	is_int(parse("GET /a HTTP/2.0\r\n\r\n"), 505, "HTTP/2.0");
	is_int(parse("GET /a HTTP/1.2\r\n\r\n"), 505, "HTTP/1.2");
	is_int(parse("GET /a HTTP/1\r\n\r\n"), 400, "short version");
	is_int(parse("GET /a HTTP/1.1 \r\n\r\n"), 400, "trailing space");
	is_int(parse("\r\nGET /a HTTP/1.1\r\n\r\n"), 400, "leading empty line");
	is_int(parse("GET /a\x7f HTTP/1.1\r\n\r\n"), 400, "DEL in target");
	is_int(parse("POST /a HTTP/1.1\r\nContent-Length: 1x\r\n\r\n"), 400,
	    "length not digits");
	is_int(parse("POST /a HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400,
	    "negative length");
	is_int(parse("POST /a HTTP/1.1\r\nContent-Length:\r\n\r\n"), 400,
	    "empty length");
	is_int(parse("POST /a HTTP/1.1\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n"), 400, "two different lengths");
	is_int(parse("POST /a HTTP/1.1\r\nContent-Length: 16777217\r\n\r\n"),
	    413, "length over the maximum");
	is_int(parse("POST /a HTTP/1.1\r\nContent-Length: "
	    "99999999999999999999999999\r\n\r\n"), 413, "huge length");
	is_int(parse("POST /a HTTP/1.1\r\nContent-Length: 16777216\r\n\r\n"),
	    0, "length at the maximum");
	is_int(parse("POST /a HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
	    501, "unknown coding");
	is_int(parse("POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked"
	    "\r\n\r\n"), 501, "coding list");
	is_int(parse("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), 400, "chunked twice");
	is_int(parse("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 3\r\n\r\n"), 400, "chunked and a length");
	is_int(parse("POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
	    400, "chunked in HTTP/1.0");
}

static void
test_limits(void)
{
	struct buf b = BUF_INIT;
	int i;

	buf_puts(&b, "GET /a HTTP/1.1\r\n");
	for (i = 0; i < HTTPD_MAX_HEADERS; i++)
		buf_printf(&b, "H%d: v\r\n", i);
	buf_puts(&b, "\r\n");
	is_int(parse(b.p), 0, "100 headers");
	buf_reset(&b);
	buf_puts(&b, "GET /a HTTP/1.1\r\n");
	for (i = 0; i < HTTPD_MAX_HEADERS + 1; i++)
		buf_printf(&b, "H%d: v\r\n", i);
	buf_puts(&b, "\r\n");
	is_int(parse(b.p), 431, "101 headers");
	buf_reset(&b);
	buf_puts(&b, "GET /a HTTP/1.1\r\nA: ");
	while (b.len < HTTPD_MAX_HEAD)
		buf_putc(&b, 'x');
	is_int(http1_head_end(b.p, b.len, 0), -431, "head over 64 KiB");
	buf_puts(&b, "\r\n\r\n");
	is_int(http1_head_end(b.p, b.len, 0), -431, "its end comes too late");
	buf_reset(&b);
	buf_puts(&b, "GET /a HTTP/1.1\r\n\r");
	is_int(http1_head_end(b.p, b.len, 0), 0, "searching on");
	buf_puts(&b, "\nextra");
	is_int(http1_head_end(b.p, b.len, 18), 19, "found from an offset");
	buf_free(&b);
}

static void
test_decode(void)
{
	struct buf b = BUF_INIT;
	char *v;

	is_int(http1_pct_decode("/a%20b%2Fc", 10, &b), 0, "decodes");
	is_str(b.p, "/a b/c", "decoded");
	is_int(http1_pct_decode("/a%zz%4", 7, &b), 0, "bad escapes kept");
	is_str(b.p, "/a%zz%4", "as they were");
	is_int(http1_pct_decode("/a+b", 4, &b), 0, "plus in a path");
	is_str(b.p, "/a+b", "stays a plus");
	is_int(http1_pct_decode("/a%00", 5, &b), 400, "NUL refused");
	is_int(http1_pct_decode("", 0, &b), 0, "empty");
	is_str(buf_str(&b), "", "empty string");

	v = http1_query_get("EIO=4&transport=polling&t=a+b%21", "t");
	is_str(v, "a b!", "query value decoded");
	free(v);
	v = http1_query_get("EIO=4&transport=polling", "transport");
	is_str(v, "polling", "middle parameter");
	free(v);
	v = http1_query_get("a&b=1", "a");
	is_str(v, "", "a bare name");
	free(v);
	ok(http1_query_get("a=1&b=2", "c") == NULL, "absent");
	ok(http1_query_get("", "c") == NULL, "empty query");
	ok(http1_query_get("c=%00", "c") == NULL, "NUL refused");
	v = http1_query_get("a%3D=1&a=2", "a");
	is_str(v, "2", "escaped '=' belongs to the name");
	free(v);
	buf_free(&b);
}

/* Decodes s in pieces of step bytes; returns the result, body in b. */
static int
chunked(const char *s, size_t step, struct buf *b, size_t max, size_t *left)
{
	struct http1_chunked ck;
	size_t n = strlen(s), k, used;
	int r = 0;

	buf_reset(b);
	buf_puts(b, "");
	http1_chunked_init(&ck);
	while (n > 0) {
		k = n < step ? n : step;
		r = http1_chunked_feed(&ck, s, k, &used, b, max);
		if (r != 0)
			break;
		s += used;
		n -= used;
	}
	*left = n - used;
	return r;
}

static void
test_chunked(void)
{
	const char *body = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n"
	    "Trailer: x\r\n\r\nNEXT";
	struct buf b = BUF_INIT;
	size_t left, step;
	int allok = 1;

	for (step = 1; step <= strlen(body); step++)
		if (chunked(body, step, &b, 100, &left) != 1 ||
		    strcmp(b.p, "hello, world") != 0 || left != 4)
			allok = 0;
	ok(allok, "any cutting gives the same body and stops at its end");
	is_int(chunked("A\r\n0123456789\r\n0\r\n\r\n", 64, &b, 100, &left), 1,
	    "hex size");
	is_str(b.p, "0123456789", "ten bytes");
	is_int(chunked("a\r\n0123456789\r\n0\r\n\r\n", 64, &b, 9, &left), 413,
	    "over the maximum");
	is_int(chunked("5\r\nhelloX\r\n", 64, &b, 100, &left), 400,
	    "data longer than its size");
	is_int(chunked("\r\n", 64, &b, 100, &left), 400, "no size");
	is_int(chunked("5\nhello\r\n0\r\n\r\n", 64, &b, 100, &left), 400,
	    "bare LF");
	is_int(chunked("g\r\n", 64, &b, 100, &left), 400, "not hex");
	is_int(chunked("1000000000000000\r\n", 64, &b, 100, &left), 413,
	    "16 hex digits");
	is_int(chunked("5\r\nhello\r\n", 64, &b, 100, &left), 0,
	    "incomplete");
	is_int(chunked("0\r\nA: b\nc\r\n\r\n", 64, &b, 100, &left), 400,
	    "bare LF in a trailer");
	buf_free(&b);
}

int
main(void)
{
	test_head();
	test_limits();
	test_decode();
	test_chunked();
	return done_testing();
}
