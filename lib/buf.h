/* buf.h: the one growable byte buffer. Length-tracked and always
 * NUL-terminated; p is NULL only before the first append. The owner frees it
 * with buf_free() (or registers that on an arena with buf_on_arena()). */
#ifndef CWEBUI_BUF_H
#define CWEBUI_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT	{ NULL, 0, 0 }

void	 buf_free(struct buf *b);
/* Makes the arena free b's storage when it is reset. b itself must live
 * until then: never a local of a function that returns before the reset
 * (use buf_arena for those). */
void	 buf_on_arena(struct buf *b, struct arena *a);
/* A new empty buffer allocated on a, its storage freed at a's reset. */
struct buf *buf_arena(struct arena *a);
void	 buf_reset(struct buf *b);
void	 buf_reserve(struct buf *b, size_t extra);
void	 buf_append(struct buf *b, const void *p, size_t n);
void	 buf_puts(struct buf *b, const char *s);
void	 buf_putc(struct buf *b, char c);
void	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Returns the text ("" when empty); valid until the next change. */
const char *buf_str(const struct buf *b);

#endif
