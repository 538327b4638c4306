#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "catalog.h"
#include "db.h"
#include "mem.h"

/* Per engine: the tables; the columns of table $1 (name, declared type,
 * serial); whether table $1 has a foreign key. */
static const char *const catalog_tables_sql[DB__MAX] = {
	[DB_SQLITE] = "SELECT name FROM sqlite_master WHERE type = 'table' "
	    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
	[DB_PG] = "SELECT table_name FROM information_schema.tables "
	    "WHERE table_schema = current_schema() "
	    "AND table_type = 'BASE TABLE' ORDER BY table_name",
};

static const char *const catalog_cols_sql[DB__MAX] = {
	[DB_SQLITE] = "SELECT name, type, 0 FROM pragma_table_info($1) "
	    "ORDER BY cid",
	[DB_PG] = "SELECT column_name, data_type, "
	    "coalesce(column_default LIKE 'nextval(%', false) "
	    "FROM information_schema.columns "
	    "WHERE table_schema = current_schema() AND table_name = $1 "
	    "ORDER BY ordinal_position",
};

static const char *const catalog_fk_sql[DB__MAX] = {
	[DB_SQLITE] = "SELECT count(*) FROM pragma_foreign_key_list($1)",
	[DB_PG] = "SELECT count(*) FROM information_schema.table_constraints "
	    "WHERE table_schema = current_schema() AND table_name = $1 "
	    "AND constraint_type = 'FOREIGN KEY'",
};

/* The kind of a declared type (lower case), SQLite's affinity rules
 * first (anything with "int" is an integer), then the names both engines
 * use. */
static enum col_kind
catalog_kind(const char *t)
{
	if (strstr(t, "bool") != NULL)
		return COL_BOOL;
	if (strstr(t, "int") != NULL)
		return COL_INT;
	if (strstr(t, "json") != NULL)
		return COL_JSON;
	if (strstr(t, "date") != NULL || strstr(t, "time") != NULL)
		return COL_TIME;
	if (strstr(t, "real") != NULL || strstr(t, "doub") != NULL ||
	    strstr(t, "floa") != NULL || strstr(t, "numeric") != NULL)
		return COL_REAL;
	return COL_TEXT;
}

/* Fills the columns, foreign-key flag and serial column of t. */
static enum err
catalog_table(struct db *db, struct arena *a, struct table *t)
{
	enum db_engine eng = db_engine(db);
	struct db_res *res;
	enum err e;
	char *ty;
	int i;

	if ((e = DBQ(db, a, &res, catalog_cols_sql[eng],
	    DBV_TEXT(t->name))) != ERR_OK)
		return e;
	t->ncols = res->nrows;
	t->cols = arena_alloc(a, sizeof(*t->cols) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++) {
		ty = arena_strdup(a, db_cell(res, i, 1) ? db_cell(res, i, 1)
		    : "");
		for (char *p = ty; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		t->cols[i].name = db_cell(res, i, 0);
		t->cols[i].type = ty;
		t->cols[i].kind = catalog_kind(ty);
		if (db_cell_bool(res, i, 2))
			t->serial = t->cols[i].name;
	}
	if ((e = DBQ(db, a, &res, catalog_fk_sql[eng],
	    DBV_TEXT(t->name))) != ERR_OK)
		return e;
	t->has_fk = db_cell_int(res, 0, 0) > 0;
	return ERR_OK;
}

enum err
catalog_read(struct db *db, struct arena *a, struct table **out, int *n)
{
	struct db_res *res;
	struct table *t;
	enum err e;
	int i, k = 0, pass;

	if ((e = DBQ0(db, a, &res, catalog_tables_sql[db_engine(db)])) != ERR_OK)
		return e;
	t = arena_alloc(a, sizeof(*t) * (size_t)(res->nrows + 1));
	for (i = 0; i < res->nrows; i++) {
		t[i].name = db_cell(res, i, 0);
		if ((e = catalog_table(db, a, &t[i])) != ERR_OK)
			return e;
	}
	/* referenced tables first: a stable partition on has_fk */
	*out = arena_alloc(a, sizeof(*t) * (size_t)(res->nrows + 1));
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < res->nrows; i++)
			if (t[i].has_fk == pass)
				(*out)[k++] = t[i];
	*n = k;
	return ERR_OK;
}

const struct table *
catalog_find(const struct table *t, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

int
catalog_col(const struct table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return i;
	return -1;
}

const char *
catalog_quote(struct arena *a, const char *name)
{
	struct buf b = BUF_INIT;
	const char *p;
	char *q;

	buf_putc(&b, '"');
	for (p = name; *p != '\0'; p++) {
		if (*p == '"')
			buf_putc(&b, '"');
		buf_putc(&b, *p);
	}
	buf_putc(&b, '"');
	q = arena_strdup(a, b.p);
	buf_free(&b);
	return q;
}
