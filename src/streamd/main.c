/* main.c: cwebui-streamd. Reads the settings (the same environment as
 * cwebui-fcgi), derives the CWEBUI_STREAMD key from the secret, listens on
 * CWEBUI_STREAMD_LISTEN and runs the event loop until SIGTERM or SIGINT. */
#include <sys/resource.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "bus.h"
#include "fcgic.h"
#include "httpd.h"
#include "ikey.h"
#include "log.h"
#include "secret.h"
#include "setup.h"

#define DEF_MAX_CONNS		20000
#define DEF_FCGI_TIMEOUT	330	/* s: AIOHTTP_CLIENT_TIMEOUT's 300
					   and some */

/* Returns the number in the environment variable name, or def when it is
 * unset, not a number or not positive. */
static long
env_long(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n <= 0) {
		log_warn("ignoring %s=%s: not a positive number", name, v);
		return def;
	}
	return n;
}

/* Raises the descriptor limit to its hard maximum: every connection takes
 * one, a relayed one two or three. */
static void
raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < want + 64)
		log_warn("descriptor limit %ld is low for %ld connections",
		    (long)rl.rlim_cur, want);
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct event_base *base = arg;

	log_info("signal %d: stopping", (int)sig);
	httpd_stop();
	event_base_loopexit(base, NULL);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	log_info("SIGHUP: nothing to reload");
}

/* Loads the secret and derives the internal key. Returns 0 or -1. */
static int
load_key(void)
{
	struct setup st = { 0 };
	char *secret = NULL;
	enum err e;
	int rc = -1;

	if (setup_paths(&st) != ERR_OK)
		goto done;
	if ((e = secret_load(st.data_dir, &secret)) != ERR_OK) {
		log_error("%s", secret);
		goto done;
	}
	if ((e = ikey_init(secret)) != ERR_OK) {
		log_error("could not derive the internal key: %s", err_str(e));
		goto done;
	}
	rc = 0;
done:
	free(secret);
	setup_free(&st);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *listen_spec = getenv("CWEBUI_STREAMD_LISTEN");
	const char *fcgi = getenv("CWEBUI_FCGI_SOCKET");
	struct event *sig_term = NULL, *sig_int = NULL, *sig_hup = NULL;
	struct event_base *base = NULL;
	long max_conns, fcgi_timeout;
	int rc = 1;

	log_open("cwebui-streamd", getenv("CWEBUI_SYSLOG") != NULL);
	if (argc > 1) {
		fprintf(stderr, "usage: cwebui-streamd (settings come from "
		    "the environment, see cwebui-streamd(8))\n");
		return 2;
	}
	if (fcgi == NULL || *fcgi == '\0')
		fcgi = getenv("CWEBUI_LISTEN");
	if (listen_spec == NULL || *listen_spec == '\0' || fcgi == NULL ||
	    *fcgi == '\0') {
		log_error("set CWEBUI_STREAMD_LISTEN and CWEBUI_FCGI_SOCKET "
		    "(or CWEBUI_LISTEN) to a socket path or host:port");
		return 1;
	}
	max_conns = env_long("CWEBUI_STREAMD_MAX_CONNS", DEF_MAX_CONNS);
	fcgi_timeout = env_long("CWEBUI_STREAMD_FCGI_TIMEOUT",
	    DEF_FCGI_TIMEOUT);
	if (max_conns > 1000000)
		max_conns = 1000000;
	if (fcgi_timeout > 86400)
		fcgi_timeout = 86400;
	signal(SIGPIPE, SIG_IGN);
	raise_nofile(max_conns);
	if (load_key() != 0)
		return 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_error("could not initialise libcurl");
		return 1;
	}
	if ((base = event_base_new()) == NULL) {
		log_error("could not create the event loop");
		goto fail;
	}
	if (fcgic_init(fcgi, fcgi_timeout * 1000) != 0 ||
	    httpd_start(base, listen_spec, (int)max_conns) != 0 ||
	    bus_init(base) != 0)
		goto fail;
	sig_term = evsignal_new(base, SIGTERM, on_stop, base);
	sig_int = evsignal_new(base, SIGINT, on_stop, base);
	sig_hup = evsignal_new(base, SIGHUP, on_hup, NULL);
	if (sig_term == NULL || sig_int == NULL || sig_hup == NULL ||
	    evsignal_add(sig_term, NULL) != 0 ||
	    evsignal_add(sig_int, NULL) != 0 ||
	    evsignal_add(sig_hup, NULL) != 0) {
		log_error("could not install the signal handlers");
		goto fail;
	}
	log_info("listening on %s, cwebui-fcgi at %s", listen_spec, fcgi);
	if (event_base_dispatch(base) < 0) {
		log_error("the event loop failed");
		goto fail;
	}
	rc = 0;
fail:
	bus_close();
	httpd_stop();
	if (sig_term != NULL)
		event_free(sig_term);
	if (sig_int != NULL)
		event_free(sig_int);
	if (sig_hup != NULL)
		event_free(sig_hup);
	/* open connections die with the process */
	curl_global_cleanup();
	return rc;
}
