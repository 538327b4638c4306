/* db_sqlite.c: the SQLite driver. Placeholders $N become ?N; rows are
 * copied out as text so both engines answer alike. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "buf.h"
#include "db_impl.h"
#include "log.h"
#include "mem.h"

#define SQLITE_BUSY_MS	10000

static enum err
sq_open(const char *target, void **conn)
{
	sqlite3 *c = NULL;
	const char *wal = getenv("DATABASE_ENABLE_SQLITE_WAL");
	int rc;

	rc = sqlite3_open_v2(target, &c, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_error("could not open sqlite database %s: %s", target,
		    c ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
		sqlite3_close(c);
		return ERR_DB;
	}
	sqlite3_busy_timeout(c, SQLITE_BUSY_MS);
	sqlite3_extended_result_codes(c, 1);
	if (wal != NULL && strcasecmp(wal, "true") == 0)
		sqlite3_exec(c, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	*conn = c;
	return ERR_OK;
}

static void
sq_close(void *conn)
{
	sqlite3_close(conn);
}

/* Returns ERR_UNAVAIL for a lock held past the busy timeout. */
static enum err
sq_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ?
	    ERR_UNAVAIL : ERR_DB;
}

static enum err
sq_fail(sqlite3 *c, int rc, const char *sql)
{
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return ERR_EXISTS;
	log_error("sqlite query failed: %s; query: %.200s",
	    sqlite3_errmsg(c), sql);
	return sq_busy(rc);
}

/* Rewrites $N placeholders outside string literals and quoted names. */
static void
sq_translate(struct buf *b, const char *sql)
{
	char quote = 0;
	const char *p;

	for (p = sql; *p != '\0'; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			buf_putc(b, '?');
			continue;
		}
		buf_putc(b, *p);
	}
}

static int
sq_bind(sqlite3_stmt *st, int n, const struct db_val *v)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		switch (v[i].type) {
		case DB_T_NULL:
			rc = sqlite3_bind_null(st, i + 1);
			break;
		case DB_T_TEXT:
			rc = sqlite3_bind_text(st, i + 1, v[i].s, -1,
			    SQLITE_STATIC);
			break;
		case DB_T_INT:
		case DB_T_BOOL:
			rc = sqlite3_bind_int64(st, i + 1, v[i].i);
			break;
		}
	}
	return rc;
}

/* Steps through the statement, collecting rows into a growing array. */
static int
sq_collect(sqlite3_stmt *st, struct arena *a, struct db_res **out)
{
	int nc = sqlite3_column_count(st), rc, nr = 0, cap = 0, j;
	char **cells = NULL;
	struct db_res *r;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out == NULL)
			continue;
		if (nr == cap) {
			cap = cap ? cap * 2 : 16;
			cells = xrealloc(cells, sizeof(char *) *
			    (size_t)cap * (size_t)(nc ? nc : 1));
		}
		for (j = 0; j < nc; j++) {
			const unsigned char *t = sqlite3_column_text(st, j);

			cells[nr * nc + j] = t == NULL ? NULL :
			    arena_strndup(a, (const char *)t,
			    (size_t)sqlite3_column_bytes(st, j));
		}
		nr++;
	}
	if (rc == SQLITE_DONE && out != NULL) {
		r = db_res_new(a, nr, nc);
		if (nr > 0)
			memcpy(r->cells, cells, sizeof(char *) * (size_t)(nr * nc));
		for (j = 0; j < nc; j++)
			r->names[j] = arena_strdup(a, sqlite3_column_name(st, j));
		r->changes = sqlite3_changes(sqlite3_db_handle(st));
		*out = r;
	}
	free(cells);
	return rc;
}

static enum err
sq_query(void *conn, struct arena *a, struct db_res **out,
    const char *sql, int n, const struct db_val *v)
{
	sqlite3 *c = conn;
	sqlite3_stmt *st = NULL;
	struct buf q = BUF_INIT;
	enum err e = ERR_OK;
	int rc;

	sq_translate(&q, sql);
	rc = sqlite3_prepare_v2(c, buf_str(&q), -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sq_bind(st, n, v);
	if (rc == SQLITE_OK)
		rc = sq_collect(st, a, out);
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		e = sq_fail(c, rc == SQLITE_CONSTRAINT ?
		    sqlite3_extended_errcode(c) : rc, sql);
	sqlite3_finalize(st);
	buf_free(&q);
	return e;
}

static enum err
sq_exec_script(void *conn, const char *sql)
{
	sqlite3 *c = conn;
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(c, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("sqlite script failed: %s; script: %.200s",
		    msg ? msg : sqlite3_errstr(rc), sql);
		sqlite3_free(msg);
		return rc == SQLITE_CONSTRAINT_UNIQUE ? ERR_EXISTS :
		    sq_busy(rc);
	}
	return ERR_OK;
}

const struct db_driver db_sqlite_driver = {
	.open = sq_open,
	.close = sq_close,
	.query = sq_query,
	.exec_script = sq_exec_script,
	.begin_sql = "BEGIN IMMEDIATE",
};
