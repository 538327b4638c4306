/* fcgirec.c: FastCGI record and CGI head codec, see fcgirec.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "fcgirec.h"

#define FCGI_KEEP_CONN	1

/* Appends a record header. */
static void
put_header(struct buf *out, int type, unsigned id, size_t len, size_t pad)
{
	unsigned char h[FCGIREC_HEADER];

	h[0] = 1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)len;
	h[6] = (unsigned char)pad;
	h[7] = 0;
	buf_append(out, h, sizeof(h));
}

void
fcgirec_begin(struct buf *out, unsigned id, int role, int keep_conn)
{
	unsigned char b[8] = { 0 };

	b[0] = (unsigned char)(role >> 8);
	b[1] = (unsigned char)role;
	b[2] = keep_conn ? FCGI_KEEP_CONN : 0;
	put_header(out, FCGI_BEGIN_REQUEST, id, sizeof(b), 0);
	buf_append(out, b, sizeof(b));
}

/* Appends a pair length: 1 byte below 128, else 4 with the high bit. */
static void
put_len(struct buf *out, size_t n)
{
	unsigned char b[4];

	if (n < 128) {
		buf_putc(out, (char)n);
		return;
	}
	b[0] = (unsigned char)(0x80 | ((n >> 24) & 0x7f));
	b[1] = (unsigned char)(n >> 16);
	b[2] = (unsigned char)(n >> 8);
	b[3] = (unsigned char)n;
	buf_append(out, b, 4);
}

void
fcgirec_pair(struct buf *params, const char *name, size_t nl,
    const char *value, size_t vl)
{
	put_len(params, nl);
	put_len(params, vl);
	buf_append(params, name, nl);
	buf_append(params, value, vl);
}

void
fcgirec_stream(struct buf *out, int type, unsigned id, const void *p,
    size_t n)
{
	static const char zeros[8];
	const char *s = p;
	size_t k, pad;

	do {
		k = n < 65528 ? n : 65528;	/* a multiple of 8 */
		pad = (8 - k % 8) % 8;
		put_header(out, type, id, k, pad);
		if (k > 0) {
			buf_append(out, s, k);
			s += k;		/* s may be NULL when n is 0 */
		}
		buf_append(out, zeros, pad);
		n -= k;
	} while (n > 0);
}

long
fcgirec_next(const void *p, size_t n, struct fcgirec *rec)
{
	const unsigned char *h = p;
	size_t len, pad;

	if (n < FCGIREC_HEADER)
		return 0;
	if (h[0] != 1)
		return -1;
	len = (size_t)h[4] << 8 | h[5];
	pad = h[6];
	if (n < FCGIREC_HEADER + len + pad)
		return 0;
	rec->type = h[1];
	rec->id = (unsigned)h[2] << 8 | h[3];
	rec->content = h + FCGIREC_HEADER;
	rec->len = len;
	return (long)(FCGIREC_HEADER + len + pad);
}

/* Reads a pair length; returns 0 or -1. */
static int
get_len(const unsigned char **p, const unsigned char *end, size_t *n)
{
	const unsigned char *s = *p;

	if (s >= end)
		return -1;
	if (*s < 128) {
		*n = *s;
		*p = s + 1;
		return 0;
	}
	if (end - s < 4)
		return -1;
	*n = (size_t)(s[0] & 0x7f) << 24 | (size_t)s[1] << 16 |
	    (size_t)s[2] << 8 | s[3];
	*p = s + 4;
	return *n > FCGIREC_MAX_PAIR ? -1 : 0;
}

int
fcgirec_pair_next(const unsigned char **p, const unsigned char *end,
    const char **name, size_t *nl, const char **value, size_t *vl)
{
	const unsigned char *s = *p;

	if (s >= end)
		return 0;
	if (get_len(&s, end, nl) != 0 || get_len(&s, end, vl) != 0 ||
	    (size_t)(end - s) < *nl || (size_t)(end - s) - *nl < *vl)
		return -1;
	*name = (const char *)s;
	*value = (const char *)s + *nl;
	*p = s + *nl + *vl;
	return 1;
}

long
fcgirec_end_status(const struct fcgirec *rec)
{
	const unsigned char *c = rec->content;

	if (rec->len < 8)
		return -1;
	return (long)((unsigned long)c[0] << 24 | (unsigned long)c[1] << 16 |
	    (unsigned long)c[2] << 8 | c[3]);
}

/* Names the server writes itself: not copied from the application. */
static int
is_own_header(const char *name, size_t n)
{
	static const char *const own[] = { "Content-Length", "Connection",
	    "Transfer-Encoding", "Keep-Alive", NULL };
	size_t i;

	for (i = 0; own[i] != NULL; i++)
		if (strlen(own[i]) == n && strncasecmp(name, own[i], n) == 0)
			return 1;
	return 0;
}

int
fcgirec_cgi(const char *p, size_t n, struct fcgirec_cgi *out,
    struct buf *headers, struct buf *ctype)
{
	const char *line = p, *end = p + n, *nl, *e, *colon, *v;
	int location = 0;

	buf_reset(headers);
	buf_reset(ctype);
	buf_puts(headers, "");
	buf_puts(ctype, "");
	out->status = 0;
	for (;;) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			return -1;
		e = nl > line && nl[-1] == '\r' ? nl - 1 : nl;
		if (e == line)
			break;
		colon = memchr(line, ':', (size_t)(e - line));
		if (colon == NULL || colon == line ||
		    memchr(line, '\r', (size_t)(e - line)) != NULL)
			return -1;
		for (v = colon + 1; v < e && (*v == ' ' || *v == '\t'); v++)
			;
		if (colon - line == 6 && strncasecmp(line, "Status", 6) == 0) {
			if (e - v < 3 || v[0] < '1' || v[0] > '5' ||
			    v[1] < '0' || v[1] > '9' || v[2] < '0' ||
			    v[2] > '9' || (e - v > 3 && v[3] != ' '))
				return -1;
			out->status = (v[0] - '0') * 100 + (v[1] - '0') * 10 +
			    (v[2] - '0');
		} else if (colon - line == 12 &&
		    strncasecmp(line, "Content-Type", 12) == 0) {
			buf_reset(ctype);
			buf_append(ctype, v, (size_t)(e - v));
		} else if (!is_own_header(line, (size_t)(colon - line))) {
			if (colon - line == 8 &&
			    strncasecmp(line, "Location", 8) == 0)
				location = 1;
			buf_append(headers, line, (size_t)(colon - line));
			buf_puts(headers, ": ");
			buf_append(headers, v, (size_t)(e - v));
			buf_puts(headers, "\r\n");
		}
		line = nl + 1;
	}
	if (out->status == 0)
		out->status = location ? 302 : 200;
	out->body_off = (size_t)(nl + 1 - p);
	return 0;
}
