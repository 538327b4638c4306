/* log.h: one logging entry point. Lines go to stderr, or to syslog when
 * log_open() was asked for it. Levels follow GLOBAL_LOG_LEVEL as in Python
 * (DEBUG, INFO, WARNING, ERROR, CRITICAL; default INFO). */
#ifndef CWEBUI_LOG_H
#define CWEBUI_LOG_H

enum log_level {
	LOG_LVL_DEBUG = 0,
	LOG_LVL_INFO,
	LOG_LVL_WARNING,
	LOG_LVL_ERROR,
	LOG_LVL_CRITICAL,
	LOG_LVL__MAX
};

/* Sets the program name, the level from GLOBAL_LOG_LEVEL and the sink:
 * syslog when use_syslog is non-zero, stderr otherwise. */
void	log_open(const char *prog, int use_syslog);
int	log_enabled(enum log_level lvl);
void	log_msg(enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_LVL_ERROR, __VA_ARGS__)

#endif
