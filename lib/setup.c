#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "db.h"
#include "log.h"
#include "mem.h"
#include "schema.h"
#include "secret.h"
#include "setup.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

enum err
setup_mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	enum err e = ERR_OK;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0750) != 0 && errno != EEXIST) {
			log_error("could not create directory %s: %s", p,
			    strerror(errno));
			e = ERR_IO;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return e;
}

static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* DATABASE_TYPE/USER/PASSWORD/HOST/PORT/NAME build a URL when all set. */
static char *
setup_url_from_parts(void)
{
	const char *t = env_nonempty("DATABASE_TYPE");
	const char *u = env_nonempty("DATABASE_USER");
	const char *pw = env_nonempty("DATABASE_PASSWORD");
	const char *h = env_nonempty("DATABASE_HOST");
	const char *port = env_nonempty("DATABASE_PORT");
	const char *n = env_nonempty("DATABASE_NAME");
	struct buf b = BUF_INIT;

	if (!t || !u || !pw || !h || !port || !n)
		return NULL;
	buf_printf(&b, "%s://%s:%s@%s:%s/%s", t, u, pw, h, port, n);
	return b.p;
}

enum err
setup_paths(struct setup *st)
{
	setup_resolve(st);
	return setup_mkdirs(st->data_dir);
}

void
setup_resolve(struct setup *st)
{
	const char *dd = env_nonempty("DATA_DIR");
	const char *url = env_nonempty("DATABASE_URL");
	char cwd[PATH_MAX];

	memset(st, 0, sizeof(*st));
	if (dd == NULL)
		dd = LOCALSTATEDIR "/lib/cwebui";
	if (dd[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s/%s", cwd, dd);
		st->data_dir = b.p;
	} else
		st->data_dir = xstrdup(dd);
	if (url != NULL)
		st->database_url = xstrdup(url);
	else if ((st->database_url = setup_url_from_parts()) == NULL) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "sqlite:///%s/webui.db", st->data_dir);
		st->database_url = b.p;
	}
}

void
setup_free(struct setup *st)
{
	free(st->data_dir);
	free(st->database_url);
	free(st->secret);
	memset(st, 0, sizeof(*st));
}

enum err
setup_init(struct setup *st)
{
	struct db *db = NULL;
	char why[512];
	int created;
	enum err e;

	if ((e = conf_init()) != ERR_OK)
		return e;
	if ((e = setup_paths(st)) != ERR_OK)
		return e;
	if ((e = secret_load(st->data_dir, &st->secret)) != ERR_OK) {
		/* on failure secret_load leaves the reason in st->secret */
		log_error("could not load the secret key: %s",
		    st->secret ? st->secret : err_str(e));
		return e;
	}
	if ((e = db_open(st->database_url, &db)) != ERR_OK)
		return e;
	if ((e = schema_migrate(db, &created, why, sizeof(why))) != ERR_OK)
		goto fail;
	if ((e = conf_load_startup(db)) != ERR_OK)
		goto fail;
fail:
	db_close(db);
	return e;
}
