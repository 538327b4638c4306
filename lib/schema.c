#include <stdio.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "schema.h"

static const char *const schema_count_sql[DB__MAX] = {
	[DB_SQLITE] = "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
	[DB_PG] = "SELECT count(*) FROM information_schema.tables "
	    "WHERE table_schema = current_schema()",
};

static const char *const schema_has_alembic_sql[DB__MAX] = {
	[DB_SQLITE] = "SELECT count(*) FROM sqlite_master "
	    "WHERE type = 'table' AND name = 'alembic_version'",
	[DB_PG] = "SELECT count(*) FROM information_schema.tables "
	    "WHERE table_schema = current_schema() "
	    "AND table_name = 'alembic_version'",
};

/* Reads the revision of a non-empty database into rev ("" when none). */
static enum err
schema_revision(struct db *db, struct arena *a, char *rev, size_t len)
{
	enum db_engine eng = db_engine(db);
	struct db_res *res;
	enum err e;

	rev[0] = '\0';
	if ((e = DBQ0(db, a, &res, schema_has_alembic_sql[eng])) != ERR_OK)
		return e;
	if (db_cell_int(res, 0, 0) == 0)
		return ERR_OK;
	if ((e = DBQ0(db, a, &res,
	    "SELECT version_num FROM alembic_version")) != ERR_OK)
		return e;
	if (res->nrows == 1 && db_cell(res, 0, 0) != NULL)
		snprintf(rev, len, "%s", db_cell(res, 0, 0));
	return ERR_OK;
}

enum err
schema_migrate(struct db *db, int *created, char *why, size_t whylen)
{
	enum db_engine eng = db_engine(db);
	struct arena *a = arena_new();
	struct db_res *res;
	char rev[64], msg[256];
	enum err e;

	*created = 0;
	if ((e = db_begin(db)) != ERR_OK)
		goto fail;
	if (eng == DB_PG && (e = DBQ0(db, a, NULL,
	    "SELECT pg_advisory_xact_lock(7306954)")) != ERR_OK)
		goto rollback;
	if ((e = DBQ0(db, a, &res, schema_count_sql[eng])) != ERR_OK)
		goto rollback;
	if (db_cell_int(res, 0, 0) == 0) {
		if ((e = db_exec_script(db, schema_sql[eng])) != ERR_OK)
			goto rollback;
		if ((e = db_commit(db)) != ERR_OK)
			goto fail;
		*created = 1;
		log_info("created the Open WebUI %s schema", SCHEMA_REVISION);
		goto done;
	}
	if ((e = schema_revision(db, a, rev, sizeof(rev))) != ERR_OK)
		goto rollback;
	db_rollback(db);
	if (strcmp(rev, SCHEMA_REVISION) != 0) {
		snprintf(msg, sizeof(msg), "the database is at alembic revision "
		    "%s but cwebui needs %s (Open WebUI 0.6.32); nothing was "
		    "changed", rev[0] ? rev : "(none)", SCHEMA_REVISION);
		log_error("%s", msg);
		if (why != NULL)
			snprintf(why, whylen, "%s", msg);
		e = ERR_REVISION;
	}
	goto done;
rollback:
	db_rollback(db);
fail:
	log_error("could not check or create the schema: %s", err_str(e));
done:
	arena_free(a);
	return e;
}

enum err
schema_state(struct db *db, long long *ntables, char *rev, size_t len)
{
	struct arena *a = arena_new();
	struct db_res *res;
	enum err e;

	*ntables = 0;
	rev[0] = '\0';
	e = DBQ0(db, a, &res, schema_count_sql[db_engine(db)]);
	if (e == ERR_OK && (*ntables = db_cell_int(res, 0, 0)) > 0)
		e = schema_revision(db, a, rev, len);
	arena_free(a);
	return e;
}
