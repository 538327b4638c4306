/* b64.h: base64 for data: URLs (avatars, model images) and Engine.IO's
 * binary packets in polling payloads. */
#ifndef CWEBUI_B64_H
#define CWEBUI_B64_H

#include <stddef.h>

struct buf;

/* Decodes base64 as Python's binascii.a2b_base64 does when not strict:
 * characters outside the alphabet are skipped, a complete pad ends the
 * data. Returns the length written to out (room for 3/4 of n, plus 3), or
 * -1 for bad padding or a byte that is not ASCII (Python refuses those). */
long	 b64_decode_lax(const char *s, size_t n, unsigned char *out);

/* Appends the standard, padded base64 of the n bytes at p to out. */
void	 b64_encode(struct buf *out, const void *p, size_t n);

#endif
