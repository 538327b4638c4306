/* chat.c: the "chat" table; see chat.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "chat.h"
#include "db.h"
#include "json.h"
#include "mem.h"
#include "rand.h"

struct chat *
chat_from_row(struct arena *a, const struct db_res *res, int row)
{
	struct chat *c = arena_alloc(a, sizeof(*c));

	c->id = arena_strdup(a, db_cell(res, row, 0));
	c->user_id = arena_strdup(a, db_cell(res, row, 1));
	c->title = arena_strdup(a, db_cell(res, row, 2));
	c->chat = arena_strdup(a, db_cell(res, row, 3));
	c->created_at = db_cell_int(res, row, 4);
	c->updated_at = db_cell_int(res, row, 5);
	c->share_id = arena_strdup(a, db_cell(res, row, 6));
	c->archived = db_cell_bool(res, row, 7);
	c->pinned = db_cell(res, row, 8) == NULL ? -1 :
	    db_cell_bool(res, row, 8);
	c->meta = arena_strdup(a, db_cell(res, row, 9) != NULL ?
	    db_cell(res, row, 9) : "{}");
	c->folder_id = arena_strdup(a, db_cell(res, row, 10));
	return c;
}

enum err
chat_query(struct db *db, struct arena *a, const char *sql, int nv,
    const struct db_val *v, struct chat ***out, int *n)
{
	struct db_res *res;
	enum err e;
	int i;

	if ((e = db_query(db, a, &res, sql, nv, v)) != ERR_OK)
		return e;
	*out = arena_alloc(a, sizeof(**out) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++)
		(*out)[i] = chat_from_row(a, res, i);
	*n = res->nrows;
	return ERR_OK;
}

/* Runs a query expected to select at most one chat. */
static enum err
chat_one(struct db *db, struct arena *a, const char *sql, int nv,
    const struct db_val *v, struct chat **out)
{
	struct chat **rows;
	enum err e;
	int n;

	if ((e = chat_query(db, a, sql, nv, v, &rows, &n)) != ERR_OK)
		return e;
	if (n == 0)
		return ERR_NOTFOUND;
	*out = rows[0];
	return ERR_OK;
}

enum err
chat_get(struct db *db, struct arena *a, const char *id, struct chat **out)
{
	struct db_val v[] = { DBV_TEXT(id) };

	return chat_one(db, a, "SELECT " CHAT_COLS " FROM chat WHERE id = $1",
	    1, v, out);
}

enum err
chat_get_for_user(struct db *db, struct arena *a, const char *id,
    const char *user_id, struct chat **out)
{
	struct db_val v[] = { DBV_TEXT(id), DBV_TEXT(user_id) };

	return chat_one(db, a, "SELECT " CHAT_COLS " FROM chat "
	    "WHERE id = $1 AND user_id = $2 LIMIT 1", 2, v, out);
}

enum err
chat_get_by_share_id(struct db *db, struct arena *a, const char *share_id,
    struct chat **out)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "SELECT id FROM chat WHERE share_id = $1 LIMIT 1",
	    DBV_TEXT(share_id));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0)
		return ERR_NOTFOUND;
	return chat_get(db, a, share_id, out);
}

/* Binds pinned: -1 is SQL NULL. */
static struct db_val
chat_pinned_val(int pinned)
{
	return pinned < 0 ? DBV_NULL : DBV_BOOL(pinned);
}

enum err
chat_insert(struct db *db, struct arena *a, const struct chat *in,
    struct chat **out)
{
	char id[37];
	long long now = (long long)time(NULL);
	enum err e;

	rand_uuid4(id);
	e = DBQ(db, a, NULL, "INSERT INTO chat (id, user_id, title, chat, "
	    "created_at, updated_at, share_id, archived, pinned, meta, "
	    "folder_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	    DBV_TEXT(id), DBV_TEXT(in->user_id), DBV_TEXT(in->title),
	    DBV_TEXT(in->chat),
	    DBV_INT(in->created_at != 0 ? in->created_at : now),
	    DBV_INT(in->updated_at != 0 ? in->updated_at : now),
	    DBV_TEXT(in->share_id), DBV_BOOL(in->archived),
	    chat_pinned_val(in->pinned),
	    DBV_TEXT(in->meta != NULL ? in->meta : "{}"),
	    DBV_TEXT(in->folder_id));
	if (e != ERR_OK)
		return e;
	return chat_get(db, a, id, out);
}

/* Finishes an UPDATE of one chat: ERR_NOTFOUND when it changed nothing,
 * else the row read back into *out when out is not NULL. */
static enum err
chat_updated(struct db *db, struct arena *a, const char *id,
    const struct db_res *res, struct chat **out)
{
	if (res->changes == 0)
		return ERR_NOTFOUND;
	if (out == NULL)
		return ERR_OK;
	return chat_get(db, a, id, out);
}

enum err
chat_update(struct db *db, struct arena *a, const char *id, const char *doc,
    const char *title, struct chat **out)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "UPDATE chat SET chat = $1, title = $2, "
	    "updated_at = $3 WHERE id = $4", DBV_TEXT(doc), DBV_TEXT(title),
	    DBV_INT(time(NULL)), DBV_TEXT(id));
	if (e != ERR_OK)
		return e;
	return chat_updated(db, a, id, res, out);
}

enum err
chat_set_meta(struct db *db, struct arena *a, const char *id,
    const char *meta)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "UPDATE chat SET meta = $1 WHERE id = $2",
	    DBV_TEXT(meta), DBV_TEXT(id));
	if (e != ERR_OK)
		return e;
	return chat_updated(db, a, id, res, NULL);
}

/* Flips the boolean column col ("pinned" or "archived") of chat id, NULL
 * counting as false, and sets updated_at to now. */
static enum err
chat_toggle(struct db *db, struct arena *a, const char *id, const char *col,
    struct chat **out)
{
	struct chat *c;
	struct db_res *res;
	enum err e;
	int on;

	if ((e = chat_get(db, a, id, &c)) != ERR_OK)
		return e;
	on = strcmp(col, "pinned") == 0 ? c->pinned == 1 : c->archived;
	e = DBQ(db, a, &res, arena_printf(a, "UPDATE chat SET %s = $1, "
	    "updated_at = $2 WHERE id = $3", col), DBV_BOOL(!on),
	    DBV_INT(time(NULL)), DBV_TEXT(id));
	if (e != ERR_OK)
		return e;
	return chat_updated(db, a, id, res, out);
}

enum err
chat_toggle_pinned(struct db *db, struct arena *a, const char *id,
    struct chat **out)
{
	return chat_toggle(db, a, id, "pinned", out);
}

enum err
chat_toggle_archived(struct db *db, struct arena *a, const char *id,
    struct chat **out)
{
	return chat_toggle(db, a, id, "archived", out);
}

enum err
chat_archive_all(struct db *db, struct arena *a, const char *user_id,
    int archived)
{
	return DBQ(db, a, NULL, "UPDATE chat SET archived = $1 "
	    "WHERE user_id = $2", DBV_BOOL(archived), DBV_TEXT(user_id));
}

enum err
chat_share(struct db *db, struct arena *a, const char *id, struct chat **out)
{
	struct chat *c, *copy, in;
	struct db_res *res;
	const char *owner;
	enum err e;

	if ((e = chat_get(db, a, id, &c)) != ERR_OK)
		return e;
	owner = arena_printf(a, "shared-%s", id);
	if (c->share_id != NULL) {
		/* refresh the copy; a share_id without its copy row is what
		 * Python cannot recover from either */
		e = DBQ(db, a, &res, "UPDATE chat SET title = $1, chat = $2, "
		    "meta = $3, pinned = $4, folder_id = $5, updated_at = $6 "
		    "WHERE user_id = $7", DBV_TEXT(c->title), DBV_TEXT(c->chat),
		    DBV_TEXT(c->meta), chat_pinned_val(c->pinned),
		    DBV_TEXT(c->folder_id), DBV_INT(time(NULL)),
		    DBV_TEXT(owner));
		if (e != ERR_OK)
			return e;
		if (res->changes == 0)
			return ERR_NOTFOUND;
		{
			struct db_val v[] = { DBV_TEXT(owner) };

			return chat_one(db, a, "SELECT " CHAT_COLS " FROM chat "
			    "WHERE user_id = $1 LIMIT 1", 1, v, out);
		}
	}
	memset(&in, 0, sizeof(in));
	in.user_id = (char *)owner;
	in.title = c->title;
	in.chat = c->chat;
	in.meta = c->meta;
	in.pinned = c->pinned;
	in.folder_id = c->folder_id;
	in.created_at = c->created_at;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = chat_insert(db, a, &in, &copy)) != ERR_OK)
		goto fail;
	e = DBQ(db, a, NULL, "UPDATE chat SET share_id = $1 WHERE id = $2",
	    DBV_TEXT(copy->id), DBV_TEXT(id));
	if (e != ERR_OK)
		goto fail;
	if ((e = db_commit(db)) != ERR_OK)
		goto fail;
	*out = copy;
	return ERR_OK;
fail:
	db_rollback(db);
	return e;
}

/* Runs sql (one statement on $1 = id) and deletes the shared copy of chat
 * id, in one transaction. */
static enum err
chat_and_copy(struct db *db, struct arena *a, const char *id,
    const char *sql)
{
	struct db_val v[] = { DBV_TEXT(id) };
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = db_query(db, a, NULL, sql, 1, v)) != ERR_OK)
		goto fail;
	e = DBQ(db, a, NULL, "DELETE FROM chat WHERE user_id = $1",
	    DBV_TEXT(arena_printf(a, "shared-%s", id)));
	if (e != ERR_OK || (e = db_commit(db)) != ERR_OK)
		goto fail;
	return ERR_OK;
fail:
	db_rollback(db);
	return e;
}

enum err
chat_unshare(struct db *db, struct arena *a, const char *id)
{
	return chat_and_copy(db, a, id,
	    "UPDATE chat SET share_id = NULL WHERE id = $1");
}

enum err
chat_delete(struct db *db, struct arena *a, const char *id)
{
	return chat_and_copy(db, a, id, "DELETE FROM chat WHERE id = $1");
}

enum err
chat_delete_all_by_user(struct db *db, struct arena *a, const char *user_id)
{
	enum err e;

	e = DBQ(db, a, NULL, "DELETE FROM chat WHERE user_id IN "
	    "(SELECT 'shared-' || id FROM chat WHERE user_id = $1)",
	    DBV_TEXT(user_id));
	if (e != ERR_OK)
		return e;
	return DBQ(db, a, NULL, "DELETE FROM chat WHERE user_id = $1",
	    DBV_TEXT(user_id));
}

/* Columns chat_list() may order by (Python: getattr(Chat, order_by)). */
static const char *const chat_columns[] = {
	"id", "user_id", "title", "chat", "created_at", "updated_at",
	"share_id", "archived", "pinned", "meta", "folder_id", NULL
};

/* Appends the ORDER BY clause of f to sql; ERR_INVAL as chat_list(). */
static enum err
chat_order(struct buf *sql, const struct chat_filter *f)
{
	int i;

	if (f->unordered)
		return ERR_OK;
	if (f->order_by == NULL) {
		buf_puts(sql, " ORDER BY updated_at DESC");
		return ERR_OK;
	}
	for (i = 0; chat_columns[i] != NULL; i++)
		if (strcmp(chat_columns[i], f->order_by) == 0)
			break;
	if (chat_columns[i] == NULL || f->direction == NULL)
		return ERR_INVAL;
	if (strcasecmp(f->direction, "asc") != 0 &&
	    strcasecmp(f->direction, "desc") != 0)
		return ERR_INVAL;
	buf_printf(sql, " ORDER BY %s %s", chat_columns[i],
	    strcasecmp(f->direction, "asc") == 0 ? "ASC" : "DESC");
	return ERR_OK;
}

enum err
chat_list(struct db *db, struct arena *a, const struct chat_filter *f,
    struct chat ***out, int *n)
{
	struct db_val v[6];
	struct db_res *res;
	struct buf *sql = arena_alloc(a, sizeof(*sql));
	enum err e;
	int nv = 0, i;

	buf_on_arena(sql, a);
	buf_puts(sql, f->title_only ? "SELECT id, title, created_at, "
	    "updated_at FROM chat WHERE 1 = 1" : "SELECT " CHAT_COLS
	    " FROM chat WHERE 1 = 1");
	if (f->user_id != NULL) {
		v[nv++] = DBV_TEXT(f->user_id);
		buf_printf(sql, " AND user_id = $%d", nv);
	}
	if (f->archived != CHAT_ANY) {
		v[nv++] = DBV_BOOL(f->archived == CHAT_YES);
		buf_printf(sql, " AND archived = $%d", nv);
	}
	if (f->pinned != CHAT_ANY) {
		v[nv++] = DBV_BOOL(f->pinned == CHAT_YES);
		buf_printf(sql, f->pinned == CHAT_YES ? " AND pinned = $%d" :
		    " AND (pinned = $%d OR pinned IS NULL)", nv);
	}
	if (f->no_folder)
		buf_puts(sql, " AND folder_id IS NULL");
	if (f->title_like != NULL) {
		v[nv++] = DBV_TEXT(arena_printf(a, "%%%s%%", f->title_like));
		buf_printf(sql, db_engine(db) == DB_PG ?
		    " AND title ILIKE $%d" : " AND lower(title) LIKE lower($%d)",
		    nv);
	}
	if ((e = chat_order(sql, f)) != ERR_OK)
		return e;
	if (f->limit != 0 || f->skip != 0) {
		/* no limit: NULL on PostgreSQL, -1 on SQLite */
		v[nv++] = f->limit != 0 ? DBV_INT(f->limit) :
		    db_engine(db) == DB_PG ? DBV_NULL : DBV_INT(-1);
		v[nv++] = DBV_INT(f->skip);
		buf_printf(sql, " LIMIT $%d OFFSET $%d", nv - 1, nv);
	}
	if (!f->title_only)
		return chat_query(db, a, buf_str(sql), nv, v, out, n);
	if ((e = db_query(db, a, &res, buf_str(sql), nv, v)) != ERR_OK)
		return e;
	*out = arena_alloc(a, sizeof(**out) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++) {
		struct chat *c = arena_alloc(a, sizeof(*c));

		c->id = arena_strdup(a, db_cell(res, i, 0));
		c->title = arena_strdup(a, db_cell(res, i, 1));
		c->created_at = db_cell_int(res, i, 2);
		c->updated_at = db_cell_int(res, i, 3);
		c->pinned = -1;
		(*out)[i] = c;
	}
	*n = res->nrows;
	return ERR_OK;
}

json_object *
chat_json(const struct chat *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_str_or_null(c->id));
	json_object_object_add(o, "user_id", json_str_or_null(c->user_id));
	json_object_object_add(o, "title", json_str_or_null(c->title));
	json_object_object_add(o, "chat", json_parse_col(c->chat));
	json_object_object_add(o, "updated_at",
	    json_object_new_int64(c->updated_at));
	json_object_object_add(o, "created_at",
	    json_object_new_int64(c->created_at));
	json_object_object_add(o, "share_id", json_str_or_null(c->share_id));
	json_object_object_add(o, "archived",
	    json_object_new_boolean(c->archived));
	json_object_object_add(o, "pinned", c->pinned < 0 ? NULL :
	    json_object_new_boolean(c->pinned));
	json_object_object_add(o, "meta", json_parse_col(c->meta));
	json_object_object_add(o, "folder_id", json_str_or_null(c->folder_id));
	return o;
}

json_object *
chat_title_id_json(const struct chat *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_str_or_null(c->id));
	json_object_object_add(o, "title", json_str_or_null(c->title));
	json_object_object_add(o, "updated_at",
	    json_object_new_int64(c->updated_at));
	json_object_object_add(o, "created_at",
	    json_object_new_int64(c->created_at));
	return o;
}

/* folders helper */
enum err
chat_list_in_folders(struct db *db, struct arena *a, const char *user_id,
    const char *const *ids, int nids, long long skip, long long limit,
    struct chat ***out, int *n)
{
	struct db_val *v = arena_alloc(a, sizeof(*v) * (size_t)(nids + 4));
	struct buf *sql = arena_alloc(a, sizeof(*sql));
	int nv = 0, i;

	if (nids == 0) {
		*out = arena_alloc(a, sizeof(**out));
		*n = 0;
		return ERR_OK;
	}
	buf_on_arena(sql, a);
	v[nv++] = DBV_TEXT(user_id);
	v[nv++] = DBV_BOOL(0);
	buf_puts(sql, "SELECT " CHAT_COLS " FROM chat WHERE user_id = $1 "
	    "AND (pinned = $2 OR pinned IS NULL) AND archived = $2 "
	    "AND folder_id IN (");
	for (i = 0; i < nids; i++) {
		v[nv++] = DBV_TEXT(ids[i]);
		buf_printf(sql, i == 0 ? "$%d" : ", $%d", nv);
	}
	buf_puts(sql, ") ORDER BY updated_at DESC");
	if (limit != 0 || skip != 0) {
		/* no limit: NULL on PostgreSQL, -1 on SQLite */
		v[nv++] = limit != 0 ? DBV_INT(limit) :
		    db_engine(db) == DB_PG ? DBV_NULL : DBV_INT(-1);
		v[nv++] = DBV_INT(skip);
		buf_printf(sql, " LIMIT $%d OFFSET $%d", nv - 1, nv);
	}
	return chat_query(db, a, buf_str(sql), nv, v, out, n);
}

enum err
chat_count_in_folder(struct db *db, struct arena *a, const char *user_id,
    const char *folder_id, long long *n)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "SELECT count(*) FROM chat WHERE user_id = $1 "
	    "AND folder_id = $2", DBV_TEXT(user_id), DBV_TEXT(folder_id));
	if (e != ERR_OK)
		return e;
	*n = db_cell_int(res, 0, 0);
	return ERR_OK;
}

enum err
chat_set_folder(struct db *db, struct arena *a, const char *id,
    const char *folder_id, struct chat **out)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "UPDATE chat SET folder_id = $1, updated_at = $2, "
	    "pinned = $3 WHERE id = $4", DBV_TEXT(folder_id),
	    DBV_INT(time(NULL)), DBV_BOOL(0), DBV_TEXT(id));
	if (e != ERR_OK)
		return e;
	return chat_updated(db, a, id, res, out);
}

enum err
chat_delete_in_folder(struct db *db, struct arena *a, const char *user_id,
    const char *folder_id)
{
	return DBQ(db, a, NULL, "DELETE FROM chat WHERE user_id = $1 AND "
	    "folder_id = $2", DBV_TEXT(user_id), DBV_TEXT(folder_id));
}
