#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db_impl.h"
#include "log.h"
#include "mem.h"

struct db {
	enum db_engine		 engine;
	const struct db_driver	*drv;
	void			*conn;
	int			 unavailable;	/* see db_unavailable() */
};

static const struct db_driver *const db_drivers[DB__MAX] = {
	[DB_SQLITE] = &db_sqlite_driver,
	[DB_PG] = &db_pg_driver,
};

enum err
db_url_parse(const char *url, enum db_engine *eng, char **target)
{
	static const char sqlite_pfx[] = "sqlite:///";
	const char *rest;

	if (url == NULL)
		return ERR_INVAL;
	if (strncmp(url, sqlite_pfx, sizeof(sqlite_pfx) - 1) == 0) {
		const char *path = url + sizeof(sqlite_pfx) - 1;

		if (*path == '\0')
			return ERR_INVAL;
		*eng = DB_SQLITE;
		*target = xstrdup(path);
		return ERR_OK;
	}
	if (strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0) {
		*eng = DB_PG;
		*target = xstrdup(url);
		return ERR_OK;
	}
	/* SQLAlchemy's "postgresql+psycopg2://": libpq wants no driver */
	if (strncmp(url, "postgresql+", 11) == 0 &&
	    (rest = strstr(url, "://")) != NULL) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "postgresql%s", rest);
		*eng = DB_PG;
		*target = b.p;
		return ERR_OK;
	}
	return ERR_INVAL;
}

enum err
db_open(const char *url, struct db **out)
{
	enum db_engine eng;
	char *target = NULL;
	struct db *db;
	enum err e;

	if ((e = db_url_parse(url, &eng, &target)) != ERR_OK) {
		log_error("unsupported DATABASE_URL scheme");
		return e;
	}
	db = xcalloc(1, sizeof(*db));
	db->engine = eng;
	db->drv = db_drivers[eng];
	e = db->drv->open(target, &db->conn);
	free(target);
	if (e != ERR_OK) {
		free(db);
		return e;
	}
	*out = db;
	return ERR_OK;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	db->drv->close(db->conn);
	free(db);
}

enum db_engine
db_engine(const struct db *db)
{
	return db->engine;
}

/* Records a failure of the database itself; callers see ERR_DB. */
static enum err
db_result(struct db *db, enum err e)
{
	if (e != ERR_UNAVAIL)
		return e;
	db->unavailable = 1;
	return ERR_DB;
}

enum err
db_query(struct db *db, struct arena *a, struct db_res **out,
    const char *sql, int n, const struct db_val *v)
{
	return db_result(db, db->drv->query(db->conn, a, out, sql, n, v));
}

enum err
db_exec_script(struct db *db, const char *sql)
{
	return db_result(db, db->drv->exec_script(db->conn, sql));
}

enum err
db_ping(struct db *db)
{
	db->unavailable = 0;
	if (db->drv->ping == NULL)
		return ERR_OK;
	return db_result(db, db->drv->ping(db->conn));
}

int
db_unavailable(const struct db *db)
{
	return db->unavailable;
}

enum err
db_begin(struct db *db)
{
	return db_exec_script(db, db->drv->begin_sql);
}

enum err
db_commit(struct db *db)
{
	return db_exec_script(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	(void)db_exec_script(db, "ROLLBACK");
}

struct db_res *
db_res_new(struct arena *a, int nrows, int ncols)
{
	struct db_res *r = arena_alloc(a, sizeof(*r));

	r->nrows = nrows;
	r->ncols = ncols;
	r->cells = arena_alloc(a, sizeof(char *) * (size_t)(nrows * ncols + 1));
	r->names = arena_alloc(a, sizeof(char *) * (size_t)(ncols + 1));
	return r;
}

const char *
db_cell(const struct db_res *r, int row, int col)
{
	return r->cells[row * r->ncols + col];
}

long long
db_cell_int(const struct db_res *r, int row, int col)
{
	const char *s = db_cell(r, row, col);

	return s == NULL ? 0 : strtoll(s, NULL, 10);
}

int
db_cell_bool(const struct db_res *r, int row, int col)
{
	return db_str_bool(db_cell(r, row, col));
}

int
db_str_bool(const char *s)
{
	if (s == NULL)
		return 0;
	if (s[0] == 't' || s[0] == 'T')
		return 1;
	/* strtod: SQLite shows a REAL 1 as "1.0", 0.5 as "0.5" */
	return strtod(s, NULL) != 0;
}
