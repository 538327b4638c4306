/* bus.c: Redis fan-out between streamd instances (see bus.h). Messages on
 * the channel are JSON: {"o": <instance id>, "room", "event", "data"} for
 * an emission, {"o", "stop": <task id>, "user_id", "admin"} for a stop.
 * An instance ignores its own messages (it delivered locally already).
 *
 * The instance id is stable across restarts of one instance (a hash of the
 * machine id, host name and CWEBUI_STREAMD_LISTEN): an instance that died
 * and is started again takes over, and clears, its predecessor's task and
 * user keys at once instead of leaving them listed until they expire. */
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "buf.h"
#include "bus.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "rand.h"
#include "rt.h"
#include "taskreg.h"

static struct {
	struct event_base	*base;
	struct bus_url		 url;
	int			 on;
	char			 self[37];
	char			*channel;
	redisAsyncContext	*pub;
	redisAsyncContext	*sub;
	int			 pub_ready;
	int			 quiet;		/* a failed connect was logged */
	struct event		*retry;
	struct event		*refresh;	/* keeps the keys below alive */
	char			*prefix;	/* "<REDIS_KEY_PREFIX>:streamd:" */
	char			*tasks_key;	/* this instance's task hash */
	char			*users_key;	/* its set of bound users */
	char			*alive_key;	/* exists while it runs */
	char			*instances_key;
} bus;

#define BUS_TTL		15	/* seconds an instance's keys outlive it */
#define BUS_REFRESH	5

/* Every live instance's tasks (HGETALL of "<prefix>tasks:<instance>",
 * ARGV[2] "tasks") or bound users (SMEMBERS of "<prefix>users:<instance>",
 * ARGV[2] "users"), flat; instances without their "alive" key leave the
 * set. */
static const char list_script[] =
    "local out = {} "
    "for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do "
    "  if redis.call('EXISTS', ARGV[1] .. 'alive:' .. m) == 0 then "
    "    redis.call('SREM', KEYS[1], m) "
    "  else "
    "    local v "
    "    if ARGV[2] == 'tasks' then "
    "      v = redis.call('HGETALL', ARGV[1] .. 'tasks:' .. m) "
    "    else "
    "      v = redis.call('SMEMBERS', ARGV[1] .. 'users:' .. m) "
    "    end "
    "    for _, x in ipairs(v) do out[#out + 1] = x end "
    "  end "
    "end "
    "return out";

static void	 connect_all(void);
static void	 publish_task(const struct taskreg_entry *e);
static void	 publish_user(const char *user_id);
static void	 refresh(void);

/* Logs a failed connection attempt, once until the next success: the
 * attempts go on every second while Redis is away. */
static void
connect_failed(const char *why)
{
	if (!bus.quiet)
		log_warn("could not connect to redis: %s (retrying every "
		    "second)", why);
	bus.quiet = 1;
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	connect_all();
}

static void
schedule_retry(void)
{
	struct timeval tv = { 1, 0 };

	if (bus.retry != NULL && !evtimer_pending(bus.retry, NULL))
		evtimer_add(bus.retry, &tv);
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	(void)status;
	if (ac == bus.pub) {
		bus.pub = NULL;
		bus.pub_ready = 0;
	} else if (ac == bus.sub)
		bus.sub = NULL;
	if (bus.on) {
		log_warn("redis connection lost: retrying every second");
		schedule_retry();
	}
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
	if (status != REDIS_OK) {
		connect_failed(ac->errstr);
		if (ac == bus.pub) {
			bus.pub = NULL;
			bus.pub_ready = 0;
		} else if (ac == bus.sub)
			bus.sub = NULL;
		schedule_retry();
		return;
	}
	if (ac == bus.pub) {
		log_info("connected to redis as instance %s", bus.self);
		bus.quiet = 0;
		bus.pub_ready = 1;
		/* written again from scratch: what ended while Redis was
		 * away must not stay listed */
		redisAsyncCommand(bus.pub, NULL, NULL, "DEL %s %s",
		    bus.tasks_key, bus.users_key);
		refresh();
		taskreg_each(publish_task);
		rt_each_user(publish_user);
	}
}

static void
on_stop(json_object *m)
{
	const char *id = json_get_str(m, "stop");
	const char *uid = json_get_str(m, "user_id");
	struct taskreg_entry *e = id != NULL ? taskreg_find(id) : NULL;

	if (e != NULL && uid != NULL && (json_truthy(json_get(m, "admin")) ||
	    strcmp(e->user_id, uid) == 0))
		e->stop(e);
}

static void
on_message(redisAsyncContext *ac, void *r, void *priv)
{
	redisReply *reply = r, *kind, *data;
	json_object *m;
	const char *o;

	(void)ac;
	(void)priv;
	if (reply == NULL || reply->type != REDIS_REPLY_ARRAY ||
	    reply->elements != 3)
		return;
	kind = reply->element[0];
	data = reply->element[2];
	if (kind->type != REDIS_REPLY_STRING || strcmp(kind->str, "message") ||
	    data->type != REDIS_REPLY_STRING)
		return;
	if ((m = json_parse(data->str, data->len)) == NULL)
		return;
	o = json_get_str(m, "o");
	if (o != NULL && strcmp(o, bus.self) != 0) {
		if (json_get(m, "stop") != NULL)
			on_stop(m);
		else if (json_get_str(m, "room") != NULL &&
		    json_get_str(m, "event") != NULL)
			rt_emit_local(json_get_str(m, "room"),
			    json_get_str(m, "event"), json_get(m, "data"));
	}
	json_object_put(m);
}

static redisAsyncContext *
connect_one(void)
{
	redisAsyncContext *ac;

	ac = bus.url.path != NULL ? redisAsyncConnectUnix(bus.url.path) :
	    redisAsyncConnect(bus.url.host, bus.url.port);
	if (ac == NULL)
		return NULL;
	if (ac->err) {
		connect_failed(ac->errstr);
		redisAsyncFree(ac);
		return NULL;
	}
	redisLibeventAttach(ac, bus.base);
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	if (bus.url.password != NULL) {
		if (bus.url.user != NULL)
			redisAsyncCommand(ac, NULL, NULL, "AUTH %s %s",
			    bus.url.user, bus.url.password);
		else
			redisAsyncCommand(ac, NULL, NULL, "AUTH %s",
			    bus.url.password);
	}
	return ac;
}

static void
connect_all(void)
{
	if (bus.pub == NULL && (bus.pub = connect_one()) == NULL)
		schedule_retry();
	if (bus.sub == NULL) {
		if ((bus.sub = connect_one()) == NULL)
			schedule_retry();
		else
			redisAsyncCommand(bus.sub, on_message, NULL,
			    "SUBSCRIBE %s", bus.channel);
	}
}

/* Marks this instance alive and its keys as still used. */
static void
refresh(void)
{
	if (bus.pub == NULL || !bus.pub_ready)
		return;
	redisAsyncCommand(bus.pub, NULL, NULL, "SET %s 1 EX %d",
	    bus.alive_key, BUS_TTL);
	redisAsyncCommand(bus.pub, NULL, NULL, "SADD %s %s",
	    bus.instances_key, bus.self);
	redisAsyncCommand(bus.pub, NULL, NULL, "EXPIRE %s %d", bus.tasks_key,
	    BUS_TTL);
	redisAsyncCommand(bus.pub, NULL, NULL, "EXPIRE %s %d", bus.users_key,
	    BUS_TTL);
}

static void
refresh_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	refresh();
}

/* Sets bus.self to the instance id: the SHA-256 of "<machine id> <host
 * name> <CWEBUI_STREAMD_LISTEN>" written as a UUID (one machine cannot
 * have two instances listening on the same address; the machine id keeps
 * cloned hosts of one name apart); a random UUID when the hash fails. */
static void
instance_id(void)
{
	static const char hex[] = "0123456789abcdef";
	const char *listen = getenv("CWEBUI_STREAMD_LISTEN");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;
	char host[256] = "", machine[64] = "";
	struct buf in = BUF_INIT;
	char *o = bus.self;
	FILE *f;

	if ((f = fopen("/etc/machine-id", "r")) != NULL) {
		if (fgets(machine, sizeof(machine), f) == NULL)
			machine[0] = '\0';
		fclose(f);
	}
	gethostname(host, sizeof(host) - 1);
	buf_printf(&in, "%s %s %s", machine, host,
	    listen != NULL ? listen : "");
	if (EVP_Digest(buf_str(&in), in.len, md, &len, EVP_sha256(),
	    NULL) != 1 || len < 16) {
		buf_free(&in);
		rand_uuid4(bus.self);
		return;
	}
	buf_free(&in);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*o++ = '-';
		*o++ = hex[md[i] >> 4];
		*o++ = hex[md[i] & 15];
	}
	*o = '\0';
}

static char *
key_of(const char *what)
{
	char *k = xmalloc(strlen(bus.prefix) + strlen(what) + 2 +
	    sizeof(bus.self));

	sprintf(k, "%s%s:%s", bus.prefix, what, bus.self);
	return k;
}

int
bus_init(struct event_base *base)
{
	const char *url = getenv("REDIS_URL");
	const char *prefix = getenv("REDIS_KEY_PREFIX");

	if (url == NULL || *url == '\0')
		return 0;
	if (bus_url_parse(url, &bus.url) != 0) {
		log_error("REDIS_URL is not a redis:// or unix:// URL");
		return -1;
	}
	if (prefix == NULL || *prefix == '\0')
		prefix = "open-webui";
	bus.channel = xmalloc(strlen(prefix) + 32);
	strcpy(bus.channel, prefix);
	strcat(bus.channel, ":streamd:events");
	bus.base = base;
	bus.on = 1;
	instance_id();
	bus.retry = evtimer_new(base, retry_cb, NULL);
	bus.prefix = xmalloc(strlen(prefix) + 16);
	sprintf(bus.prefix, "%s:streamd:", prefix);
	bus.tasks_key = key_of("tasks");
	bus.users_key = key_of("users");
	bus.alive_key = key_of("alive");
	bus.instances_key = xmalloc(strlen(bus.prefix) + 16);
	sprintf(bus.instances_key, "%sinstances", bus.prefix);
	bus.refresh = event_new(base, -1, EV_PERSIST, refresh_cb, NULL);
	{
		struct timeval tv = { BUS_REFRESH, 0 };

		evtimer_add(bus.refresh, &tv);
	}
	connect_all();
	return 0;
}

void
bus_close(void)
{
	if (!bus.on)
		return;
	bus.on = 0;
	if (bus.pub != NULL)
		redisAsyncDisconnect(bus.pub);
	if (bus.sub != NULL)
		redisAsyncDisconnect(bus.sub);
	bus.pub = bus.sub = NULL;
	if (bus.retry != NULL)
		event_free(bus.retry);
	bus.retry = NULL;
	if (bus.refresh != NULL)
		event_free(bus.refresh);
	bus.refresh = NULL;
	free(bus.prefix);
	free(bus.tasks_key);
	free(bus.users_key);
	free(bus.alive_key);
	free(bus.instances_key);
	bus.prefix = bus.tasks_key = bus.users_key = bus.alive_key = NULL;
	bus.instances_key = NULL;
	free(bus.channel);
	bus.channel = NULL;
	bus_url_free(&bus.url);
}

int
bus_enabled(void)
{
	return bus.on;
}

static void
publish(json_object *m)
{
	const char *s;

	if (!bus.on || bus.pub == NULL || !bus.pub_ready)
		return;
	json_object_object_add(m, "o", json_object_new_string(bus.self));
	s = json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN);
	redisAsyncCommand(bus.pub, NULL, NULL, "PUBLISH %s %b", bus.channel,
	    s, strlen(s));
}

void
bus_emit(const char *room, const char *event, json_object *data)
{
	json_object *m;

	if (!bus.on)
		return;
	m = json_object_new_object();
	json_object_object_add(m, "room", json_object_new_string(room));
	json_object_object_add(m, "event", json_object_new_string(event));
	json_object_object_add(m, "data", json_object_get(data));
	publish(m);
	json_object_put(m);
}

void
bus_stop_task(const char *task_id, const char *user_id, int admin)
{
	json_object *m;

	if (!bus.on)
		return;
	m = json_object_new_object();
	json_object_object_add(m, "stop", json_object_new_string(task_id));
	json_object_object_add(m, "user_id", json_object_new_string(user_id));
	json_object_object_add(m, "admin", json_object_new_boolean(admin));
	publish(m);
	json_object_put(m);
}

/* Writes task e into this instance's hash. */
static void
publish_task(const struct taskreg_entry *e)
{
	json_object *v;
	const char *s;

	if (bus.pub == NULL || !bus.pub_ready)
		return;
	v = json_object_new_object();
	json_object_object_add(v, "user_id", json_object_new_string(e->user_id));
	json_object_object_add(v, "chat_id", json_object_new_string(e->chat_id));
	s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	redisAsyncCommand(bus.pub, NULL, NULL, "HSET %s %s %s", bus.tasks_key,
	    e->id, s);
	redisAsyncCommand(bus.pub, NULL, NULL, "EXPIRE %s %d", bus.tasks_key,
	    BUS_TTL);
	json_object_put(v);
}

void
bus_task_add(const struct taskreg_entry *e)
{
	if (!bus.on)
		return;
	publish_task(e);
}

void
bus_task_remove(const struct taskreg_entry *e)
{
	if (!bus.on)
		return;
	if (bus.pub != NULL && bus.pub_ready)
		redisAsyncCommand(bus.pub, NULL, NULL, "HDEL %s %s",
		    bus.tasks_key, e->id);
}

static void
publish_user(const char *user_id)
{
	if (bus.pub == NULL || !bus.pub_ready)
		return;
	redisAsyncCommand(bus.pub, NULL, NULL, "SADD %s %s", bus.users_key,
	    user_id);
	redisAsyncCommand(bus.pub, NULL, NULL, "EXPIRE %s %d", bus.users_key,
	    BUS_TTL);
}

void
bus_user_active(const char *user_id, int active)
{
	if (!bus.on)
		return;
	if (active)
		publish_user(user_id);
	else if (bus.pub != NULL && bus.pub_ready)
		redisAsyncCommand(bus.pub, NULL, NULL, "SREM %s %s",
		    bus.users_key, user_id);
}

struct list_call {
	int	 users;
	void	(*cb)(void *, json_object *);
	void	*arg;
};

/* The task entries [field, value, ...] as {"id", "user_id", "chat_id"}.
 * New reference. */
static json_object *
task_entries(redisReply *reply)
{
	json_object *list = json_object_new_array(), *v, *o;
	size_t i;

	for (i = 0; i + 1 < reply->elements; i += 2) {
		if (reply->element[i]->type != REDIS_REPLY_STRING ||
		    reply->element[i + 1]->type != REDIS_REPLY_STRING)
			continue;
		v = json_parse(reply->element[i + 1]->str,
		    reply->element[i + 1]->len);
		if (json_get_str(v, "user_id") != NULL &&
		    json_get_str(v, "chat_id") != NULL) {
			o = json_object_new_object();
			json_object_object_add(o, "id", json_object_new_string(
			    reply->element[i]->str));
			json_object_object_add(o, "user_id",
			    json_object_get(json_get(v, "user_id")));
			json_object_object_add(o, "chat_id",
			    json_object_get(json_get(v, "chat_id")));
			json_object_array_add(list, o);
		}
		json_object_put(v);
	}
	return list;
}

/* The user ids, each once. New reference. */
static json_object *
user_entries(redisReply *reply)
{
	json_object *list = json_object_new_array(), *seen;
	size_t i;

	seen = json_object_new_object();
	for (i = 0; i < reply->elements; i++) {
		if (reply->element[i]->type != REDIS_REPLY_STRING ||
		    json_object_object_get_ex(seen, reply->element[i]->str,
		    NULL))
			continue;
		json_object_object_add(seen, reply->element[i]->str, NULL);
		json_object_array_add(list,
		    json_object_new_string(reply->element[i]->str));
	}
	json_object_put(seen);
	return list;
}

static void
on_list(redisAsyncContext *ac, void *r, void *priv)
{
	struct list_call *lc = priv;
	redisReply *reply = r;
	json_object *list = NULL;

	(void)ac;
	if (reply != NULL && reply->type == REDIS_REPLY_ARRAY)
		list = lc->users ? user_entries(reply) : task_entries(reply);
	lc->cb(lc->arg, list);
	json_object_put(list);
	free(lc);
}

static int
list(int users, void (*cb)(void *arg, json_object *list), void *arg)
{
	struct list_call *lc;

	if (!bus.on || bus.pub == NULL || !bus.pub_ready)
		return -1;
	lc = xmalloc(sizeof(*lc));
	lc->users = users;
	lc->cb = cb;
	lc->arg = arg;
	if (redisAsyncCommand(bus.pub, on_list, lc, "EVAL %s 1 %s %s %s",
	    list_script, bus.instances_key, bus.prefix, users ? "users" :
	    "tasks") != REDIS_OK) {
		free(lc);
		return -1;
	}
	return 0;
}

int
bus_task_list(void (*cb)(void *arg, json_object *list), void *arg)
{
	return list(0, cb, arg);
}

int
bus_user_list(void (*cb)(void *arg, json_object *list), void *arg)
{
	return list(1, cb, arg);
}
