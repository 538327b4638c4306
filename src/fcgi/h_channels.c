/* h_channels.c: /api/v1/channels/ (routers/channels.py). Only the lists
 * are served so far. */
#include <string.h>

#include "channel.h"
#include "handlers.h"
#include "json.h"
#include "req.h"
#include "user.h"

/* Writes 200 with the channels user_id owns or may read (all of them when
 * user_id is NULL). */
static int
channels_reply(struct req *r, const char *user_id)
{
	json_object *arr;
	enum err e;

	if ((e = channel_list_readable(r->db, r->a, user_id, &arr)) != ERR_OK)
		return resp_internal(r, "channels", e);
	return resp_json(r, 200, arr);
}

/* Returns 200 with the channels the caller owns or may read (admins too:
 * no bypass on this route), in the database's order. */
int
h_channels_list(struct req *r)
{
	return channels_reply(r, r->user->id);
}

/* Returns 200 with every channel for an admin, else as h_channels_list. */
int
h_channels_list_all(struct req *r)
{
	return channels_reply(r, strcmp(r->user->role, "admin") == 0 ? NULL :
	    r->user->id);
}
