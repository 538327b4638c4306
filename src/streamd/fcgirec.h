/* fcgirec.h: FastCGI records and the CGI response head as pure functions
 * over buffers (no sockets), for fcgic.c and its unit test.
 *
 * A record is an 8-byte header (version 1, type, request id, content
 * length, padding length, reserved) followed by the content and padding.
 * Params are name-value pairs, each length in 1 byte (< 128) or 4 bytes
 * (high bit set). */
#ifndef CWEBUI_FCGIREC_H
#define CWEBUI_FCGIREC_H

#include <stddef.h>

struct buf;

#define FCGIREC_HEADER		8
#define FCGIREC_MAX_CONTENT	65535
#define FCGIREC_MAX_PAIR	(1L << 20)	/* a name or value, bytes */

enum fcgirec_type {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_ABORT_REQUEST,
	FCGI_END_REQUEST,
	FCGI_PARAMS,
	FCGI_STDIN,
	FCGI_STDOUT,
	FCGI_STDERR,
	FCGI_DATA,
	FCGI_GET_VALUES,
	FCGI_GET_VALUES_RESULT,
	FCGI_UNKNOWN_TYPE
};

#define FCGI_RESPONDER		1

struct fcgirec {
	int			 type;
	unsigned		 id;
	const unsigned char	*content;	/* borrowed from the input */
	size_t			 len;
};

/* Appends a BEGIN_REQUEST record for request id with role; keep_conn 1
 * sets FCGI_KEEP_CONN. */
void	 fcgirec_begin(struct buf *out, unsigned id, int role, int keep_conn);

/* Appends one name-value pair to params (the content of PARAMS records,
 * to be cut into records by fcgirec_stream()). */
void	 fcgirec_pair(struct buf *params, const char *name, size_t nl,
	    const char *value, size_t vl);

/* Appends the n bytes at p as records of type (PARAMS, STDIN...) for
 * request id, each holding at most FCGIREC_MAX_CONTENT bytes and padded to
 * a multiple of 8; n 0 appends the empty record that ends the stream. */
void	 fcgirec_stream(struct buf *out, int type, unsigned id, const void *p,
	    size_t n);

/* Reads the record at the start of the n bytes at p into *rec (content
 * borrowed from p). Returns the bytes the record takes (header, content,
 * padding), 0 when they are not all there yet, -1 for a version other
 * than 1. */
long	 fcgirec_next(const void *p, size_t n, struct fcgirec *rec);

/* Reads the pair at *p (before end) and advances *p past it; name and
 * value are borrowed, not NUL-terminated. Returns 1, 0 at end, -1 when the
 * pair is cut off or a length exceeds FCGIREC_MAX_PAIR. */
int	 fcgirec_pair_next(const unsigned char **p, const unsigned char *end,
	    const char **name, size_t *nl, const char **value, size_t *vl);

/* The application's status of an END_REQUEST content (8 bytes), or -1
 * when len is short. */
long	 fcgirec_end_status(const struct fcgirec *rec);

/* A CGI response split by fcgirec_cgi(). */
struct fcgirec_cgi {
	int		 status;	/* Status:, 302 for a bare Location:,
					   else 200 */
	size_t		 body_off;	/* the body starts here */
};

/* Splits the CGI response (stdout) of n bytes at p: the head ends at the
 * first empty line (CRLF or LF). Status: gives the status, Content-Type
 * goes to ctype (reset first; empty when absent), every other header line
 * to headers (reset first) as "Name: value\r\n", except the ones the
 * server writes itself (Content-Length, Connection, Transfer-Encoding,
 * Keep-Alive). Returns 0, or -1 when the head is incomplete or a line is
 * not a header or the status is not 3 digits in 100-599. */
int	 fcgirec_cgi(const char *p, size_t n, struct fcgirec_cgi *out,
	    struct buf *headers, struct buf *ctype);

#endif
