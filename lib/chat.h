/* chat.h: the "chat" table (one row per conversation, plus the
 * "shared-<chat id>" copy rows that back share links).
 *
 * The chat document (column chat) and meta are JSON: type json on
 * PostgreSQL, text on SQLite. They travel as JSON text in struct chat and
 * are bound as text (PostgreSQL infers json from the column on INSERT and
 * UPDATE SET); any JSON work is done in C with json-c so the same code runs
 * on both engines. Every struct chat and string returned lives in the arena
 * passed in; the caller frees nothing. Timestamps are epoch seconds. */
#ifndef CWEBUI_CHAT_H
#define CWEBUI_CHAT_H

#include <json-c/json.h>

#include "db.h"
#include "err.h"

struct arena;

struct chat {
	char		*id;
	char		*user_id;	/* owner, or "shared-<chat id>" */
	char		*title;
	char		*chat;		/* JSON text of the document */
	long long	 created_at;
	long long	 updated_at;
	char		*share_id;	/* id of the shared copy, or NULL */
	int		 archived;
	int		 pinned;	/* 1, 0, or -1 for SQL NULL */
	char		*meta;		/* JSON text, "{}" when NULL */
	char		*folder_id;	/* NULL when none */
};

/* The columns every chat query selects, in the order chat_from_row()
 * reads them: "SELECT " CHAT_COLS " FROM chat WHERE ...". */
#define CHAT_COLS	"id, user_id, title, chat, created_at, updated_at, " \
			"share_id, archived, pinned, meta, folder_id"

/* Returns row `row` of a result selected with CHAT_COLS as a struct chat
 * owned by a. */
struct chat *chat_from_row(struct arena *a, const struct db_res *res,
	    int row);

/* Runs sql (a SELECT of CHAT_COLS from chat) with nv bound values and
 * returns the rows as an array of *n chats in *out. ERR_OK or ERR_DB. */
enum err chat_query(struct db *db, struct arena *a, const char *sql,
	    int nv, const struct db_val *v, struct chat ***out, int *n);

/* Look-ups: ERR_OK with *out, ERR_NOTFOUND, or ERR_DB. */
enum err chat_get(struct db *db, struct arena *a, const char *id,
	    struct chat **out);
/* The chat with this id owned by user_id (Chats.get_chat_by_id_and_user_id). */
enum err chat_get_for_user(struct db *db, struct arena *a, const char *id,
	    const char *user_id, struct chat **out);
/* Chats.get_chat_by_share_id: when some chat has share_id = share_id,
 * returns the row whose id is share_id (the shared copy). */
enum err chat_get_by_share_id(struct db *db, struct arena *a,
	    const char *share_id, struct chat **out);

/* Inserts a new chat with a fresh uuid4 id from the fields of in: user_id,
 * title, chat (JSON text), meta (JSON text, NULL stores {}), pinned (-1
 * stores NULL), archived, folder_id, share_id (normally NULL), created_at
 * and updated_at (0 means now). *out is the stored row. */
enum err chat_insert(struct db *db, struct arena *a, const struct chat *in,
	    struct chat **out);

/* Chats.update_chat_by_id: stores doc (JSON text) and title, sets
 * updated_at to now. ERR_NOTFOUND when no such chat. *out (may be NULL) is
 * the stored row. */
enum err chat_update(struct db *db, struct arena *a, const char *id,
	    const char *doc, const char *title, struct chat **out);

/* Replaces meta with the JSON text (updated_at untouched, as Python's tag
 * functions). ERR_NOTFOUND when no such chat. */
enum err chat_set_meta(struct db *db, struct arena *a, const char *id,
	    const char *meta);

/* Flips pinned (NULL counts as false) or archived and sets updated_at to
 * now. ERR_NOTFOUND when no such chat. */
enum err chat_toggle_pinned(struct db *db, struct arena *a, const char *id,
	    struct chat **out);
enum err chat_toggle_archived(struct db *db, struct arena *a, const char *id,
	    struct chat **out);
/* Sets archived on every chat of the user (updated_at untouched). */
enum err chat_archive_all(struct db *db, struct arena *a, const char *user_id,
	    int archived);

/* Share copies (Chats.insert_shared_chat_by_chat_id and
 * update_shared_chat_by_chat_id): creates or refreshes the
 * "shared-<id>" row from chat id and sets the chat's share_id. *out is
 * the shared copy. chat_unshare deletes the copy and clears share_id. */
enum err chat_share(struct db *db, struct arena *a, const char *id,
	    struct chat **out);
enum err chat_unshare(struct db *db, struct arena *a, const char *id);

/* Deletes the chat and its shared copy. Deleting nothing succeeds. */
enum err chat_delete(struct db *db, struct arena *a, const char *id);
/* Deletes every chat of the user and the shared copies of them. Runs in
 * the caller's transaction, if any. */
enum err chat_delete_all_by_user(struct db *db, struct arena *a,
	    const char *user_id);

/* What chat_list() selects; the zero value lists every chat of every
 * user, newest updated_at first, with all columns. */
struct chat_filter {
	const char	*user_id;	/* only this owner's, NULL for all */
	int		 archived;	/* CHAT_ANY (0), CHAT_NO or CHAT_YES */
	int		 pinned;	/* CHAT_NO matches false and NULL */
	int		 no_folder;	/* only chats with folder_id NULL */
	const char	*title_like;	/* title ILIKE %title_like% */
	const char	*order_by;	/* a column name; NULL: updated_at */
	const char	*direction;	/* "asc"/"desc" (any case) with order_by */
	int		 unordered;	/* no ORDER BY at all (Python's quirk) */
	long long	 skip;		/* 0: none */
	long long	 limit;		/* 0: none */
	int		 title_only;	/* read id, title, created_at and
					 * updated_at only; other fields NULL */
};
#define CHAT_ANY	0
#define CHAT_NO		1
#define CHAT_YES	2

/* Returns the chats matching f as an array of *n chats in *out. A negative
 * skip is an error on PostgreSQL and none on SQLite, as for Python.
 * ERR_INVAL when order_by is not a column or direction is neither asc nor
 * desc (Python answers 500 there), else ERR_OK or ERR_DB. */
enum err chat_list(struct db *db, struct arena *a,
	    const struct chat_filter *f, struct chat ***out, int *n);

/* Returns the chat as Python's ChatModel / ChatResponse JSON (chat and
 * meta parsed). New reference. */
json_object *chat_json(const struct chat *c);
/* Returns {id, title, updated_at, created_at} (ChatTitleIdResponse). */
json_object *chat_title_id_json(const struct chat *c);

/* folders helper */
/* Chats.get_chats_by_folder_ids_and_user_id and
 * get_chats_by_folder_id_and_user_id: the user's chats whose folder_id is
 * one of the nids ids, neither pinned nor archived, newest updated_at
 * first; skip and limit of 0 mean none (a negative skip is an error on
 * PostgreSQL and none on SQLite, as for Python). ERR_OK or ERR_DB. */
enum err chat_list_in_folders(struct db *db, struct arena *a,
	    const char *user_id, const char *const *ids, int nids,
	    long long skip, long long limit, struct chat ***out, int *n);
/* Sets *n to the number of the user's chats in the folder, archived and
 * pinned ones included. ERR_OK or ERR_DB. */
enum err chat_count_in_folder(struct db *db, struct arena *a,
	    const char *user_id, const char *folder_id, long long *n);
/* Moves the chat into the folder (NULL: out of any), unpins it and sets
 * updated_at to now. ERR_NOTFOUND when no such chat. */
enum err chat_set_folder(struct db *db, struct arena *a, const char *id,
	    const char *folder_id, struct chat **out);
/* Deletes the user's chats in the folder (their shared copies stay, as
 * in Python). Runs in the caller's transaction, if any. */
enum err chat_delete_in_folder(struct db *db, struct arena *a,
	    const char *user_id, const char *folder_id);

#endif
