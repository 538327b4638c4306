/* schema.h: the Python 0.6.32 schema, created on an empty database and
 * checked on any other. */
#ifndef CWEBUI_SCHEMA_H
#define CWEBUI_SCHEMA_H

#include <stddef.h>

#include "db.h"
#include "err.h"

/* The alembic head revision of Open WebUI 0.6.32. */
#define SCHEMA_REVISION	"a5c220713937"

/* The DDL and bookkeeping rows of each engine (generated, schema_sql.c). */
extern const char *const schema_sql[DB__MAX];

/* Creates the whole schema when the database has no tables; otherwise
 * checks that alembic_version holds SCHEMA_REVISION. Returns ERR_OK,
 * ERR_REVISION (nothing written; the reason, naming both revisions, is
 * logged and copied to why when not NULL), or ERR_DB. *created is set to 1
 * when the schema was created now. */
enum err schema_migrate(struct db *db, int *created, char *why, size_t whylen);

/* Reads, writing nothing, how many tables db holds into *ntables and its
 * alembic revision into rev ("" when there is no alembic_version row).
 * Returns ERR_OK or ERR_DB. */
enum err schema_state(struct db *db, long long *ntables, char *rev,
	    size_t len);

#endif
