/* channel.h: the "channel" table (channels: chat rooms shared by
 * access_control). Only the list is served so far.
 *
 * created_at and updated_at are epoch NANOseconds, as Python writes them.
 * data, meta and access_control are JSON text (NULL or "null": none; an
 * access_control of none is public, see access.h). */
#ifndef CWEBUI_CHANNEL_H
#define CWEBUI_CHANNEL_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

/* Sets *out to a new JSON array of the channels user_id owns or may read
 * (every channel when user_id is NULL: Channels.get_channels), in the
 * database's order (Channels.get_channels_by_user_id), each as
 * Python's ChannelModel {id, user_id, type, name, description, data, meta,
 * access_control, created_at, updated_at}. ERR_OK or ERR_DB (*out NULL). */
enum err channel_list_readable(struct db *db, struct arena *a,
	    const char *user_id, json_object **out);

#endif
