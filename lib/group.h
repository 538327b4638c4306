/* group.h: the "group" table (user groups and their permissions).
 *
 * user_ids, permissions, data and meta are JSON (type json on PostgreSQL,
 * text on SQLite); membership is decided in C with json-c, so the same code
 * runs on both engines. Every struct group and string returned lives in the
 * arena passed in; the caller frees nothing. */
#ifndef CWEBUI_GROUP_H
#define CWEBUI_GROUP_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

struct group {
	char		*id;
	char		*user_id;	/* creator */
	char		*name;
	char		*description;
	char		*data;		/* JSON text or NULL */
	char		*meta;		/* JSON text or NULL */
	char		*permissions;	/* JSON text or NULL */
	char		*user_ids;	/* JSON array text or NULL */
	long long	 created_at;
	long long	 updated_at;
};

/* Returns in *out (an array of *n groups) the groups whose user_ids is a
 * non-empty array holding user_id, newest updated_at first, as Python's
 * Groups.get_groups_by_member_id. ERR_OK or ERR_DB. */
enum err group_list_by_member(struct db *db, struct arena *a,
	    const char *user_id, struct group ***out, int *n);

/* Removes user_id from the user_ids of every group holding it and sets
 * their updated_at to now. Runs in the caller's transaction, if any. */
enum err group_remove_user(struct db *db, struct arena *a,
	    const char *user_id);

/* Returns the group as Python's GroupModel JSON (JSON columns parsed,
 * user_ids [] when absent). New reference. */
json_object *group_json(const struct group *g);

#endif
