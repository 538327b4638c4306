/* t_sse.c: SSE parsing and writing, NDJSON lines, UTF-8 repair. */
#include <string.h>

#include "buf.h"
#include "tap.h"
#include "sse.h"
#include "utf8.h"

static int	unterminated;	/* events whose data had no NUL after it */

/* Every event as "type|id|data\n". */
static void
on_event(void *arg, const struct sse_event *ev)
{
	struct buf *b = arg;

	if (ev->data[ev->len] != '\0')
		unterminated++;
	buf_printf(b, "%s|%s|", ev->type, ev->id);
	buf_append(b, ev->data, ev->len);
	buf_putc(b, '\n');
}

static void
on_line(void *arg, const char *p, size_t n)
{
	struct buf *b = arg;

	buf_append(b, p, n);
	buf_putc(b, '\n');
}

/* Parses in cut at split (and at every byte when split is 0). */
static enum err
parse(const char *in, size_t split, int flags, size_t max, struct buf *got,
    long *retry)
{
	size_t n = strlen(in), i;
	struct sse s;
	enum err e = ERR_OK;

	buf_reset(got);
	sse_init(&s, flags, max, on_event, got);
	if (split == 0) {
		for (i = 0; i < n && e == ERR_OK; i++)
			e = sse_feed(&s, in + i, 1);
	} else {
		e = sse_feed(&s, in, split);
		if (e == ERR_OK)
			e = sse_feed(&s, in + split, n - split);
	}
	if (e == ERR_OK)
		e = sse_finish(&s);
	if (retry != NULL)
		*retry = s.retry;
	sse_free(&s);
	return e;
}

/* Checks that every way of cutting in gives want. */
static void
parses(const char *in, int flags, const char *want, const char *what)
{
	struct buf got = BUF_INIT;
	size_t split, n = strlen(in);
	int good = 1;

	for (split = 0; split <= n; split++) {
		parse(in, split, flags, 1000, &got, NULL);
		if (strcmp(buf_str(&got), want) != 0) {
			good = 0;
			break;
		}
	}
	if (!is_str(buf_str(&got), want, "%s", what))
		diag("cut at %zu", split);
	(void)good;
	buf_free(&got);
}

static void
test_sse(void)
{
	struct buf got = BUF_INIT;
	long retry;

	parses("data: {\"choices\":[{\"delta\":{\"content\":\"H\xc3\xa9\"}}]}"
	    "\n\ndata: [DONE]\n\n", 0,
	    "message||{\"choices\":[{\"delta\":{\"content\":\"H\xc3\xa9\"}}]}\n"
	    "message||[DONE]\n", "OpenAI stream, cut anywhere");
	parses("data: \xe2\x82\xac\xf0\x9f\x98\x80\r\n\r\ndata: b\r\rdata: c"
	    "\n\n", 0, "message||\xe2\x82\xac\xf0\x9f\x98\x80\nmessage||b\n"
	    "message||c\n", "CRLF, CR and LF; multi-byte characters cut");
	parses(": keep-alive\n\nevent: delta\nid: 7\ndata: x\n\ndata: y\n\n",
	    0, "delta|7|x\nmessage|7|y\n",
	    "comment; event type resets, id stays");
	parses("data: a\ndata: b\n\n", 0, "message||a\nb\n",
	    "data lines join");
	parses("event: e\ndata: a\ndata: b\n\n", SSE_EACH_DATA_LINE,
	    "e||a\ne||b\n", "each data line an event of its own");
	parses("data\n\ndata:x\n\ndata:  x\n\n", 0,
	    "message||\nmessage||x\nmessage|| x\n",
	    "no colon, no space, two spaces");
	parses("\xef\xbb\xbf" "data: bom\n\n", 0, "message||bom\n",
	    "BOM at the start dropped");
	parses("data: \xef\xbb\xbf\n\n", 0, "message||\xef\xbb\xbf\n",
	    "BOM inside kept");
	parses("data: a\xff" "b\n\ndata: \xe2\x82(\n\ndata: \xf0\x80\x80\n\n"
	    "data: \xed\xa0\x80\n\ndata: \xe2\x82\n\n", 0,
	    "message||a\xef\xbf\xbd" "b\nmessage||\xef\xbf\xbd(\n"
	    "message||\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n"
	    "message||\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n"
	    "message||\xef\xbf\xbd\n", "bad UTF-8 replaced as Python does");
	parses("data: x\n", 0, "", "an event without its blank line is dropped");
	parses("data: x", SSE_EACH_DATA_LINE, "message||x\n",
	    "a last line without its end, line by line");
	parses("id: 1\nid\ndata: x\n\n", 0, "message||x\n", "empty id");
	parses("foo: bar\ndata: x\n\n", 0, "message||x\n",
	    "unknown field ignored");

	is_int(parse("retry: 3000\n", 1, 0, 100, &got, &retry), ERR_OK,
	    "retry");
	is_int(retry, 3000, "retry: 3000");
	parse("retry: 3000\nretry: 3s\n", 1, 0, 100, &got, &retry);
	is_int(retry, 3000, "retry: 3s ignored");

	is_int(parse("data: 0123456789\n\n", 1, 0, 16, &got, NULL), ERR_OK,
	    "a line of exactly max bytes");
	is_int(parse("data: 0123456789x\n\n", 1, 0, 16, &got, NULL),
	    ERR_TOOBIG, "a line over max");
	is_int(parse("data: 0123456789x\n\n", 0, 0, 16, &got, NULL),
	    ERR_TOOBIG, "a line over max, byte by byte");
	is_int(parse("data: 0123456789x", 1, 0, 16, &got, NULL), ERR_TOOBIG,
	    "an unfinished line over max");
	is_int(parse("data: 012345\ndata: 012345\ndata: 01\n\n", 1, 0, 16,
	    &got, NULL), ERR_TOOBIG, "event data over max");
	{
		struct sse s;

		sse_init(&s, 0, 8, on_event, &got);
		buf_reset(&got);
		sse_feed(&s, "data: 0123456789\n", 17);
		ok(sse_feed(&s, "data: x\n\n", 9) == ERR_TOOBIG &&
		    sse_finish(&s) == ERR_TOOBIG && got.len == 0,
		    "the error sticks");
		sse_free(&s);
	}
	buf_free(&got);
}

static void
test_ndjson(void)
{
	const char *in = "{\"a\":\"\xc3\xa9\"}\n{\"b\":2}\r\n\n  \r\n"
	    "{\"c\":\"x\ry\"}\n{\"d\":4}";
	const char *want = "{\"a\":\"\xc3\xa9\"}\n{\"b\":2}\n{\"c\":\"x\ry\"}\n"
	    "{\"d\":4}\n";
	struct buf got = BUF_INIT;
	struct sse_lines l;
	size_t n = strlen(in), split, i;
	int good = 1;

	for (split = 0; split <= n && good; split++) {
		buf_reset(&got);
		sse_lines_init(&l, SSE_LINES_NDJSON, 100, on_line, &got);
		if (split == 0)
			for (i = 0; i < n; i++)
				sse_lines_feed(&l, in + i, 1);
		else {
			sse_lines_feed(&l, in, split);
			sse_lines_feed(&l, in + split, n - split);
		}
		sse_lines_finish(&l);
		sse_lines_free(&l);
		good = strcmp(buf_str(&got), want) == 0;
	}
	is_str(buf_str(&got), want, "NDJSON lines, cut anywhere; blank "
	    "skipped, CR kept inside");

	sse_lines_init(&l, SSE_LINES_NDJSON, 4, on_line, &got);
	is_int(sse_lines_feed(&l, "1234\n12345\n", 11), ERR_TOOBIG,
	    "NDJSON line over max");
	sse_lines_free(&l);
	buf_free(&got);
}

static void
test_write(void)
{
	struct buf out = BUF_INIT, got = BUF_INIT;

	sse_write(&out, NULL, "{\"x\":1}", 7);
	is_str(buf_str(&out), "data: {\"x\":1}\n\n", "one data record");
	buf_reset(&out);
	sse_write(&out, NULL, "[DONE]", 6);
	is_str(buf_str(&out), "data: [DONE]\n\n", "[DONE]");
	buf_reset(&out);
	sse_write(&out, "e", "a\nb\r\nc\rd", 8);
	is_str(buf_str(&out), "event: e\ndata: a\ndata: b\ndata: c\ndata: d"
	    "\n\n", "lines each get data:");
	buf_reset(&out);
	sse_write(&out, NULL, "", 0);
	is_str(buf_str(&out), "data: \n\n", "empty data");

	buf_reset(&out);
	sse_write(&out, NULL, "x\ny", 3);
	sse_write(&out, NULL, " z", 2);
	parse(buf_str(&out), 1, 0, 100, &got, NULL);
	is_str(buf_str(&got), "message||x\ny\nmessage|| z\n",
	    "what is written parses back");
	buf_free(&out);
	buf_free(&got);
}

static void
test_utf8(void)
{
	struct buf out = BUF_INIT;

	ok(utf8_check("", 0, NULL), "empty is valid");
	ok(utf8_check("\xf4\x8f\xbf\xbf", 4, NULL), "U+10FFFF valid");
	ok(!utf8_check("\xf4\x90\x80\x80", 4, NULL), "over U+10FFFF");
	ok(!utf8_check("\xc1\xbf", 2, NULL), "overlong");
	utf8_check("\xf4\x90\x80\x80" "a\xc2", 6, &out);
	is_str(buf_str(&out), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd" "a\xef\xbf\xbd", "one U+FFFD per maximal subpart");
	buf_free(&out);
}

int
main(void)
{
	test_sse();
	test_ndjson();
	test_write();
	test_utf8();
	is_int(unterminated, 0, "event data always NUL-terminated");
	return done_testing();
}
