/* smap.h: a string-keyed hash map of pointers, for the tables of streamd
 * (sessions by id, rooms by name, model usage). Keys are copied; values
 * are borrowed: the map never frees them. */
#ifndef CWEBUI_SMAP_H
#define CWEBUI_SMAP_H

#include <stddef.h>

struct smap;

/* Iteration state: an entry may be deleted (smap_del) while it is the
 * current one; other changes during an iteration are not allowed. */
struct smap_iter {
	const struct smap	*m;
	size_t			 bucket;
	void			*next;
};

/* Returns a new empty map; free it with smap_free() (values untouched). */
struct smap *smap_new(void);
void	 smap_free(struct smap *m);

/* Returns the value at key, or NULL. */
void	*smap_get(const struct smap *m, const char *key);
/* Sets key to val (val not NULL); returns the value it replaces, or NULL. */
void	*smap_put(struct smap *m, const char *key, void *val);
/* Removes key; returns its value, or NULL when it was absent. */
void	*smap_del(struct smap *m, const char *key);
size_t	 smap_count(const struct smap *m);

/* for (smap_iter_init(&it, m); smap_iter_next(&it, &k, &v); ) ...
 * Returns 1 and sets *key (valid while the entry exists) and *val for the
 * next entry, in no particular order; 0 at the end. */
void	 smap_iter_init(struct smap_iter *it, const struct smap *m);
int	 smap_iter_next(struct smap_iter *it, const char **key, void **val);

#endif
