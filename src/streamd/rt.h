/* rt.h: the real-time side of cwebui-streamd: Socket.IO sessions, the users
 * they are bound to, rooms, and emission (local, and through Redis to the
 * other streamd instances when REDIS_URL is set). */
#ifndef CWEBUI_RT_H
#define CWEBUI_RT_H

#include <json-c/json.h>

struct hreq;

/* The HTTP handler of /ws/socket.io/ (Engine.IO polling and WebSocket). */
void	 rt_http(struct hreq *r);

/* Emits event with data (borrowed) to every session in room
 * ("user:<id>", "channel:<id>", "note:<id>" or a session id), on every
 * streamd instance. */
void	 rt_emit(const char *room, const char *event, json_object *data);

/* rt_emit for the sessions of this instance only: what bus.c calls for an
 * emission that came from another instance through Redis. */
void	 rt_emit_local(const char *room, const char *event, json_object *data);

/* Emits event to one session (a sid) and waits for its acknowledgement:
 * cb(arg, ack) with the ack arguments array (borrowed), or ack NULL when
 * the session is gone or timeout_ms passed. Local sessions only. */
void	 rt_emit_ack(const char *sid, const char *event, json_object *data,
	    int timeout_ms, void (*cb)(void *arg, json_object *ack), void *arg);

/* For GET /api/usage: the model ids in use (a `usage` event from a bound
 * session in the last RTEV_USAGE_TIMEOUT = 3 seconds, Python's USAGE_POOL
 * and TIMEOUT_DURATION) and the ids of users with a bound session on this
 * instance. New references. */
json_object *rt_usage_models(void);
json_object *rt_active_user_ids(void);

/* Calls fn for the id of every user bound to a session here. */
void	 rt_each_user(void (*fn)(const char *user_id));

/* 1 when the user has at least one live session on this instance. */
int	 rt_user_active(const char *user_id);

/* 1 when session sid is connected to this instance and bound to user_id. */
int	 rt_session_of(const char *sid, const char *user_id);

struct rt_listener;

/* Listens for the client events named event from session sid (a local
 * one): fn(arg, data) for each, data its first argument (borrowed; JSON
 * null when it has none), and fn(arg, NULL) once when the session goes
 * away (the listener is then gone: do not rt_unlisten it). Only sid's
 * events reach fn: Python registers such a handler for every socket
 * (sio.on), cwebui does not let another session feed it. One listener per
 * (sid, event); such events are not handed to the Open WebUI handlers.
 * Returns the handle (owned here until rt_unlisten or the NULL call); a
 * session that is not connected gets fn(arg, NULL) from the loop, soon
 * after this returns. fn may call rt_unlisten on its own handle. */
struct rt_listener *rt_listen(const char *sid, const char *event,
	    void (*fn)(void *arg, json_object *data), void *arg);

/* Stops l (NULL: nothing); fn is not called again. */
void	 rt_unlisten(struct rt_listener *l);

#endif
