/* knowledge.c: the "knowledge" table. */
#include <string.h>
#include <time.h>

#include "access.h"
#include "db.h"
#include "file.h"
#include "json.h"
#include "knowledge.h"
#include "mem.h"
#include "user.h"

/* KnowledgeModel's fields, in its order: the columns selected */
static const struct json_col knowledge_cols[] = {
	{ "id", JSON_COL_STR },
	{ "user_id", JSON_COL_STR },
	{ "name", JSON_COL_STR },
	{ "description", JSON_COL_STR },
	{ "data", JSON_COL_JSON },
	{ "meta", JSON_COL_JSON },
	{ "access_control", JSON_COL_JSON },
	{ "created_at", JSON_COL_INT },
	{ "updated_at", JSON_COL_INT },
};

#define KNOWLEDGE_COLS	"id, user_id, name, description, data, meta, " \
			"access_control, created_at, updated_at"
#define KNOWLEDGE_NCOLS	(sizeof(knowledge_cols) / sizeof(knowledge_cols[0]))

/* Returns 1 when the array files holds a member whose "id" is the string
 * v, else 0. */
static int
knowledge_has_file(json_object *files, json_object *v)
{
	size_t i, n = json_object_array_length(files);
	const char *id;

	if (!json_object_is_type(v, json_type_string))
		return 0;
	for (i = 0; i < n; i++) {
		id = json_get_str(json_object_array_get_idx(files, i), "id");
		if (id != NULL && strcmp(id, json_object_get_string(v)) == 0)
			return 1;
	}
	return 0;
}

/* Returns a new array of ids without the first occurrence of each value
 * that names none of files (Python removes each missing id once), and
 * sets *dropped to how many were removed. */
static json_object *
knowledge_kept_ids(json_object *ids, json_object *files, int *dropped)
{
	json_object *kept = json_object_new_array();
	json_object *gone = json_object_new_object(), *v;
	size_t i, n = json_object_array_length(ids);
	const char *key;

	*dropped = 0;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(ids, i);
		key = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		if (!knowledge_has_file(files, v) &&
		    !json_object_object_get_ex(gone, key, NULL)) {
			json_object_object_add(gone, key, NULL);
			(*dropped)++;
			continue;
		}
		json_object_array_add(kept, json_object_get(v));
	}
	json_object_put(gone);
	return kept;
}

/* Sets *files to a new array of the metadata of the files of the base kb
 * (a knowledge_cols row), dropping the ids of missing files from kb's data
 * and from the stored row. */
static enum err
knowledge_files(struct db *db, struct arena *a, json_object *kb,
    json_object **files)
{
	json_object *data = json_get(kb, "data"), *ids, *kept;
	enum err e;
	int dropped;

	*files = NULL;
	ids = json_get(data, "file_ids");
	if (!json_object_is_type(data, json_type_object) ||
	    !json_object_is_type(ids, json_type_array)) {
		*files = json_object_new_array();
		return ERR_OK;
	}
	if ((e = file_metadata_by_ids(db, a, ids, files)) != ERR_OK)
		return e;
	if (json_object_array_length(*files) == json_object_array_length(ids))
		return ERR_OK;
	kept = knowledge_kept_ids(ids, *files, &dropped);
	if (dropped == 0) {
		json_object_put(kept);
		return ERR_OK;
	}
	json_object_object_add(data, "file_ids", kept);
	json_object_put(*files);
	*files = NULL;
	e = DBQ(db, a, NULL, "UPDATE knowledge SET data = $1, updated_at = $2 "
	    "WHERE id = $3", DBV_TEXT(json_text(data)),
	    DBV_INT(time(NULL)), DBV_TEXT(json_get_str(kb, "id")));
	if (e != ERR_OK)
		return e;
	return file_metadata_by_ids(db, a, kept, files);
}

/* Sets *u to the owner's UserResponse (null when there is none), read once
 * per owner through the cache object users. New reference. */
static enum err
knowledge_owner(struct db *db, struct arena *a, json_object *users,
    const char *user_id, json_object **u)
{
	enum err e;

	*u = NULL;
	if (user_id == NULL)
		return ERR_OK;
	if (json_object_object_get_ex(users, user_id, u)) {
		*u = json_object_get(*u);
		return ERR_OK;
	}
	if ((e = user_response(db, a, user_id, u)) != ERR_OK)
		return e;
	json_object_object_add(users, user_id, json_object_get(*u));
	return ERR_OK;
}

enum err
knowledge_list(struct db *db, struct arena *a, const char *user_id,
    const char *perm, json_object **out)
{
	struct access_groups g;
	struct db_res *res;
	json_object *users, *o, *v;
	const char *owner;
	enum err e;
	int i;

	*out = NULL;
	if ((e = DBQ0(db, a, &res, "SELECT " KNOWLEDGE_COLS " FROM knowledge "
	    "ORDER BY updated_at DESC")) != ERR_OK)
		return e;
	if (user_id != NULL &&
	    (e = access_groups_of(db, a, user_id, &g)) != ERR_OK)
		return e;
	users = json_on_arena(a, json_object_new_object());
	*out = json_object_new_array();
	for (i = 0; i < res->nrows; i++) {
		owner = db_cell(res, i, 1);
		if (user_id != NULL &&
		    !(owner != NULL && strcmp(owner, user_id) == 0) &&
		    !access_check_text(user_id, perm, db_cell(res, i, 6), &g))
			continue;
		o = json_row(res, i, knowledge_cols, KNOWLEDGE_NCOLS);
		json_object_array_add(*out, o);
		if ((e = knowledge_owner(db, a, users, owner, &v)) != ERR_OK)
			goto fail;
		json_object_object_add(o, "user", v);
		if ((e = knowledge_files(db, a, o, &v)) != ERR_OK)
			goto fail;
		json_object_object_add(o, "files", v);
	}
	return ERR_OK;
fail:
	json_object_put(*out);
	*out = NULL;
	return e;
}
