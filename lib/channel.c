/* channel.c: the "channel" table. */
#include <string.h>

#include "access.h"
#include "channel.h"
#include "db.h"
#include "json.h"
#include "mem.h"

/* ChannelModel's fields, in its order: the columns selected */
static const struct json_col channel_cols[] = {
	{ "id", JSON_COL_STR },
	{ "user_id", JSON_COL_STR },
	{ "type", JSON_COL_STR },
	{ "name", JSON_COL_STR },
	{ "description", JSON_COL_STR },
	{ "data", JSON_COL_JSON },
	{ "meta", JSON_COL_JSON },
	{ "access_control", JSON_COL_JSON },
	{ "created_at", JSON_COL_INT },
	{ "updated_at", JSON_COL_INT },
};

#define CHANNEL_COLS	"id, user_id, type, name, description, data, meta, " \
			"access_control, created_at, updated_at"
#define CHANNEL_NCOLS	(sizeof(channel_cols) / sizeof(channel_cols[0]))

enum err
channel_list_readable(struct db *db, struct arena *a, const char *user_id,
    json_object **out)
{
	struct access_groups g;
	struct db_res *res;
	json_object *o;
	const char *owner;
	enum err e;
	int i;

	*out = NULL;
	if ((e = DBQ0(db, a, &res, "SELECT " CHANNEL_COLS " FROM channel")) !=
	    ERR_OK)
		return e;
	if (user_id != NULL &&
	    (e = access_groups_of(db, a, user_id, &g)) != ERR_OK)
		return e;
	*out = json_object_new_array();
	for (i = 0; i < res->nrows; i++) {
		o = json_row(res, i, channel_cols, CHANNEL_NCOLS);
		owner = db_cell(res, i, 1);
		if (user_id == NULL ||
		    (owner != NULL && strcmp(owner, user_id) == 0) ||
		    access_check_text(user_id, "read", db_cell(res, i, 7), &g))
			json_object_array_add(*out, o);
		else
			json_object_put(o);
	}
	return ERR_OK;
}
