/* db.h: one database API over two engines, PostgreSQL (libpq) and SQLite.
 *
 * SQL is written once with PostgreSQL placeholders ($1, $2 ...); the SQLite
 * driver maps them to ?1, ?2. Values are always bound, never spliced into
 * SQL. Results are copied into a struct db_res owned by the arena given to
 * db_query(), so callers never free them. A struct db is one connection and
 * belongs to one process (open it after fork). */
#ifndef CWEBUI_DB_H
#define CWEBUI_DB_H

#include "err.h"

struct arena;
struct db;

enum db_engine {
	DB_SQLITE = 0,
	DB_PG,
	DB__MAX
};

enum db_type {
	DB_T_NULL = 0,
	DB_T_TEXT,
	DB_T_INT,
	DB_T_BOOL
};

/* One bound value. Build them with the macros below. */
struct db_val {
	enum db_type	 type;
	const char	*s;
	long long	 i;
};

#define DBV_TEXT(x)	((struct db_val){ (x) != NULL ? DB_T_TEXT : DB_T_NULL, (x), 0 })
#define DBV_INT(x)	((struct db_val){ DB_T_INT, NULL, (long long)(x) })
#define DBV_BOOL(x)	((struct db_val){ DB_T_BOOL, NULL, (x) ? 1 : 0 })
#define DBV_NULL	((struct db_val){ DB_T_NULL, NULL, 0 })

/* A result: nrows x ncols cells of text, NULL for SQL NULL. */
struct db_res {
	int		  nrows;
	int		  ncols;
	char		**cells;
	char		**names;
	long long	  changes;	/* rows changed by INSERT/UPDATE/DELETE */
};

/* Splits a DATABASE_URL into engine and target: the file path for SQLite
 * ("sqlite:///rel", "sqlite:////abs"), the URL itself for PostgreSQL
 * ("postgresql://", "postgres://"). *target is malloc'd, the caller frees.
 * Returns ERR_INVAL for anything else. */
enum err db_url_parse(const char *url, enum db_engine *eng, char **target);

/* Connects. Returns ERR_OK and a connection in *out (free with db_close()),
 * or ERR_DB with the cause logged. A PostgreSQL connection attempt gives up
 * after connect_timeout (5 s unless the URL sets it); TCP keep-alives are on
 * so a vanished server host is noticed. */
enum err db_open(const char *url, struct db **out);
void	 db_close(struct db *db);
enum db_engine db_engine(const struct db *db);

/* Runs one statement with n bound values. When out is not NULL the rows are
 * returned in *out, owned by a. Returns ERR_OK, ERR_EXISTS on a unique
 * violation, or ERR_DB (cause logged). A lost connection is never
 * re-opened here, so the statements of one request never straddle two
 * connections: that is db_ping()'s job, between requests. */
enum err db_query(struct db *db, struct arena *a, struct db_res **out,
	    const char *sql, int n, const struct db_val *v);

/* Runs a script of several statements without parameters (schema DDL). */
enum err db_exec_script(struct db *db, const char *sql);

/* Readies the connection for the next request: notices a PostgreSQL
 * connection that the server closed while it was idle and reconnects (no
 * longer than connect_timeout), and clears db_unavailable(). Returns ERR_OK,
 * or ERR_DB (cause logged) when the database cannot be reached. */
enum err db_ping(struct db *db);
/* Returns 1 when, since the last db_ping(), a statement failed because the
 * database could not be reached (PostgreSQL: the connection is lost or the
 * server is shutting down) or stayed locked past the busy timeout (SQLite),
 * so the failure is the database's, not the request's; else 0. */
int	 db_unavailable(const struct db *db);

enum err db_begin(struct db *db);
enum err db_commit(struct db *db);
/* Rolls back; never fails from the caller's point of view. */
void	 db_rollback(struct db *db);

/* Returns the cell text or NULL; row and col must be in range. */
const char *db_cell(const struct db_res *r, int row, int col);
long long db_cell_int(const struct db_res *r, int row, int col);
/* Returns 1 for true ("t", "true", "1" or any non-zero number), else 0. */
int	 db_cell_bool(const struct db_res *r, int row, int col);
/* The same reading of the text s of a boolean cell (NULL is 0). */
int	 db_str_bool(const char *s);

/* Convenience: db_query with the values given inline. */
#define DBQ(db, a, out, sql, ...)					\
	db_query((db), (a), (out), (sql),				\
	    (int)(sizeof((struct db_val[]){ __VA_ARGS__ }) /		\
	    sizeof(struct db_val)), (struct db_val[]){ __VA_ARGS__ })
#define DBQ0(db, a, out, sql)	db_query((db), (a), (out), (sql), 0, NULL)

#endif
