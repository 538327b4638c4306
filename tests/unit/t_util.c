/* t_util.c: buf, arena, json helpers and DATABASE_URL parsing. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "json.h"
#include "mem.h"
#include "tap.h"

static int freed;

static void
count_free(void *p)
{
	(void)p;
	freed++;
}

static void
test_buf(void)
{
	struct buf b = BUF_INIT;
	int i;

	is_str(buf_str(&b), "", "empty buf reads as empty string");
	buf_puts(&b, "ab");
	buf_printf(&b, "%d-%s", 42, "x");
	buf_putc(&b, '!');
	is_str(buf_str(&b), "ab42-x!", "appends");
	is_int(b.len, 7, "length tracked");
	for (i = 0; i < 10000; i++)
		buf_append(&b, "0123456789", 10);
	is_int(b.len, 100007, "grows");
	is_int(b.p[b.len], 0, "always NUL-terminated");
	buf_reset(&b);
	is_int(b.len, 0, "reset empties");
	buf_free(&b);
}

static void
test_arena(void)
{
	struct arena *a = arena_new();
	char *s, *big;

	s = arena_printf(a, "%s/%d", "x", 7);
	is_str(s, "x/7", "arena_printf");
	big = arena_alloc(a, 100000);
	ok(big != NULL && big[99999] == 0, "large zeroed allocation");
	ok(((uintptr_t)arena_alloc(a, 3) & 15) == 0, "aligned");
	arena_defer(a, count_free, NULL);
	arena_defer(a, count_free, NULL);
	arena_reset(a);
	is_int(freed, 2, "defers run on reset");
	is_str(arena_strndup(a, "abcdef", 3), "abc", "strndup after reset");
	arena_free(a);
}

/* Returns 1 when s parses, freeing the result. */
static int
parses(const char *s)
{
	json_object *o = json_parse(s, strlen(s));

	json_object_put(o);
	return o != NULL;
}

static void
test_json(void)
{
	json_object *o, *d;

	ok(parses("{\"a\":1}"), "object parses");
	ok(!parses("{\"a\":1} x"), "trailing garbage refused");
	ok(!parses("{\"a\":"), "truncated refused");
	ok(!parses(""), "empty refused");
	ok(!parses("{'a':1}"), "single quotes refused");
	ok(!parses("{\"a\":\"\t\"}"), "raw control character refused");
	ok(parses("{\"a\":\"it's \\\"q\\\" \\t\"}"), "escapes and ' in strings");
	ok(!parses("\"\xff\""), "invalid UTF-8 refused");
	o = json_parse("42", 2);
	ok(o != NULL && json_object_get_int(o) == 42, "lone number parses");
	json_object_put(o);
	ok(json_parse_col("null") == NULL, "column text null is absent");
	ok(json_parse_col(NULL) == NULL, "SQL NULL is absent");

	o = json_parse("{\"ui\":{\"a\":1}}", 14);
	json_set_path(o, "ui.enable_signup", json_object_new_boolean(0));
	json_set_path(o, "auth.api_key.enable", json_object_new_boolean(1));
	is_str(json_text(o), "{\"ui\":{\"a\":1,\"enable_signup\":false},"
	    "\"auth\":{\"api_key\":{\"enable\":true}}}", "set_path creates");
	ok(json_object_get_boolean(json_get_path(o, "auth.api_key.enable")),
	    "get_path reads");
	ok(json_get_path(o, "auth.missing.x") == NULL, "missing path is NULL");
	d = json_parse("{\"ui\":{\"b\":2},\"x\":\"/y\"}", 23);
	json_merge(o, d);
	is_str(json_text(json_get(o, "ui")), "{\"a\":1,\"enable_signup\":false,"
	    "\"b\":2}", "merge is deep");
	is_str(json_get_str(o, "x"), "/y", "slashes are not escaped");
	is_str(json_text(json_get(o, "x")), "\"/y\"", "no slash escape");
	json_object_put(d);
	/* found by fuzz_body: a string src read json-c's member table */
	d = json_object_new_string("5");
	json_merge(o, d);
	json_merge(d, o);
	json_merge(o, NULL);
	is_str(json_get_str(o, "x"), "/y", "merge of a non-object changes nothing");
	is_str(json_object_get_string(d), "5", "merge into a non-object neither");
	json_object_put(d);
	json_object_put(o);
}

static void
test_db_url(void)
{
	enum db_engine e;
	char *t = NULL;

	ok(db_url_parse("sqlite:////abs/webui.db", &e, &t) == ERR_OK &&
	    e == DB_SQLITE && strcmp(t, "/abs/webui.db") == 0,
	    "sqlite with four slashes is absolute");
	free(t);
	ok(db_url_parse("sqlite:///rel.db", &e, &t) == ERR_OK &&
	    strcmp(t, "rel.db") == 0, "sqlite with three slashes is relative");
	free(t);
	ok(db_url_parse("postgres://u@h/db", &e, &t) == ERR_OK && e == DB_PG,
	    "postgres:// accepted");
	free(t);
	ok(db_url_parse("postgresql://u@/db?host=/tmp", &e, &t) == ERR_OK &&
	    e == DB_PG, "postgresql:// accepted");
	free(t);
	ok(db_url_parse("postgresql+psycopg2://u:p@h:5432/db", &e, &t) ==
	    ERR_OK && e == DB_PG && strcmp(t, "postgresql://u:p@h:5432/db") == 0,
	    "SQLAlchemy driver suffix dropped");
	free(t);
	ok(db_url_parse("mysql://u@h/db", &e, &t) == ERR_INVAL,
	    "other schemes refused");
	ok(db_url_parse("sqlite:///", &e, &t) == ERR_INVAL,
	    "sqlite without a path refused");
}

static void
test_db_sqlite(void)
{
	struct arena *a = arena_new();
	struct db *db = NULL;
	struct db_res *r;

	ok(db_open("sqlite:///:memory:", &db) == ERR_OK, "open in-memory");
	ok(DBQ0(db, a, NULL, "CREATE TABLE t (id TEXT UNIQUE, n INTEGER, "
	    "b BOOLEAN)") == ERR_OK, "create table");
	ok(DBQ(db, a, NULL, "INSERT INTO t VALUES ($1, $2, $3)",
	    DBV_TEXT("x'; DROP TABLE t; --"), DBV_INT(5), DBV_BOOL(1)) ==
	    ERR_OK, "insert with bound values");
	ok(DBQ(db, a, NULL, "INSERT INTO t VALUES ($2, $1, NULL)",
	    DBV_INT(6), DBV_TEXT("y")) == ERR_OK, "placeholders out of order");
	is_int(DBQ(db, a, NULL, "INSERT INTO t VALUES ($1, 1, 0)",
	    DBV_TEXT("y")), ERR_EXISTS, "unique violation is ERR_EXISTS");
	ok(DBQ(db, a, &r, "SELECT id, n, b FROM t WHERE n > $1 ORDER BY n",
	    DBV_INT(0)) == ERR_OK && r->nrows == 2, "select two rows");
	is_str(db_cell(r, 0, 0), "x'; DROP TABLE t; --", "text kept as is");
	is_int(db_cell_int(r, 1, 1), 6, "integer cell");
	ok(db_cell_bool(r, 0, 2) == 1 && db_cell(r, 1, 2) == NULL, "bool/null");
	ok(DBQ(db, a, &r, "UPDATE t SET n = n + 1 WHERE id = '$1' OR id = $1",
	    DBV_TEXT("y")) == ERR_OK && r->changes == 1,
	    "a quoted $1 is not a placeholder; changes counted");
	db_close(db);
	arena_free(a);
}

/* pydantic v2's lax bool (checked against pydantic 2.13 on JSON input):
 * 1/0 for true/false, -1 for bool_parsing, -2 for bool_type. */
static void
test_json_lax_bool(void)
{
	static const struct {
		const char	*json;
		int		 want;
	} cases[] = {
		{ "true", 1 }, { "false", 0 }, { "1", 1 }, { "0", 0 },
		{ "1.0", 1 }, { "0.0", 0 }, { "-0.0", 0 }, { "2", -1 },
		{ "-1", -1 }, { "2.0", -1 }, { "0.5", -2 }, { "1e400", -2 },
		{ "\"YES\"", 1 }, { "\"y\"", 1 }, { "\"On\"", 1 },
		{ "\"t\"", 1 }, { "\"1\"", 1 }, { "\"tRuE\"", 1 },
		{ "\"no\"", 0 }, { "\"N\"", 0 }, { "\"off\"", 0 },
		{ "\"F\"", 0 }, { "\"0\"", 0 }, { "\"False\"", 0 },
		{ "\"\"", -1 }, { "\" yes\"", -1 }, { "\"2\"", -1 },
		{ "\"1.0\"", -1 }, { "null", -2 }, { "[]", -2 }, { "{}", -2 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *v = json_parse(cases[i].json,
		    strlen(cases[i].json));

		is_int(json_lax_bool(v), cases[i].want, "lax bool %s",
		    cases[i].json);
		json_object_put(v);
	}
	is_int(json_lax_bool_str("Off"), 0, "lax bool text Off");
	is_int(json_lax_bool_str("maybe"), -1, "lax bool text maybe");
}

/* Doubles become integers only through json_double_ll: the edges of long
 * long's range, NaN and the infinities. */
static void
test_json_double_ll(void)
{
	long long v = 7;

	ok(json_double_ll(-9223372036854775808.0, &v) && v == LLONG_MIN,
	    "double -2^63 fits");
	ok(!json_double_ll(9223372036854775808.0, &v), "double 2^63 refused");
	ok(!json_double_ll(1e300, &v) && !json_double_ll(-1e300, &v),
	    "double 1e300 refused");
	ok(!json_double_ll(NAN, &v) && !json_double_ll(INFINITY, &v),
	    "NaN and infinity refused");
	ok(json_double_ll(-2.9, &v) && v == -2, "double -2.9 truncates to -2");
	ok(json_double_ll(9223372036854774784.0, &v) &&
	    v == 9223372036854774784LL, "largest double below 2^63 fits");
}

int
main(void)
{
	test_buf();
	test_arena();
	test_json();
	test_json_lax_bool();
	test_json_double_ll();
	test_db_url();
	test_db_sqlite();
	return done_testing();
}
