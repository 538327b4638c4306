/* content.c: the blocks of an assistant message and their serialization,
 * as Python's serialize_content_blocks() writes text and reasoning, and the
 * detection of reasoning tags in the streamed text (tag_content_handler). */
#define _GNU_SOURCE		/* memmem */
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

const struct content_tag content_reasoning_tags[] = {
	{ "<think>", "</think>" },
	{ "<thinking>", "</thinking>" },
	{ "<reason>", "</reason>" },
	{ "<reasoning>", "</reasoning>" },
	{ "<thought>", "</thought>" },
	{ "<Thought>", "</Thought>" },
	{ "<|begin_of_thought|>", "<|end_of_thought|>" },
	{ "\xe2\x97\x81think\xe2\x96\xb7", "\xe2\x97\x81/think\xe2\x96\xb7" },
};
const size_t content_nreasoning_tags = NELEM(content_reasoning_tags);

static const struct content_tag solution_tags[] = {
	{ "<|begin_of_solution|>", "<|end_of_solution|>" },
};

/* Python's "block": a reasoning block (duration -1) or a text block. */
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
	c->scan_end = 0;
	return b;
}

/* A text block holding s[0..n). */
static void
block_add_text(struct content *c, const char *s, size_t n)
{
	buf_append(&block_add(c, CONTENT_TEXT)->text, s, n);
	buf_puts(&c->blocks[c->n - 1].text, "");
}

static void
block_free(struct content_block *b)
{
	size_t i;

	buf_free(&b->text);
	free(b->start_tag);
	free(b->end_tag);
	for (i = 0; i < b->nattrs * 2; i++)
		free(b->attrs[i]);
	free(b->attrs);
}

static void
block_pop(struct content *c)
{
	block_free(&c->blocks[--c->n]);
	c->scan_end = 0;
}

void
content_init(struct content *c, const char *initial)
{
	memset(c, 0, sizeof(*c));
	buf_puts(&c->raw, initial ? initial : "");
	block_add_text(c, c->raw.p, c->raw.len);
}

void
content_free(struct content *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		block_free(&c->blocks[i]);
	free(c->blocks);
	buf_free(&c->raw);
	memset(c, 0, sizeof(*c));
}

const char *
content_attr(const struct content_block *b, const char *key)
{
	size_t i;

	for (i = 0; i < b->nattrs; i++)
		if (strcmp(b->attrs[2 * i], key) == 0)
			return b->attrs[2 * i + 1];
	return NULL;
}

/* Sets attribute key (k[0..kn)) to v[0..vn), as a dict keeps the first
 * place of a key and its last value. */
static void
attr_set(struct content_block *b, const char *k, size_t kn, const char *v,
    size_t vn)
{
	size_t i;
	char *key = xmalloc(kn + 1), *val = xmalloc(vn + 1);

	memcpy(key, k, kn);
	key[kn] = '\0';
	memcpy(val, v, vn);
	val[vn] = '\0';
	for (i = 0; i < b->nattrs; i++)
		if (strcmp(b->attrs[2 * i], key) == 0) {
			free(key);
			free(b->attrs[2 * i + 1]);
			b->attrs[2 * i + 1] = val;
			return;
		}
	b->attrs = xrealloc(b->attrs, (b->nattrs + 1) * 2 * sizeof(char *));
	b->attrs[2 * b->nattrs] = key;
	b->attrs[2 * b->nattrs + 1] = val;
	b->nattrs++;
}

/* The duration of a reasoning (or solution) block, counted up to now. */
static void
block_end(struct content_block *b)
{
	b->duration = (long)(clock_wall() - b->started);
}

static void
close_reasoning(struct content_block *b)
{
	if (b->type == CONTENT_REASONING && b->duration < 0)
		block_end(b);
}

static int
is_reasoning_content(const struct content_block *b)
{
	const char *t = content_attr(b, "type");

	return b->type == CONTENT_REASONING && t != NULL &&
	    strcmp(t, "reasoning_content") == 0;
}

void
content_add_text(struct content *c, const char *p, size_t n)
{
	struct content_block *last = &c->blocks[c->n - 1];

	if (is_reasoning_content(last)) {
		block_end(last);
		last = block_add(c, CONTENT_TEXT);
	}
	buf_append(&last->text, p, n);
	buf_append(&c->raw, p, n);
}

void
content_add_reasoning(struct content *c, const char *p, size_t n)
{
	struct content_block *last = &c->blocks[c->n - 1];

	if (last->type != CONTENT_REASONING && c->n < CONTENT_MAX_BLOCKS) {
		last = block_add(c, CONTENT_REASONING);
		last->start_tag = xstrdup("<think>");
		last->end_tag = xstrdup("</think>");
		attr_set(last, "type", 4, "reasoning_content", 17);
	}
	buf_append(&last->text, p, n);
}

/* Length of the str.isspace() character at s (n bytes left), or 0. */
static size_t
space_at(const char *s, size_t n)
{
	return utf8_in((const unsigned char *)s, n, space, NELEM(space));
}

/* A character of Python's \w: ASCII letters, digits and "_"; any other
 * non-ASCII character that is not a space (close to str.isalnum()). */
static size_t
word_at(const char *s, size_t n)
{
	unsigned char u = (unsigned char)s[0];
	size_t k;

	if (u < 0x80)
		return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
		    (u >= 'A' && u <= 'Z') || u == '_';
	if (space_at(s, n) > 0)
		return 0;
	for (k = 1; k < n && k < 4 && ((unsigned char)s[k] & 0xc0) == 0x80;)
		k++;
	return k;
}

/* Python's re.findall(r'(\w+)\s*=\s*"([^"]+)"', s) into b's attributes. */
static void
attrs_parse(struct content_block *b, const char *s, size_t n)
{
	size_t i = 0, w, k, j, v;
	const char *q;

	while (i < n) {
		if ((k = word_at(s + i, n - i)) == 0) {
			i++;
			continue;
		}
		for (w = i; i < n && (k = word_at(s + i, n - i)) > 0; i += k)
			;
		for (j = i; j < n && (k = space_at(s + j, n - j)) > 0; j += k)
			;
		if (j == n || s[j] != '=')
			continue;
		for (j++; j < n && (k = space_at(s + j, n - j)) > 0; j += k)
			;
		if (j == n || s[j] != '"')
			continue;
		v = j + 1;
		q = memchr(s + v, '"', n - v);
		if (q == NULL || q == s + v)
			continue;
		attr_set(b, s + w, i - w, s + v, (size_t)(q - s) - v);
		i = (size_t)(q - s) + 1;
	}
}

/* Whether tag is written "<name>": its pattern is then "<name" followed by
 * ">" or by a space, anything and ">". */
static int
tag_angle(const char *tag, size_t len)
{
	return len >= 2 && tag[0] == '<' && tag[len - 1] == '>';
}

/* Where the part of a "<name" start tag after the name ends, at q in
 * s[0..n), as Python's (\s.*?)?> matches (dotall: "." matches a newline):
 * the index after ">", or 0 when it cannot match; *pending set when more
 * text could still make it match. */
static size_t
tag_close(const char *s, size_t n, size_t q, int dotall, int *pending)
{
	size_t k, i;
	unsigned char u;

	*pending = 0;
	if (q == n) {
		*pending = 1;
		return 0;
	}
	if (s[q] == '>')
		return q + 1;
	u = (unsigned char)s[q];
	if (u >= 0xc0 && q + (u >= 0xf0 ? 4 : u >= 0xe0 ? 3 : 2) > n) {
		*pending = 1;
		return 0;
	}
	if ((k = space_at(s + q, n - q)) == 0)
		return 0;
	for (i = q + k; i < n && s[i] != '>' && (dotall || s[i] != '\n'); i++)
		;
	if (i == n) {
		*pending = 1;
		return 0;
	}
	return s[i] == '>' ? i + 1 : 0;
}

struct tag_match {
	size_t	 start, end;	/* the start tag in raw */
	size_t	 attr, nattr;	/* its attributes part */
	size_t	 pending;	/* no match can begin before */
};

/* Python's re.search of the start tag pattern in s[from..n). Returns 1 with
 * *m set, or 0 with m->pending. */
static int
tag_find(const char *s, size_t n, size_t from, const char *tag,
    struct tag_match *m)
{
	size_t tlen = strlen(tag), lit = tlen, at, q, e;
	int angle = tag_angle(tag, tlen), pending;
	const char *hit;

	if (angle)
		lit--;
	m->pending = n + 1 >= lit ? n + 1 - lit : 0;
	if (m->pending < from)
		m->pending = from;
	for (at = from; at + lit <= n &&
	    (hit = memmem(s + at, n - at, tag, lit)) != NULL; at++) {
		at = (size_t)(hit - s);
		q = at + lit;
		e = angle ? tag_close(s, n, q, 0, &pending) : q;
		if (e > 0) {
			m->start = at;
			m->end = e;
			m->attr = q;
			m->nattr = e > q ? e - q - 1 : 0;
			return 1;
		}
		if (pending && at < m->pending)
			m->pending = at;
	}
	return 0;
}

/* Writes s[0..n) into out without the matches of Python's
 * re.sub(r"<" + re.escape(start) + r"(.*?)>", "", s). */
static void
cut_open_tags(struct buf *out, const char *s, size_t n, const char *start)
{
	struct buf lit = BUF_INIT;
	size_t at = 0, copied = 0, i;
	const char *hit;

	buf_putc(&lit, '<');
	buf_puts(&lit, start);
	while (at < n &&
	    (hit = memmem(s + at, n - at, lit.p, lit.len)) != NULL) {
		at = (size_t)(hit - s);
		i = at + lit.len;
		while (i < n && s[i] != '>' && s[i] != '\n')
			i++;
		if (i < n && s[i] == '>') {
			buf_append(out, s + copied, at - copied);
			copied = at = i + 1;
		} else
			at++;
	}
	buf_append(out, s + copied, n - copied);
	buf_puts(out, "");
	buf_free(&lit);
}

/* Writes s[0..n) into out without the start ... end pairs, as Python's
 * re.sub(start_pattern + r"(.|\n)*?" + re.escape(end), "", s, re.DOTALL). */
static void
cut_pairs(struct buf *out, const char *s, size_t n, const char *start,
    const char *end)
{
	size_t slen = strlen(start), elen = strlen(end), at = 0, copied = 0;
	size_t body;
	int angle = tag_angle(start, slen), pending;
	const char *hit, *e;

	if (angle)
		slen--;
	while (at < n && (hit = memmem(s + at, n - at, start, slen)) != NULL) {
		at = (size_t)(hit - s);
		body = angle ? tag_close(s, n, at + slen, 1, &pending) :
		    at + slen;
		e = body > 0 ? memmem(s + body, n - body, end, elen) : NULL;
		if (e == NULL) {
			at++;
			continue;
		}
		buf_append(out, s + copied, at - copied);
		copied = at = (size_t)(e - s) + elen;
	}
	buf_append(out, s + copied, n - copied);
	buf_puts(out, "");
}

/* Python's end-tag branch of tag_content_handler on s[0..n) (the last block
 * is the open reasoning or solution block): when its end tag is in s, the
 * block keeps what is before the end tag (or goes when that is empty) and
 * a text block gets what is after. With raw set, s is c->raw and the pairs
 * are cut from it; without, the cut text is thrown away, as Python throws
 * away the content its recursive call returns. */
static void
detect_end(struct content *c, const char *s, size_t n, int raw)
{
	struct content_block *b = &c->blocks[c->n - 1];
	struct buf inner = BUF_INIT, cut = BUF_INIT;
	size_t elen = strlen(b->end_tag), from = raw ? c->scan_end : 0;
	size_t s0, l0, s1, l1, s2, l2;
	const char *bc, *e;

	if (n < from + elen || memmem(s + from, n - from, b->end_tag,
	    elen) == NULL) {
		if (raw)
			c->scan_end = n + 1 >= elen ? n + 1 - elen : 0;
		return;
	}
	if (raw)
		cut_pairs(&cut, s, n, b->start_tag, b->end_tag);
	/* the block's text without "<" start_tag ... ">", stripped, split at
	 * the end tag: what is before it, what is after (each stripped) */
	cut_open_tags(&inner, b->text.p, b->text.len, b->start_tag);
	content_strip(inner.p, inner.len, &s0, &l0);
	bc = inner.p + s0;
	e = memmem(bc, l0, b->end_tag, elen);
	content_strip(bc, e != NULL ? (size_t)(e - bc) : l0, &s1, &l1);
	s1 += s0;
	s2 = l2 = 0;
	if (e != NULL) {
		content_strip(e + elen, (size_t)(bc + l0 - e) - elen, &s2, &l2);
		s2 += (size_t)(e + elen - inner.p);
	}
	if (l1 > 0) {
		buf_reset(&b->text);
		buf_append(&b->text, inner.p + s1, l1);
		block_end(b);
	} else
		block_pop(c);
	block_add_text(c, inner.p + s2, l2);
	buf_free(&inner);
	if (raw) {
		buf_free(&c->raw);
		c->raw = cut;
		c->scan[0] = c->scan[1] = c->scan_end = 0;
	}
}

/* Python's start-tag branch: the first of tags whose start tag is in raw
 * (the last block is text) opens a block of type; the text block loses the
 * tag and what follows it (and becomes the raw text before the tag, if
 * any). What follows the tag goes into the new block, itself checked for
 * the end tag. set: which scan cache. */
static void
detect_start(struct content *c, int set, enum content_type type,
    const struct content_tag *tags, size_t ntags)
{
	const char *s = buf_str(&c->raw), *hit;
	size_t n = c->raw.len, i, safe = n, at, len;
	struct content_block *b;
	struct tag_match m;
	struct buf tmp = BUF_INIT;

	for (i = 0; i < ntags; i++) {
		if (*tags[i].start == '\0' || *tags[i].end == '\0')
			continue;
		if (tag_find(s, n, c->scan[set], tags[i].start, &m))
			break;
		if (m.pending < safe)
			safe = m.pending;
	}
	if (i == ntags) {
		c->scan[set] = safe;
		return;
	}
	b = &c->blocks[c->n - 1];
	if (m.start > 0) {
		/* the text before the tag, in the whole raw text */
		buf_reset(&b->text);
		buf_append(&b->text, s, m.start);
	} else {
		/* str.replace(tag + after, "") */
		len = n - m.start;
		for (at = 0; (hit = memmem(b->text.p + at, b->text.len - at,
		    s + m.start, len)) != NULL; at = (size_t)(hit - b->text.p) +
		    len)
			buf_append(&tmp, b->text.p + at,
			    (size_t)(hit - b->text.p) - at);
		buf_append(&tmp, b->text.p + at, b->text.len - at);
		buf_reset(&b->text);
		buf_append(&b->text, tmp.p, tmp.len);
		buf_free(&tmp);
	}
	buf_puts(&b->text, "");
	if (b->text.len == 0)
		block_pop(c);
	b = block_add(c, type);
	b->start_tag = xstrdup(tags[i].start);
	b->end_tag = xstrdup(tags[i].end);
	attrs_parse(b, s + m.attr, m.nattr);
	buf_append(&b->text, s + m.end, n - m.end);
	buf_puts(&b->text, "");
	if (m.end < n)
		detect_end(c, s + m.end, n - m.end, 0);
}

/* One call of Python's tag_content_handler(type, tags, content, blocks). */
static void
detect(struct content *c, int set, enum content_type type,
    const struct content_tag *tags, size_t ntags)
{
	struct content_block *last = &c->blocks[c->n - 1];

	if (last->type == CONTENT_TEXT)
		detect_start(c, set, type, tags, ntags);
	else if (last->type == type && last->end_tag != NULL &&
	    *last->end_tag != '\0')
		detect_end(c, c->raw.p, c->raw.len, 1);
}

void
content_detect_tags(struct content *c, const struct content_tag *tags,
    size_t ntags)
{
	if (ntags == 0 || c->n + 2 > CONTENT_MAX_BLOCKS)
		return;
	detect(c, 0, CONTENT_REASONING, tags, ntags);
	detect(c, 1, CONTENT_SOLUTION, solution_tags, NELEM(solution_tags));
}

void
content_finish(struct content *c)
{
	struct content_block *last = &c->blocks[c->n - 1];
	size_t s, len;

	if (last->type == CONTENT_TEXT) {
		content_strip(buf_str(&last->text), last->text.len, &s, &len);
		if (len == 0 && c->n > 1) {
			block_pop(c);
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
		if (b->type != CONTENT_REASONING) {
			/* text; a solution block is written "solution: ..." */
			content_strip(buf_str(&b->text), b->text.len, &s, &len);
			if (len > 0) {
				if (b->type == CONTENT_SOLUTION)
					buf_puts(&tmp, "solution: ");
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
