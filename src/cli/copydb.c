/* copydb.c: `cwebui copy-db SOURCE DESTINATION`, a whole Open WebUI
 * database from one engine to the other (or to the same engine).
 *
 * The source is read in one read-only snapshot, in batches; the
 * destination is migrated to the schema, then filled in one transaction
 * that is committed only when every table's row count equals the
 * source's, so a failure leaves no row of it changed (a destination that
 * had no schema keeps the empty schema, and is told so). Columns are matched by
 * name and converted by the declared types the two catalogs give
 * (catalog.c): booleans, integers, text, JSON text. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "catalog.h"
#include "cli.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "schema.h"

#define COPY_BATCH	200	/* rows read from the source at a time */
#define COPY_PARAMS	900	/* most values bound in one INSERT */
#define COPY_BAR	30	/* width of the progress bar */

struct copy {
	struct db		*src;
	struct db		*dst;
	struct arena		*a;		/* catalogs, counts */
	struct table		*st;		/* source catalog */
	int			 nst;
	struct table		*dt;		/* destination catalog */
	int			 ndt;
	const struct table	**pair;		/* source table of dt[i] */
	long long		*n_src;
	long long		*n_dst;
	int			 tty;
	int			 force;
	int			 created;	/* the destination's schema was
						   created by this run */
};

/* Tables the schema itself fills: a migrated, empty destination holds
 * rows there, and the source's replace them. */
static int
copy_bookkeeping(const char *name)
{
	return strcmp(name, "alembic_version") == 0 ||
	    strcmp(name, "migratehistory") == 0;
}

/* Parses an integer, also one SQLite stored as a whole REAL ("5.0"), or
 * with round set any REAL, rounded half away from zero as PostgreSQL
 * rounds a numeric for a bigint column. Returns 1, or 0 (*out undefined)
 * for anything else, which is then bound as text. */
static int
copy_int(const char *v, long long *out, int round)
{
	char *end;
	double d;

	errno = 0;
	*out = strtoll(v, &end, 10);
	if (end != v && *end == '\0')
		return errno != ERANGE;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || !isfinite(d) ||
	    (d != floor(d) && !round) || fabs(d) > 9.0e18)
		return 0;
	*out = llround(d);
	return 1;
}

/* The value to bind for source text v of a column of kind sk going to
 * one of kind dk on engine deng, as SQLAlchemy stores it there. */
static struct db_val
copy_value(const char *v, enum col_kind sk, enum col_kind dk,
    enum db_engine deng)
{
	long long i;

	if (v == NULL)
		return DBV_NULL;
	if (sk == COL_BOOL || dk == COL_BOOL) {
		if (deng == DB_PG && dk == COL_BOOL)
			return DBV_BOOL(db_str_bool(v));
		return DBV_INT(db_str_bool(v));
	}
	/* SQLite keeps a fraction in an integer column; PostgreSQL rounds */
	if ((sk == COL_INT || dk == COL_INT) &&
	    copy_int(v, &i, deng == DB_PG && dk == COL_INT))
		return DBV_INT(i);
	return DBV_TEXT(v);
}

/* Shows how far table name is: a bar on a terminal, else one line per
 * table when it is done. */
static void
copy_progress(const struct copy *c, const char *name, long long done,
    long long total, int end)
{
	char bar[COPY_BAR + 1];
	int fill, i;

	if (!c->tty) {
		if (end)
			fprintf(stderr, "copied %s: %lld/%lld rows\n", name,
			    done, total);
		return;
	}
	fill = total > 0 ? (int)(done * COPY_BAR / total) : COPY_BAR;
	for (i = 0; i < COPY_BAR; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[COPY_BAR] = '\0';
	fprintf(stderr, "\r%-20.20s [%s] %lld/%lld rows", name, bar, done,
	    total);
	if (end)
		fputc('\n', stderr);
	fflush(stderr);
}

/* The column list of t, quoted and comma-separated, owned by a. */
static const char *
copy_cols(struct arena *a, const struct table *t)
{
	struct buf b = BUF_INIT;
	char *s;
	int i;

	for (i = 0; i < t->ncols; i++)
		buf_printf(&b, "%s%s", i ? ", " : "",
		    catalog_quote(a, t->cols[i].name));
	s = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return s;
}

/* Inserts rows [from, to) of res (columns in dt's order, starting at
 * column off) into dt with one statement. */
static enum err
copy_insert(struct copy *c, struct arena *a, int i, const struct db_res *res,
    int off, int from, int to)
{
	const struct table *dt = &c->dt[i], *st = c->pair[i];
	enum db_engine deng = db_engine(c->dst);
	struct db_val *v;
	struct buf q = BUF_INIT;
	enum err e;
	int r, k, n = 0, sc;

	v = arena_alloc(a, sizeof(*v) * (size_t)((to - from) * dt->ncols));
	buf_printf(&q, "INSERT INTO %s (%s) VALUES ", catalog_quote(a,
	    dt->name), copy_cols(a, dt));
	for (r = from; r < to; r++) {
		buf_puts(&q, r > from ? ", (" : "(");
		for (k = 0; k < dt->ncols; k++) {
			sc = catalog_col(st, dt->cols[k].name);
			v[n] = copy_value(db_cell(res, r, off + k),
			    st->cols[sc].kind, dt->cols[k].kind, deng);
			buf_printf(&q, "%s$%d", k ? ", " : "", ++n);
		}
		buf_putc(&q, ')');
	}
	e = db_query(c->dst, a, NULL, buf_str(&q), n, v);
	buf_free(&q);
	return e;
}

/* Copies table i in batches; counts the rows copied into *done. */
static enum err
copy_table(struct copy *c, int i, long long *done)
{
	const struct table *dt = &c->dt[i];
	struct arena *a = arena_new();
	const char *cols = copy_cols(c->a, dt);
	const char *tq = catalog_quote(c->a, dt->name);
	int pg = db_engine(c->src) == DB_PG, off = pg ? 0 : 1, per, r, to;
	long long last = LLONG_MIN;
	struct db_res *res;
	enum err e;

	per = dt->ncols > 0 ? COPY_PARAMS / dt->ncols : 1;
	if (per < 1)
		per = 1;
	*done = 0;
	if (pg && (e = db_exec_script(c->src, arena_printf(a, "DECLARE "
	    "cwebui_copy NO SCROLL CURSOR FOR SELECT %s FROM %s", cols,
	    tq))) != ERR_OK)
		goto out;
	for (;;) {
		arena_reset(a);
		if (pg)
			e = DBQ0(c->src, a, &res, arena_printf(a, "FETCH "
			    "FORWARD %d FROM cwebui_copy", COPY_BATCH));
		else
			e = DBQ(c->src, a, &res, arena_printf(a, "SELECT rowid, "
			    "%s FROM %s WHERE rowid > $1 ORDER BY rowid "
			    "LIMIT $2", cols, tq), DBV_INT(last),
			    DBV_INT(COPY_BATCH));
		if (e != ERR_OK || res->nrows == 0)
			break;
		if (!pg)
			last = db_cell_int(res, res->nrows - 1, 0);
		for (r = 0; r < res->nrows && e == ERR_OK; r = to) {
			to = r + per < res->nrows ? r + per : res->nrows;
			e = copy_insert(c, a, i, res, off, r, to);
		}
		if (e != ERR_OK)
			break;
		*done += res->nrows;
		copy_progress(c, dt->name, *done, c->n_src[i], 0);
	}
	if (pg && e == ERR_OK)
		e = db_exec_script(c->src, "CLOSE cwebui_copy");
out:
	arena_free(a);
	return e;
}

/* Pairs every destination table with the source's and checks that each
 * column of either side exists on the other. Prints what is wrong. */
static int
copy_match(struct copy *c)
{
	const struct table *s, *d;
	int i, k, bad = 0;

	c->pair = arena_alloc(c->a, sizeof(*c->pair) * (size_t)(c->ndt + 1));
	for (i = 0; i < c->ndt; i++) {
		d = &c->dt[i];
		if ((s = catalog_find(c->st, c->nst, d->name)) == NULL) {
			fprintf(stderr, "cwebui: copy-db: the source has no "
			    "table %s\n", d->name);
			bad = 1;
			continue;
		}
		c->pair[i] = s;
		for (k = 0; k < d->ncols; k++)
			if (catalog_col(s, d->cols[k].name) < 0) {
				fprintf(stderr, "cwebui: copy-db: the source "
				    "table %s has no column %s\n", d->name,
				    d->cols[k].name);
				bad = 1;
			}
		for (k = 0; k < s->ncols; k++)
			if (catalog_col(d, s->cols[k].name) < 0) {
				fprintf(stderr, "cwebui: copy-db: column "
				    "%s.%s of the source is not in the "
				    "destination's schema\n", s->name,
				    s->cols[k].name);
				bad = 1;
			}
	}
	for (i = 0; i < c->nst; i++)
		if (catalog_find(c->dt, c->ndt, c->st[i].name) == NULL)
			fprintf(stderr, "cwebui: copy-db: table %s is not "
			    "part of the Open WebUI schema: not copied\n",
			    c->st[i].name);
	return bad ? -1 : 0;
}

static enum err
copy_count(struct db *db, struct arena *a, const char *table, long long *n)
{
	struct db_res *res;
	enum err e;

	e = DBQ0(db, a, &res, arena_printf(a, "SELECT count(*) FROM %s",
	    catalog_quote(a, table)));
	*n = e == ERR_OK ? db_cell_int(res, 0, 0) : 0;
	return e;
}

/* Empties the destination tables (inside its transaction): the
 * bookkeeping rows always, the rest only with --force; without it, any
 * row there stops the copy. Returns 0, or -1 (told why). */
static int
copy_clear(struct copy *c)
{
	long long n;
	int i, busy = 0;

	for (i = 0; i < c->ndt; i++) {
		if (copy_bookkeeping(c->dt[i].name) || c->force)
			continue;
		if (copy_count(c->dst, c->a, c->dt[i].name, &n) != ERR_OK)
			return -1;
		if (n > 0) {
			fprintf(stderr, "cwebui: copy-db: the destination "
			    "already holds data (table %s: %lld rows)\n",
			    c->dt[i].name, n);
			busy = 1;
		}
	}
	if (busy) {
		fprintf(stderr, "cwebui: copy-db: refusing to mix two "
		    "databases; nothing was written. Copy into an empty "
		    "database, or give --force to replace everything in "
		    "this one\n");
		return -1;
	}
	for (i = c->ndt - 1; i >= 0; i--)
		if ((copy_bookkeeping(c->dt[i].name) || c->force) &&
		    DBQ0(c->dst, c->a, NULL, arena_printf(c->a, "DELETE FROM "
		    "%s", catalog_quote(c->a, c->dt[i].name))) != ERR_OK)
			return -1;
	return 0;
}

/* Moves PostgreSQL sequences past the copied ids. */
static enum err
copy_sequences(struct copy *c)
{
	const struct table *t;
	enum err e;
	int i;

	if (db_engine(c->dst) != DB_PG)
		return ERR_OK;
	for (i = 0; i < c->ndt; i++) {
		t = &c->dt[i];
		if (t->serial == NULL)
			continue;
		e = DBQ(c->dst, c->a, NULL, arena_printf(c->a, "SELECT "
		    "setval(pg_get_serial_sequence($1, $2), coalesce((SELECT "
		    "max(%s) FROM %s), 0) + 1, false)", catalog_quote(c->a,
		    t->serial), catalog_quote(c->a, t->name)),
		    DBV_TEXT(catalog_quote(c->a, t->name)), DBV_TEXT(t->serial));
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Copies every table, then counts both sides. Returns 0 when all counts
 * match, 1 when one differs, -1 on a failure (told); the destination
 * transaction is still open. */
static int
copy_all(struct copy *c)
{
	long long done;
	int i, bad = 0;

	c->n_src = arena_alloc(c->a, sizeof(long long) * (size_t)(c->ndt + 1));
	c->n_dst = arena_alloc(c->a, sizeof(long long) * (size_t)(c->ndt + 1));
	for (i = 0; i < c->ndt; i++)
		if (copy_count(c->src, c->a, c->dt[i].name, &c->n_src[i]) !=
		    ERR_OK)
			return -1;
	for (i = 0; i < c->ndt; i++) {
		copy_progress(c, c->dt[i].name, 0, c->n_src[i], 0);
		if (copy_table(c, i, &done) != ERR_OK) {
			if (c->tty)
				fputc('\n', stderr);
			fprintf(stderr, "cwebui: copy-db: could not copy table "
			    "%s (see above)\n", c->dt[i].name);
			return -1;
		}
		copy_progress(c, c->dt[i].name, done, c->n_src[i], 1);
	}
	if (copy_sequences(c) != ERR_OK)
		return -1;
	printf("%-24s %12s %12s\n", "table", "source", "destination");
	for (i = 0; i < c->ndt; i++) {
		if (copy_count(c->dst, c->a, c->dt[i].name, &c->n_dst[i]) !=
		    ERR_OK)
			return -1;
		printf("%-24s %12lld %12lld%s\n", c->dt[i].name, c->n_src[i],
		    c->n_dst[i], c->n_src[i] != c->n_dst[i] ? "  DIFFERS" : "");
		bad |= c->n_src[i] != c->n_dst[i];
	}
	return bad;
}

/* Opens url as the source (which must exist and be at the schema's
 * revision) or as the destination (migrated now; *created is set when the
 * schema was created). Returns 0, 1 (a failure, told) or 2 (a URL that
 * cannot be used, told). */
static int
copy_open(const char *url, int is_src, struct db **out, int *created)
{
	const char *role = is_src ? "source" : "destination";
	enum db_engine eng;
	char safe[512], why[512], rev[64];
	char *target = NULL;
	long long ntables;
	struct stat sb;

	*created = 0;
	cli_url_safe(url, safe, sizeof(safe));
	if (db_url_parse(url, &eng, &target) != ERR_OK) {
		fprintf(stderr, "cwebui: copy-db: the %s \"%s\" is not a "
		    "database URL: give sqlite:////path/to/webui.db or "
		    "postgresql://user:password@host:port/dbname\n", role, safe);
		return 2;
	}
	if (is_src && eng == DB_SQLITE && stat(target, &sb) != 0) {
		fprintf(stderr, "cwebui: copy-db: the source database file %s "
		    "does not exist\n", target);
		free(target);
		return 2;
	}
	free(target);
	if (db_open(url, out) != ERR_OK) {
		fprintf(stderr, "cwebui: copy-db: could not open the %s "
		    "database %s (see above)\n", role, safe);
		return 1;
	}
	if (!is_src) {
		if (schema_migrate(*out, created, why, sizeof(why)) == ERR_OK)
			return 0;
		fprintf(stderr, "cwebui: copy-db: the destination cannot take "
		    "the Open WebUI %s schema\n", SCHEMA_REVISION);
		goto fail;
	}
	if (schema_state(*out, &ntables, rev, sizeof(rev)) != ERR_OK)
		goto fail;
	if (ntables == 0)
		fprintf(stderr, "cwebui: copy-db: the source database %s is "
		    "empty\n", safe);
	else if (strcmp(rev, SCHEMA_REVISION) != 0)
		fprintf(stderr, "cwebui: copy-db: the source database is at "
		    "alembic revision %s; cwebui copies Open WebUI 0.6.32 "
		    "databases (%s)\n", rev[0] ? rev : "(none)",
		    SCHEMA_REVISION);
	else
		return 0;
fail:
	db_close(*out);
	*out = NULL;
	return 1;
}

/* Returns 1 when a and b name the same database. */
static int
copy_same(const char *a, const char *b)
{
	enum db_engine ea, eb;
	char *ta = NULL, *tb = NULL, ra[PATH_MAX], rb[PATH_MAX];
	int same;

	if (db_url_parse(a, &ea, &ta) != ERR_OK ||
	    db_url_parse(b, &eb, &tb) != ERR_OK)
		same = 0;
	else if (ea == DB_SQLITE && eb == DB_SQLITE &&
	    realpath(ta, ra) != NULL && realpath(tb, rb) != NULL)
		same = strcmp(ra, rb) == 0;
	else
		same = ea == eb && strcmp(ta, tb) == 0;
	free(ta);
	free(tb);
	return same;
}

/* copy-db [--force] SOURCE DESTINATION */
int
cmd_copy_db(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct copy c;
	int ch, rc, src_tx = 0;

	memset(&c, 0, sizeof(c));
	optind = 0;
	while ((ch = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		if (ch != 'f')
			return CLI_USAGE;
		c.force = 1;
	}
	if (argc - optind != 2)
		return CLI_USAGE;
	if (copy_same(argv[optind], argv[optind + 1])) {
		fprintf(stderr, "cwebui: copy-db: the source and the "
		    "destination are the same database\n");
		return 2;
	}
	c.tty = isatty(STDERR_FILENO);
	c.a = arena_new();
	if ((rc = copy_open(argv[optind], 1, &c.src, &c.created)) != 0)
		goto out;
	if ((rc = copy_open(argv[optind + 1], 0, &c.dst, &c.created)) != 0)
		goto out;
	rc = 1;
	/* dates and times as text SQLAlchemy reads back whatever DateStyle
	 * the server has ("German" would give 31.01.1990) */
	if (db_exec_script(c.src, db_engine(c.src) == DB_PG ? "BEGIN "
	    "ISOLATION LEVEL REPEATABLE READ READ ONLY; "
	    "SET LOCAL DateStyle = ISO" : "BEGIN") != ERR_OK)
		goto out;
	src_tx = 1;
	if (catalog_read(c.src, c.a, &c.st, &c.nst) != ERR_OK ||
	    catalog_read(c.dst, c.a, &c.dt, &c.ndt) != ERR_OK ||
	    copy_match(&c) != 0)
		goto out;
	if (db_begin(c.dst) != ERR_OK)
		goto out;
	if ((rc = copy_clear(&c)) == 0)
		rc = copy_all(&c);
	if (rc != 0) {
		db_rollback(c.dst);
		fprintf(stderr, "cwebui: copy-db: %snothing was written to "
		    "the destination\n", rc == 1 ? "row counts differ: " : "");
		rc = 1;
		goto out;
	}
	if (db_commit(c.dst) != ERR_OK) {
		fprintf(stderr, "cwebui: copy-db: could not commit (see above); "
		    "nothing was written to the destination\n");
		rc = 1;
		goto out;
	}
	printf("copied: every table holds as many rows as in the source\n");
out:
	if (rc != 0 && c.created)
		fprintf(stderr, "cwebui: copy-db: the destination holds the "
		    "empty Open WebUI schema that copy-db created\n");
	if (src_tx)
		db_rollback(c.src);
	db_close(c.src);
	db_close(c.dst);
	arena_free(c.a);
	return rc;
}
