#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *const log_names[LOG_LVL__MAX] = {
	"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"
};
static const int log_prio[LOG_LVL__MAX] = {
	LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT
};

static enum log_level log_min = LOG_LVL_INFO;
static int log_syslog;
static const char *log_prog = "cwebui";

void
log_open(const char *prog, int use_syslog)
{
	const char *lvl = getenv("GLOBAL_LOG_LEVEL");
	int i;

	log_prog = prog;
	log_syslog = use_syslog;
	if (lvl != NULL)
		for (i = 0; i < LOG_LVL__MAX; i++)
			if (strcasecmp(lvl, log_names[i]) == 0)
				log_min = (enum log_level)i;
	if (use_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_enabled(enum log_level lvl)
{
	return lvl >= log_min;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char line[2048], ts[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (!log_enabled(lvl))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_syslog) {
		syslog(log_prio[lvl], "%s", line);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s[%d] %s %s\n", ts, log_prog, (int)getpid(),
	    log_names[lvl], line);
}
