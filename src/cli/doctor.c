/* doctor.c: `cwebui doctor` checks an installation from the settings file
 * to the web server and prints one line per check: "ok: ..." or
 * "problem: ...; fix: ...". It writes nothing. Exit 1 when a problem was
 * found. */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "db.h"
#include "http.h"
#include "mem.h"
#include "probe.h"
#include "schema.h"
#include "secret.h"
#include "setup.h"

#define DOCTOR_FCGI_DEFAULT	"/run/cwebui/fcgi.sock"
#define DOCTOR_STREAMD_DEFAULT	"/run/cwebui/streamd.sock"
#define DOCTOR_URL_DEFAULT	"http://localhost"
#define DOCTOR_EIO_PATH		"/ws/socket.io/?EIO=4&transport=polling"

struct doctor {
	struct setup	 st;		/* data_dir, database_url */
	const char	*user;		/* the service user */
	uid_t		 uid;
	gid_t		 groups[64];
	int		 ngroups;
	const char	*web_group;	/* the web server's group */
	const char	*url;		/* the site through the web server */
	int		 problems;
};

static void
doctor_ok(const char *fmt, ...)
{
	va_list ap;

	fputs("ok: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/* Prints "problem: <what>; fix: <fix>". */
static void
doctor_problem(struct doctor *d, const char *fix, const char *fmt, ...)
{
	va_list ap;

	fputs("problem: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("; fix: %s\n", fix);
	d->problems++;
}

/* Copies at most n - 1 bytes of body to out for a one-line message,
 * control characters as spaces. Returns out. */
static const char *
doctor_excerpt(const char *body, char *out, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && body[i] != '\0'; i++)
		out[i] = (unsigned char)body[i] < 0x20 ? ' ' : body[i];
	out[i] = '\0';
	return out;
}

static const char *
doctor_env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : def;
}

/* Returns 1 when the service user may access sb's file as want (4 read,
 * 2 write) by its mode bits; root may always. */
static int
doctor_can(const struct doctor *d, const struct stat *sb, unsigned want)
{
	int i;

	if (d->uid == 0)
		return 1;
	if (sb->st_uid == d->uid)
		return ((sb->st_mode >> 6) & want) == want;
	for (i = 0; i < d->ngroups; i++)
		if (sb->st_gid == d->groups[i])
			return ((sb->st_mode >> 3) & want) == want;
	return (sb->st_mode & want) == want;
}

static void
doctor_envfile(struct doctor *d)
{
	const struct envfile *ef = &cli_envfile;

	switch (ef->state) {
	case ENVFILE_NONE:
		doctor_ok("no settings file (%s does not exist): the "
		    "settings come from the environment", ef->path);
		return;
	case ENVFILE_MISSING:
		doctor_problem(d, "give the right path with -e FILE or "
		    "CWEBUI_ENV_FILE", "the settings file %s does not exist",
		    ef->path);
		return;
	case ENVFILE_UNREADABLE:
		doctor_problem(d, "run cwebui doctor as root or as the "
		    "service user, or give the file mode 0640, owner root, "
		    "group of the service user", "could not read the "
		    "settings file %s: %s", ef->path, strerror(ef->errnum));
		return;
	case ENVFILE_READ:
		if (ef->bad_line != 0)
			doctor_problem(d, "write each setting as NAME=value "
			    "(comments start with #)", "line %d of %s is not "
			    "NAME=value and is ignored", ef->bad_line, ef->path);
		else
			doctor_ok("settings file %s read (%d settings)",
			    ef->path, ef->nvars);
		return;
	}
}

static void
doctor_secret(struct doctor *d)
{
	const char *key = doctor_env("WEBUI_SECRET_KEY",
	    doctor_env("WEBUI_JWT_SECRET_KEY", NULL));
	char *path;
	struct stat sb;

	if (key != NULL) {
		if (strcmp(key, "t0p-s3cr3t") == 0)
			doctor_problem(d, "remove WEBUI_SECRET_KEY from the "
			    "settings (a random key file is made) or set a "
			    "long random value", "WEBUI_SECRET_KEY is Open "
			    "WebUI's public example value: anyone can sign "
			    "session tokens");
		else
			doctor_ok("WEBUI_SECRET_KEY is set");
		return;
	}
	path = secret_path(d->st.data_dir);
	if (stat(path, &sb) != 0)
		doctor_problem(d, "start cwebui-fcgi once (it writes a random "
		    "key there) or set WEBUI_SECRET_KEY in the settings file",
		    "no WEBUI_SECRET_KEY and no key file %s (%s)",
		    path, strerror(errno));
	else if (!S_ISREG(sb.st_mode) || sb.st_size == 0)
		doctor_problem(d, "remove it; cwebui-fcgi writes a new one",
		    "the key file %s is empty or not a file", path);
	else if (!doctor_can(d, &sb, 4))
		doctor_problem(d, "chown the file to the service user, mode "
		    "0600", "the service user %s cannot read the key file %s",
		    d->user, path);
	else if (sb.st_mode & 0004)
		doctor_problem(d, "chmod 600 the file", "the key file %s is "
		    "readable by every local user, who could sign session "
		    "tokens", path);
	else
		doctor_ok("key file %s is readable by %s", path,
		    d->user);
	free(path);
}

static void
doctor_data_dir(struct doctor *d)
{
	const char *dir = d->st.data_dir;
	struct stat sb;

	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		doctor_problem(d, "create it and give it to the service user "
		    "(mkdir -p DIR; chown USER DIR) or set DATA_DIR",
		    "DATA_DIR %s is not a directory", dir);
	else if (!doctor_can(d, &sb, 2 | 1))
		doctor_problem(d, "chown it to the service user (or set "
		    "DATA_DIR to a directory it owns)", "DATA_DIR %s is not "
		    "writable by the service user %s", dir, d->user);
	else
		doctor_ok("DATA_DIR %s is writable by %s", dir, d->user);
}

/* Opens the database without creating anything; NULL when it failed
 * (told). */
static struct db *
doctor_db_open(struct doctor *d, const char *safe)
{
	enum db_engine eng;
	char *target = NULL;
	struct stat sb;
	struct db *db = NULL;

	if (db_url_parse(d->st.database_url, &eng, &target) != ERR_OK) {
		doctor_problem(d, "use sqlite:////path/to/webui.db or "
		    "postgresql://user:password@host:port/dbname",
		    "DATABASE_URL %s is not a database URL cwebui knows", safe);
		return NULL;
	}
	if (eng == DB_SQLITE && stat(target, &sb) != 0)
		doctor_problem(d, "run `cwebui migrate` as the service user "
		    "(or start cwebui-fcgi, which creates it)", "the database "
		    "file %s does not exist", target);
	else if (eng == DB_SQLITE && !doctor_can(d, &sb, 4 | 2))
		doctor_problem(d, "chown it to the service user", "the "
		    "service user %s cannot write the database file %s",
		    d->user, target);
	else if (db_open(d->st.database_url, &db) != ERR_OK)
		doctor_problem(d, "check DATABASE_URL (host, port, user, "
		    "password, database name) and that the database server "
		    "runs", "could not open the database %s (the reason is "
		    "above)", safe);
	free(target);
	return db;
}

static void
doctor_database(struct doctor *d)
{
	char safe[512], rev[64];
	long long ntables;
	struct db *db;

	cli_url_safe(d->st.database_url, safe, sizeof(safe));
	if ((db = doctor_db_open(d, safe)) == NULL)
		return;
	if (schema_state(db, &ntables, rev, sizeof(rev)) != ERR_OK)
		doctor_problem(d, "check the database server's log",
		    "could not read the schema of %s", safe);
	else if (ntables == 0)
		doctor_problem(d, "run `cwebui migrate` (cwebui-fcgi also "
		    "creates it when it starts)", "the database %s is empty",
		    safe);
	else if (strcmp(rev, SCHEMA_REVISION) != 0)
		doctor_problem(d, "bring it to Open WebUI 0.6.32 with Open "
		    "WebUI 0.6.32 itself (cwebui migrate only creates the "
		    "schema in an empty database)", "the database %s is at "
		    "alembic revision %s, cwebui needs %s", safe,
		    rev[0] ? rev : "(none)", SCHEMA_REVISION);
	else
		doctor_ok("database %s is reachable and at revision %s", safe,
		    rev);
	db_close(db);
}

static void
doctor_redis(struct doctor *d)
{
	const char *url = doctor_env("REDIS_URL", NULL);
	char safe[512], why[512];

	if (url == NULL) {
		doctor_ok("REDIS_URL is not set: one cwebui-streamd, no Redis "
		    "needed");
		return;
	}
	cli_url_safe(url, safe, sizeof(safe));
	if (probe_redis(url, why, sizeof(why)) != 0)
		doctor_problem(d, "start Redis (systemctl start redis-server) "
		    "or correct REDIS_URL in the settings file", "Redis at "
		    "REDIS_URL %s does not answer: %s", safe, why);
	else
		doctor_ok("Redis at %s answers PING", safe);
}

/* The owner, group and mode of a unix socket the web server connects
 * to. Returns 0 when it is a socket (whatever its mode), else -1. */
static int
doctor_socket_mode(struct doctor *d, const char *what, const char *path,
    const char *how)
{
	struct stat sb;
	struct group *gr;
	char fix[512];

	if (strchr(path, '/') == NULL)
		return 0;	/* host:port */
	if (stat(path, &sb) != 0) {
		doctor_problem(d, how, "%s socket %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		doctor_problem(d, how, "%s socket %s is not a socket", what,
		    path);
		return -1;
	}
	gr = getgrgid(sb.st_gid);
	snprintf(fix, sizeof(fix), "run it with group %s (it makes the "
	    "socket mode 0660), or chgrp %s %s; chmod 660 %s", d->web_group,
	    d->web_group, path, path);
	if (gr == NULL || strcmp(gr->gr_name, d->web_group) != 0 ||
	    (sb.st_mode & 0060) != 0060)
		doctor_problem(d, fix, "%s socket %s is group %s mode %04o: "
		    "the web server (group %s) cannot connect", what, path,
		    gr != NULL ? gr->gr_name : "?", sb.st_mode & 07777,
		    d->web_group);
	else if (sb.st_mode & 0007)
		doctor_problem(d, fix, "%s socket %s has mode %04o: every "
		    "local user can talk to it past the web server", what,
		    path, sb.st_mode & 07777);
	else
		doctor_ok("%s socket %s is group %s mode %04o", what, path,
		    gr->gr_name, sb.st_mode & 07777);
	return 0;
}

/* The two programs behind the web server and how to ask each whether it
 * serves. */
struct doctor_daemon {
	const char	*name;
	const char	*env;		/* where it listens */
	const char	*env2;		/* else this, or NULL */
	const char	*def;		/* else this */
	int		(*probe)(const char *, const char *, int *,
			    struct buf *, char *, size_t);
	const char	*path;		/* GET this */
	const char	*want;		/* the body holds this */
	const char	*request;	/* the request in words */
};

static const struct doctor_daemon doctor_daemons[] = {
	{ "cwebui-fcgi", "CWEBUI_LISTEN", "CWEBUI_FCGI_SOCKET",
	    DOCTOR_FCGI_DEFAULT, probe_fcgi, "/health", "\"status\"",
	    "GET /health" },
	{ "cwebui-streamd", "CWEBUI_STREAMD_LISTEN", NULL,
	    DOCTOR_STREAMD_DEFAULT, probe_http, DOCTOR_EIO_PATH, "\"sid\"",
	    "a Socket.IO handshake" },
};

static void
doctor_daemon(struct doctor *d, const struct doctor_daemon *dd)
{
	const char *spec = doctor_env(dd->env, dd->env2 != NULL ?
	    doctor_env(dd->env2, dd->def) : dd->def);
	struct buf body = BUF_INIT;
	char why[512], ex[81], how[256], log[256];
	int status = 0;

	snprintf(how, sizeof(how), "start %s (systemctl start %s) or set %s "
	    "to where it listens", dd->name, dd->name, dd->env);
	snprintf(log, sizeof(log), "(re)start %s and read its log "
	    "(journalctl -u %s)", dd->name, dd->name);
	if (doctor_socket_mode(d, dd->name, spec, how) != 0)
		return;
	if (dd->probe(spec, dd->path, &status, &body, why, sizeof(why)) != 0)
		doctor_problem(d, log, "%s does not answer on %s: %s",
		    dd->name, spec, why);
	else if (status != 200 || strstr(buf_str(&body), dd->want) == NULL)
		doctor_problem(d, log, "%s on %s answers %s with %d %s",
		    dd->name, spec, dd->request, status,
		    doctor_excerpt(buf_str(&body), ex, sizeof(ex)));
	else
		doctor_ok("%s answers %s on %s", dd->name, dd->request, spec);
	buf_free(&body);
}

static void
doctor_frontend(struct doctor *d)
{
	const char *dir = doctor_env("FRONTEND_DIR", NULL);
	struct buf p = BUF_INIT, q = BUF_INIT;
	struct stat sb;

	if (dir == NULL) {
		doctor_problem(d, "build Open WebUI 0.6.32's frontend (npm run "
		    "build), set FRONTEND_DIR to its build directory in the "
		    "settings file and make it the web server's document root",
		    "FRONTEND_DIR is not set: browsers get no user interface");
		return;
	}
	buf_printf(&p, "%s/index.html", dir);
	buf_printf(&q, "%s/_app", dir);
	if (stat(buf_str(&p), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    stat(buf_str(&q), &sb) != 0 || !S_ISDIR(sb.st_mode))
		doctor_problem(d, "point FRONTEND_DIR at the build directory "
		    "of Open WebUI 0.6.32's frontend (it holds index.html and "
		    "_app/)", "FRONTEND_DIR %s has no index.html or no _app/",
		    dir);
	else
		doctor_ok("FRONTEND_DIR %s holds index.html and _app/", dir);
	buf_free(&p);
	buf_free(&q);
}

/* GETs path through the web server; returns the status (0: no answer,
 * told) and the body in *body (owned by a). */
static long
doctor_get(struct doctor *d, struct arena *a, const char *path,
    const char **body)
{
	struct http_req q;
	struct http_resp r;

	memset(&q, 0, sizeof(q));
	q.url = arena_printf(a, "%s%s", d->url, path);
	q.timeout_ms = PROBE_TIMEOUT_MS;
	*body = "";
	if (http_do(a, &q, &r) != ERR_OK) {
		doctor_problem(d, "start the web server and enable the cwebui "
		    "site in it (see the web server snippets of the package), "
		    "or give the right address with --url", "nothing answers "
		    "GET %s: %s", q.url, r.error != NULL ? r.error : "failed");
		return 0;
	}
	*body = buf_str(&r.body);
	return r.status;
}

/* One request through the web server; want is a string the body must
 * hold, served says by which program. Returns -1 when nothing answered
 * (told), else 0. */
static int
doctor_web_one(struct doctor *d, struct arena *a, const char *path,
    const char *want, const char *served)
{
	const char *body;
	char fix[512], ex[81];
	long status;

	if ((status = doctor_get(d, a, path, &body)) == 0)
		return -1;
	snprintf(fix, sizeof(fix), "check that the web server passes %s to "
	    "%s, on the socket that program listens on, and that the web "
	    "server's user is in group %s", path, served, d->web_group);
	if (status != 200 || strstr(body, want) == NULL)
		doctor_problem(d, fix, "GET %s%s through the web server "
		    "answers %ld %s", d->url, path, status,
		    doctor_excerpt(body, ex, sizeof(ex)));
	else
		doctor_ok("GET %s%s through the web server reaches %s", d->url,
		    path, served);
	return 0;
}

static void
doctor_web(struct doctor *d)
{
	struct arena *a = arena_new();

	/* when nothing answers at all, once is enough */
	if (doctor_web_one(d, a, "/health", "\"status\"", "cwebui-fcgi") == 0) {
		doctor_web_one(d, a, "/api/config", "\"version\"",
		    "cwebui-fcgi");
		doctor_web_one(d, a, DOCTOR_EIO_PATH, "\"sid\"",
		    "cwebui-streamd");
		if (doctor_env("FRONTEND_DIR", NULL) != NULL)
			doctor_web_one(d, a, "/", "<html",
			    "the frontend (FRONTEND_DIR)");
	}
	arena_free(a);
}

/* Finds the service user: --user, else "cwebui" when it exists, else
 * the user running doctor. Returns 0, or -1 (told) for an unknown name. */
static int
doctor_user(struct doctor *d, const char *name)
{
	struct passwd *pw;

	if (name != NULL)
		pw = getpwnam(name);
	else if ((pw = getpwnam("cwebui")) == NULL)
		pw = getpwuid(geteuid());
	if (pw == NULL) {
		fprintf(stderr, "cwebui: doctor: no such user %s\n",
		    name != NULL ? name : "(current)");
		return -1;
	}
	d->user = xstrdup(pw->pw_name);
	d->uid = pw->pw_uid;
	d->ngroups = (int)(sizeof(d->groups) / sizeof(d->groups[0]));
	if (getgrouplist(pw->pw_name, pw->pw_gid, d->groups, &d->ngroups) < 0)
		d->ngroups = (int)(sizeof(d->groups) / sizeof(d->groups[0]));
	return 0;
}

/* doctor [--url URL] [--user USER] [--web-group GROUP] */
int
cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "user", required_argument, NULL, 'U' },
		{ "web-group", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	const char *user = NULL;
	struct doctor d;
	size_t n;
	int ch;

	memset(&d, 0, sizeof(d));
	d.web_group = "www-data";
	d.url = doctor_env("CWEBUI_URL", DOCTOR_URL_DEFAULT);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'u')
			d.url = optarg;
		else if (ch == 'U')
			user = optarg;
		else if (ch == 'g')
			d.web_group = optarg;
		else
			return CLI_USAGE;
	}
	if (optind != argc)
		return CLI_USAGE;
	if (doctor_user(&d, user) != 0)
		return 2;
	d.url = xstrdup(d.url);
	if ((n = strlen(d.url)) > 0 && d.url[n - 1] == '/')
		((char *)d.url)[n - 1] = '\0';
	setup_resolve(&d.st);
	doctor_envfile(&d);
	doctor_secret(&d);
	doctor_data_dir(&d);
	doctor_database(&d);
	doctor_redis(&d);
	for (n = 0; n < sizeof(doctor_daemons) / sizeof(doctor_daemons[0]); n++)
		doctor_daemon(&d, &doctor_daemons[n]);
	doctor_frontend(&d);
	doctor_web(&d);
	printf("%d problem%s found\n", d.problems, d.problems == 1 ? "" : "s");
	setup_free(&d.st);
	free((char *)d.user);
	free((char *)d.url);
	return d.problems > 0;
}
