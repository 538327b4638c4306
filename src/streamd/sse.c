/* sse.c: line splitting, Server-Sent Events and NDJSON over buffers. */
#include <string.h>

#include "sse.h"
#include "utf8.h"

void
sse_lines_init(struct sse_lines *l, int mode, size_t max, sse_line_fn fn,
    void *arg)
{
	memset(l, 0, sizeof(*l));
	l->mode = mode;
	l->max = max;
	l->fn = fn;
	l->arg = arg;
}

void
sse_lines_free(struct sse_lines *l)
{
	buf_free(&l->line);
	buf_free(&l->fixed);
}

/* Hands the finished line on and empties it. */
static void
sse_lines_emit(struct sse_lines *l)
{
	const char *p = buf_str(&l->line);
	size_t n = l->line.len, i;

	if (l->mode == SSE_LINES_NDJSON) {
		if (n > 0 && p[n - 1] == '\r')
			n--;
		for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t' ||
		    p[i] == '\r'); i++)
			;
		if (i == n)
			goto out;	/* blank */
	}
	if (!utf8_check(p, n, NULL)) {
		buf_reset(&l->fixed);
		utf8_check(p, n, &l->fixed);
		p = buf_str(&l->fixed);
		n = l->fixed.len;
	} else if (n < l->line.len)
		l->line.p[n] = '\0';
	l->fn(l->arg, p, n);
out:
	buf_reset(&l->line);
}

enum err
sse_lines_feed(struct sse_lines *l, const void *p, size_t n)
{
	const char *s = p, *e = s + n, *t;

	if (l->err != ERR_OK)
		return l->err;
	while (s < e) {
		if (l->cr) {
			l->cr = 0;
			if (*s == '\n') {	/* the LF of a CRLF */
				s++;
				continue;
			}
		}
		for (t = s; t < e && *t != '\n' &&
		    (*t != '\r' || l->mode == SSE_LINES_NDJSON); t++)
			;
		if (l->line.len + (size_t)(t - s) > l->max) {
			buf_reset(&l->line);
			return l->err = ERR_TOOBIG;
		}
		buf_append(&l->line, s, (size_t)(t - s));
		if (t == e)
			break;
		l->cr = *t == '\r';
		s = t + 1;
		sse_lines_emit(l);
		if (l->err != ERR_OK)	/* the line's reader refused it */
			return l->err;
	}
	return ERR_OK;
}

enum err
sse_lines_finish(struct sse_lines *l)
{
	if (l->err != ERR_OK)
		return l->err;
	if (l->line.len > 0)
		sse_lines_emit(l);
	return ERR_OK;
}

/* Hands the event gathered so far on, if it has data, and starts anew;
 * end is 0 for a data line that is an event of its own (the event type
 * then holds until the blank line). */
static void
sse_dispatch(struct sse *s, int end)
{
	struct sse_event ev;

	if (s->data.len > 0) {
		if (s->data.p[s->data.len - 1] == '\n')
			s->data.p[--s->data.len] = '\0';
		ev.type = s->type.len > 0 ? buf_str(&s->type) : "message";
		ev.data = buf_str(&s->data);
		ev.len = s->data.len;
		ev.id = buf_str(&s->id);
		s->fn(s->arg, &ev);
	}
	buf_reset(&s->data);
	if (end)
		buf_reset(&s->type);
}

/* Interprets one line of the stream. */
static void
sse_line(void *arg, const char *p, size_t n)
{
	struct sse *s = arg;
	const char *colon, *v;
	size_t name, vn, i;

	if (s->first) {
		s->first = 0;
		if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;
			n -= 3;
		}
	}
	if (n == 0) {
		sse_dispatch(s, 1);
		return;
	}
	if (p[0] == ':')
		return;		/* a comment */
	if ((colon = memchr(p, ':', n)) != NULL) {
		name = (size_t)(colon - p);
		v = colon + 1;
		if (v < p + n && *v == ' ')
			v++;
		vn = (size_t)(p + n - v);
	} else {
		name = n;
		v = p + n;
		vn = 0;
	}
	if (name == 4 && memcmp(p, "data", 4) == 0) {
		if (s->data.len + vn + 1 > s->lines.max) {
			buf_reset(&s->data);
			s->lines.err = ERR_TOOBIG;
			return;
		}
		buf_append(&s->data, v, vn);
		buf_putc(&s->data, '\n');
		if (s->flags & SSE_EACH_DATA_LINE)
			sse_dispatch(s, 0);
	} else if (name == 5 && memcmp(p, "event", 5) == 0) {
		buf_reset(&s->type);
		buf_append(&s->type, v, vn);
	} else if (name == 2 && memcmp(p, "id", 2) == 0) {
		if (memchr(v, '\0', vn) == NULL) {
			buf_reset(&s->id);
			buf_append(&s->id, v, vn);
		}
	} else if (name == 5 && memcmp(p, "retry", 5) == 0) {
		long ms = 0;

		for (i = 0; i < vn && v[i] >= '0' && v[i] <= '9'; i++)
			if (ms < 100000000)
				ms = ms * 10 + (v[i] - '0');
		if (vn > 0 && i == vn)
			s->retry = ms;
	}
}

void
sse_init(struct sse *s, int flags, size_t max, sse_event_fn fn, void *arg)
{
	memset(s, 0, sizeof(*s));
	sse_lines_init(&s->lines, SSE_LINES_SSE, max, sse_line, s);
	s->retry = -1;
	s->flags = flags;
	s->first = 1;
	s->fn = fn;
	s->arg = arg;
}

void
sse_free(struct sse *s)
{
	sse_lines_free(&s->lines);
	buf_free(&s->data);
	buf_free(&s->type);
	buf_free(&s->id);
}

enum err
sse_feed(struct sse *s, const void *p, size_t n)
{
	return sse_lines_feed(&s->lines, p, n);
}

enum err
sse_finish(struct sse *s)
{
	enum err e = sse_lines_finish(&s->lines);

	buf_reset(&s->data);
	buf_reset(&s->type);
	return e != ERR_OK ? e : s->lines.err;
}

void
sse_write(struct buf *out, const char *event, const char *data, size_t n)
{
	const char *e = data + n, *t;

	if (event != NULL)
		buf_printf(out, "event: %s\n", event);
	for (;;) {
		for (t = data; t < e && *t != '\n' && *t != '\r'; t++)
			;
		buf_puts(out, "data: ");
		buf_append(out, data, (size_t)(t - data));
		buf_putc(out, '\n');
		if (t == e)
			break;
		if (*t == '\r' && t + 1 < e && t[1] == '\n')
			t++;
		data = t + 1;
	}
	buf_putc(out, '\n');
}
