/* bus.h: events between cwebui-streamd instances through Redis
 * (REDIS_URL), as Python's socket.io Redis manager carries them between
 * its workers. Without REDIS_URL every call here does nothing and a single
 * instance serves alone.
 *
 * Two connections per instance, on the loop (hiredis async with its
 * libevent adapter): one publishes, one is subscribed to the channel
 * "<REDIS_KEY_PREFIX>:streamd:events". A lost connection is retried every
 * second; meanwhile local delivery goes on and what is published is
 * dropped (the sessions of other hosts miss those events). */
#ifndef CWEBUI_BUS_H
#define CWEBUI_BUS_H

#include <json-c/json.h>

struct event_base;

/* Reads REDIS_URL ("redis://[[user]:password@]host[:port][/db]" or
 * "unix:///path/to/socket[?db=N]") and connects. Returns 0, or -1 when
 * REDIS_URL is set but cannot be understood (the caller exits). */
int	 bus_init(struct event_base *base);
void	 bus_close(void);

/* 1 when REDIS_URL is set. */
int	 bus_enabled(void);

/* Sends an emission to the other instances: they call
 * rt_emit_local(room, event, data). data is borrowed. */
void	 bus_emit(const char *room, const char *event, json_object *data);

/* Asks the other instances to stop task_id if it is theirs and user_id
 * owns it (or admin is 1). */
void	 bus_stop_task(const char *task_id, const char *user_id, int admin);

struct taskreg_entry;

/* Keeps the running tasks of this instance in Redis (a hash per instance,
 * "<prefix>:streamd:tasks:<instance>"), so that every instance lists them
 * all. An instance refreshes its key "<prefix>:streamd:alive:<instance>"
 * every 5 s with a 15 s expiry; the keys of an instance that died are
 * ignored (and expire) 15 s later, or cleared as soon as it is started
 * again (the instance id is a hash of the machine id, host name and
 * CWEBUI_STREAMD_LISTEN). On every (re)connection to Redis an instance
 * writes its keys again from scratch. */
void	 bus_task_add(const struct taskreg_entry *e);
void	 bus_task_remove(const struct taskreg_entry *e);

/* Lists the tasks of every live instance: cb(arg, list) later, list a JSON
 * array of {"id", "user_id", "chat_id"} (borrowed), or NULL when Redis did
 * not answer. Returns 0, or -1 (cb not called) without a Redis connection. */
int	 bus_task_list(void (*cb)(void *arg, json_object *list), void *arg);

/* The users bound to a session of this instance, in Redis the same way
 * ("<prefix>:streamd:users:<instance>"): active 1 when the first session
 * of user_id binds, 0 when the last one leaves. */
void	 bus_user_active(const char *user_id, int active);

/* Lists the ids of the users bound on every live instance: cb(arg, list),
 * a JSON array of strings (borrowed), or NULL when Redis did not answer.
 * Returns 0, or -1 (cb not called) without a Redis connection. */
int	 bus_user_list(void (*cb)(void *arg, json_object *list), void *arg);

/* Parses a REDIS_URL into its parts (for tests): host (NULL for a unix
 * socket), port, path (unix socket), password (NULL if none), db. The
 * strings are malloc'd; free them with bus_url_free. Returns 0 or -1. */
struct bus_url {
	char	*host;
	int	 port;
	char	*path;
	char	*user;
	char	*password;
	int	 db;
};
int	 bus_url_parse(const char *url, struct bus_url *u);
void	 bus_url_free(struct bus_url *u);

#endif
