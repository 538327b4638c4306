/* cwebui: the admin command. Each subcommand is one function in the table
 * below; all of them use the same settings as cwebui-fcgi (environment:
 * DATA_DIR, DATABASE_URL, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "passwd.h"
#include "schema.h"
#include "setup.h"
#include "user.h"

struct cmd {
	const char	*name;
	const char	*usage;
	int		(*fn)(int argc, char **argv);
};

/* Opens the configured database after setup (schema created or checked). */
static struct db *
cli_db(void)
{
	struct setup st;
	struct db *db = NULL;

	if (setup_init(&st) == ERR_OK && db_open(st.database_url, &db) != ERR_OK)
		db = NULL;
	setup_free(&st);
	return db;
}

/* migrate: creates the schema on an empty database, checks it otherwise. */
static int
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
static int
cmd_create_admin(int argc, char **argv)
{
	struct arena *a = arena_new();
	struct db *db;
	struct user *u;
	char hash[64];
	enum err e;

	if (argc < 3)
		return 2;
	if ((db = cli_db()) == NULL)
		return 1;
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
static int
cmd_reset_password(int argc, char **argv)
{
	struct arena *a = arena_new();
	struct db *db;
	struct user *u;
	char hash[64];
	enum err e;

	if (argc < 3)
		return 2;
	if ((db = cli_db()) == NULL)
		return 1;
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

/* doctor: checks the settings and the database and says what it found. */
static int
cmd_doctor(int argc, char **argv)
{
	struct arena *a = arena_new();
	struct db *db;
	long long n = 0;
	int bad = 0;

	if ((db = cli_db()) == NULL) {
		printf("database: FAILED (see the messages above)\n");
		return 1;
	}
	printf("database: %s, schema revision %s\n",
	    db_engine(db) == DB_PG ? "postgresql" : "sqlite", SCHEMA_REVISION);
	if (user_count(db, a, &n) != ERR_OK) {
		printf("users: FAILED to count\n");
		bad = 1;
	} else
		printf("users: %lld\n", n);
	printf("signup: %s, api keys: %s\n",
	    conf_bool(CONF_ENABLE_SIGNUP) ? "open" : "closed",
	    conf_bool(CONF_ENABLE_API_KEY) ? "enabled" : "disabled");
	db_close(db);
	arena_free(a);
	return bad;
}

static const struct cmd cmds[] = {
	{ "migrate", "", cmd_migrate },
	{ "create-admin", "EMAIL PASSWORD [NAME]", cmd_create_admin },
	{ "reset-password", "EMAIL PASSWORD", cmd_reset_password },
	{ "doctor", "", cmd_doctor },
};

static int
usage(void)
{
	size_t i;

	fprintf(stderr, "usage:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  cwebui %s %s\n", cmds[i].name, cmds[i].usage);
	return 2;
}

int
main(int argc, char **argv)
{
	size_t i;
	int rc;

	log_open("cwebui", 0);
	if (argc < 2)
		return usage();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name) != 0)
			continue;
		rc = cmds[i].fn(argc - 1, argv + 1);
		return rc == 2 ? usage() : rc;
	}
	return usage();
}
