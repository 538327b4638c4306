/* t_content.c: the message content of a chat task (content.c), reasoning
 * tags included, and the REDIS_URL parser (bus.c). */
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

#define DONE(x)	"<details type=\"reasoning\" done=\"true\" " \
	"duration=\"0\">\n<summary>Thought for 0 seconds</summary>\n> " x \
	"\n</details>"

/* Streams the deltas (NULL-terminated) as text, each followed by the tag
 * detection, as chatflow.c does. */
static void
feed(struct content *c, const struct content_tag *tags, size_t ntags,
    const char *const *d)
{
	for (; *d != NULL; d++) {
		content_add_text(c, *d, strlen(*d));
		content_detect_tags(c, tags, ntags);
	}
}

/* One stream with the default tags: the final content and the raw text
 * (Python's `content`) left, as Python 0.6.32 gives them. */
static void
stream(const char *const *d, const char *want, const char *raw,
    const char *what)
{
	struct content c;
	struct buf b = BUF_INIT;

	content_init(&c, "");
	feed(&c, content_reasoning_tags, content_nreasoning_tags, d);
	content_finish(&c);
	ok(strcmp(ser(&c, &b), want) == 0 && strcmp(buf_str(&c.raw), raw) == 0,
	    "%s", what);
	content_free(&c);
	buf_free(&b);
}

static void
test_tags(void)
{
	static const char *const split[] = { "<th", "ink", ">Le", "t m",
	    "e s", "ee<", "/th", "ink", ">Th", "e a", "nsw", "er", NULL };
	static const char *const around[] = { "Hi ", "<think>a",
	    "\n</think>", " bye", NULL };
	static const char *const two[] = { "<think>a</think>b", "<think>c",
	    "</think>d", NULL };
	static const char *const open[] = { "x<think>still", " going", NULL };
	static const char *const attr[] = { "<think attr=\"x\">deep",
	    "</think>done", NULL };
	static const char *const uni[] = { "\xe2\x97\x81think\xe2\x96\xb7" "a",
	    "b\xe2\x97\x81/think\xe2\x96\xb7" "c", NULL };
	static const char *const sol[] = { "<|begin_of_solution|>sol",
	    "<|end_of_solution|>after", NULL };
	static const char *const quirk[] = { "Pre", "<think>x</think>mid",
	    "<think>y", NULL };
	static const char *const rc[] = {
	    "<think type=\"reasoning_content\">x", "y", NULL };
	static const char *const empty[] = { "<think>", "  </think>", "z",
	    NULL };
	static const char *const one[] = { "[[a]]b", NULL };
	static const struct content_tag custom = { "[[", "]]" };
	struct content c;
	struct buf b = BUF_INIT;

	stream(split, DONE("Let me see") "\nThe answer", "The answer",
	    "tags split across deltas: a closed reasoning block, the answer");
	stream(around, "Hi\n" DONE("a") "\nbye", "Hi  bye",
	    "text before and after the tags");
	stream(two, DONE("a") "\nb<think>c\n" DONE("a") "\nb<think>c</think>d\n"
	    DONE("a") "\nb<think>c</think>d",
	    "<think>a</think>b<think>c</think>d",
	    "a whole pair in one delta stays in the raw text, found again "
	    "(Python's quirk)");
	stream(quirk, "Pre\n" DONE("x") "\nPre\n" DONE("x") "\nmid<think>y",
	    "Pre<think>x</think>mid<think>y",
	    "the text before a start tag replaces the text block (quirk)");
	stream(open, "x\n" DONE("still going"), "x<think>still going",
	    "an unterminated block is closed at the end");
	stream(attr, DONE("deep") "\ndone", "done", "<think attr=\"x\">");
	stream(uni, DONE("ab") "\nc", "c", "\xe2\x97\x81think\xe2\x96\xb7");
	stream(sol, "solution: sol\nafter", "after", "solution tags");
	stream(rc, DONE("x") "\ny\n" DONE("xy"),
	    "<think type=\"reasoning_content\">xy",
	    "a type=\"reasoning_content\" attribute: text closes the block");
	stream(empty, "z", "z", "an empty block is dropped");

	content_init(&c, "");
	feed(&c, content_reasoning_tags, content_nreasoning_tags, attr);
	ok(c.n == 2 && c.blocks[0].start_tag != NULL &&
	    strcmp(c.blocks[0].start_tag, "<think>") == 0 &&
	    strcmp(c.blocks[0].end_tag, "</think>") == 0 &&
	    strcmp(content_attr(&c.blocks[0], "attr"), "x") == 0 &&
	    content_attr(&c.blocks[0], "type") == NULL,
	    "the block keeps its tags and attributes");
	content_free(&c);

	content_init(&c, "");
	feed(&c, content_reasoning_tags, content_nreasoning_tags, open);
	ok(strcmp(ser(&c, &b), "x\n<details type=\"reasoning\" done=\"false\">"
	    "\n<summary>Thinking\xe2\x80\xa6</summary>\n> still going\n"
	    "</details>") == 0, "an open block while streaming");
	content_free(&c);

	content_init(&c, "");
	feed(&c, &custom, 1, one);
	content_finish(&c);
	ok(strcmp(ser(&c, &b), DONE("a") "\nb") == 0, "a custom pair");
	content_free(&c);

	content_init(&c, "");
	feed(&c, content_reasoning_tags, 0, two);
	ok(strcmp(ser(&c, &b), "<think>a</think>b<think>c</think>d") == 0,
	    "reasoning_tags false: no detection");
	content_free(&c);

	content_init(&c, "");
	content_add_reasoning(&c, "r", 1);
	ok(strcmp(c.blocks[1].start_tag, "<think>") == 0 &&
	    strcmp(content_attr(&c.blocks[1], "type"), "reasoning_content") ==
	    0, "reasoning deltas: <think>, type=\"reasoning_content\"");
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
	test_tags();
	test_strip();
	test_url();
	return tap_done();
}
