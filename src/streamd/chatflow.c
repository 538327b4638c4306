/* chatflow.c: chat tasks. A chat completion from the frontend (session_id,
 * chat_id and id set) is answered {"status": true, "task_id"} at once and
 * generated here, as Python's create_task(process_chat(...)) does: the
 * upstream stream is read line by line, the message content is rebuilt
 * (content.c) and sent to the user's sessions as chat-events, the answer is
 * saved into the chat through cwebui-fcgi (/_streamd/chat/message), then the
 * background tasks (title, tags, follow-ups) run there too
 * (/_streamd/chat/background) and their events are emitted.
 *
 * The saves of one task run one at a time, in order (a small queue of
 * internal calls); a task is freed when its stream ended and its queue is
 * empty. Tasks live in this process; GET /api/tasks lists them. */
#include <sys/queue.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "chatproc.h"
#include "fcgic.h"
#include "httpd.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "openai.h"
#include "rand.h"
#include "rt.h"
#include "task.h"
#include "taskreg.h"
#include "upstream.h"

#define TASK_DIRECT_ACK_MS	60000	/* python-socketio call()'s timeout */
#define TASK_DIRECT_EARLY	CHATPROC_MAX_LINE	/* bytes of channel
						   events kept before the ack */

struct task;

struct call {
	char		*uri;
	char		*body;
	chatproc_done_fn *done;
	struct call	*next;
};

struct task {
	struct taskreg_entry	 reg;	/* id, user, chat: the registry's */
	struct chatproc		 cp;	/* the answer (chatproc.h) */
	char			*message_id;
	char			*session_id;
	char			*room;		/* "user:<user id>" */
	json_object		*upstream;	/* the hand-off's "upstream" */
	struct upstream		*up;
	struct call		*q_head;
	struct call		**q_tail;
	struct fcgic_call	*inflight;
	/* A direct connection: the user's browser session runs it. */
	json_object		*direct;	/* the task's "direct", or NULL */
	struct rt_listener	*listener;	/* its channel's events */
	struct direct_wait	*wait;		/* the ack under way */
	json_object		*early;		/* events before the ack */
	size_t			 early_bytes;
	int			 acked;		/* the stream was accepted */
};

#define TASK_OF(p)	((struct task *)(void *)((char *)(p) - \
	offsetof(struct task, cp)))

/* An rt_emit_ack under way; t NULL once the task stopped waiting. */
struct direct_wait {
	struct task		*t;
};

static void	 task_free(struct task *t);
static void	 queue_run(struct task *t);

static void
call_done(void *arg, const struct fcgic_resp *r)
{
	struct task *t = arg;
	struct call *c = t->q_head;
	json_object *reply = NULL;

	t->inflight = NULL;
	t->q_head = c->next;
	if (t->q_head == NULL)
		t->q_tail = &t->q_head;
	if (r == NULL)
		log_warn("task %s: %s failed: no answer from cwebui-fcgi",
		    t->reg.id, c->uri);
	else if (r->status != 200)
		log_warn("task %s: %s answered %d", t->reg.id, c->uri,
		    r->status);
	else
		reply = json_parse(r->body, r->body_len);
	if (c->done != NULL)
		c->done(&t->cp, reply);
	json_object_put(reply);
	free(c->uri);
	free(c->body);
	free(c);
	queue_run(t);
}

static void
queue_run(struct task *t)
{
	struct call *c = t->q_head;

	if (t->inflight != NULL)
		return;
	if (c == NULL) {
		if (t->cp.ended)
			task_free(t);
		return;
	}
	t->inflight = fcgic_request("POST", c->uri, NULL, c->body,
	    strlen(c->body), call_done, t);
	if (t->inflight == NULL) {
		log_warn("task %s: could not reach cwebui-fcgi for %s",
		    t->reg.id, c->uri);
		call_done(t, NULL);
	}
}

/* chatproc's call: queues an internal call with body o (borrowed);
 * done(cp, reply) runs with the parsed 200 answer, or NULL. */
static void
queue(struct chatproc *cp, const char *uri, json_object *o,
    chatproc_done_fn *done)
{
	struct task *t = TASK_OF(cp);
	struct call *c = xcalloc(1, sizeof(*c));

	c->uri = xstrdup(uri);
	c->body = xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	c->done = done;
	*t->q_tail = c;
	t->q_tail = &c->next;
	queue_run(t);
}

static void
emit(struct chatproc *cp, json_object *o)
{
	rt_emit(TASK_OF(cp)->room, "chat-events", o);
}

static int
busy(struct chatproc *cp)
{
	return TASK_OF(cp)->inflight != NULL;
}

static int
user_active(struct chatproc *cp)
{
	return rt_user_active(cp->user_id);
}

/* The answer is complete (streamed or not), or failed: the task ends when
 * its saves are done. */
static void
task_end(struct task *t)
{
	chatproc_end(&t->cp);
	taskreg_remove(&t->reg);
	queue_run(t);
}

static void
task_fail(struct task *t, const char *msg, int cancel)
{
	chatproc_fail(&t->cp, msg, cancel);
	taskreg_remove(&t->reg);
	queue_run(t);
}

static void
up_head(void *arg, long status, const char *ctype)
{
	struct task *t = arg;

	chatproc_head(&t->cp, status, ctype);
}

static void
up_data(void *arg, const char *p, size_t n)
{
	struct task *t = arg;

	chatproc_data(&t->cp, p, n);
}

static void
up_done(void *arg, int ok, const char *error)
{
	struct task *t = arg;

	t->up = NULL;
	if (!ok && t->cp.status == 0) {
		log_warn("task %s: upstream failed: %s", t->reg.id,
		    error != NULL ? error : "?");
		task_fail(t, "500: Open WebUI: Server Connection Error", 1);
		return;
	}
	task_end(t);
}

static const struct upstream_cbs up_cbs = { up_head, up_data, up_done };

/* ---- direct connections (utils/chat.py generate_direct_chat_completion) */

/* Stops listening and waiting for the browser. */
static void
direct_stop(struct task *t)
{
	rt_unlisten(t->listener);
	t->listener = NULL;
	if (t->wait != NULL) {
		t->wait->t = NULL;
		t->wait = NULL;
	}
	json_object_put(t->early);
	t->early = NULL;
	t->early_bytes = 0;
}

/* Python's process_chat except branch for Exception(msg). */
static void
direct_fail(struct task *t, const char *msg)
{
	direct_stop(t);
	task_fail(t, msg, 1);
}

/* One event of the channel after the ack: a string is a line of the
 * stream, {"done": true} its end, another object a chunk. */
static void
direct_item(struct task *t, json_object *data)
{
	if (json_object_is_type(data, json_type_string))
		chatproc_line(&t->cp, json_object_get_string(data),
		    (size_t)json_object_get_string_len(data));
	else if (!json_object_is_type(data, json_type_object))
		return;
	else if (json_truthy(json_get(data, "done"))) {
		direct_stop(t);
		task_end(t);
	} else
		chatproc_chunk(&t->cp, data);
}

/* The channel's events (data NULL: the session left; the answer so far is
 * the answer). Those before the ack wait for it, as Python's queue does. */
static void
direct_event(void *arg, json_object *data)
{
	struct task *t = arg;
	size_t n;

	if (data == NULL) {
		t->listener = NULL;
		if (t->acked && !t->cp.ended) {
			direct_stop(t);
			task_end(t);
		}
		return;
	}
	if (t->cp.ended)
		return;
	if (t->acked) {
		direct_item(t, data);
		return;
	}
	if (t->early == NULL)
		t->early = json_object_new_array();
	json_object_to_json_string_length(data, JSON_C_TO_STRING_PLAIN, &n);
	if (t->early_bytes + n > (size_t)TASK_DIRECT_EARLY)
		return;
	t->early_bytes += n;
	json_object_array_add(t->early, json_object_get(data));
}

/* The browser's ack of request:chat:completion (args NULL: the session
 * is gone or did not answer in time, Python's TimeoutError, whose text is
 * empty). */
static void
direct_ack(void *arg, json_object *args)
{
	struct direct_wait *w = arg;
	struct task *t = w->t;
	json_object *res, *early, *err;
	struct arena *a;
	const char *txt;
	size_t i;

	free(w);
	if (t == NULL)
		return;
	t->wait = NULL;
	if (args == NULL) {
		direct_fail(t, "");
		return;
	}
	res = json_object_array_get_idx(args, 0);
	a = arena_new();
	if (json_truthy(json_get(t->cp.spec, "stream"))) {
		if (!json_truthy(json_get(res, "status"))) {
			/* Exception(str(res)) */
			direct_fail(t, res == NULL ? "None" :
			    json_object_is_type(res, json_type_string) ?
			    json_object_get_string(res) :
			    openai_pyrepr(a, res));
			goto done;
		}
		t->acked = 1;
		t->cp.streamed = 1;
		t->cp.status = 200;
		early = t->early;
		t->early = NULL;
		for (i = 0; early != NULL && !t->cp.ended &&
		    i < json_object_array_length(early); i++)
			direct_item(t, json_object_array_get_idx(early, i));
		json_object_put(early);
		if (t->listener == NULL && !t->cp.ended) {
			/* the session left before its ack was read */
			direct_stop(t);
			task_end(t);
		}
		goto done;
	}
	/* not streamed: the ack is the answer */
	if (json_truthy(err = json_get(res, "error"))) {
		direct_fail(t, json_object_is_type(err, json_type_string) ?
		    json_object_get_string(err) : openai_pyrepr(a, err));
		goto done;
	}
	direct_stop(t);
	t->cp.status = 200;
	txt = json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN);
	buf_puts(&t->cp.body, txt);
	task_end(t);
done:
	arena_free(a);
}

/* Asks the task's session to run the completion: request:chat:completion
 * with {form_data, model, channel, session_id}, the channel
 * "<user id>:<session id>:<uuid4>" listened to first. Only a session of
 * the task's user is asked; another is treated as gone. */
static void
direct_start(struct task *t)
{
	json_object *d = json_object_new_object(), *o;
	struct buf channel = BUF_INIT;
	const char *sid;
	char id[37];

	sid = rt_session_of(t->session_id, t->reg.user_id) ? t->session_id :
	    "";
	rand_uuid4(id);
	buf_printf(&channel, "%s:%s:%s", t->reg.user_id, t->session_id, id);
	json_object_object_add(d, "form_data",
	    json_object_get(json_get(t->direct, "form_data")));
	json_object_object_add(d, "model",
	    json_object_get(json_get(t->direct, "model")));
	json_object_object_add(d, "channel", json_object_new_string(
	    buf_str(&channel)));
	json_object_object_add(d, "session_id",
	    json_object_new_string(t->session_id));
	o = chatproc_event(&t->cp, "request:chat:completion", d);
	if (json_truthy(json_get(t->cp.spec, "stream")))
		t->listener = rt_listen(sid, buf_str(&channel), direct_event,
		    t);
	t->wait = xcalloc(1, sizeof(*t->wait));
	t->wait->t = t;
	rt_emit_ack(sid, "chat-events", o, TASK_DIRECT_ACK_MS, direct_ack,
	    t->wait);
	json_object_put(o);
	json_object_put(d);
	buf_free(&channel);
}

/* chatproc's started: the generation starts, upstream or direct. */
static void
started(struct chatproc *cp)
{
	struct task *t = TASK_OF(cp);

	if (t->direct != NULL) {
		direct_start(t);
		return;
	}
	t->up = upstream_start(t->upstream, &up_cbs, t);
	if (t->up == NULL)
		task_fail(t, "500: Open WebUI: Server Connection Error", 1);
}

static const struct chatproc_ops task_ops = {
	emit, queue, busy, user_active, started
};

static void
task_free(struct task *t)
{
	taskreg_remove(&t->reg);
	if (t->up != NULL)
		upstream_abort(t->up);
	direct_stop(t);
	json_object_put(t->direct);
	if (t->inflight != NULL)
		fcgic_cancel(t->inflight);
	while (t->q_head != NULL) {
		struct call *c = t->q_head;

		t->q_head = c->next;
		free(c->uri);
		free(c->body);
		free(c);
	}
	chatproc_free(&t->cp);
	json_object_put(t->upstream);
	free(t->message_id);
	free(t->room);
	free(t->session_id);
	taskreg_clear(&t->reg);
	free(t);
}

/* Stops a task (POST /api/tasks/stop): the upstream request is closed at
 * once, what arrived is saved, the sessions are told. */
static void
task_stop(struct taskreg_entry *e)
{
	struct task *t = (struct task *)e;

	if (t->cp.ended)
		return;
	if (t->up != NULL) {
		upstream_abort(t->up);
		t->up = NULL;
	}
	direct_stop(t);
	chatproc_stop(&t->cp);
	taskreg_remove(&t->reg);
	queue_run(t);
}

void
task_start(struct hconn *c, json_object *handoff)
{
	json_object *spec = json_get(handoff, "task"), *up, *o;
	const char *uid = json_get_str(spec, "user_id");
	const char *chat = json_get_str(spec, "chat_id");
	const char *msg = json_get_str(spec, "message_id");
	const char *relay = json_get_str(handoff, "relay");
	struct task *t;

	up = json_get(handoff, "upstream");
	if (uid == NULL || chat == NULL || msg == NULL ||
	    (!json_object_is_type(up, json_type_object) &&
	    !json_object_is_type(json_get(spec, "direct"),
	    json_type_object))) {
		log_error("a task hand-off without user_id, chat_id, "
		    "message_id or upstream");
		hconn_respond_detail(c, 500, "Internal Server Error");
		return;
	}
	t = xcalloc(1, sizeof(*t));
	taskreg_init(&t->reg, uid, chat, task_stop);
	t->message_id = xstrdup(msg);
	t->room = xmalloc(strlen(uid) + 6);
	memcpy(t->room, "user:", 5);
	strcpy(t->room + 5, uid);
	t->session_id = xstrdup(json_get_str(spec, "session_id") != NULL ?
	    json_get_str(spec, "session_id") : "");
	t->upstream = json_object_get(up);
	t->direct = json_object_get(json_get(spec, "direct"));
	t->q_tail = &t->q_head;
	chatproc_init(&t->cp, &task_ops, t, spec, relay != NULL &&
	    strcmp(relay, "ollama-openai") == 0);
	t->cp.task_id = t->reg.id;
	t->cp.user_id = t->reg.user_id;
	t->cp.chat_id = t->reg.chat_id;
	t->cp.message_id = t->message_id;
	taskreg_add(&t->reg);

	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_boolean(1));
	json_object_object_add(o, "task_id",
	    json_object_new_string(t->reg.id));
	hconn_respond(c, 200, "application/json", NULL,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)));
	json_object_put(o);

	chatproc_begin(&t->cp);
}
