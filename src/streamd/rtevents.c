/* rtevents.c: what each Socket.IO event does. A session is bound to a
 * user when its CONNECT auth or a user-join carries a token that
 * cwebui-fcgi accepts (POST /_streamd/auth); a bound session is in the
 * room user:<id> and, after user-join, in channel:<id> of each channel the
 * user may read. Calls to cwebui-fcgi keep the sid, not the socket: the
 * answer finds the socket again or drops it. */
#include <sys/queue.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "fcgic.h"
#include "httpd.h"
#include "bus.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "rooms.h"
#include "rt.h"
#include "rtevents.h"
#include "siosrv.h"
#include "smap.h"

#define RTEV_MAX_CHECKS		16	/* re-validations under way at once */
#define RTEV_MAX_MODELS		10000	/* models in the usage pool */
#define RTEV_MAX_MODEL_ID	512

/* A connected socket's binding. */
struct rtev_user {
	struct sio_sock	*k;
	char		*user_id;	/* NULL: not bound */
	char		*token;
	json_object	*user;		/* /_streamd/auth's answer */
	int		 channels;	/* in its channel rooms (user-join) */
	struct event	*recheck;
};

enum auth_why { AUTH_CONNECT, AUTH_JOIN, AUTH_CHANNELS, AUTH_RECHECK };

struct auth_call {
	char		 sid[21];
	char		*token;
	enum auth_why	 why;
	long long	 ack;
};

/* A listener for one session's events of one name (rt_listen). */
struct rt_listener {
	TAILQ_ENTRY(rt_listener) entry;
	char		*sid;
	char		*event;
	void		(*fn)(void *, json_object *);
	void		*arg;
	struct event	*gone;	/* the session was not there: fn(arg, NULL) */
};

static TAILQ_HEAD(, rt_listener) listeners =
    TAILQ_HEAD_INITIALIZER(listeners);
static struct smap	*user_pool;	/* user id -> sessions (intptr_t) */
static struct smap	*usage_pool;	/* model -> smap sid -> time (intptr_t) */
static time_t		 usage_purged;
static int		 checks;	/* re-validations under way */
static int		 recheck_secs = RTEV_RECHECK;

/* ---- users ---- */

static void
pool_add(const char *id, int d)
{
	intptr_t n = (intptr_t)smap_get(user_pool, id) + d;

	if (n > 0)
		smap_put(user_pool, id, (void *)n);
	else
		smap_del(user_pool, id);
	if ((n == 1 && d > 0) || n == 0)
		bus_user_active(id, n > 0);	/* other hosts' view */
}

static void
ack_empty(struct sio_sock *k, long long id)
{
	json_object *a;

	if (id < 0)
		return;
	a = json_object_new_array();
	siosrv_ack(k, id, a);
	json_object_put(a);
}

static void
user_unbind(struct rtev_user *u)
{
	struct rooms_sess *rs = siosrv_rooms(u->k);

	if (u->user_id == NULL)
		return;
	log_debug("%s: unbound from user %s", siosrv_sid(u->k), u->user_id);
	rooms_leave_prefix(rs, "user:");
	rooms_leave_prefix(rs, "channel:");
	rooms_leave_prefix(rs, "note:");
	pool_add(u->user_id, -1);
	free(u->user_id);
	free(u->token);
	json_object_put(u->user);
	u->user_id = u->token = NULL;
	u->user = NULL;
	u->channels = 0;
	evtimer_del(u->recheck);
}

static void
arm_recheck(struct rtev_user *u, int secs)
{
	struct timeval tv = { secs, 0 };

	evtimer_add(u->recheck, &tv);
}

/* Binds u to user (taken) with token; another user bound before is
 * unbound first. */
static void
user_bind(struct rtev_user *u, json_object *user, const char *token)
{
	const char *id = json_get_str(user, "id");
	char *room;

	if (u->user_id != NULL && strcmp(u->user_id, id) != 0)
		user_unbind(u);
	if (u->user_id == NULL) {
		u->user_id = xstrdup(id);
		pool_add(id, 1);
		room = xmalloc(strlen(id) + 6);
		strcpy(room, "user:");
		strcat(room, id);
		rooms_join(siosrv_rooms(u->k), room);
		free(room);
		log_debug("%s: bound to user %s", siosrv_sid(u->k), id);
	}
	free(u->token);
	u->token = xstrdup(token);
	json_object_put(u->user);
	u->user = user;
	arm_recheck(u, recheck_secs);
}

/* Puts u's socket in exactly the channel rooms of user's channel_ids. */
static void
sync_channels(struct rtev_user *u, json_object *user)
{
	struct rooms_sess *rs = siosrv_rooms(u->k);
	json_object *ids = json_get(user, "channel_ids");
	struct buf room = BUF_INIT;
	size_t i, n;

	rooms_leave_prefix(rs, "channel:");
	n = json_object_is_type(ids, json_type_array) ?
	    json_object_array_length(ids) : 0;
	for (i = 0; i < n; i++) {
		json_object *id = json_object_array_get_idx(ids, i);

		if (!json_object_is_type(id, json_type_string))
			continue;
		buf_reset(&room);
		buf_printf(&room, "channel:%s", json_object_get_string(id));
		rooms_join(rs, buf_str(&room));
	}
	buf_free(&room);
	u->channels = 1;
}

/* The answer of POST /_streamd/auth for the socket that asked. */
static void
auth_done(void *arg, const struct fcgic_resp *r)
{
	struct auth_call *a = arg;
	struct sio_sock *k = siosrv_find(a->sid);
	struct rtev_user *u = k ? siosrv_data(k) : NULL;
	json_object *user = NULL, *ans;
	int invalid = r != NULL && (r->status == 401 || r->status == 403);

	if (a->why == AUTH_RECHECK)
		checks--;
	if (u == NULL)
		goto done;
	if (r != NULL && r->status == 200 &&
	    (user = json_parse(r->body, r->body_len)) != NULL &&
	    json_get_str(user, "id") == NULL) {
		json_object_put(user);
		user = NULL;
	}
	if (r == NULL || (r->status != 200 && !invalid))
		log_warn("%s: user check failed: %s %d", a->sid,
		    r ? "status" : "no answer", r ? r->status : 0);
	switch (a->why) {
	case AUTH_CONNECT:
		if (user != NULL && u->user_id == NULL) {
			user_bind(u, user, a->token);
			user = NULL;
		}
		break;
	case AUTH_JOIN:
		if (user == NULL) {
			ack_empty(k, a->ack);
			break;
		}
		ans = json_object_new_object();
		json_object_object_add(ans, "id",
		    json_object_new_string(json_get_str(user, "id")));
		json_object_object_add(ans, "name",
		    json_object_get(json_get(user, "name")));
		user_bind(u, user, a->token);
		user = NULL;
		sync_channels(u, u->user);
		if (a->ack >= 0) {
			json_object *args = json_object_new_array();

			json_object_array_add(args, ans);
			siosrv_ack(k, a->ack, args);
			json_object_put(args);
		} else
			json_object_put(ans);
		break;
	case AUTH_CHANNELS:
		if (user != NULL && u->user_id != NULL &&
		    strcmp(json_get_str(user, "id"), u->user_id) == 0)
			sync_channels(u, user);
		ack_empty(k, a->ack);
		break;
	case AUTH_RECHECK:
		if (u->token == NULL || strcmp(u->token, a->token) != 0)
			break;		/* rebound meanwhile */
		if (invalid) {
			log_info("%s: user %s no longer valid", a->sid,
			    u->user_id);
			user_unbind(u);
		} else if (user != NULL &&
		    strcmp(json_get_str(user, "id"), u->user_id) == 0) {
			if (u->channels)
				sync_channels(u, user);
			json_object_put(u->user);
			u->user = user;
			user = NULL;
			arm_recheck(u, recheck_secs);
		} else
			arm_recheck(u, recheck_secs);
		break;
	}
done:
	json_object_put(user);
	free(a->token);
	free(a);
}

/* Asks cwebui-fcgi who token belongs to, for socket k. */
static void
auth_start(struct sio_sock *k, const char *token, enum auth_why why,
    long long ack)
{
	struct auth_call *a = xcalloc(1, sizeof(*a));
	json_object *body = json_object_new_object();
	const char *txt;

	strcpy(a->sid, siosrv_sid(k));
	a->token = xstrdup(token);
	a->why = why;
	a->ack = ack;
	if (why == AUTH_RECHECK)
		checks++;
	json_object_object_add(body, "token", json_object_new_string(token));
	txt = json_text(body);
	if (fcgic_request("POST", "/_streamd/auth", NULL, txt, strlen(txt),
	    auth_done, a) == NULL)
		auth_done(a, NULL);
	json_object_put(body);
}

static void
recheck_fire(evutil_socket_t fd, short what, void *arg)
{
	struct rtev_user *u = arg;

	(void)fd;
	(void)what;
	if (u->token == NULL)
		return;
	if (checks >= RTEV_MAX_CHECKS) {
		arm_recheck(u, 1);
		return;
	}
	auth_start(u->k, u->token, AUTH_RECHECK, -1);
}

/* The string auth.token of an event's data, or NULL. */
static const char *
token_of(json_object *data)
{
	return json_get_str(json_get(data, "auth"), "token");
}

/* ---- usage ---- */

/* Drops the usage entries older than RTEV_USAGE_TIMEOUT. */
static void
usage_purge(time_t now)
{
	struct smap_iter it, jt;
	const char *model, *sid;
	void *v, *t;

	usage_purged = now;
	for (smap_iter_init(&it, usage_pool); smap_iter_next(&it, &model,
	    &v); ) {
		for (smap_iter_init(&jt, v); smap_iter_next(&jt, &sid, &t); )
			if (now - (time_t)(intptr_t)t > RTEV_USAGE_TIMEOUT)
				smap_del(v, sid);
		if (smap_count(v) == 0) {
			smap_del(usage_pool, model);
			smap_free(v);
		}
	}
}

static void
usage_record(struct sio_sock *k, json_object *data)
{
	const char *model = json_get_str(data, "model");
	time_t now = time(NULL);
	struct smap *m;

	if (model == NULL || strlen(model) > RTEV_MAX_MODEL_ID)
		return;
	if (now != usage_purged)
		usage_purge(now);
	if ((m = smap_get(usage_pool, model)) == NULL) {
		if (smap_count(usage_pool) >= RTEV_MAX_MODELS)
			return;
		m = smap_new();
		smap_put(usage_pool, model, m);
	}
	smap_put(m, siosrv_sid(k), (void *)(intptr_t)now);
}

/* The keys of m as a new JSON array (empty for NULL). */
static json_object *
keys_of(const struct smap *m)
{
	json_object *a = json_object_new_array();
	struct smap_iter it;
	const char *key;
	void *v;

	if (m == NULL)
		return a;
	for (smap_iter_init(&it, m); smap_iter_next(&it, &key, &v); )
		json_object_array_add(a, json_object_new_string(key));
	return a;
}

json_object *
rt_usage_models(void)
{
	if (usage_pool != NULL)
		usage_purge(time(NULL));
	return keys_of(usage_pool);
}

json_object *
rt_active_user_ids(void)
{
	return keys_of(user_pool);
}

void
rt_each_user(void (*fn)(const char *user_id))
{
	json_object *ids = keys_of(user_pool);
	size_t i;

	for (i = 0; i < json_object_array_length(ids); i++)
		fn(json_object_get_string(json_object_array_get_idx(ids, i)));
	json_object_put(ids);
}

int
rt_user_active(const char *user_id)
{
	return user_pool != NULL && smap_get(user_pool, user_id) != NULL;
}

int
rt_session_of(const char *sid, const char *user_id)
{
	struct sio_sock *k = siosrv_find(sid);
	struct rtev_user *u = k != NULL ? siosrv_data(k) : NULL;

	return u != NULL && u->user_id != NULL &&
	    strcmp(u->user_id, user_id) == 0;
}

/* ---- listeners ---- */

static void
listener_free(struct rt_listener *l)
{
	TAILQ_REMOVE(&listeners, l, entry);
	if (l->gone != NULL)
		event_free(l->gone);
	free(l->sid);
	free(l->event);
	free(l);
}

/* Removes l and tells its owner the session is gone. */
static void
listener_end(struct rt_listener *l)
{
	void (*fn)(void *, json_object *) = l->fn;
	void *arg = l->arg;

	listener_free(l);
	fn(arg, NULL);
}

static void
listener_gone(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	listener_end(arg);
}

struct rt_listener *
rt_listen(const char *sid, const char *event,
    void (*fn)(void *arg, json_object *data), void *arg)
{
	struct rt_listener *l = xcalloc(1, sizeof(*l));
	struct timeval tv = { 0, 0 };

	l->sid = xstrdup(sid);
	l->event = xstrdup(event);
	l->fn = fn;
	l->arg = arg;
	TAILQ_INSERT_TAIL(&listeners, l, entry);
	if (siosrv_find(sid) == NULL) {
		l->gone = evtimer_new(srv_base(), listener_gone, l);
		evtimer_add(l->gone, &tv);
	}
	return l;
}

void
rt_unlisten(struct rt_listener *l)
{
	if (l != NULL)
		listener_free(l);
}

/* The listener of sid's events named name, or NULL. */
static struct rt_listener *
listener_find(const char *sid, const char *name)
{
	struct rt_listener *l;

	TAILQ_FOREACH(l, &listeners, entry)
		if (l->gone == NULL && strcmp(l->sid, sid) == 0 &&
		    strcmp(l->event, name) == 0)
			return l;
	return NULL;
}

/* Ends the listeners of session sid, which leaves. */
static void
listeners_leave(const char *sid)
{
	struct rt_listener *l;

	for (;;) {
		TAILQ_FOREACH(l, &listeners, entry)
			if (l->gone == NULL && strcmp(l->sid, sid) == 0)
				break;
		if (l == NULL)
			return;
		listener_end(l);	/* may end others: start again */
	}
}

/* ---- events ---- */

/* channel-events: a typing notice goes to the channel's room with the
 * sender added, if the sender is in that room. */
static void
channel_event(struct rtev_user *u, json_object *data)
{
	const char *cid = json_get_str(data, "channel_id");
	json_object *ev = json_get(data, "data"), *o, *who;
	const char *type = json_get_str(ev, "type");
	static const char *const keep[] = {
		"id", "name", "role", "profile_image_url"
	};
	struct buf room = BUF_INIT;
	size_t i;

	if (cid == NULL)
		return;
	buf_printf(&room, "channel:%s", cid);
	if (!rooms_in(siosrv_rooms(u->k), buf_str(&room)) || type == NULL ||
	    strcmp(type, "typing") != 0)
		goto done;
	who = json_object_new_object();
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		json_object_object_add(who, keep[i],
		    json_object_get(json_get(u->user, keep[i])));
	o = json_object_new_object();
	json_object_object_add(o, "channel_id", json_object_new_string(cid));
	json_object_object_add(o, "message_id",
	    json_object_get(json_get(data, "message_id")));
	json_object_object_add(o, "data", json_object_get(ev));
	json_object_object_add(o, "user", who);
	rt_emit(buf_str(&room), "channel-events", o);
	json_object_put(o);
done:
	buf_free(&room);
}

/* The events Python 0.6.32 has a handler for (they ack with [] when the
 * handler returns nothing); others (heartbeat ...) are not answered. */
static int
known_event(const char *name)
{
	static const char *const names[] = {
		"user-join", "join-channels", "join-note", "usage",
		"channel-events", "ydoc:document:join", "ydoc:document:state",
		"ydoc:document:update", "ydoc:document:leave",
		"ydoc:awareness:update"
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

static void
on_event(struct sio_sock *k, const char *name, json_object *args,
    long long id)
{
	struct rtev_user *u = siosrv_data(k);
	json_object *data = json_object_array_get_idx(args, 0);
	const char *token = token_of(data);
	struct rt_listener *l;

	if ((l = listener_find(siosrv_sid(k), name)) != NULL) {
		/* a null argument is nothing a listener reads */
		if (data != NULL)
			l->fn(l->arg, data);
		ack_empty(k, id);
		return;
	}
	if (u == NULL || !known_event(name))
		return;
	if (strcmp(name, "user-join") == 0) {
		if (token != NULL)
			auth_start(k, token, AUTH_JOIN, id);
		else
			ack_empty(k, id);
		return;
	}
	if (u->user_id == NULL) {
		ack_empty(k, id);
		return;
	}
	if (strcmp(name, "join-channels") == 0 && token != NULL) {
		auth_start(k, token, AUTH_CHANNELS, id);
		return;
	}
	if (strcmp(name, "usage") == 0)
		usage_record(k, data);
	else if (strcmp(name, "channel-events") == 0)
		channel_event(u, data);
	ack_empty(k, id);
}

static void
on_connect(struct sio_sock *k, json_object *auth)
{
	struct rtev_user *u = xcalloc(1, sizeof(*u));
	const char *token = json_get_str(auth, "token");

	u->k = k;
	u->recheck = evtimer_new(srv_base(), recheck_fire, u);
	siosrv_set_data(k, u);
	if (token != NULL)
		auth_start(k, token, AUTH_CONNECT, -1);
}

static void
on_disconnect(struct sio_sock *k)
{
	struct rtev_user *u = siosrv_data(k);

	listeners_leave(siosrv_sid(k));
	if (u == NULL)
		return;
	user_unbind(u);
	event_free(u->recheck);
	free(u);
	siosrv_set_data(k, NULL);
}

void
rtevents_init(void)
{
	static const struct siosrv_cb cb = {
		on_connect, on_event, on_disconnect
	};

	const char *v = getenv("CWEBUI_STREAMD_USER_RECHECK");
	int n = v ? atoi(v) : 0;

	if (n > 0 && n <= 86400)
		recheck_secs = n;
	user_pool = smap_new();
	usage_pool = smap_new();
	siosrv_init(&cb);
}
