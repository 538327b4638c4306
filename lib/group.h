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

/* Every group, newest updated_at first (Groups.get_groups). */
enum err group_list(struct db *db, struct arena *a, struct group ***out,
	    int *n);

/* ERR_OK with *out, ERR_NOTFOUND, or ERR_DB. */
enum err group_get(struct db *db, struct arena *a, const char *id,
	    struct group **out);

/* Inserts a group with a new uuid4 id, created by user_id, timestamps now,
 * user_ids [], data and meta null, permissions the JSON text given (NULL
 * stores null), as Groups.insert_new_group. *out is the new group. */
enum err group_create(struct db *db, struct arena *a, const char *user_id,
	    const char *name, const char *description, const char *permissions,
	    struct group **out);

/* Sets name and description, permissions and user_ids (JSON text) unless
 * NULL, and updated_at to now (Groups.update_group_by_id). ERR_NOTFOUND
 * when there is no such group; else *out is the group as stored. */
enum err group_update(struct db *db, struct arena *a, const char *id,
	    const char *name, const char *description, const char *permissions,
	    const char *user_ids, struct group **out);

/* Adds (add = 1) or removes (add = 0) the ids of the JSON array ids to or
 * from the group's user_ids, which are deduplicated first, and sets
 * updated_at, as Groups.add_users_to_group / remove_users_from_group do;
 * removing from a group whose user_ids is empty or not a list changes
 * nothing. ERR_NOTFOUND when there is no such group. *out is the result. */
enum err group_set_members(struct db *db, struct arena *a, const char *id,
	    json_object *ids, int add, struct group **out);

/* Deletes the group; deleting one that does not exist succeeds. */
enum err group_delete(struct db *db, struct arena *a, const char *id);

/* Returns the group as Python's GroupModel JSON (JSON columns parsed,
 * user_ids [] when absent). New reference. */
json_object *group_json(const struct group *g);

/* Returns a new JSON array of the n groups of v as group_json(). */
json_object *group_array_json(struct group **v, int n);

#endif
