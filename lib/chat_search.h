/* chat_search.h: the search box over a user's chats (Python's
 * Chats.get_chats_by_user_id_and_search_text) and the chats of one tag.
 *
 * The query language: the text is lower-cased and trimmed, then split on
 * single spaces. Words "tag:x" require tag id x in meta.tags (all of them;
 * "tag:none" instead requires no tags at all); "folder:x" keeps chats in a
 * folder whose name, with runs of spaces and underscores read as one space
 * and case ignored, is x, or in any folder below one (ignored when no
 * folder matches); "pinned:", "archived:" and "shared:" followed by "true"
 * or "false" filter on those states (archived chats are left out unless
 * asked for). Every other word is put back together with single spaces and
 * matched as one SQL LIKE pattern "%text%" ('%' and '_' are wildcards, '\'
 * escapes, as on PostgreSQL) against the title or the content of any entry
 * of the document's "messages" list, ignoring case in all of Unicode (as
 * PostgreSQL's ILIKE and lower() do in a UTF-8 locale; SQLite's only fold
 * ASCII). The filters combine with AND.
 *
 * The JSON and text matching runs in C, so both engines give the same
 * answers; chat documents are read in batches and released after each, so
 * memory stays bounded by a batch, not by the user's history. */
#ifndef CWEBUI_CHAT_SEARCH_H
#define CWEBUI_CHAT_SEARCH_H

#include <stddef.h>

#include "err.h"

struct arena;
struct chat;
struct db;

/* routers/chats.py: a page of search results */
#define CHAT_SEARCH_PAGE	60

/* Returns in *out the *n chats (id, title, created_at, updated_at, meta
 * and folder_id filled; chat is NULL) of the user matching text, newest
 * updated_at first, after skipping skip matches, at most limit (0: no
 * limit). ERR_OK or ERR_DB. */
enum err chat_search(struct db *db, struct arena *a, const char *user_id,
	    const char *text, long long skip, long long limit,
	    struct chat ***out, int *n);

/* Chats.get_chat_list_by_user_id_and_tag_name: every chat of the user
 * (archived included) whose meta.tags holds the id of the tag name, newest
 * updated_at first. Fields as chat_search(). */
enum err chat_search_by_tag(struct db *db, struct arena *a,
	    const char *user_id, const char *name, struct chat ***out, int *n);

/* The search route's clean-up: when text, trimmed, is one word starting
 * with "tag:" and the first page found nothing, deletes the user's tag
 * row named by the rest of the word. */
enum err chat_search_prune(struct db *db, struct arena *a,
	    const char *user_id, const char *text, int nfound);

/* Returns 1 when subject matches the LIKE pattern (as PostgreSQL's ILIKE:
 * '%' any run, '_' one character, '\' escapes the next), comparing
 * characters case-folded; else 0. Both are UTF-8. */
int	 chat_search_like(const char *subject, const char *pattern);

/* Returns s without leading and trailing white space as Python's
 * str.strip() sees it (Unicode white space included). Owned by a. */
char	*chat_search_strip(struct arena *a, const char *s);

#endif
