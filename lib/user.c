/* user.c: the "user" and "auth" tables, as Python's models/users.py and
 * models/auths.py use them. */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wctype.h>

#include "buf.h"
#include "chat.h"
#include "db.h"
#include "group.h"
#include "json.h"
#include "mem.h"
#include "rand.h"
#include "user.h"

#define USER_COLS	"id, name, email, role, profile_image_url, api_key, " \
			"created_at, updated_at, last_active_at, settings, " \
			"info, oauth_sub, username, bio, gender, date_of_birth"

static struct user *
user_from_row(struct arena *a, const struct db_res *res, int row)
{
	struct user *u = arena_alloc(a, sizeof(*u));

	u->id = arena_strdup(a, db_cell(res, row, 0));
	u->name = arena_strdup(a, db_cell(res, row, 1));
	u->email = arena_strdup(a, db_cell(res, row, 2));
	u->role = arena_strdup(a, db_cell(res, row, 3));
	u->profile_image_url = arena_strdup(a, db_cell(res, row, 4));
	u->api_key = arena_strdup(a, db_cell(res, row, 5));
	u->created_at = db_cell_int(res, row, 6);
	u->updated_at = db_cell_int(res, row, 7);
	u->last_active_at = db_cell_int(res, row, 8);
	u->settings = arena_strdup(a, db_cell(res, row, 9));
	u->info = arena_strdup(a, db_cell(res, row, 10));
	u->oauth_sub = arena_strdup(a, db_cell(res, row, 11));
	u->username = arena_strdup(a, db_cell(res, row, 12));
	u->bio = arena_strdup(a, db_cell(res, row, 13));
	u->gender = arena_strdup(a, db_cell(res, row, 14));
	u->date_of_birth = arena_strdup(a, db_cell(res, row, 15));
	return u;
}

/* Runs a query returning USER_COLS and takes its first row. */
static enum err
user_one(struct db *db, struct arena *a, struct user **out, const char *sql,
    const char *arg)
{
	struct db_res *res;
	enum err e;

	if (arg == NULL)
		e = DBQ0(db, a, &res, sql);
	else
		e = DBQ(db, a, &res, sql, DBV_TEXT(arg));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0)
		return ERR_NOTFOUND;
	*out = user_from_row(a, res, 0);
	return ERR_OK;
}

/* Appends code point c to o as UTF-8; returns the new end. */
static char *
user_put_utf8(char *o, uint32_t c)
{
	if (c < 0x80)
		*o++ = (char)c;
	else if (c < 0x800) {
		*o++ = (char)(0xc0 | (c >> 6));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | (c >> 12));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (c >> 18));
		*o++ = (char)(0x80 | ((c >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return o;
}

char *
user_email_lower(struct arena *a, const char *s)
{
	static locale_t loc;
	const unsigned char *p = (const unsigned char *)s;
	char *out, *o;
	uint32_t c;
	int n, i;

	if (s == NULL)
		return NULL;
	if (loc == (locale_t)0)
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	out = o = arena_alloc(a, strlen(s) * 4 + 1);
	while (*p != '\0') {
		if (*p < 0x80) {	/* ASCII, whatever the locale */
			*o++ = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			n = 2, c = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			n = 3, c = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			n = 4, c = *p & 0x07;
		else
			n = 0, c = 0;
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			c = (c << 6) | (p[i] & 0x3f);
		if (n == 0 || i < n) {
			*o++ = (char)*p++;	/* not UTF-8: kept */
			continue;
		}
		p += n;
		if (loc != (locale_t)0)
			c = (uint32_t)towlower_l((wint_t)c, loc);
		o = user_put_utf8(o, c);
	}
	*o = '\0';
	return out;
}

#define user_lower(a, s)	user_email_lower((a), (s))

int
user_email_valid(const char *email)
{
	static const char lh[] = "@localhost";
	size_t n = strlen(email), i, j, k;

	if (n >= sizeof(lh) - 1 && strcmp(email + n - (sizeof(lh) - 1),
	    lh) == 0)
		return 1;
	for (i = 0; i < n && email[i] != '@'; i++)
		;
	if (i == 0 || i == n)
		return 0;
	/* the domain part runs to the next '@' or the end */
	for (j = i + 1; j < n && email[j] != '@'; j++)
		;
	for (k = i + 2; k + 1 < j; k++)
		if (email[k] == '.')
			return 1;
	return 0;
}

int
user_date_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y == 0 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 ||
	    y % 400 == 0)))
		return 0;
	return 1;
}

enum err
user_get(struct db *db, struct arena *a, const char *id, struct user **out)
{
	return user_one(db, a, out, "SELECT " USER_COLS " FROM \"user\" "
	    "WHERE id = $1 LIMIT 1", id);
}

enum err
user_get_by_email(struct db *db, struct arena *a, const char *email,
    struct user **out)
{
	return user_one(db, a, out, "SELECT " USER_COLS " FROM \"user\" "
	    "WHERE email = $1 LIMIT 1", user_lower(a, email));
}

enum err
user_get_by_api_key(struct db *db, struct arena *a, const char *key,
    struct user **out)
{
	return user_one(db, a, out, "SELECT " USER_COLS " FROM \"user\" "
	    "WHERE api_key = $1 LIMIT 1", key);
}

enum err
user_get_first(struct db *db, struct arena *a, struct user **out)
{
	/* Python orders by created_at alone; SQLite's rowid settles ties
	 * the way its scan would. */
	if (db_engine(db) == DB_SQLITE)
		return user_one(db, a, out, "SELECT " USER_COLS
		    " FROM \"user\" ORDER BY created_at, rowid LIMIT 1", NULL);
	return user_one(db, a, out, "SELECT " USER_COLS " FROM \"user\" "
	    "ORDER BY created_at LIMIT 1", NULL);
}

enum err
user_count(struct db *db, struct arena *a, long long *n)
{
	struct db_res *res;
	enum err e;

	if ((e = DBQ0(db, a, &res, "SELECT COUNT(*) FROM \"user\"")) != ERR_OK)
		return e;
	*n = db_cell_int(res, 0, 0);
	return ERR_OK;
}

enum err
user_create(struct db *db, struct arena *a, const char *name,
    const char *email, const char *password_hash, const char *role,
    const char *profile_image_url, struct user **out)
{
	char id[37];
	char *lemail = user_lower(a, email);
	long long now = (long long)time(NULL);
	struct db_res *res;
	enum err e;

	rand_uuid4(id);
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	e = DBQ(db, a, &res, "SELECT 1 FROM \"user\" WHERE email = $1 LIMIT 1",
	    DBV_TEXT(lemail));
	if (e != ERR_OK)
		goto fail;
	if (res->nrows > 0) {
		e = ERR_EXISTS;
		goto fail;
	}
	e = DBQ(db, a, NULL, "INSERT INTO auth (id, email, password, active) "
	    "VALUES ($1, $2, $3, $4)", DBV_TEXT(id), DBV_TEXT(lemail),
	    DBV_TEXT(password_hash), DBV_BOOL(1));
	if (e != ERR_OK)
		goto fail;
	/* settings and info hold the text null, as Python's JSONField
	 * stores None */
	e = DBQ(db, a, NULL, "INSERT INTO \"user\" (id, name, email, role, "
	    "profile_image_url, api_key, created_at, updated_at, "
	    "last_active_at, settings, info, oauth_sub, username, bio, "
	    "gender, date_of_birth) VALUES ($1, $2, $3, $4, $5, NULL, $6, $6, "
	    "$6, 'null', 'null', NULL, NULL, NULL, NULL, NULL)",
	    DBV_TEXT(id), DBV_TEXT(name), DBV_TEXT(lemail), DBV_TEXT(role),
	    DBV_TEXT(profile_image_url), DBV_INT(now));
	if (e != ERR_OK)
		goto fail;
	if ((e = db_commit(db)) != ERR_OK)
		goto fail;
	return user_get(db, a, id, out);
fail:
	db_rollback(db);
	return e;
}

enum err
user_auth_hash(struct db *db, struct arena *a, const char *email, char **hash)
{
	struct db_res *res;
	enum err e;

	/* as Python: the user row by email, then its active auth row */
	e = DBQ(db, a, &res, "SELECT password FROM auth WHERE id = "
	    "(SELECT id FROM \"user\" WHERE email = $1 LIMIT 1) "
	    "AND active = $2 LIMIT 1", DBV_TEXT(user_lower(a, email)),
	    DBV_BOOL(1));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0 || db_cell(res, 0, 0) == NULL)
		return ERR_NOTFOUND;
	*hash = arena_strdup(a, db_cell(res, 0, 0));
	return ERR_OK;
}

/* Runs a one-row UPDATE; ERR_NOTFOUND when it changed nothing. */
static enum err
user_update1(struct db *db, const char *sql, const char *id, const char *v)
{
	struct arena *a = arena_new();
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, sql, DBV_TEXT(v), DBV_TEXT(id));
	if (e == ERR_OK && res->changes == 0)
		e = ERR_NOTFOUND;
	arena_free(a);
	return e;
}

enum err
user_set_password(struct db *db, const char *id, const char *hash)
{
	return user_update1(db, "UPDATE auth SET password = $1 WHERE id = $2",
	    id, hash);
}

enum err
user_set_role(struct db *db, const char *id, const char *role)
{
	return user_update1(db, "UPDATE \"user\" SET role = $1 WHERE id = $2",
	    id, role);
}

enum err
user_set_api_key(struct db *db, const char *id, const char *key)
{
	return user_update1(db, "UPDATE \"user\" SET api_key = $1 "
	    "WHERE id = $2", id, key);
}

enum err
user_set_settings(struct db *db, const char *id, const char *json)
{
	return user_update1(db, "UPDATE \"user\" SET settings = $1 "
	    "WHERE id = $2", id, json != NULL ? json : "null");
}

enum err
user_set_info(struct db *db, const char *id, const char *json)
{
	return user_update1(db, "UPDATE \"user\" SET info = $1 WHERE id = $2",
	    id, json != NULL ? json : "null");
}

enum err
user_touch(struct db *db, const char *id)
{
	struct arena *a = arena_new();
	enum err e;

	e = DBQ(db, a, NULL, "UPDATE \"user\" SET last_active_at = $1 "
	    "WHERE id = $2", DBV_INT(time(NULL)), DBV_TEXT(id));
	arena_free(a);
	return e;
}

/* The ORDER BY columns Python's get_users accepts. */
static const char *const user_order_cols[] = {
	"name", "email", "created_at", "last_active_at", "updated_at", "role"
};

enum err
user_list(struct db *db, struct arena *a, const char *query,
    const char *order_by, const char *direction, long long skip,
    long long limit, struct user ***out, int *n, long long *total)
{
	struct buf *sql = arena_alloc(a, sizeof(*sql));
	struct db_val v[3];
	struct db_res *res;
	struct user **list;
	enum err e;
	int nv = 0, i;
	size_t k;

	if (query != NULL && *query == '\0')
		query = NULL;
	if (order_by != NULL && *order_by == '\0')
		order_by = NULL;
	if (direction != NULL && *direction == '\0')
		direction = NULL;
	buf_on_arena(sql, a);
	buf_puts(sql, "SELECT " USER_COLS " FROM \"user\"");
	if (query != NULL) {
		v[nv++] = DBV_TEXT(arena_printf(a, "%%%s%%", query));
		if (db_engine(db) == DB_PG)
			buf_puts(sql, " WHERE (name ILIKE $1 OR email ILIKE $1)");
		else
			buf_puts(sql, " WHERE (lower(name) LIKE lower($1) OR "
			    "lower(email) LIKE lower($1))");
	}
	if (query == NULL && order_by == NULL && direction == NULL)
		buf_puts(sql, " ORDER BY created_at DESC");
	else if (order_by != NULL) {
		for (k = 0; k < sizeof(user_order_cols) /
		    sizeof(user_order_cols[0]); k++)
			if (strcmp(order_by, user_order_cols[k]) == 0) {
				buf_printf(sql, " ORDER BY %s %s",
				    user_order_cols[k], direction != NULL &&
				    strcmp(direction, "asc") == 0 ?
				    "ASC" : "DESC");
				break;
			}
	}
	if (limit > 0) {
		buf_printf(sql, " LIMIT $%d", nv + 1);
		v[nv++] = DBV_INT(limit);
	} else if (skip > 0)
		buf_puts(sql, db_engine(db) == DB_PG ? " LIMIT ALL" :
		    " LIMIT -1");
	if (skip > 0) {
		buf_printf(sql, " OFFSET $%d", nv + 1);
		v[nv++] = DBV_INT(skip);
	}
	if ((e = db_query(db, a, &res, buf_str(sql), nv, v)) != ERR_OK)
		return e;
	list = arena_alloc(a, sizeof(*list) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++)
		list[i] = user_from_row(a, res, i);
	*out = list;
	*n = res->nrows;
	return user_count(db, a, total);
}

enum err
user_update(struct db *db, const char *id, const char *role,
    const char *name, const char *email, const char *profile_image_url,
    const char *hash)
{
	struct arena *a = arena_new();
	char *lemail = user_lower(a, email);
	struct db_res *res;
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		goto done;
	if (hash != NULL) {
		e = DBQ(db, a, NULL, "UPDATE auth SET password = $1 "
		    "WHERE id = $2", DBV_TEXT(hash), DBV_TEXT(id));
		if (e != ERR_OK)
			goto fail;
	}
	e = DBQ(db, a, NULL, "UPDATE auth SET email = $1 WHERE id = $2",
	    DBV_TEXT(lemail), DBV_TEXT(id));
	if (e != ERR_OK)
		goto fail;
	e = DBQ(db, a, &res, "UPDATE \"user\" SET role = $1, name = $2, "
	    "email = $3, profile_image_url = $4 WHERE id = $5",
	    DBV_TEXT(role), DBV_TEXT(name), DBV_TEXT(lemail),
	    DBV_TEXT(profile_image_url), DBV_TEXT(id));
	if (e != ERR_OK)
		goto fail;
	if (res->changes == 0) {
		e = ERR_NOTFOUND;
		goto fail;
	}
	e = db_commit(db);
	if (e != ERR_OK)
		goto fail;
	goto done;
fail:
	db_rollback(db);
done:
	arena_free(a);
	return e;
}

enum err
user_delete(struct db *db, struct arena *a, const char *id)
{
	enum err e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = group_remove_user(db, a, id)) != ERR_OK)
		goto fail;
	if ((e = chat_delete_all_by_user(db, a, id)) != ERR_OK)
		goto fail;
	e = DBQ(db, a, NULL, "DELETE FROM \"user\" WHERE id = $1",
	    DBV_TEXT(id));
	if (e != ERR_OK)
		goto fail;
	e = DBQ(db, a, NULL, "DELETE FROM auth WHERE id = $1", DBV_TEXT(id));
	if (e != ERR_OK)
		goto fail;
	if ((e = db_commit(db)) != ERR_OK)
		goto fail;
	return ERR_OK;
fail:
	db_rollback(db);
	return e;
}

enum err
user_chat_owner(struct db *db, struct arena *a, const char *chat_id,
    char **owner)
{
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "SELECT user_id FROM chat WHERE id = $1 LIMIT 1",
	    DBV_TEXT(chat_id));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0 || db_cell(res, 0, 0) == NULL)
		return ERR_NOTFOUND;
	*owner = arena_strdup(a, db_cell(res, 0, 0));
	return ERR_OK;
}

enum err
user_oauth_sessions(struct db *db, struct arena *a, const char *user_id,
    json_object **out)
{
	static const struct json_col cols[] = {
		{ "id", JSON_COL_STR }, { "user_id", JSON_COL_STR },
		{ "provider", JSON_COL_STR }, { "expires_at", JSON_COL_INT },
		{ "created_at", JSON_COL_INT }, { "updated_at", JSON_COL_INT }
	};
	struct db_res *res;
	json_object *arr;
	enum err e;
	int i;

	e = DBQ(db, a, &res, "SELECT id, user_id, provider, expires_at, "
	    "created_at, updated_at FROM oauth_session WHERE user_id = $1 "
	    "ORDER BY created_at", DBV_TEXT(user_id));
	if (e != ERR_OK)
		return e;
	arr = json_object_new_array();
	for (i = 0; i < res->nrows; i++)
		json_object_array_add(arr, json_row(res, i, cols, 6));
	*out = arr;

	return ERR_OK;
}

json_object *
user_settings_model(json_object *s)
{
	json_object *c = NULL;

	if (s == NULL || json_object_deep_copy(s, &c, NULL) != 0)
		return NULL;
	if (json_object_is_type(c, json_type_object) &&
	    !json_object_object_get_ex(c, "ui", NULL))
		json_object_object_add(c, "ui", json_object_new_object());
	return c;
}

json_object *
user_json(const struct user *u)
{
	json_object *o = json_object_new_object(), *settings;

	json_object_object_add(o, "id", json_str_or_null(u->id));
	json_object_object_add(o, "name", json_str_or_null(u->name));
	json_object_object_add(o, "email", json_str_or_null(u->email));
	json_object_object_add(o, "username", json_str_or_null(u->username));
	json_object_object_add(o, "role", json_str_or_null(u->role));
	json_object_object_add(o, "profile_image_url",
	    json_str_or_null(u->profile_image_url));
	json_object_object_add(o, "bio", json_str_or_null(u->bio));
	json_object_object_add(o, "gender", json_str_or_null(u->gender));
	json_object_object_add(o, "date_of_birth",
	    json_str_or_null(u->date_of_birth));
	json_object_object_add(o, "info", json_parse_col(u->info));
	settings = json_parse_col(u->settings);
	json_object_object_add(o, "settings", user_settings_model(settings));
	json_object_put(settings);
	json_object_object_add(o, "api_key", json_str_or_null(u->api_key));
	json_object_object_add(o, "oauth_sub", json_str_or_null(u->oauth_sub));
	json_object_object_add(o, "last_active_at",
	    json_object_new_int64(u->last_active_at));
	json_object_object_add(o, "updated_at",
	    json_object_new_int64(u->updated_at));
	json_object_object_add(o, "created_at",
	    json_object_new_int64(u->created_at));
	return o;
}

/* auths helper */

enum err
user_update_profile(struct db *db, const char *id, const char *name,
    const char *profile_image_url, const char *bio, const char *gender,
    const char *date_of_birth)
{
	struct arena *a = arena_new();
	struct db_res *res;
	enum err e;

	e = DBQ(db, a, &res, "UPDATE \"user\" SET name = $1, "
	    "profile_image_url = $2, bio = $3, gender = $4, "
	    "date_of_birth = $5 WHERE id = $6", DBV_TEXT(name),
	    DBV_TEXT(profile_image_url), DBV_TEXT(bio), DBV_TEXT(gender),
	    DBV_TEXT(date_of_birth), DBV_TEXT(id));
	if (e == ERR_OK && res->changes == 0)
		e = ERR_NOTFOUND;
	arena_free(a);
	return e;
}

enum err
user_valid_ids(struct db *db, struct arena *a, json_object *ids,
    json_object **out)
{
	struct db_val *v;
	struct db_res *res;
	struct buf sql = BUF_INIT;
	enum err e;
	int k;

	buf_puts(&sql, "SELECT id FROM \"user\" WHERE id IN (");
	k = json_sql_in(a, ids, &sql, &v);
	buf_puts(&sql, ")");
	e = k == 0 ? ERR_OK : db_query(db, a, &res, buf_str(&sql), k, v);
	buf_free(&sql);
	if (e != ERR_OK)
		return e;
	*out = json_object_new_array();
	if (k == 0)
		return ERR_OK;
	for (k = 0; k < res->nrows; k++)
		json_object_array_add(*out,
		    json_object_new_string(db_cell(res, k, 0)));
	return ERR_OK;
}

enum err
user_response(struct db *db, struct arena *a, const char *id,
    json_object **out)
{
	struct user *u;
	json_object *o;
	enum err e;

	*out = NULL;
	if ((e = user_get(db, a, id, &u)) == ERR_NOTFOUND)
		return ERR_OK;
	if (e != ERR_OK)
		return e;
	o = json_object_new_object();
	json_object_object_add(o, "id", json_str_or_null(u->id));
	json_object_object_add(o, "name", json_str_or_null(u->name));
	json_object_object_add(o, "email", json_str_or_null(u->email));
	json_object_object_add(o, "role", json_str_or_null(u->role));
	json_object_object_add(o, "profile_image_url",
	    json_str_or_null(u->profile_image_url));
	*out = o;
	return ERR_OK;
}
