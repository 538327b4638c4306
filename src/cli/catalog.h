/* catalog.h: the tables and column types of a database, read from its own
 * catalog (sqlite_master and pragma_table_info; PostgreSQL's
 * information_schema), for copy-db. */
#ifndef CWEBUI_CATALOG_H
#define CWEBUI_CATALOG_H

#include "err.h"

struct arena;
struct db;

/* What a column holds, from its declared type. */
enum col_kind {
	COL_TEXT = 0,	/* text, varchar, anything else */
	COL_INT,	/* integer, bigint, smallint */
	COL_BOOL,	/* boolean */
	COL_JSON,	/* json, jsonb */
	COL_TIME,	/* date, time, timestamp, datetime */
	COL_REAL,	/* real, double, float, numeric */
	COL__MAX
};

struct col {
	const char	*name;
	const char	*type;		/* as declared, lower case */
	enum col_kind	 kind;
};

struct table {
	const char	*name;
	struct col	*cols;
	int		 ncols;
	int		 has_fk;	/* references another table */
	const char	*serial;	/* PostgreSQL: the column a sequence
					   feeds (NULL: none) */
};

/* Reads the tables of db's schema (SQLite's own tables left out), ordered
 * by name with the ones that have a foreign key last, so copying them in
 * this order inserts a referenced row first. Everything is owned by a.
 * Returns ERR_OK or ERR_DB. */
enum err catalog_read(struct db *db, struct arena *a, struct table **out,
	    int *n);

/* Returns the table named name among the n of t, or NULL. */
const struct table *catalog_find(const struct table *t, int n,
	    const char *name);

/* Returns the index of the column named name of t, or -1. */
int	 catalog_col(const struct table *t, const char *name);

/* Returns name as a quoted SQL identifier ("a""b"), owned by a. */
const char *catalog_quote(struct arena *a, const char *name);

#endif
