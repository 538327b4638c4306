/* smap.c: chained hash table (FNV-1a), doubling when the load passes 1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "smap.h"

struct smap_ent {
	struct smap_ent	*next;
	void		*val;
	uint32_t	 hash;
	char		 key[];
};

struct smap {
	struct smap_ent	**b;
	size_t		  nb;	/* a power of two */
	size_t		  n;
};

static uint32_t
smap_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct smap *
smap_new(void)
{
	struct smap *m = xcalloc(1, sizeof(*m));

	m->nb = 16;
	m->b = xcalloc(m->nb, sizeof(*m->b));
	return m;
}

void
smap_free(struct smap *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nb; i++)
		while (m->b[i] != NULL) {
			struct smap_ent *e = m->b[i];

			m->b[i] = e->next;
			free(e);
		}
	free(m->b);
	free(m);
}

/* Returns the link that points at key's entry (or at NULL when absent). */
static struct smap_ent **
smap_find(const struct smap *m, const char *key, uint32_t h)
{
	struct smap_ent **pe = &m->b[h & (m->nb - 1)];

	while (*pe != NULL && ((*pe)->hash != h || strcmp((*pe)->key, key)))
		pe = &(*pe)->next;
	return pe;
}

void *
smap_get(const struct smap *m, const char *key)
{
	struct smap_ent *e = *smap_find(m, key, smap_hash(key));

	return e != NULL ? e->val : NULL;
}

static void
smap_grow(struct smap *m)
{
	size_t nb = m->nb * 2, i;
	struct smap_ent **b = xcalloc(nb, sizeof(*b));

	for (i = 0; i < m->nb; i++)
		while (m->b[i] != NULL) {
			struct smap_ent *e = m->b[i];

			m->b[i] = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	free(m->b);
	m->b = b;
	m->nb = nb;
}

void *
smap_put(struct smap *m, const char *key, void *val)
{
	uint32_t h = smap_hash(key);
	struct smap_ent **pe = smap_find(m, key, h), *e;
	size_t len;
	void *old;

	if (*pe != NULL) {
		old = (*pe)->val;
		(*pe)->val = val;
		return old;
	}
	len = strlen(key);
	e = xmalloc(sizeof(*e) + len + 1);
	memcpy(e->key, key, len + 1);
	e->hash = h;
	e->val = val;
	e->next = NULL;
	*pe = e;
	if (++m->n > m->nb)
		smap_grow(m);
	return NULL;
}

void *
smap_del(struct smap *m, const char *key)
{
	struct smap_ent **pe = smap_find(m, key, smap_hash(key)), *e = *pe;
	void *old;

	if (e == NULL)
		return NULL;
	*pe = e->next;
	old = e->val;
	free(e);
	m->n--;
	return old;
}

size_t
smap_count(const struct smap *m)
{
	return m->n;
}

void
smap_iter_init(struct smap_iter *it, const struct smap *m)
{
	it->m = m;
	it->bucket = 0;
	it->next = m->nb > 0 ? m->b[0] : NULL;
}

int
smap_iter_next(struct smap_iter *it, const char **key, void **val)
{
	struct smap_ent *e;

	while (it->next == NULL) {
		if (++it->bucket >= it->m->nb)
			return 0;
		it->next = it->m->b[it->bucket];
	}
	e = it->next;
	it->next = e->next;
	*key = e->key;
	*val = e->val;
	return 1;
}
