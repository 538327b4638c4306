/* fuzz_fcgirec.c: libFuzzer target for the FastCGI codec of cwebui-streamd
 * (fcgirec.c), the side that reads what cwebui-fcgi sends back: records,
 * name-value pairs, END_REQUEST and the CGI head. The checks: a record
 * never claims more bytes than it was given, reading a stream record by
 * record ends exactly at the input's end or at an incomplete record, pairs
 * stay inside their content, and a CGI head that splits has its body
 * inside the input with a status in 100-599. A round trip checks that the
 * encoder's records read back as what went in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "fcgirec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_pairs(const struct fcgirec *rec)
{
	const unsigned char *p = rec->content, *end = p + rec->len;
	const char *name, *value;
	size_t nl, vl;
	int r;

	while ((r = fcgirec_pair_next(&p, end, &name, &nl, &value, &vl)) == 1) {
		check((const unsigned char *)name >= rec->content);
		check((const unsigned char *)value + vl <= end);
		check(p <= end);
	}
	check(r == 0 || r == -1);
}

static void
check_records(const uint8_t *data, size_t size)
{
	struct fcgirec rec;
	size_t off = 0;
	long n;

	while (off < size) {
		n = fcgirec_next(data + off, size - off, &rec);
		if (n <= 0)
			break;
		check((size_t)n <= size - off);
		check(rec.content >= data + off && rec.content + rec.len <=
		    data + off + n);
		if (rec.type == FCGI_PARAMS)
			check_pairs(&rec);
		if (rec.type == FCGI_END_REQUEST)
			(void)fcgirec_end_status(&rec);
		off += (size_t)n;
	}
}

static void
check_cgi(const uint8_t *data, size_t size)
{
	struct fcgirec_cgi cgi;
	struct buf headers = BUF_INIT, ctype = BUF_INIT;

	if (fcgirec_cgi((const char *)data, size, &cgi, &headers, &ctype) ==
	    0) {
		check(cgi.body_off <= size);
		check(cgi.status >= 100 && cgi.status <= 599);
	}
	buf_free(&headers);
	buf_free(&ctype);
}

/* Encodes the input as a STDIN stream and a pair, reads it back. */
static void
round_trip(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT, params = BUF_INIT, got = BUF_INIT;
	struct fcgirec rec;
	const unsigned char *p, *end;
	const char *name, *value;
	size_t off = 0, nl, vl, half = size / 2;
	long n;

	fcgirec_stream(&out, FCGI_STDIN, 7, data, size);
	fcgirec_stream(&out, FCGI_STDIN, 7, NULL, 0);
	while (off < out.len) {
		n = fcgirec_next(out.p + off, out.len - off, &rec);
		check(n > 0);
		check(rec.type == FCGI_STDIN && rec.id == 7);
		buf_append(&got, rec.content, rec.len);
		off += (size_t)n;
	}
	check(got.len == size && (size == 0 || memcmp(got.p, data, size) == 0));
	fcgirec_pair(&params, (const char *)data, half,
	    (const char *)data + half, size - half);
	p = (const unsigned char *)params.p;
	end = p + params.len;
	if (params.len > 0 && fcgirec_pair_next(&p, end, &name, &nl, &value,
	    &vl) == 1) {
		check(nl == half && vl == size - half);
		check(memcmp(name, data, nl) == 0);
		check(memcmp(value, data + half, vl) == 0);
	}
	buf_free(&out);
	buf_free(&params);
	buf_free(&got);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_records(data, size);
	check_cgi(data, size);
	if (size <= 70000)
		round_trip(data, size);
	return 0;
}
