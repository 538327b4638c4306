/* mem.h: allocation that never returns NULL, and the per-request arena.
 *
 * x*alloc abort the process on failure (the master respawns a worker), as
 * lighttpd's ck_malloc does. An arena owns every allocation made from it and
 * every deferred release registered on it; arena_reset() frees them all,
 * releases running in reverse order of registration. */
#ifndef CWEBUI_MEM_H
#define CWEBUI_MEM_H

#include <stddef.h>

void	*xmalloc(size_t n);
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t n);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);

struct arena;

/* Returns a new empty arena; free it with arena_free(). */
struct arena *arena_new(void);
/* Releases everything the arena owns and keeps the arena for reuse. */
void	 arena_reset(struct arena *a);
/* Releases everything and the arena itself. NULL is accepted. */
void	 arena_free(struct arena *a);
/* Returns n zeroed bytes owned by the arena, aligned for any type. */
void	*arena_alloc(struct arena *a, size_t n);
/* Returns a copy of s (NULL gives NULL) owned by the arena. */
char	*arena_strdup(struct arena *a, const char *s);
char	*arena_strndup(struct arena *a, const char *s, size_t n);
/* Returns a formatted string owned by the arena. */
char	*arena_printf(struct arena *a, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Makes the arena call fn(p) when it is reset or freed. */
void	 arena_defer(struct arena *a, void (*fn)(void *), void *p);

#endif
