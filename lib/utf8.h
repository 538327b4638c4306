/* utf8.h: checking UTF-8, and repairing it the way browsers do. */
#ifndef CWEBUI_UTF8_H
#define CWEBUI_UTF8_H

#include <stddef.h>

struct buf;

/* Returns 1 if the n bytes at p are valid UTF-8 (no overlong forms, no
 * surrogates, nothing over U+10FFFF). Else returns 0 and, when out is not
 * NULL, appends the bytes to out with each maximal invalid subpart replaced
 * by U+FFFD. */
int	 utf8_check(const void *p, size_t n, struct buf *out);

#endif
