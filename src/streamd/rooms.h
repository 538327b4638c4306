/* rooms.h: Socket.IO rooms of this streamd instance. A session embeds a
 * struct rooms_sess; a room ("user:<id>", "channel:<id>", "note:<id>", or a
 * session id) exists while it has members. Module state, loop thread only. */
#ifndef CWEBUI_ROOMS_H
#define CWEBUI_ROOMS_H

#include <stddef.h>

struct room_memb;

struct rooms_sess {
	struct room_memb	*memb;	/* the rooms it is in; NULL: none */
	void			*owner;	/* what rooms_members() returns */
};

/* Puts s into room (no change when it is in already). */
void	 rooms_join(struct rooms_sess *s, const char *room);
/* Takes s out of room (no change when it is not in it). */
void	 rooms_leave(struct rooms_sess *s, const char *room);
/* Takes s out of every room whose name starts with prefix ("" for all). */
void	 rooms_leave_prefix(struct rooms_sess *s, const char *prefix);
/* Returns 1 when s is in room. */
int	 rooms_in(const struct rooms_sess *s, const char *room);
/* Returns the owners of room's members as a new array (the caller frees
 * it; NULL when the room is empty) and sets *n to their number. */
void	**rooms_members(const char *room, size_t *n);
/* Returns the number of rooms that exist (for tests). */
size_t	 rooms_count(void);

#endif
