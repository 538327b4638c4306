/* note.h: the "note" table (notes: rich-text documents, shared by
 * access_control). Only the lists are served so far.
 *
 * created_at and updated_at are epoch NANOseconds, as Python writes them.
 * data, meta and access_control are JSON text (see access.h). */
#ifndef CWEBUI_NOTE_H
#define CWEBUI_NOTE_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

/* Sets *out to a new JSON array of the notes user_id owns or may do perm
 * ("read" or "write") on, newest updated_at first
 * (Notes.get_notes_by_permission): the first skip of them are passed over
 * (none when skip <= 0) and at most limit are returned (all when limit is
 * 0). Each is Python's NoteModel {id, user_id, title, data, meta,
 * access_control, created_at, updated_at}. ERR_OK or ERR_DB (*out NULL). */
enum err note_list_permitted(struct db *db, struct arena *a,
	    const char *user_id, const char *perm, long long skip,
	    long long limit, json_object **out);

#endif
