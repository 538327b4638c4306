/* folder.h: the "folder" table (a user's tree of chat folders), as
 * Python's models/folders.py uses it.
 *
 * A folder belongs to one user (primary key id, user_id); parent_id names
 * another folder of the same user or is NULL at the root. items, meta and
 * data are JSON (type json on PostgreSQL, text on SQLite); they travel as
 * JSON text and every merge is done in C with json-c, so the same SQL runs
 * on both engines. Python writes JSON null (the text "null") for an absent
 * document; cwebui does the same. Every struct folder and string returned
 * lives in the arena passed in; the caller frees nothing. Timestamps are
 * epoch seconds. */
#ifndef CWEBUI_FOLDER_H
#define CWEBUI_FOLDER_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

struct folder {
	char		*id;
	char		*parent_id;	/* NULL at the root */
	char		*user_id;
	char		*name;
	char		*items;		/* JSON text, NULL or "null" when none */
	char		*meta;
	char		*data;
	int		 is_expanded;
	long long	 created_at;
	long long	 updated_at;
};

/* The folder id owned by user_id (Folders.get_folder_by_id_and_user_id).
 * ERR_OK with *out, ERR_NOTFOUND, or ERR_DB. */
enum err folder_get(struct db *db, struct arena *a, const char *id,
	    const char *user_id, struct folder **out);

/* Every folder of the user, in table order. ERR_OK or ERR_DB. */
enum err folder_list(struct db *db, struct arena *a, const char *user_id,
	    struct folder ***out, int *n);

/* The first folder of the user under parent_id (NULL: the root) whose
 * name matches name as SQL ILIKE matches it (case-insensitive, '%' and '_'
 * are wildcards), as Folders.get_folder_by_parent_id_and_user_id_and_name.
 * ERR_OK with *out, ERR_NOTFOUND, or ERR_DB. */
enum err folder_find_sibling(struct db *db, struct arena *a,
	    const char *parent_id, const char *user_id, const char *name,
	    struct folder **out);

/* Inserts a folder at the root with a fresh uuid4 id and both timestamps
 * set to now, from in->user_id, name, items, meta, data (JSON text, NULL
 * stores JSON null) and is_expanded. *out is the stored row. ERR_OK,
 * ERR_EXISTS or ERR_DB. */
enum err folder_insert(struct db *db, struct arena *a,
	    const struct folder *in, struct folder **out);

/* Folders.update_folder_by_id_and_user_id: sets the name (when not NULL),
 * merges data and meta (when not NULL; borrowed objects) key by key into
 * the stored documents, sets updated_at to now. ERR_NOTFOUND when no such
 * folder, ERR_EXISTS when a sibling already has exactly that name. */
enum err folder_update(struct db *db, struct arena *a, const char *id,
	    const char *user_id, const char *name, json_object *data,
	    json_object *meta, struct folder **out);

/* Sets parent_id (NULL: the root) or is_expanded, and updated_at to now.
 * ERR_NOTFOUND when no such folder. *out is the stored row. */
enum err folder_set_parent(struct db *db, struct arena *a, const char *id,
	    const char *user_id, const char *parent_id, struct folder **out);
enum err folder_set_expanded(struct db *db, struct arena *a, const char *id,
	    const char *user_id, int is_expanded, struct folder **out);

/* Returns in *ids the id of folder id followed by the ids of all folders
 * below it (children, grandchildren ...), *n of them; a loop in parent_id
 * links ends the walk. ERR_NOTFOUND when the user has no folder id. */
enum err folder_subtree(struct db *db, struct arena *a, const char *id,
	    const char *user_id, const char ***ids, int *n);

/* Deletes folder id and every folder below it; *ids and *n (may be NULL)
 * receive the deleted ids as folder_subtree() gives them. Runs in the
 * caller's transaction, if any. ERR_NOTFOUND when no such folder. */
enum err folder_delete(struct db *db, struct arena *a, const char *id,
	    const char *user_id, const char ***ids, int *n);

/* Drops from data.files (data is changed in place) the entries the user may
 * not read, as GET /api/v1/folders/ does: {type: "file"} entries need a file
 * the user owns, {type: "collection"} entries a knowledge base the user owns
 * or may read; others stay. Sets *changed to 1 when data has a files
 * array. ERR_OK or ERR_DB. */
enum err folder_prune_files(struct db *db, struct arena *a,
	    const char *user_id, json_object *data, int *changed);

/* Returns the folder as Python's FolderModel JSON (JSON columns parsed).
 * New reference. */
json_object *folder_json(const struct folder *f);
/* Returns FolderNameIdResponse: id, name, meta {icon} or null, parent_id,
 * is_expanded, created_at, updated_at. New reference. */
json_object *folder_name_id_json(const struct folder *f);

#endif
