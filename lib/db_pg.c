/* db_pg.c: the PostgreSQL driver (libpq), text protocol, PQexecParams. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db_impl.h"
#include "log.h"
#include "mem.h"

#define PG_MAX_PARAMS	65535	/* the protocol's limit */

/* Settings given before the URL, which may override them: a bounded
 * connection attempt, keep-alives, and an encoding that PQreset() keeps. */
static const char *const pg_keys[] = {
	"connect_timeout", "keepalives", "keepalives_idle",
	"keepalives_interval", "keepalives_count", "client_encoding",
	"dbname", NULL
};
static const char *const pg_defaults[] = {
	"5", "1", "30", "10", "3", "UTF8"
};

static enum err
pg_open(const char *target, void **conn)
{
	const char *vals[sizeof(pg_keys) / sizeof(pg_keys[0])];
	PGconn *c;

	memcpy(vals, pg_defaults, sizeof(pg_defaults));
	vals[sizeof(pg_defaults) / sizeof(pg_defaults[0])] = target;
	vals[sizeof(vals) / sizeof(vals[0]) - 1] = NULL;
	c = PQconnectdbParams(pg_keys, vals, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		log_error("could not connect to postgresql: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		return ERR_DB;
	}
	*conn = c;
	return ERR_OK;
}

static void
pg_close(void *conn)
{
	PQfinish(conn);
}

/* Maps a failed result to an error, logging the cause: ERR_UNAVAIL when
 * the connection is gone or the server refuses work (class 08, connection
 * exception; 57P01-57P03, shutting down or not ready). */
static enum err
pg_fail(PGconn *c, PGresult *res, const char *sql)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (state != NULL && strcmp(state, "23505") == 0)
		return ERR_EXISTS;
	log_error("postgresql query failed: %s; query: %.200s",
	    res ? PQresultErrorMessage(res) : PQerrorMessage(c), sql);
	if (PQstatus(c) != CONNECTION_OK || (state != NULL &&
	    (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0)))
		return ERR_UNAVAIL;
	return ERR_DB;
}

/* Between requests: a server that went away while the connection was idle
 * left its farewell and an end of file to read, which turn the connection
 * bad; a bad connection is reset (bounded by connect_timeout). */
static enum err
pg_ping(void *conn)
{
	PGconn *c = conn;
	struct pollfd p = { PQsocket(c), POLLIN, 0 };

	if (PQstatus(c) == CONNECTION_OK && p.fd >= 0 && poll(&p, 1, 0) > 0)
		(void)PQconsumeInput(c);
	if (PQstatus(c) == CONNECTION_OK)
		return ERR_OK;
	log_warn("postgresql connection lost, reconnecting");
	PQreset(c);
	if (PQstatus(c) == CONNECTION_OK)
		return ERR_OK;
	log_error("could not reconnect to postgresql: %s", PQerrorMessage(c));
	return ERR_UNAVAIL;
}

static void
pg_copy_res(struct arena *a, PGresult *res, struct db_res **out)
{
	int nr = PQntuples(res), nc = PQnfields(res), i, j;
	struct db_res *r = db_res_new(a, nr, nc);

	for (j = 0; j < nc; j++)
		r->names[j] = arena_strdup(a, PQfname(res, j));
	for (i = 0; i < nr; i++)
		for (j = 0; j < nc; j++)
			if (!PQgetisnull(res, i, j))
				r->cells[i * nc + j] = arena_strndup(a,
				    PQgetvalue(res, i, j),
				    (size_t)PQgetlength(res, i, j));
	r->changes = strtoll(PQcmdTuples(res), NULL, 10);
	*out = r;
}

static enum err
pg_query(void *conn, struct arena *a, struct db_res **out,
    const char *sql, int n, const struct db_val *v)
{
	PGconn *c = conn;
	const char **vals;
	char (*nums)[24];
	PGresult *res;
	enum err e = ERR_OK;
	int i;

	/* n may come from a client's list (IN (...)): never on the stack */
	if (n < 0 || n > PG_MAX_PARAMS) {
		log_error("postgresql query failed: %d parameters; query: "
		    "%.200s", n, sql);
		return ERR_DB;
	}
	vals = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*vals));
	nums = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*nums));
	for (i = 0; i < n; i++) {
		switch (v[i].type) {
		case DB_T_NULL:
			vals[i] = NULL;
			break;
		case DB_T_TEXT:
			vals[i] = v[i].s;
			break;
		case DB_T_INT:
			snprintf(nums[i], sizeof(nums[i]), "%lld", v[i].i);
			vals[i] = nums[i];
			break;
		case DB_T_BOOL:
			vals[i] = v[i].i ? "true" : "false";
			break;
		}
	}
	res = PQexecParams(c, sql, n, NULL, vals, NULL, NULL, 0);
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		if (out != NULL)
			pg_copy_res(a, res, out);
		break;
	default:
		e = pg_fail(c, res, sql);
	}
	PQclear(res);
	free(nums);
	free(vals);
	return e;
}

static enum err
pg_exec_script(void *conn, const char *sql)
{
	PGconn *c = conn;
	PGresult *res;
	enum err e = ERR_OK;

	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		e = pg_fail(c, res, sql);
	PQclear(res);
	return e;
}

const struct db_driver db_pg_driver = {
	.open = pg_open,
	.close = pg_close,
	.query = pg_query,
	.exec_script = pg_exec_script,
	.ping = pg_ping,
	.begin_sql = "BEGIN",
};
