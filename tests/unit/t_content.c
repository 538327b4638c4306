/* t_content.c: the message content of a chat task (content.c) and the
 * REDIS_URL parser (bus.c). */
#include <string.h>

#include "buf.h"
#include "bus.h"
#include "content.h"
#include "tap.h"

static const char *
ser(struct content *c, struct buf *b)
{
	content_serialize(c, b);
	return buf_str(b);
}

static void
test_text(void)
{
	struct content c;
	struct buf b = BUF_INIT;

	content_init(&c, "");
	ok(strcmp(ser(&c, &b), "") == 0, "empty message serializes to \"\"");
	content_add_text(&c, " Hello", 6);
	content_add_text(&c, " wörld \n", 9);
	ok(strcmp(ser(&c, &b), "Hello wörld") == 0, "text is stripped");
	content_finish(&c);
	ok(c.n == 1 && strcmp(buf_str(&c.blocks[0].text), "Hello wörld") == 0,
	    "finish strips the last text block");
	content_free(&c);

	content_init(&c, "Earlier part");
	content_add_text(&c, " and more", 9);
	ok(strcmp(ser(&c, &b), "Earlier part and more") == 0,
	    "continue starts from the stored content");
	content_free(&c);
	buf_free(&b);
}

static void
test_reasoning(void)
{
	struct content c;
	struct buf b = BUF_INIT;

	content_init(&c, "");
	content_add_reasoning(&c, "step one\nstep two", 17);
	ok(strcmp(ser(&c, &b), "<details type=\"reasoning\" done=\"false\">\n"
	    "<summary>Thinking\xe2\x80\xa6</summary>\n> step one\n> step two\n"
	    "</details>") == 0, "open reasoning is a details block, quoted");
	content_add_text(&c, "Answer", 6);
	ok(c.n == 3 && c.blocks[1].duration >= 0,
	    "text after reasoning closes it");
	ok(strcmp(ser(&c, &b), "<details type=\"reasoning\" done=\"true\" "
	    "duration=\"0\">\n<summary>Thought for 0 seconds</summary>\n"
	    "> step one\n> step two\n</details>\nAnswer") == 0,
	    "closed reasoning shows its duration, then the text");
	content_free(&c);

	content_init(&c, "");
	content_add_reasoning(&c, ">quoted\r\nplain", 14);
	content_finish(&c);
	ok(c.n == 2 && c.blocks[1].duration >= 0,
	    "finish closes open reasoning and keeps a lone empty text");
	ok(strstr(ser(&c, &b), "\n>quoted\n> plain\n") != NULL,
	    "lines starting with > are kept as they are; CRLF splits");
	content_free(&c);
	buf_free(&b);
}

static void
test_strip(void)
{
	const char *s = "\xc2\xa0\xe3\x80\x80 x \xe2\x80\xa8\x1f";
	size_t a, n;

	content_strip(s, strlen(s), &a, &n);
	ok(n == 1 && s[a] == 'x', "NBSP, ideographic space, U+2028 and "
	    "0x1f are stripped as str.strip() does");
	s = "\xe2\x80\x8bx";
	content_strip(s, strlen(s), &a, &n);
	ok(a == 0 && n == strlen(s), "zero width space is not whitespace");
}

static void
test_url(void)
{
	struct bus_url u;

	ok(bus_url_parse("redis://localhost:6380/2", &u) == 0 &&
	    strcmp(u.host, "localhost") == 0 && u.port == 6380 && u.db == 2 &&
	    u.password == NULL, "redis://host:port/db");
	bus_url_free(&u);
	ok(bus_url_parse("redis://:p%40ss@10.0.0.1", &u) == 0 &&
	    strcmp(u.password, "p@ss") == 0 && u.user == NULL &&
	    u.port == 6379 && u.db == 0, "password, default port");
	bus_url_free(&u);
	ok(bus_url_parse("redis://me:pw@h:1/0", &u) == 0 &&
	    strcmp(u.user, "me") == 0 && strcmp(u.password, "pw") == 0,
	    "user and password");
	bus_url_free(&u);
	ok(bus_url_parse("unix:///run/redis.sock?db=3", &u) == 0 &&
	    strcmp(u.path, "/run/redis.sock") == 0 && u.db == 3 &&
	    u.host == NULL, "unix socket with db");
	bus_url_free(&u);
	ok(bus_url_parse("redis://h:99999", &u) == -1, "bad port refused");
	ok(bus_url_parse("http://h", &u) == -1, "other scheme refused");
	ok(bus_url_parse("unix://relative", &u) == -1, "relative path refused");
}

int
main(void)
{
	test_text();
	test_reasoning();
	test_strip();
	test_url();
	return tap_done();
}
