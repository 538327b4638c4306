/* admin.c: the subcommands that set up a database and its accounts:
 * migrate, create-admin, reset-password. */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "db.h"
#include "mem.h"
#include "passwd.h"
#include "schema.h"
#include "setup.h"
#include "user.h"

struct db *
cli_db(void)
{
	struct setup st;
	struct db *db = NULL;

	if (setup_init(&st) == ERR_OK && db_open(st.database_url, &db) != ERR_OK)
		db = NULL;
	setup_free(&st);
	return db;
}

void
cli_url_safe(const char *url, char *buf, size_t n)
{
	const char *p = strstr(url, "://"), *end, *at, *colon, *v;
	struct buf b = BUF_INIT;

	p = p != NULL ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	colon = at != NULL ? memchr(p, ':', (size_t)(at - p)) : NULL;
	if (colon != NULL) {
		buf_append(&b, url, (size_t)(colon - url));
		buf_puts(&b, ":***");
		p = at;
	} else
		p = url;
	/* libpq also takes the password as a parameter: ?password=... */
	while ((v = strstr(p, "password=")) != NULL) {
		buf_append(&b, p, (size_t)(v - p) + 9);
		p = v + 9;
		if (v > url && (v[-1] == '?' || v[-1] == '&')) {
			buf_puts(&b, "***");
			p += strcspn(p, "&#");
		}
	}
	buf_puts(&b, p);
	snprintf(buf, n, "%s", buf_str(&b));
	buf_free(&b);
}

/* migrate: creates the schema on an empty database, checks it otherwise. */
int
cmd_migrate(int argc, char **argv)
{
	struct db *db = cli_db();

	if (db == NULL)
		return 1;
	printf("database is at revision %s\n", SCHEMA_REVISION);
	db_close(db);
	return 0;
}

/* create-admin EMAIL PASSWORD [NAME]: adds an admin account. */
int
cmd_create_admin(int argc, char **argv)
{
	struct arena *a;
	struct db *db;
	struct user *u;
	char hash[64];
	enum err e;

	if (argc < 3)
		return CLI_USAGE;
	if ((db = cli_db()) == NULL)
		return 1;
	a = arena_new();
	if (passwd_hash(argv[2], hash) != ERR_OK)
		e = ERR_CRYPTO;
	else
		e = user_create(db, a, argc > 3 ? argv[3] : "Admin", argv[1],
		    hash, "admin", "/user.png", &u);
	if (e == ERR_OK)
		printf("created admin %s (%s)\n", u->email, u->id);
	else
		fprintf(stderr, "cwebui: could not create %s: %s\n", argv[1],
		    err_str(e));
	db_close(db);
	arena_free(a);
	return e == ERR_OK ? 0 : 1;
}

/* reset-password EMAIL PASSWORD: sets a new password. */
int
cmd_reset_password(int argc, char **argv)
{
	struct arena *a;
	struct db *db;
	struct user *u;
	char hash[64];
	enum err e;

	if (argc < 3)
		return CLI_USAGE;
	if ((db = cli_db()) == NULL)
		return 1;
	a = arena_new();
	e = user_get_by_email(db, a, argv[1], &u);
	if (e == ERR_OK)
		e = passwd_hash(argv[2], hash);
	if (e == ERR_OK)
		e = user_set_password(db, u->id, hash);
	if (e == ERR_OK)
		printf("password of %s changed\n", u->email);
	else
		fprintf(stderr, "cwebui: could not reset the password of %s: "
		    "%s\n", argv[1], err_str(e));
	db_close(db);
	arena_free(a);
	return e == ERR_OK ? 0 : 1;
}
