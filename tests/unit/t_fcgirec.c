/* t_fcgirec.c: FastCGI records, name-value pairs and the CGI response
 * head (fcgirec.c). */
#include <string.h>

#include "buf.h"
#include "fcgirec.h"
#include "tap.h"

static void
test_records(void)
{
	struct buf out = BUF_INIT, big = BUF_INIT, got = BUF_INIT;
	const unsigned char *u;
	struct fcgirec rec;
	long used;
	size_t off, i;
	int allok = 1, nrec = 0;

	fcgirec_begin(&out, 1, 1, 0);
	is_int(out.len, 16, "begin is 16 bytes");
	u = (const unsigned char *)out.p;
	ok(u[0] == 1 && u[1] == FCGI_BEGIN_REQUEST && u[3] == 1 && u[5] == 8 &&
	    u[9] == 1 && u[10] == 0, "begin: version, type, id, role, flags");
	buf_reset(&out);
	fcgirec_stream(&out, FCGI_STDIN, 1, "abc", 3);
	is_int(out.len, 16, "3 bytes padded to 8");
	used = fcgirec_next(out.p, out.len, &rec);
	is_int(used, 16, "record length with padding");
	ok(rec.type == FCGI_STDIN && rec.id == 1 && rec.len == 3 &&
	    memcmp(rec.content, "abc", 3) == 0, "record read back");
	is_int(fcgirec_next(out.p, 15, &rec), 0, "incomplete record");
	is_int(fcgirec_next(out.p, 7, &rec), 0, "incomplete header");
	out.p[0] = 2;
	is_int(fcgirec_next(out.p, out.len, &rec), -1, "bad version");
	buf_reset(&out);
	fcgirec_stream(&out, FCGI_STDIN, 1, NULL, 0);
	is_int(out.len, 8, "end of stream: an empty record");

	for (i = 0; i < 200000; i++)
		buf_putc(&big, (char)(i * 7));
	buf_reset(&out);
	fcgirec_stream(&out, FCGI_STDOUT, 513, big.p, big.len);
	for (off = 0; off < out.len; off += (size_t)used) {
		used = fcgirec_next(out.p + off, out.len - off, &rec);
		if (used <= 0 || rec.id != 513 || rec.type != FCGI_STDOUT ||
		    rec.len > FCGIREC_MAX_CONTENT || used % 8 != 0) {
			allok = 0;
			break;
		}
		buf_append(&got, rec.content, rec.len);
		nrec++;
	}
	ok(allok && got.len == big.len && memcmp(got.p, big.p, big.len) == 0,
	    "200000 bytes cut into records and joined again");
	is_int(nrec, 4, "in four records");
	buf_free(&out);
	buf_free(&big);
	buf_free(&got);
}

static void
test_pairs(void)
{
	struct buf p = BUF_INIT, longv = BUF_INIT;
	const unsigned char *s, *end;
	const char *n, *v;
	size_t nl, vl, i;

	for (i = 0; i < 300; i++)
		buf_putc(&longv, 'v');
	fcgirec_pair(&p, "A", 1, "b", 1);
	fcgirec_pair(&p, "LONG", 4, longv.p, longv.len);
	fcgirec_pair(&p, "EMPTY", 5, "", 0);
	is_int(p.len, 4 + (1 + 4 + 4 + 300) + (2 + 5), "1- and 4-byte lengths");
	ok(p.p[4] == 4 && (unsigned char)p.p[5] == 0x80 && p.p[8] == 44,
	    "300 in 4 bytes");
	s = (const unsigned char *)p.p;
	end = s + p.len;
	ok(fcgirec_pair_next(&s, end, &n, &nl, &v, &vl) == 1 && nl == 1 &&
	    *n == 'A' && vl == 1 && *v == 'b', "first pair");
	ok(fcgirec_pair_next(&s, end, &n, &nl, &v, &vl) == 1 && nl == 4 &&
	    vl == 300 && memcmp(v, longv.p, 300) == 0, "long value");
	ok(fcgirec_pair_next(&s, end, &n, &nl, &v, &vl) == 1 && nl == 5 &&
	    vl == 0, "empty value");
	is_int(fcgirec_pair_next(&s, end, &n, &nl, &v, &vl), 0, "the end");
	s = (const unsigned char *)p.p;
	end = s + 3;
	is_int(fcgirec_pair_next(&s, end, &n, &nl, &v, &vl), -1, "cut off");
	buf_free(&p);
	buf_free(&longv);
}

static void
test_cgi(void)
{
	struct buf hd = BUF_INIT, ct = BUF_INIT;
	struct fcgirec_cgi c;
	const char *r1 = "Status: 404 Not Found\r\nContent-Type: application/json"
	    "\r\nContent-Length: 22\r\nX-Content-Type-Options: nosniff\r\n"
	    "Set-Cookie: a=b\r\n\r\n{\"detail\":\"Not Found\"}";
	const char *r2 = "Content-type: text/plain\n\nhi";

	is_int(fcgirec_cgi(r1, strlen(r1), &c, &hd, &ct), 0, "a response");
	is_int(c.status, 404, "status");
	is_str(ct.p, "application/json", "content type");
	is_str(hd.p, "X-Content-Type-Options: nosniff\r\nSet-Cookie: a=b\r\n",
	    "other headers, no Content-Length");
	is_str(r1 + c.body_off, "{\"detail\":\"Not Found\"}", "body");
	is_int(fcgirec_cgi(r2, strlen(r2), &c, &hd, &ct), 0, "LF lines");
	is_int(c.status, 200, "200 without Status");
	is_str(ct.p, "text/plain", "content type, any case");
	is_str(hd.p, "", "no other headers");
	is_str(r2 + c.body_off, "hi", "body");
	is_int(fcgirec_cgi("Location: /x\r\n\r\n", 16, &c, &hd, &ct), 0,
	    "redirect");
	is_int(c.status, 302, "302 for a bare Location");
	is_int(fcgirec_cgi("Status: 200\r\n", 13, &c, &hd, &ct), -1,
	    "incomplete head");
	is_int(fcgirec_cgi("Status: 2x0\r\n\r\n", 15, &c, &hd, &ct), -1,
	    "bad status");
	is_int(fcgirec_cgi("Status: 600\r\n\r\n", 15, &c, &hd, &ct), -1,
	    "status out of range");
	is_int(fcgirec_cgi("garbage\r\n\r\n", 11, &c, &hd, &ct), -1,
	    "not a header");
	is_int(fcgirec_cgi("", 0, &c, &hd, &ct), -1, "empty");
	buf_free(&hd);
	buf_free(&ct);
}

int
main(void)
{
	test_records();
	test_pairs();
	test_cgi();
	return done_testing();
}
