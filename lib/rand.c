#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "rand.h"

enum err
rand_bytes(void *p, size_t n)
{
	unsigned char	*c = p;
	ssize_t		 got;

	while (n > 0) {
		got = getrandom(c, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return ERR_CRYPTO;
		c += got;
		n -= (size_t)got;
	}
	return ERR_OK;
}

/* Fills b with 16 random bytes marked as a version 4, RFC 4122 UUID. */
static void
rand_uuid_bytes(unsigned char b[16])
{
	if (rand_bytes(b, 16) != ERR_OK) {
		perror("getrandom");
		abort();
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
}

/* Writes the 2 * n lower-case hex digits of b to out, with a dash before
 * the bytes 4, 6, 8 and 10 when dashes is set; returns the end of out. */
static char *
rand_hex(char *out, const unsigned char *b, size_t n, int dashes)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (dashes && (i == 4 || i == 6 || i == 8 || i == 10))
			*out++ = '-';
		*out++ = hex[b[i] >> 4];
		*out++ = hex[b[i] & 0x0f];
	}
	*out = '\0';
	return out;
}

void
rand_uuid4(char out[37])
{
	unsigned char	b[16];

	rand_uuid_bytes(b);
	rand_hex(out, b, sizeof(b), 1);
}

void
rand_api_key(char out[36])
{
	unsigned char	b[16];

	rand_uuid_bytes(b);
	out[0] = 's';
	out[1] = 'k';
	out[2] = '-';
	rand_hex(out + 3, b, sizeof(b), 0);
}
