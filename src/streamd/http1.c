/* http1.c: the strict HTTP/1.1 request parser of cwebui-streamd, see
 * http1.h. Pure functions: no sockets, no allocation but into the caller's
 * buffers. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "http1.h"
#include "mem.h"

#define CK_MAX_LINE	4096	/* a chunk size line, all trailers */

enum ck_state {
	CK_SIZE = 0, CK_EXT, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF,
	CK_TRAILER_START, CK_TRAILER, CK_TRAILER_LF, CK_END_LF, CK_DONE
};

/* RFC 9110 tchar. */
static int
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A byte of a field value: HTAB, SP, VCHAR, obs-text. */
static int
is_field_char(unsigned char c)
{
	return c == '\t' || c >= 0x20 ? c != 0x7f : 0;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
http1_head_end(const char *p, size_t n, size_t from)
{
	size_t i = from > 3 ? from - 3 : 0;

	for (; i + 4 <= n && i + 4 <= HTTPD_MAX_HEAD; i++)
		if (p[i] == '\r' && memcmp(p + i, "\r\n\r\n", 4) == 0)
			return (long)(i + 4);
	return n >= HTTPD_MAX_HEAD ? -431 : 0;
}

/* Parses "METHOD SP target SP HTTP/1.x" (the line of len bytes at p,
 * NUL-terminated in place). Returns 0 or an error status. */
static int
parse_request_line(struct http1_head *h, char *p, size_t len)
{
	char *end = p + len, *s = p, *q;

	while (s < end && is_tchar((unsigned char)*s))
		s++;
	if (s == p || s == end || *s != ' ')
		return 400;
	*s++ = '\0';
	h->method = p;
	h->target = s;
	while (s < end && (unsigned char)*s > 0x20 && (unsigned char)*s < 0x7f)
		s++;
	if (s == h->target || s == end || *s != ' ' || *h->target != '/')
		return 400;
	*s++ = '\0';
	if (end - s != 8 || memcmp(s, "HTTP/", 5) != 0 ||
	    s[5] < '0' || s[5] > '9' || s[6] != '.' || s[7] < '0' || s[7] > '9')
		return 400;
	if (s[5] != '1' || s[7] > '1')
		return 505;
	h->minor = s[7] - '0';
	*end = '\0';
	q = strchr(h->target, '?');
	h->path_len = q != NULL ? (size_t)(q - h->target) : strlen(h->target);
	h->query = q != NULL ? q + 1 : end;	/* end: "" */
	return 0;
}

/* Takes one header line (len bytes at p, NUL-terminated in place) into h.
 * Returns 0 or an error status. */
static int
parse_header_line(struct http1_head *h, char *p, size_t len)
{
	char *end = p + len, *s = p, *v, *e;
	size_t i;

	while (s < end && is_tchar((unsigned char)*s))
		s++;
	if (s == p || s == end || *s != ':')
		return 400;	/* also obs-fold and a space before ':' */
	*s++ = '\0';
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	v = s;
	for (e = s; e < end; e++)
		if (!is_field_char((unsigned char)*e))
			return 400;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	if (h->nheaders == HTTPD_MAX_HEADERS)
		return 431;
	h->headers[h->nheaders].name = p;
	h->headers[h->nheaders].value = v;
	h->nheaders++;
	if (strcasecmp(p, "Content-Length") == 0) {
		long long cl = 0;

		if (*v == '\0')
			return 400;
		for (i = 0; v[i] != '\0'; i++) {
			if (v[i] < '0' || v[i] > '9')
				return 400;
			if (cl > HTTPD_MAX_BODY)
				continue;	/* keep checking digits */
			cl = cl * 10 + (v[i] - '0');
		}
		if (h->content_length >= 0 && h->content_length != cl)
			return 400;
		h->content_length = cl;
	} else if (strcasecmp(p, "Transfer-Encoding") == 0) {
		if (h->chunked)
			return 400;
		if (strcasecmp(v, "chunked") != 0)
			return 501;
		h->chunked = 1;
	}
	return 0;
}

int
http1_parse_head(struct http1_head *h, char *p, size_t n)
{
	char *line = p, *end = p + n, *cr;
	int st, first = 1;

	memset(h, 0, sizeof(*h));
	h->content_length = -1;
	if (n < 4 || n > HTTPD_MAX_HEAD || memcmp(end - 4, "\r\n\r\n", 4) != 0)
		return 400;
	for (;;) {
		cr = memchr(line, '\r', (size_t)(end - line));
		if (cr == NULL || cr + 1 >= end || cr[1] != '\n')
			return 400;	/* a bare CR */
		if (cr == line)
			break;		/* the empty line */
		if (memchr(line, '\n', (size_t)(cr - line)) != NULL)
			return 400;	/* a bare LF */
		*cr = '\0';
		st = first ? parse_request_line(h, line, (size_t)(cr - line)) :
		    parse_header_line(h, line, (size_t)(cr - line));
		if (st != 0)
			return st;
		first = 0;
		line = cr + 2;
	}
	if (first || line + 2 != end)
		return 400;
	if (h->chunked && (h->content_length >= 0 || h->minor == 0))
		return 400;
	if (h->content_length > HTTPD_MAX_BODY)
		return 413;
	return 0;
}

const char *
http1_header(const struct hheader *hs, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(hs[i].name, name) == 0)
			return hs[i].value;
	return NULL;
}

/* Decodes n bytes at s into out; plus 1: '+' is a space. */
static int
decode(const char *s, size_t n, int plus, struct buf *out)
{
	size_t i;
	int hi, lo;
	char c;

	buf_reset(out);
	buf_reserve(out, n);
	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '%' && i + 2 < n &&
		    (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			c = (char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c == '\0')
			return 400;
		buf_putc(out, c);
	}
	buf_append(out, "", 0);	/* NUL-terminated even when empty */
	return 0;
}

int
http1_pct_decode(const char *s, size_t n, struct buf *out)
{
	return decode(s, n, 0, out);
}

char *
http1_query_get(const char *q, const char *name)
{
	struct buf k = BUF_INIT, v = BUF_INIT;
	const char *amp, *eq, *end;
	char *res = NULL;

	for (; q != NULL && *q != '\0'; q = *amp ? amp + 1 : amp) {
		amp = q + strcspn(q, "&");
		eq = memchr(q, '=', (size_t)(amp - q));
		end = eq != NULL ? eq : amp;
		if (decode(q, (size_t)(end - q), 1, &k) != 0 ||
		    strcmp(buf_str(&k), name) != 0)
			continue;
		if (eq == NULL)
			res = xstrdup("");
		else if (decode(eq + 1, (size_t)(amp - eq - 1), 1, &v) == 0)
			res = xstrdup(buf_str(&v));
		break;
	}
	buf_free(&k);
	buf_free(&v);
	return res;
}

void
http1_chunked_init(struct http1_chunked *ck)
{
	memset(ck, 0, sizeof(*ck));
	ck->state = CK_SIZE;
}

int
http1_chunked_feed(struct http1_chunked *ck, const char *p, size_t n,
    size_t *used, struct buf *body, size_t max)
{
	size_t i = 0, k;
	unsigned char c;
	int d;

	*used = 0;
	while (i < n) {
		if (ck->state == CK_DONE)
			break;
		if (ck->state == CK_DATA) {
			k = n - i;
			if (k > ck->size)
				k = (size_t)ck->size;
			buf_append(body, p + i, k);
			ck->size -= k;
			i += k;
			if (ck->size == 0)
				ck->state = CK_DATA_CR;
			continue;
		}
		c = (unsigned char)p[i++];
		switch (ck->state) {
		case CK_SIZE:
			if ((d = hexval(c)) >= 0) {
				if (++ck->digits > 15)
					return 413;
				ck->size = ck->size * 16 + (unsigned)d;
				break;
			}
			if (ck->digits == 0 || (c != ';' && c != ' ' &&
			    c != '\t' && c != '\r'))
				return 400;
			ck->state = c == '\r' ? CK_SIZE_LF : CK_EXT;
			break;
		case CK_EXT:
			if (++ck->line > CK_MAX_LINE)
				return 400;
			if (c == '\r')
				ck->state = CK_SIZE_LF;
			else if (!is_field_char(c))
				return 400;
			break;
		case CK_SIZE_LF:
			if (c != '\n')
				return 400;
			if (ck->size > max || body->len > max - ck->size)
				return 413;
			ck->line = 0;
			ck->state = ck->size == 0 ? CK_TRAILER_START : CK_DATA;
			break;
		case CK_DATA_CR:
			if (c != '\r')
				return 400;
			ck->state = CK_DATA_LF;
			break;
		case CK_DATA_LF:
			if (c != '\n')
				return 400;
			ck->size = 0;
			ck->digits = 0;
			ck->state = CK_SIZE;
			break;
		case CK_TRAILER_START:
		case CK_TRAILER:
			if (++ck->line > CK_MAX_LINE)
				return 400;
			if (c == '\r')
				ck->state = ck->state == CK_TRAILER_START ?
				    CK_END_LF : CK_TRAILER_LF;
			else if (!is_field_char(c))
				return 400;
			else
				ck->state = CK_TRAILER;
			break;
		case CK_TRAILER_LF:
			if (c != '\n')
				return 400;
			ck->state = CK_TRAILER_START;
			break;
		case CK_END_LF:
			if (c != '\n')
				return 400;
			ck->state = CK_DONE;
			break;
		default:
			return 400;
		}
	}
	*used = i;
	return ck->state == CK_DONE;
}
