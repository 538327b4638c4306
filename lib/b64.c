/* b64.c: base64 as Python reads it. */
#include <string.h>

#include "b64.h"

long
b64_decode_lax(const char *s, size_t n, unsigned char *out)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
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
		if (s[i] == '\0' || (hit = strchr(alpha, s[i])) == NULL)
			continue;
		c = (unsigned int)(hit - alpha);
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
