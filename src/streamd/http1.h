/* http1.h: the HTTP/1.1 request side of cwebui-streamd as pure functions
 * over bytes (no sockets), so unit tests and a fuzzer reach them.
 *
 *	n = http1_head_end(p, len, from);	0: more bytes, <0: -status
 *	st = http1_parse_head(&h, p, n);	in place; 0 or an error status
 *	http1_chunked_init(&ck);
 *	r = http1_chunked_feed(&ck, in, len, &used, &body, max);
 *
 * The parser is strict (RFC 9112): a request line "METHOD SP target SP
 * HTTP/1.x" ended by CRLF, header lines "name:OWS value OWS" ended by CRLF,
 * the empty line. No bare LF or CR, no control characters, no obsolete line
 * folding, no space before the colon, an origin-form target ("/..."),
 * Content-Length as plain digits (repeated only with the same value), and of
 * Transfer-Encoding only "chunked", never together with Content-Length.
 * Errors are the HTTP status to answer: 400 malformed, 413 body too big,
 * 431 head too big or too many headers, 501 an unknown transfer coding,
 * 505 an HTTP version other than 1.0 and 1.1. */
#ifndef CWEBUI_HTTP1_H
#define CWEBUI_HTTP1_H

#include <stddef.h>

#include "httpd.h"

struct buf;

struct http1_head {
	char		*method;
	char		*target;	/* raw, as received */
	size_t		 path_len;	/* of the target before '?' */
	char		*query;		/* raw, after '?'; "" if none */
	int		 minor;		/* HTTP/1.<minor> */
	struct hheader	 headers[HTTPD_MAX_HEADERS];
	size_t		 nheaders;
	long long	 content_length;	/* -1 when absent */
	int		 chunked;	/* Transfer-Encoding: chunked */
};

/* Looks for the end of a request head (the CRLF CRLF) in the n bytes at p,
 * starting the search at byte from (bytes before it were searched by an
 * earlier call). Returns the length of the head including the empty line,
 * 0 when it is not complete yet, or -431 when it would exceed
 * HTTPD_MAX_HEAD bytes. */
long	 http1_head_end(const char *p, size_t n, size_t from);

/* Parses the complete head of n bytes at p (as found by http1_head_end)
 * in place: the strings of *h point into p, NUL-terminated there. Returns 0,
 * or the error status (400, 413 for a Content-Length over HTTPD_MAX_BODY,
 * 431, 501, 505). */
int	 http1_parse_head(struct http1_head *h, char *p, size_t n);

/* The value of the first header named name (case-insensitive), or NULL. */
const char *http1_header(const struct hheader *hs, size_t n,
	    const char *name);

/* Percent-decodes the n bytes at s into out (reset first); an invalid
 * escape is kept as it is, as Python's unquote keeps it. Returns 0, or 400
 * when the result would hold a NUL byte. */
int	 http1_pct_decode(const char *s, size_t n, struct buf *out);

/* Returns the value of query parameter name in the raw query q (pairs
 * split at '&', '+' as a space, percent-decoded), malloc'd (the caller
 * frees it), or NULL when absent or when it would hold a NUL byte. */
char	*http1_query_get(const char *q, const char *name);

/* The state of a chunked request body decoder. */
struct http1_chunked {
	int		 state;
	unsigned long long size;	/* left in the current chunk */
	size_t		 line;		/* length of the size/trailer line */
	int		 digits;
};

void	 http1_chunked_init(struct http1_chunked *ck);

/* Decodes n more bytes at p, appending the data to body. *used is set to
 * the bytes consumed (less than n only at the end of the body). Returns 1
 * when the body ended (last chunk and trailers read), 0 when more bytes are
 * needed, 413 when body would exceed max bytes, 400 for a malformed
 * encoding (chunk extensions are skipped, trailers ignored; a size or
 * trailer line over 4096 bytes is malformed). */
int	 http1_chunked_feed(struct http1_chunked *ck, const char *p, size_t n,
	    size_t *used, struct buf *body, size_t max);

#endif
