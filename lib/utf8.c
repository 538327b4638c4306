/* utf8.c: UTF-8 checked and repaired as the WHATWG Encoding standard's
 * decoder reads it (the same U+FFFD count as browsers and Python's
 * decode(errors="replace")). */
#include "buf.h"
#include "utf8.h"

static const char utf8_fffd[] = "\xef\xbf\xbd";

int
utf8_check(const void *text, size_t n, struct buf *out)
{
	const unsigned char *p = text;
	unsigned int need = 0, seen = 0, lo = 0x80, hi = 0xbf;
	size_t i, start = 0, done = 0;	/* out holds p[0..done) */
	int valid = 1;

	for (i = 0; i < n; i++) {
		unsigned char b = p[i];

		if (need == 0) {
			start = i;
			if (b <= 0x7f)
				continue;
			if (b >= 0xc2 && b <= 0xdf)
				need = 1;
			else if (b >= 0xe0 && b <= 0xef) {
				lo = b == 0xe0 ? 0xa0 : 0x80;
				hi = b == 0xed ? 0x9f : 0xbf;
				need = 2;
			} else if (b >= 0xf0 && b <= 0xf4) {
				lo = b == 0xf0 ? 0x90 : 0x80;
				hi = b == 0xf4 ? 0x8f : 0xbf;
				need = 3;
			} else
				goto bad;
			seen = 0;
			continue;
		}
		if (b < lo || b > hi) {
			i--;	/* b may start the next character */
			goto bad;
		}
		lo = 0x80;
		hi = 0xbf;
		if (++seen == need)
			need = 0;
		continue;
bad:
		valid = 0;
		if (out == NULL)
			return 0;
		buf_append(out, p + done, start - done);
		buf_append(out, utf8_fffd, 3);
		done = i + 1;
		need = 0;
		lo = 0x80;
		hi = 0xbf;
	}
	if (need != 0) {	/* the text ends inside a character */
		if (out == NULL)
			return 0;
		buf_append(out, p + done, start - done);
		buf_append(out, utf8_fffd, 3);
		return 0;
	}
	if (!valid)
		buf_append(out, p + done, n - done);
	return valid;
}
