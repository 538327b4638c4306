/* main.c: cwebui-fcgi. Reads the settings, prepares the data directory and
 * the database (schema, secret), then either supervises pre-forked workers
 * on CWEBUI_LISTEN or, when a web server spawned it with the FastCGI socket
 * on standard input (mod_fcgid, spawn-fcgi), serves as a single worker. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "authn.h"
#include "conf.h"
#include "db.h"
#include "hosting.h"
#include "ikey.h"
#include "log.h"
#include "master.h"
#include "mem.h"
#include "schema.h"
#include "secret.h"
#include "setup.h"
#include "worker.h"

static unsigned long
env_ulong(const char *name, unsigned long def)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtoul(v, &end, 10);
	return *end == '\0' ? n : def;
}

/* Returns 1 when fd 0 is a listening socket (spawned by a web server). */
static int
stdin_is_listener(void)
{
	int val = 0;
	socklen_t len = sizeof(val);

	return getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &val, &len) == 0 &&
	    val != 0;
}

/* Opens CWEBUI_LISTEN: a unix socket path (mode 0660) or host:port. */
static int
open_listener(const char *spec)
{
	int fd;

	if (strchr(spec, '/') != NULL)
		unlink(spec);
	fd = FCGX_OpenSocket(spec, 1024);
	if (fd < 0) {
		log_error("could not listen on %s: %s", spec, strerror(errno));
		return -1;
	}
	if (strchr(spec, '/') != NULL && chmod(spec, 0660) != 0) {
		log_error("could not chmod %s: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct worker_opts o = { 0 };
	struct setup st;
	const char *listen_spec = getenv("CWEBUI_LISTEN");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int spawned = listen_spec == NULL && stdin_is_listener();
	const char *task_id = NULL;
	int rc;

	log_open("cwebui-fcgi", getenv("CWEBUI_SYSLOG") != NULL);
	if (argc == 3 && strcmp(argv[1], "--hosting-task") == 0)
		task_id = argv[2];	/* a chat task process (hosting.h) */
	if (task_id == NULL && !spawned && listen_spec == NULL) {
		log_error("no FastCGI socket: set CWEBUI_LISTEN to a socket "
		    "path or host:port, or let the web server spawn "
		    "cwebui-fcgi with the socket on standard input");
		return 2;
	}
	if (setup_init(&st) != ERR_OK) {
		setup_free(&st);
		return 1;
	}
	authn_set_secret(st.secret);
	if (ikey_init(st.secret) != ERR_OK)
		log_warn("no internal key: requests from cwebui-streamd will "
		    "be refused");
	o.database_url = st.database_url;
	if (hosting_on())
		hosting_init(st.data_dir, st.database_url);
	o.max_requests = env_ulong("CWEBUI_MAX_REQUESTS", 0);
	o.max_body = env_ulong("CWEBUI_MAX_BODY", 64UL << 20);
	if (task_id != NULL)
		rc = hosting_on() ? hosting_task_main(task_id) : 2;
	else if (spawned)
		rc = worker_run(&o);
	else if ((o.listen_fd = open_listener(listen_spec)) < 0)
		rc = 1;
	else {
		log_info("listening on %s", listen_spec);
		rc = master_run(&o, (int)env_ulong("CWEBUI_WORKERS",
		    ncpu > 0 ? (unsigned long)ncpu : 2));
	}
	setup_free(&st);
	return rc;
}
