/* tag.h: the "tag" table (one row per tag name and user, primary key
 * (id, user_id)) and the list of tag ids a chat keeps in meta.tags, as
 * Python's models/tags.py and the tag parts of models/chats.py use them.
 *
 * A tag id is the name with spaces turned into underscores and lower-cased
 * (tag_id_of). A chat's meta.tags holds ids; the tag row keeps the name as
 * first given. Everything returned lives in the arena passed in; the caller
 * frees nothing. */
#ifndef CWEBUI_TAG_H
#define CWEBUI_TAG_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct chat;
struct db;

struct tag {
	char	*id;
	char	*name;
	char	*user_id;
	char	*meta;		/* JSON text, or NULL */
};

/* Returns the id of a tag name: spaces to underscores, lower-cased as
 * Python's str.lower() does per code point. Owned by a. */
char	*tag_id_of(struct arena *a, const char *name);

/* Tags.get_tag_by_name_and_user_id: ERR_OK with *out, ERR_NOTFOUND or
 * ERR_DB. */
enum err tag_get(struct db *db, struct arena *a, const char *name,
	    const char *user_id, struct tag **out);
/* Tags.insert_new_tag: inserts (tag_id_of(name), name, user_id, meta
 * NULL). ERR_EXISTS when the user has the tag already. *out may be NULL. */
enum err tag_insert(struct db *db, struct arena *a, const char *name,
	    const char *user_id, struct tag **out);
/* tag_get, and tag_insert when the user has no such tag. */
enum err tag_ensure(struct db *db, struct arena *a, const char *name,
	    const char *user_id);
/* Tags.delete_tag_by_name_and_user_id. Deleting nothing succeeds. */
enum err tag_delete(struct db *db, struct arena *a, const char *name,
	    const char *user_id);

/* Every tag of the user, in the database's order (as Python). */
enum err tag_list(struct db *db, struct arena *a, const char *user_id,
	    struct tag ***out, int *n);
/* Tags.get_tags_by_ids_and_user_id: the user's tags whose id is one of
 * the strings in the JSON array ids (NULL is an empty list). */
enum err tag_list_by_ids(struct db *db, struct arena *a, const char *user_id,
	    json_object *ids, struct tag ***out, int *n);

/* Chats.count_chats_by_tag_name_and_user_id: the number of the user's
 * chats, archived ones excluded, whose meta.tags holds tag_id_of(name). */
enum err tag_count_chats(struct db *db, struct arena *a, const char *name,
	    const char *user_id, long long *n);
/* Deletes the user's tag row when tag_count_chats() is zero. */
enum err tag_prune(struct db *db, struct arena *a, const char *name,
	    const char *user_id);

/* Returns meta.tags of the chat (a borrowed array, NULL when absent or
 * not an array) of meta, parsed on a: the JSON text of chat->meta. */
json_object *tag_chat_tags(struct arena *a, const struct chat *c,
	    json_object **meta);
/* Chats.add_chat_tag_by_id_and_user_id_and_tag_name: ensures the tag row
 * and adds its id to the chat's meta.tags (once). updated_at is kept. */
enum err tag_chat_add(struct db *db, struct arena *a, const struct chat *c,
	    const char *name);
/* Chats.delete_tag_by_id_and_user_id_and_tag_name: removes the id of name
 * from meta.tags (and repeated ids), writing meta.tags even when absent. */
enum err tag_chat_remove(struct db *db, struct arena *a, const struct chat *c,
	    const char *name);
/* Chats.delete_all_tags_by_id_and_user_id: sets meta.tags to []. */
enum err tag_chat_clear(struct db *db, struct arena *a, const struct chat *c);

/* Returns the tag as Python's TagModel: id, name, user_id, meta. New
 * reference. */
json_object *tag_json(const struct tag *t);

#endif
