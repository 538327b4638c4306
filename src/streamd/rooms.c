/* rooms.c: rooms as a map name -> doubly linked member list; each
 * membership is also on its session's list, so leaving is O(rooms of the
 * session) and emitting O(members). */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "rooms.h"
#include "smap.h"

struct room {
	struct room_memb	*head;
	size_t			 n;
	char			 name[];
};

struct room_memb {
	struct room		*room;
	struct rooms_sess	*sess;
	struct room_memb	*prev, *next;	/* in the room */
	struct room_memb	*snext;		/* in the session */
};

static struct smap *rooms_map;

static struct room_memb *
rooms_find(const struct rooms_sess *s, const char *room)
{
	struct room_memb *m;

	for (m = s->memb; m != NULL; m = m->snext)
		if (strcmp(m->room->name, room) == 0)
			return m;
	return NULL;
}

void
rooms_join(struct rooms_sess *s, const char *room)
{
	struct room *r;
	struct room_memb *m;
	size_t len;

	if (rooms_find(s, room) != NULL)
		return;
	if (rooms_map == NULL)
		rooms_map = smap_new();
	if ((r = smap_get(rooms_map, room)) == NULL) {
		len = strlen(room);
		r = xcalloc(1, sizeof(*r) + len + 1);
		memcpy(r->name, room, len + 1);
		smap_put(rooms_map, room, r);
	}
	m = xcalloc(1, sizeof(*m));
	m->room = r;
	m->sess = s;
	if ((m->next = r->head) != NULL)
		r->head->prev = m;
	r->head = m;
	r->n++;
	m->snext = s->memb;
	s->memb = m;
}

/* Unlinks m from its room (freeing an emptied room) and frees it; the
 * caller has unlinked it from the session. */
static void
rooms_drop(struct room_memb *m)
{
	struct room *r = m->room;

	if (m->prev != NULL)
		m->prev->next = m->next;
	else
		r->head = m->next;
	if (m->next != NULL)
		m->next->prev = m->prev;
	if (--r->n == 0) {
		smap_del(rooms_map, r->name);
		free(r);
	}
	free(m);
}

void
rooms_leave_prefix(struct rooms_sess *s, const char *prefix)
{
	struct room_memb **pm = &s->memb, *m;
	size_t len = strlen(prefix);

	while ((m = *pm) != NULL) {
		if (strncmp(m->room->name, prefix, len) != 0) {
			pm = &m->snext;
			continue;
		}
		*pm = m->snext;
		rooms_drop(m);
	}
}

void
rooms_leave(struct rooms_sess *s, const char *room)
{
	struct room_memb **pm = &s->memb, *m;

	while ((m = *pm) != NULL && strcmp(m->room->name, room) != 0)
		pm = &m->snext;
	if (m == NULL)
		return;
	*pm = m->snext;
	rooms_drop(m);
}

int
rooms_in(const struct rooms_sess *s, const char *room)
{
	return rooms_find(s, room) != NULL;
}

void **
rooms_members(const char *room, size_t *n)
{
	struct room *r = rooms_map ? smap_get(rooms_map, room) : NULL;
	struct room_memb *m;
	void **v;
	size_t i = 0;

	*n = 0;
	if (r == NULL)
		return NULL;
	v = xcalloc(r->n, sizeof(*v));
	for (m = r->head; m != NULL; m = m->next)
		v[i++] = m->sess->owner;
	*n = i;
	return v;
}

size_t
rooms_count(void)
{
	return rooms_map ? smap_count(rooms_map) : 0;
}
