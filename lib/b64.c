/* b64.c: base64 as Python reads it. */
#include <string.h>

#include "b64.h"
#include "buf.h"

static const char b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

long
b64_decode_lax(const char *s, size_t n, unsigned char *out)
{
	unsigned int left = 0;
	int quad = 0, pads = 0;
	const char *hit;
	long len = 0;
	size_t i;
	unsigned int c;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return -1;
		if (s[i] == '=') {
			if (quad >= 2 && quad + ++pads >= 4)
				return len;
			continue;
		}
		if (s[i] == '\0' || (hit = strchr(b64_alpha, s[i])) == NULL)
			continue;
		c = (unsigned int)(hit - b64_alpha);
		pads = 0;
		switch (quad) {
		case 0:
			left = c;
			break;
		case 1:
			out[len++] = (unsigned char)((left << 2) | (c >> 4));
			left = c & 0x0f;
			break;
		case 2:
			out[len++] = (unsigned char)((left << 4) | (c >> 2));
			left = c & 0x03;
			break;
		case 3:
			out[len++] = (unsigned char)((left << 6) | c);
			break;
		}
		quad = (quad + 1) % 4;
	}
	return quad == 0 ? len : -1;
}

void
b64_encode(struct buf *out, const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned long v;
	char q[4];
	size_t i;

	buf_reserve(out, (n + 2) / 3 * 4);
	for (i = 0; i < n; i += 3) {
		v = (unsigned long)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64_alpha[v >> 18 & 0x3f];
		q[1] = b64_alpha[v >> 12 & 0x3f];
		q[2] = i + 1 < n ? b64_alpha[v >> 6 & 0x3f] : '=';
		q[3] = i + 2 < n ? b64_alpha[v & 0x3f] : '=';
		buf_append(out, q, 4);
	}
}
