/* h_hosting.c: what cwebui-streamd serves, served by the workers in the
 * shared-hosting mode (hosting.h; the routes exist only there, R_HOSTING):
 * Socket.IO over Engine.IO v4 long-polling on /ws/socket.io/, the chat
 * task routes and /api/usage. A polling GET holds its worker until a packet
 * is queued for the session (rt.db, hrt.h), looking every 50 ms, or until
 * a ping is due; a POST delivers the client's packets. Open WebUI's events
 * are those of src/streamd/rtevents.c: the CONNECT auth and user-join bind
 * the session to its user (room user:<id>), user-join and join-channels
 * put it in its channels' rooms, usage records the model in use. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "authn.h"
#include "buf.h"
#include "chatproc.h"
#include "clock.h"
#include "eio.h"
#include "handlers.h"
#include "hrt.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "req.h"
#include "sio.h"
#include "user.h"

#define HSIO_CT		"text/plain; charset=UTF-8"
#define HSIO_WAIT_US	50000	/* between looks at the queue */
#define HSIO_MAX_MODEL	512

/* Answers 400 with the JSON string msg, as python-engineio refuses. */
static int
hsio_bad(struct req *r, const char *msg)
{
	json_object *o = json_on_arena(r->a, json_object_new_string(msg));
	const char *t = json_text(o);

	return resp_raw(r, 400, "text/plain", t, strlen(t));
}

/* Queues the Socket.IO packet p for sid (as an Engine.IO message). */
static void
hsio_push(const char *sid, const struct sio_packet *p)
{
	struct buf b = BUF_INIT;
	json_object *bins = NULL;

	buf_putc(&b, '0' + EIO_MESSAGE);
	if (sio_encode(&b, p, &bins) == ERR_OK)
		hrt_push(sid, b.p, b.len);
	json_object_put(bins);
	buf_free(&b);
}

/* Acks event id with args (taken; NULL: no arguments). */
static void
hsio_ack(const char *sid, long long id, json_object *args)
{
	struct sio_packet p = { .type = SIO_ACK, .nsp = "/" };

	p.id = id;
	p.data = args != NULL ? args : json_object_new_array();
	if (id >= 0)
		hsio_push(sid, &p);
	json_object_put(p.data);
}

/* Binds session s to the user of token; returns the user (arena) or
 * NULL. */
static json_object *
hsio_bind(struct req *r, struct hrt_sess *s, const char *token)
{
	json_object *u = NULL;
	json_object *brief;

	if (token == NULL ||
	    authn_socket_token(r->db, r->a, token, &u) != ERR_OK)
		return NULL;
	json_on_arena(r->a, u);
	brief = json_on_arena(r->a, json_object_new_object());
	json_object_object_add(brief, "id", json_object_get(json_get(u, "id")));
	json_object_object_add(brief, "name",
	    json_object_get(json_get(u, "name")));
	json_object_object_add(brief, "email",
	    json_object_get(json_get(u, "email")));
	json_object_object_add(brief, "role",
	    json_object_get(json_get(u, "role")));
	if (hrt_sess_bind(s->sid, json_get_str(u, "id"), json_text(brief)) !=
	    ERR_OK)
		return NULL;
	s->user_id = json_get_str(u, "id");	/* for the next packets */
	s->user = json_text(brief);
	return u;
}

/* One Socket.IO event of the client (args: [name, data...]). */
static void
hsio_event(struct req *r, struct hrt_sess *s, json_object *args,
    long long id)
{
	const char *name = json_object_get_string(
	    json_object_array_get_idx(args, 0));
	json_object *data = json_object_array_get_idx(args, 1), *u, *ans;
	const char *token = json_get_str(json_get(data, "auth"), "token");
	static const char *const known[] = {
		"join-note", "channel-events", "ydoc:document:join",
		"ydoc:document:state", "ydoc:document:update",
		"ydoc:document:leave", "ydoc:awareness:update"
	};
	size_t i;

	if (strcmp(name, "user-join") == 0) {
		if ((u = hsio_bind(r, s, token)) == NULL) {
			hsio_ack(s->sid, id, NULL);
			return;
		}
		hrt_sess_channels(s->sid, json_get(u, "channel_ids"));
		ans = json_object_new_object();
		json_object_object_add(ans, "id",
		    json_object_get(json_get(u, "id")));
		json_object_object_add(ans, "name",
		    json_object_get(json_get(u, "name")));
		args = json_object_new_array();
		json_object_array_add(args, ans);
		hsio_ack(s->sid, id, args);
		return;
	}
	if (strcmp(name, "join-channels") == 0) {
		u = NULL;
		if (s->user_id != NULL && token != NULL &&
		    authn_socket_token(r->db, r->a, token, &u) == ERR_OK &&
		    strcmp(json_get_str(json_on_arena(r->a, u), "id"),
		    s->user_id) == 0)
			hrt_sess_channels(s->sid, json_get(u, "channel_ids"));
		hsio_ack(s->sid, id, NULL);
		return;
	}
	if (strcmp(name, "usage") == 0) {
		const char *model = json_get_str(data, "model");

		if (s->user_id != NULL && model != NULL &&
		    strlen(model) <= HSIO_MAX_MODEL)
			hrt_usage_record(s->sid, model);
		hsio_ack(s->sid, id, NULL);
		return;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(name, known[i]) == 0)
			hsio_ack(s->sid, id, NULL);
	/* heartbeat and unknown events: no answer, as Python */
}

/* One whole Socket.IO packet of the client (binary attachments in
 * place). */
static void
hsio_packet(struct req *r, struct hrt_sess *s, struct sio_packet *p)
{
	json_object *o;

	switch (p->type) {
	case SIO_CONNECT:
		o = json_object_new_object();
		if (strcmp(p->nsp, "/") != 0) {
			p->type = SIO_CONNECT_ERROR;
			json_object_object_add(o, "message",
			    json_object_new_string("Invalid namespace"));
		} else {
			hsio_bind(r, s, json_get_str(p->data, "token"));
			json_object_object_add(o, "sid",
			    json_object_new_string(s->sid));
		}
		json_object_put(p->data);
		p->data = o;
		p->id = -1;
		hsio_push(s->sid, p);
		break;
	case SIO_EVENT:
	case SIO_BINARY_EVENT:
		hsio_event(r, s, p->data, p->id);
		break;
	case SIO_DISCONNECT:
		hrt_sess_close(s->sid);
		break;
	default:	/* acks: no server event asks for one here */
		break;
	}
}

/* A polling GET: the queued packets, waiting for some up to the ping
 * interval (then a ping is queued). */
static int
hsio_get(struct req *r, const char *sid)
{
	long interval = hrt_ping_interval(), timeout = hrt_ping_timeout();
	double until = clock_mono() + interval / 1000.0;
	struct buf *out = buf_arena(r->a);
	struct hrt_sess s;
	struct timespec ts = { 0, HSIO_WAIT_US * 1000L };
	long long now;
	int n;

	if (hrt_sess_get(r->a, sid, 1, &s) != ERR_OK)
		return hsio_bad(r, "Invalid session");
	for (;;) {
		if (hrt_sess_get(r->a, sid, 0, &s) != ERR_OK) {
			if (out->len > 0)
				buf_putc(out, EIO_SEPARATOR);
			buf_putc(out, '0' + EIO_CLOSE);
			break;
		}
		if (hrt_take(sid, out, &n) != ERR_OK)
			return resp_error(r, 500, MSG_DEFAULT);
		if (n > 0)
			break;
		now = (long long)(clock_wall() * 1000.0);
		if (s.await_pong && now - s.pinged > timeout) {
			log_info("%s: client is gone (no pong), closing", sid);
			hrt_sess_close(sid);
			continue;
		}
		if (!s.await_pong && now - s.pinged >= interval) {
			hrt_sess_ping(sid, 1);
			hrt_push(sid, "2", 1);
			continue;
		}
		if (clock_mono() >= until) {
			buf_puts(out, "6");	/* a noop: poll again */
			break;
		}
		nanosleep(&ts, NULL);
	}
	return resp_raw(r, 200, HSIO_CT, out->p, out->len);
}

/* A polling POST: the client's packets, refused whole (400, session
 * closed) when one is malformed, as python-engineio does. */
static int
hsio_post(struct req *r, const char *sid)
{
	struct eio_reader rd;
	struct eio_packet pkt;
	struct sio_packet p;
	struct buf *scratch = buf_arena(r->a);
	struct hrt_sess s;
	int pending = 0, done;
	enum err e;

	if (hrt_sess_get(r->a, sid, 1, &s) != ERR_OK)
		return hsio_bad(r, "Invalid session");
	if ((e = eio_payload_init(&rd, r->body.p, r->body.len)) == ERR_OK)
		while ((e = eio_payload_next(&rd, &pkt, scratch)) == ERR_OK)
			;
	if (e != ERR_NOTFOUND) {
		log_info("%s: bad polling payload: %s", sid, err_str(e));
		hrt_sess_close(sid);
		return hsio_bad(r, "Bad Request");
	}
	eio_payload_init(&rd, r->body.p, r->body.len);
	memset(&p, 0, sizeof(p));
	while (eio_payload_next(&rd, &pkt, scratch) == ERR_OK) {
		if (pkt.type == EIO_PONG)
			hrt_sess_ping(sid, 0);
		else if (pkt.type == EIO_CLOSE) {
			hrt_sess_close(sid);
			break;
		} else if (pkt.type != EIO_MESSAGE)
			continue;
		else if (pending && pkt.binary) {
			/* an attachment of the packet before */
			if (sio_attach(&p, pkt.data, pkt.len, &done) != ERR_OK)
				pending = 0;
			else if (done) {
				hsio_packet(r, &s, &p);
				pending = 0;
			}
			if (!pending)
				sio_packet_clear(&p);
		} else {
			if (pending) {	/* its attachments never came */
				hsio_packet(r, &s, &p);
				sio_packet_clear(&p);
			}
			pending = 0;
			memset(&p, 0, sizeof(p));
			if (pkt.binary)	/* of a packet of an earlier POST */
				log_debug("%s: an attachment ignored", sid);
			else if (sio_decode(&p, pkt.data, pkt.len) != ERR_OK)
				log_info("%s: a Socket.IO packet not understood",
				    sid);
			else if (sio_pending(&p))
				pending = 1;
			else
				hsio_packet(r, &s, &p);
			if (!pending)
				sio_packet_clear(&p);
		}
	}
	if (pending) {
		/* the attachments come in another POST: the packet is
		 * delivered without them (no event served here reads them) */
		hsio_packet(r, &s, &p);
		sio_packet_clear(&p);
	}
	return resp_raw(r, 200, "text/plain", "OK", 2);
}

/* Returns the Engine.IO polling answer: the handshake for a GET without
 * sid (EIO=4), the queued packets for a GET, "OK" for a POST; 400 for
 * another transport (the WebSocket is not served here: the client stays
 * on polling), an unknown session or a malformed payload. */
int
h_hosting_sio(struct req *r)
{
	const char *sid = req_query(r, "sid"), *eio = req_query(r, "EIO");
	const char *transport = req_query(r, "transport");
	struct eio_handshake hs;
	char nsid[HRT_SID_LEN + 1];
	struct buf b = BUF_INIT;
	enum err e;

	if (transport == NULL || strcmp(transport, "polling") != 0)
		return hsio_bad(r, "Invalid transport");
	if (sid != NULL)
		return strcmp(r->method, "POST") == 0 ? hsio_post(r, sid) :
		    hsio_get(r, sid);
	if (strcmp(r->method, "GET") != 0)
		return hsio_bad(r, "Invalid session");
	if (eio == NULL || strcmp(eio, "4") != 0)
		return hsio_bad(r, "The client is using an unsupported version "
		    "of the Socket.IO or Engine.IO protocols");
	memset(&hs, 0, sizeof(hs));
	hs.ping_interval = hrt_ping_interval();
	hs.ping_timeout = hrt_ping_timeout();
	hs.max_payload = EIO_MAX_PAYLOAD;
	buf_putc(&b, '0' + EIO_OPEN);
	e = hrt_sess_new(nsid);
	if (e == ERR_OK) {
		memcpy(hs.sid, nsid, sizeof(nsid));
		eio_handshake_encode(&b, &hs);
		e = hrt_push(nsid, b.p, b.len);
	}
	buf_free(&b);
	if (e != ERR_OK)
		return resp_error(r, 500, MSG_DEFAULT);
	return hsio_get(r, nsid);
}

/* 1 when the caller is an admin. */
static int
hosting_admin(struct req *r)
{
	return r->user->role != NULL && strcmp(r->user->role, "admin") == 0;
}

/* Returns 200 {"tasks": [ids]}: the caller's running tasks (an admin's:
 * all). */
int
h_hosting_tasks(struct req *r)
{
	json_object *list = json_on_arena(r->a, hrt_task_list());
	json_object *o = json_object_new_object();

	json_object_object_add(o, "tasks", chatproc_task_ids(list,
	    hosting_admin(r) ? NULL : r->user->id, NULL));
	return resp_json(r, 200, o);
}

/* Returns 200 {"task_ids": [ids]}: the caller's tasks of the chat. */
int
h_hosting_tasks_chat(struct req *r)
{
	json_object *list = json_on_arena(r->a, hrt_task_list());
	json_object *o = json_object_new_object();

	json_object_object_add(o, "task_ids", chatproc_task_ids(list,
	    r->user->id, r->params[0]));
	return resp_json(r, 200, o);
}

/* Returns 200 {"status", "message"}: the task is asked to stop (only the
 * caller's own, or any for an admin). */
int
h_hosting_tasks_stop(struct req *r)
{
	json_object *o = json_object_new_object();
	enum err e;

	e = hrt_task_stop(r->params[0], r->user->id, hosting_admin(r));
	json_object_object_add(o, "status", json_object_new_boolean(e ==
	    ERR_OK));
	json_object_object_add(o, "message", json_object_new_string(e ==
	    ERR_OK ? arena_printf(r->a, "Task %s successfully stopped.",
	    r->params[0]) : arena_printf(r->a, "Task with ID %s not found.",
	    r->params[0])));
	return resp_json(r, 200, o);
}

/* Returns 200 {"model_ids", "user_ids"}: the models in use and the users
 * with a live session. */
int
h_hosting_usage(struct req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "model_ids", hrt_usage_models());
	json_object_object_add(o, "user_ids", hrt_active_user_ids());
	return resp_json(r, 200, o);
}

/* Returns 200 {"user_ids"}: the users with a live session (users.py). */
int
h_hosting_users_active(struct req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "user_ids", hrt_active_user_ids());
	return resp_json(r, 200, o);
}

/* Returns 200 {"active"}: whether {user_id} has a live session. */
int
h_hosting_user_active(struct req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "active",
	    json_object_new_boolean(hrt_user_active(r->params[0])));
	return resp_json(r, 200, o);
}
