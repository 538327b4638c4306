/* tag.c: the "tag" table and the tag ids of chat.meta.tags. JSON work is
 * done here in C so both engines give the same answers (Python uses
 * json_each on SQLite and json_array_elements_text on PostgreSQL). */
#include <string.h>

#include "chat.h"
#include "db.h"
#include "json.h"
#include "mem.h"
#include "tag.h"
#include "user.h"

#define TAG_COLS	"id, name, user_id, meta"

char *
tag_id_of(struct arena *a, const char *name)
{
	char *s = arena_strdup(a, name), *p;

	for (p = s; *p != '\0'; p++)
		if (*p == ' ')
			*p = '_';
	return user_email_lower(a, s);
}

static struct tag *
tag_from_row(struct arena *a, const struct db_res *res, int row)
{
	struct tag *t = arena_alloc(a, sizeof(*t));

	t->id = arena_strdup(a, db_cell(res, row, 0));
	t->name = arena_strdup(a, db_cell(res, row, 1));
	t->user_id = arena_strdup(a, db_cell(res, row, 2));
	t->meta = arena_strdup(a, db_cell(res, row, 3));
	return t;
}

enum err
tag_get(struct db *db, struct arena *a, const char *name, const char *user_id,
    struct tag **out)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "SELECT " TAG_COLS " FROM tag "
	    "WHERE id = $1 AND user_id = $2 LIMIT 1",
	    DBV_TEXT(tag_id_of(a, name)), DBV_TEXT(user_id));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0)
		return ERR_NOTFOUND;
	if (out != NULL)
		*out = tag_from_row(a, res, 0);
	return ERR_OK;
}

enum err
tag_insert(struct db *db, struct arena *a, const char *name,
    const char *user_id, struct tag **out)
{
	const char *id = tag_id_of(a, name);
	enum err e;

	e = DBQ(db, a, NULL, "INSERT INTO tag (id, name, user_id, meta) "
	    "VALUES ($1, $2, $3, NULL)",
	    DBV_TEXT(id), DBV_TEXT(name), DBV_TEXT(user_id));
	if (e != ERR_OK || out == NULL)
		return e;
	return tag_get(db, a, name, user_id, out);
}

enum err
tag_ensure(struct db *db, struct arena *a, const char *name,
    const char *user_id)
{
	enum err e = tag_get(db, a, name, user_id, NULL);

	if (e != ERR_NOTFOUND)
		return e;
	e = tag_insert(db, a, name, user_id, NULL);
	return e == ERR_EXISTS ? ERR_OK : e;	/* lost a race: it is there */
}

enum err
tag_delete(struct db *db, struct arena *a, const char *name,
    const char *user_id)
{
	return DBQ(db, a, NULL, "DELETE FROM tag WHERE id = $1 AND "
	    "user_id = $2", DBV_TEXT(tag_id_of(a, name)), DBV_TEXT(user_id));
}

/* Returns 1 when the JSON array ids holds the string id. */
static int
tag_in(json_object *ids, const char *id)
{
	size_t i, n;
	json_object *v;

	if (ids == NULL)
		return 0;
	n = json_object_array_length(ids);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(ids, i);
		if (json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), id) == 0)
			return 1;
	}
	return 0;
}

/* The user's tags, all of them (ids NULL and all set) or those in ids. */
static enum err
tag_select(struct db *db, struct arena *a, const char *user_id,
    json_object *ids, int all, struct tag ***out, int *n)
{
	struct db_res *res;
	enum err e;
	int i;

	*out = NULL;
	*n = 0;
	e = DBQ(db, a, &res, "SELECT " TAG_COLS " FROM tag WHERE user_id = $1",
	    DBV_TEXT(user_id));
	if (e != ERR_OK)
		return e;
	*out = arena_alloc(a, sizeof(**out) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++)
		if (all || tag_in(ids, db_cell(res, i, 0)))
			(*out)[(*n)++] = tag_from_row(a, res, i);
	return ERR_OK;
}

enum err
tag_list(struct db *db, struct arena *a, const char *user_id,
    struct tag ***out, int *n)
{
	return tag_select(db, a, user_id, NULL, 1, out, n);
}

enum err
tag_list_by_ids(struct db *db, struct arena *a, const char *user_id,
    json_object *ids, struct tag ***out, int *n)
{
	return tag_select(db, a, user_id, ids, 0, out, n);
}

enum err
tag_count_chats(struct db *db, struct arena *a, const char *name,
    const char *user_id, long long *n)
{
	struct arena *tmp = arena_new();
	const char *id = tag_id_of(a, name);
	struct db_res *res;
	json_object *meta;
	enum err e;
	int i;

	*n = 0;
	e = DBQ(db, tmp, &res, "SELECT meta FROM chat WHERE user_id = $1 AND "
	    "archived = $2", DBV_TEXT(user_id), DBV_BOOL(0));
	for (i = 0; e == ERR_OK && i < res->nrows; i++) {
		meta = json_parse_col(db_cell(res, i, 0));
		if (tag_in(json_object_is_type(json_get(meta, "tags"),
		    json_type_array) ? json_get(meta, "tags") : NULL, id))
			(*n)++;
		json_object_put(meta);
	}
	arena_free(tmp);
	return e;
}

enum err
tag_prune(struct db *db, struct arena *a, const char *name,
    const char *user_id)
{
	long long n;
	enum err e;

	e = tag_count_chats(db, a, name, user_id, &n);
	if (e != ERR_OK || n > 0)
		return e;
	return tag_delete(db, a, name, user_id);
}

json_object *
tag_chat_tags(struct arena *a, const struct chat *c, json_object **meta)
{
	json_object *tags;

	*meta = json_on_arena(a, json_parse_col(c->meta));
	if (!json_object_is_type(*meta, json_type_object)) {
		*meta = json_on_arena(a, json_object_new_object());
		return NULL;
	}
	tags = json_get(*meta, "tags");
	return json_object_is_type(tags, json_type_array) ? tags : NULL;
}

/* Sets meta.tags to the string ids of old (NULL: none) minus drop (NULL:
 * none) plus add (NULL: none), each once, and stores meta. */
static enum err
tag_chat_store(struct db *db, struct arena *a, const struct chat *c,
    const char *drop, const char *add)
{
	json_object *meta, *old, *v, *tags = json_object_new_array();
	const char *s;
	size_t i, n;

	old = tag_chat_tags(a, c, &meta);
	n = old != NULL ? json_object_array_length(old) : 0;
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(old, i);
		if (!json_object_is_type(v, json_type_string)) {
			json_object_array_add(tags, json_object_get(v));
			continue;
		}
		s = json_object_get_string(v);
		if ((drop == NULL || strcmp(s, drop) != 0) && !tag_in(tags, s))
			json_object_array_add(tags, json_object_new_string(s));
	}
	if (add != NULL && !tag_in(tags, add))
		json_object_array_add(tags, json_object_new_string(add));
	json_object_object_add(meta, "tags", tags);
	return chat_set_meta(db, a, c->id, json_text(meta));
}

enum err
tag_chat_add(struct db *db, struct arena *a, const struct chat *c,
    const char *name)
{
	enum err e = tag_ensure(db, a, name, c->user_id);

	if (e != ERR_OK)
		return e;
	return tag_chat_store(db, a, c, NULL, tag_id_of(a, name));
}

enum err
tag_chat_remove(struct db *db, struct arena *a, const struct chat *c,
    const char *name)
{
	return tag_chat_store(db, a, c, tag_id_of(a, name), NULL);
}

enum err
tag_chat_clear(struct db *db, struct arena *a, const struct chat *c)
{
	json_object *meta;

	(void)tag_chat_tags(a, c, &meta);
	json_object_object_add(meta, "tags", json_object_new_array());
	return chat_set_meta(db, a, c->id, json_text(meta));
}

json_object *
tag_json(const struct tag *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_str_or_null(t->id));
	json_object_object_add(o, "name", json_str_or_null(t->name));
	json_object_object_add(o, "user_id", json_str_or_null(t->user_id));
	json_object_object_add(o, "meta", json_parse_col(t->meta));
	return o;
}
