/* note.c: the "note" table. */
#include <string.h>

#include "access.h"
#include "db.h"
#include "json.h"
#include "mem.h"
#include "note.h"

/* NoteModel's fields, in its order: the columns selected */
static const struct json_col note_cols[] = {
	{ "id", JSON_COL_STR },
	{ "user_id", JSON_COL_STR },
	{ "title", JSON_COL_STR },
	{ "data", JSON_COL_JSON },
	{ "meta", JSON_COL_JSON },
	{ "access_control", JSON_COL_JSON },
	{ "created_at", JSON_COL_INT },
	{ "updated_at", JSON_COL_INT },
};

#define NOTE_COLS	"id, user_id, title, data, meta, access_control, " \
			"created_at, updated_at"
#define NOTE_NCOLS	(sizeof(note_cols) / sizeof(note_cols[0]))

enum err
note_list_permitted(struct db *db, struct arena *a, const char *user_id,
    const char *perm, long long skip, long long limit, json_object **out)
{
	struct access_groups g;
	struct db_res *res;
	const char *owner;
	long long skipped = 0;
	enum err e;
	int i;

	*out = NULL;
	if ((e = access_groups_of(db, a, user_id, &g)) != ERR_OK)
		return e;
	if ((e = DBQ0(db, a, &res, "SELECT " NOTE_COLS " FROM note "
	    "ORDER BY updated_at DESC")) != ERR_OK)
		return e;
	*out = json_object_new_array();
	for (i = 0; i < res->nrows; i++) {
		if (limit > 0 &&
		    (long long)json_object_array_length(*out) >= limit)
			break;
		owner = db_cell(res, i, 1);
		if (!(owner != NULL && strcmp(owner, user_id) == 0) &&
		    !access_check_text(user_id, perm, db_cell(res, i, 5), &g))
			continue;
		if (skipped < skip) {
			skipped++;
			continue;
		}
		json_object_array_add(*out, json_row(res, i, note_cols,
		    NOTE_NCOLS));
	}
	return ERR_OK;
}
