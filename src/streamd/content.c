/* content.c: the blocks of an assistant message and their serialization,
 * as Python's serialize_content_blocks() writes text and reasoning. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "content.h"
#include "mem.h"

/* Length of the UTF-8 character at s (n bytes left) if it is one of the
 * characters in set (code points), else 0. */
static size_t
utf8_in(const unsigned char *s, size_t n, const unsigned *set, size_t nset)
{
	unsigned cp;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		cp = s[0];
		len = 1;
	} else if ((s[0] & 0xe0) == 0xc0 && n >= 2) {
		cp = (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
		len = 2;
	} else if ((s[0] & 0xf0) == 0xe0 && n >= 3) {
		cp = (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
		len = 3;
	} else
		return 0;
	for (i = 0; i < nset; i++)
		if (set[i] == cp)
			return len;
	return 0;
}

/* str.isspace() */
static const unsigned space[] = { 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d,
	0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
	0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
	0x2029, 0x202f, 0x205f, 0x3000 };
/* the line boundaries of str.splitlines() */
static const unsigned eol[] = { 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e,
	0x85, 0x2028, 0x2029 };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Length of the space character ending at s + n (looking back), or 0. */
static size_t
space_before(const unsigned char *s, size_t n)
{
	size_t k, len;

	for (k = 1; k <= 3 && k <= n; k++) {
		len = utf8_in(s + n - k, k, space, NELEM(space));
		if (len == k)
			return k;
	}
	return 0;
}

void
content_strip(const char *s, size_t n, size_t *start, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t a = 0, b = n, k;

	while (a < b && (k = utf8_in(u + a, b - a, space, NELEM(space))) > 0)
		a += k;
	while (b > a && (k = space_before(u + a, b - a)) > 0)
		b -= k;
	*start = a;
	*len = b - a;
}

static struct content_block *
block_add(struct content *c, enum content_type type)
{
	struct content_block *b;

	if (c->n == CONTENT_MAX_BLOCKS)
		return &c->blocks[c->n - 1];
	c->blocks = xrealloc(c->blocks, (c->n + 1) * sizeof(*c->blocks));
	b = &c->blocks[c->n++];
	memset(b, 0, sizeof(*b));
	b->type = type;
	b->duration = -1;
	b->started = clock_wall();
	return b;
}

void
content_init(struct content *c, const char *initial)
{
	memset(c, 0, sizeof(*c));
	buf_puts(&block_add(c, CONTENT_TEXT)->text, initial ? initial : "");
}

void
content_free(struct content *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		buf_free(&c->blocks[i].text);
	free(c->blocks);
	memset(c, 0, sizeof(*c));
}

static void
close_reasoning(struct content_block *b)
{
	if (b->type == CONTENT_REASONING && b->duration < 0)
		b->duration = (long)(clock_wall() - b->started);
}

void
content_add_text(struct content *c, const char *p, size_t n)
{
	struct content_block *last = &c->blocks[c->n - 1];

	if (last->type == CONTENT_REASONING) {
		close_reasoning(last);
		last = block_add(c, CONTENT_TEXT);
	}
	buf_append(&last->text, p, n);
}

void
content_add_reasoning(struct content *c, const char *p, size_t n)
{
	struct content_block *last = &c->blocks[c->n - 1];

	if (last->type != CONTENT_REASONING)
		last = block_add(c, CONTENT_REASONING);
	buf_append(&last->text, p, n);
}

void
content_finish(struct content *c)
{
	struct content_block *last = &c->blocks[c->n - 1];
	size_t s, len;

	if (last->type == CONTENT_TEXT) {
		content_strip(buf_str(&last->text), last->text.len, &s, &len);
		if (len == 0 && c->n > 1) {
			buf_free(&last->text);
			c->n--;
		} else {
			memmove(last->text.p, last->text.p + s, len);
			last->text.len = len;
			last->text.p[len] = '\0';
		}
	}
	close_reasoning(&c->blocks[c->n - 1]);
}

/* The reasoning shown quoted: every line that does not start with ">"
 * gets "> " in front; lines split as str.splitlines() splits them. */
static void
quote_lines(struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, line = 0, k;
	int first = 1;

	while (line < n) {
		for (i = line; i < n; i++)
			if ((k = utf8_in(u + i, n - i, eol, NELEM(eol))) > 0)
				break;
		if (!first)
			buf_putc(out, '\n');
		first = 0;
		if (s[line] != '>')
			buf_puts(out, "> ");
		buf_append(out, s + line, i - line);
		if (i == n)
			break;
		k = utf8_in(u + i, n - i, eol, NELEM(eol));
		if (u[i] == '\r' && i + 1 < n && u[i + 1] == '\n')
			k = 2;
		line = i + k;
	}
}

void
content_serialize(const struct content *c, struct buf *out)
{
	struct buf tmp = BUF_INIT;
	const struct content_block *b;
	size_t i, s, len;

	buf_puts(&tmp, "");
	for (i = 0; i < c->n; i++) {
		b = &c->blocks[i];
		if (b->type == CONTENT_TEXT) {
			content_strip(buf_str(&b->text), b->text.len, &s, &len);
			if (len > 0) {
				buf_append(&tmp, b->text.p + s, len);
				buf_putc(&tmp, '\n');
			}
			continue;
		}
		if (tmp.len > 0 && tmp.p[tmp.len - 1] != '\n')
			buf_putc(&tmp, '\n');
		if (b->duration >= 0)
			buf_printf(&tmp, "<details type=\"reasoning\" done=\"true\" "
			    "duration=\"%ld\">\n<summary>Thought for %ld "
			    "seconds</summary>\n", b->duration, b->duration);
		else
			buf_puts(&tmp, "<details type=\"reasoning\" done=\"false\">"
			    "\n<summary>Thinking\xe2\x80\xa6</summary>\n");
		quote_lines(&tmp, buf_str(&b->text), b->text.len);
		buf_puts(&tmp, "\n</details>\n");
	}
	content_strip(tmp.p, tmp.len, &s, &len);
	buf_reset(out);
	buf_append(out, tmp.p + s, len);
	buf_puts(out, "");
	buf_free(&tmp);
}
