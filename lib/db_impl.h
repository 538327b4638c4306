/* db_impl.h: what db.c needs from each engine driver. Private to lib/db*. */
#ifndef CWEBUI_DB_IMPL_H
#define CWEBUI_DB_IMPL_H

#include "db.h"

struct db_driver {
	enum err (*open)(const char *target, void **conn);
	void	 (*close)(void *conn);
	enum err (*query)(void *conn, struct arena *a, struct db_res **out,
		    const char *sql, int n, const struct db_val *v);
	enum err (*exec_script)(void *conn, const char *sql);
	/* NULL when the engine needs no check between requests */
	enum err (*ping)(void *conn);
	const char *begin_sql;
};

extern const struct db_driver db_pg_driver;
extern const struct db_driver db_sqlite_driver;

/* query and exec_script return ERR_UNAVAIL for a failure of the database
 * itself (lost connection, lock held past the busy timeout); db.c records
 * it for db_unavailable() and hands callers ERR_DB. */

/* Allocates an empty result of the given shape in a. */
struct db_res *db_res_new(struct arena *a, int nrows, int ncols);

#endif
