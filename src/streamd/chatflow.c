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
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "buf.h"
#include "clock.h"
#include "content.h"
#include "fcgic.h"
#include "httpd.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "openai.h"
#include "rand.h"
#include "relay.h"
#include "rt.h"
#include "sse.h"
#include "task.h"
#include "taskreg.h"
#include "upstream.h"

#define TASK_MAX_LINE	(8L * 1024 * 1024)	/* one SSE line */
#define TASK_MAX_BODY	(16L * 1024 * 1024)	/* a non-streamed answer */
#define TASK_MAX_CONTENT (32L * 1024 * 1024)	/* the text of one answer: more
						   of a stream is dropped */
#define TASK_SAVE_EVERY	1.0			/* seconds between saves */
#define TASK_DIRECT_ACK_MS	60000	/* python-socketio call()'s timeout */
#define TASK_DIRECT_EARLY	TASK_MAX_LINE	/* bytes of channel events kept
						   before the ack */

struct task;

struct call {
	char		*uri;
	char		*body;
	void		(*done)(struct task *, json_object *);
	struct call	*next;
};

struct task {
	struct taskreg_entry	 reg;	/* id, user, chat: the registry's */
	char			*message_id;
	char			*session_id;
	char			*room;		/* "user:<user id>" */
	json_object		*spec;		/* the hand-off's "task" */
	json_object		*upstream;	/* the hand-off's "upstream" */
	int			 ollama;	/* relay "ollama-openai" */
	struct upstream		*up;
	struct sse_lines	 lines;
	long			 status;
	int			 streamed;	/* SSE or NDJSON answer */
	int			 overflow;
	struct buf		 body;		/* a non-streamed answer */
	struct content		 content;
	struct buf		 ser;		/* content serialized */
	struct content_tag	 tag_pair;	/* params.reasoning_tags */
	const struct content_tag *tags;		/* the tags detected */
	size_t			 ntags;
	long			 delta_size;
	long			 delta_count;
	json_object		*last_delta;
	double			 last_save;
	struct call		*q_head;
	struct call		**q_tail;
	struct fcgic_call	*inflight;
	int			 ended;		/* nothing more to generate */
	/* A direct connection: the user's browser session runs it. */
	json_object		*direct;	/* the task's "direct", or NULL */
	struct rt_listener	*listener;	/* its channel's events */
	struct direct_wait	*wait;		/* the ack under way */
	json_object		*early;		/* events before the ack */
	size_t			 early_bytes;
	int			 acked;		/* the stream was accepted */
};

/* An rt_emit_ack under way; t NULL once the task stopped waiting. */
struct direct_wait {
	struct task		*t;
};

/* choices[0] of an answer or chunk, or NULL when choices is not a
 * non-empty array. */
static json_object *
first_choice(json_object *o)
{
	json_object *c = json_get(o, "choices");

	if (!json_object_is_type(c, json_type_array) ||
	    json_object_array_length(c) == 0)
		return NULL;
	return json_object_array_get_idx(c, 0);
}

static long
delta_chunk_size(json_object *spec)
{
	const char *env = getenv("CHAT_RESPONSE_STREAM_DELTA_CHUNK_SIZE");
	long n = env != NULL ? strtol(env, NULL, 10) : 1, p;

	p = (long)json_object_get_int64(json_get_path(spec,
	    "params.stream_delta_chunk_size"));
	if (n < 1)
		n = 1;
	return p > n ? p : n;
}

/* The tags of reasoning inside the text, as Python reads
 * params.reasoning_tags: false detects none, a pair of strings is that pair
 * (*pair, borrowed from spec), anything else DEFAULT_REASONING_TAGS; a
 * pair of other things detects none, as Python fails on it. Sets *tags and
 * returns their count. */
static size_t
reasoning_tags(json_object *spec, struct content_tag *pair,
    const struct content_tag **tags)
{
	json_object *p = json_get_path(spec, "params.reasoning_tags"), *a, *b;

	*tags = content_reasoning_tags;
	if (json_object_is_type(p, json_type_boolean) &&
	    !json_object_get_boolean(p))
		return 0;
	if (!json_object_is_type(p, json_type_array) ||
	    json_object_array_length(p) != 2)
		return content_nreasoning_tags;
	a = json_object_array_get_idx(p, 0);
	b = json_object_array_get_idx(p, 1);
	if (!json_object_is_type(a, json_type_string) ||
	    !json_object_is_type(b, json_type_string))
		return 0;
	pair->start = json_object_get_string(a);
	pair->end = json_object_get_string(b);
	*tags = pair;
	return 1;
}

/* The chat-events payload of this task for an event; data is borrowed
 * (NULL: an event without data, as {"type": "chat:tasks:cancel"}). New
 * reference. */
static json_object *
chat_event(struct task *t, const char *type, json_object *data)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();

	json_object_object_add(o, "chat_id",
	    json_object_new_string(t->reg.chat_id));
	json_object_object_add(o, "message_id",
	    json_object_new_string(t->message_id));
	json_object_object_add(d, "type", json_object_new_string(type));
	if (data != NULL)
		json_object_object_add(d, "data", json_object_get(data));
	json_object_object_add(o, "data", d);
	return o;
}

/* Emits a chat-events event of this task to its user's sessions. */
static void
emit(struct task *t, const char *type, json_object *data)
{
	json_object *o = chat_event(t, type, data);

	rt_emit(t->room, "chat-events", o);
	json_object_put(o);
}

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
		c->done(t, reply);
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
		if (t->ended)
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

/* Queues an internal call with body o (borrowed); done(t, reply) runs
 * with the parsed 200 answer, or NULL. */
static void
queue(struct task *t, const char *uri, json_object *o,
    void (*done)(struct task *, json_object *))
{
	struct call *c = xcalloc(1, sizeof(*c));

	c->uri = xstrdup(uri);
	c->body = xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	c->done = done;
	*t->q_tail = c;
	t->q_tail = &c->next;
	queue_run(t);
}

/* Merges fields (borrowed) into the stored message. */
static void
save(struct task *t, json_object *fields,
    void (*done)(struct task *, json_object *))
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "chat_id",
	    json_object_new_string(t->reg.chat_id));
	json_object_object_add(o, "message_id",
	    json_object_new_string(t->message_id));
	json_object_object_add(o, "message", json_object_get(fields));
	queue(t, "/_streamd/chat/message", o, done);
	json_object_put(o);
}

static void
save_content(struct task *t, int done,
    void (*cb)(struct task *, json_object *))
{
	json_object *f = json_object_new_object();

	content_serialize(&t->content, &t->ser);
	json_object_object_add(f, "content",
	    json_object_new_string_len(buf_str(&t->ser), (int)t->ser.len));
	if (done)
		json_object_object_add(f, "done", json_object_new_boolean(1));
	save(t, f, cb);
	json_object_put(f);
	t->last_save = clock_mono();
}

static void
on_background(struct task *t, json_object *reply)
{
	json_object *events = json_get(reply, "events"), *e;
	size_t i;

	for (i = 0; json_object_is_type(events, json_type_array) &&
	    i < json_object_array_length(events); i++) {
		e = json_object_array_get_idx(events, i);
		if (json_get_str(e, "type") != NULL)
			emit(t, json_get_str(e, "type"), json_get(e, "data"));
	}
}

/* Python's background_tasks_handler, run by cwebui-fcgi. */
static void
background(struct task *t)
{
	json_object *o, *bt = json_get(t->spec, "background_tasks");

	if (!json_truthy(bt))
		return;
	o = json_object_new_object();
	json_object_object_add(o, "user_id",
	    json_object_new_string(t->reg.user_id));
	json_object_object_add(o, "chat_id",
	    json_object_new_string(t->reg.chat_id));
	json_object_object_add(o, "message_id",
	    json_object_new_string(t->message_id));
	json_object_object_add(o, "model",
	    json_object_get(json_get(t->spec, "model")));
	json_object_object_add(o, "messages",
	    json_object_get(json_get(t->spec, "messages")));
	json_object_object_add(o, "background_tasks", json_object_get(bt));
	queue(t, "/_streamd/chat/background", o, on_background);
	json_object_put(o);
}

/* The webhook Python sends when the user has no live session. */
static void
notify(struct task *t, const char *title)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "user_id",
	    json_object_new_string(t->reg.user_id));
	json_object_object_add(o, "chat_id",
	    json_object_new_string(t->reg.chat_id));
	json_object_object_add(o, "title", json_str_or_null(title));
	json_object_object_add(o, "content",
	    json_object_new_string_len(buf_str(&t->ser), (int)t->ser.len));
	queue(t, "/_streamd/chat/notify", o, NULL);
	json_object_put(o);
}

/* The final save answered with the chat title: the done event, then the
 * background tasks. */
static void
on_final_saved(struct task *t, json_object *reply)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "done", json_object_new_boolean(1));
	json_object_object_add(d, "content",
	    json_object_new_string_len(buf_str(&t->ser), (int)t->ser.len));
	json_object_object_add(d, "title",
	    json_object_get(json_get(reply, "title")));
	emit(t, "chat:completion", d);
	json_object_put(d);
	if (!rt_user_active(t->reg.user_id))
		notify(t, json_get_str(reply, "title"));
	background(t);
}

/* Ends the task with an error as Python's process_chat does for an
 * exception: error saved and emitted, tasks cancelled. */
static void
fail(struct task *t, const char *msg, int cancel)
{
	json_object *f = json_object_new_object(), *err, *d;

	err = json_object_new_object();
	json_object_object_add(err, "content", json_object_new_string(msg));
	json_object_object_add(f, "error", err);
	save(t, f, NULL);
	d = json_object_new_object();
	json_object_object_add(d, "error", json_object_get(err));
	emit(t, "chat:message:error", d);
	if (cancel)
		emit(t, "chat:tasks:cancel", NULL);
	json_object_put(d);
	json_object_put(f);
	taskreg_remove(&t->reg);
	t->ended = 1;
	queue_run(t);
}

static void
flush_delta(struct task *t, long threshold)
{
	if (t->delta_count >= threshold && t->last_delta != NULL) {
		emit(t, "chat:completion", t->last_delta);
		json_object_put(t->last_delta);
		t->last_delta = NULL;
		t->delta_count = 0;
	}
}

/* The message content as it is now, {"content": ...}. New reference. */
static json_object *
content_data(struct task *t)
{
	json_object *d = json_object_new_object();

	content_serialize(&t->content, &t->ser);
	json_object_object_add(d, "content",
	    json_object_new_string_len(buf_str(&t->ser), (int)t->ser.len));
	return d;
}

/* One chunk of the stream (an OpenAI chat.completion.chunk), as Python's
 * stream_body_handler reads it. */
static void
on_chunk(struct task *t, json_object *data)
{
	json_object *delta, *usage, *v, *out = NULL, *tm;
	const char *text, *reasoning;
	int changed = 0;

	if ((v = json_get(data, "event")) != NULL &&
	    json_get_str(v, "type") != NULL)
		emit(t, json_get_str(v, "type"), json_get(v, "data"));
	if ((v = json_get(data, "selected_model_id")) != NULL) {
		json_object *f = json_object_new_object();

		json_object_object_add(f, "selectedModelId",
		    json_object_get(v));
		save(t, f, NULL);
		json_object_put(f);
		emit(t, "chat:completion", data);
		return;
	}
	usage = json_get(data, "usage");
	usage = json_object_is_type(usage, json_type_object) ?
	    json_object_get(usage) : json_object_new_object();
	if (json_object_is_type((tm = json_get(data, "timings")),
	    json_type_object))
		json_merge(usage, tm);
	if (json_object_object_length(usage) > 0) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "usage", json_object_get(usage));
		emit(t, "chat:completion", d);
		json_object_put(d);
	}
	json_object_put(usage);
	if (first_choice(data) == NULL) {
		if (json_truthy(v = json_get(data, "error"))) {
			json_object *d = json_object_new_object();

			json_object_object_add(d, "error", json_object_get(v));
			emit(t, "chat:completion", d);
			json_object_put(d);
		}
		return;
	}
	delta = json_get(first_choice(data), "delta");
	if (!json_object_is_type(delta, json_type_object))
		delta = NULL;
	if (delta != NULL && t->content.raw.len > (size_t)TASK_MAX_CONTENT) {
		if (!t->overflow)
			log_warn("task %s: the answer passed %ld bytes: the rest "
			    "of the stream is dropped", t->reg.id,
			    TASK_MAX_CONTENT);
		t->overflow = 1;
		return;
	}
	reasoning = json_get_str(delta, "reasoning_content");
	if (reasoning == NULL || *reasoning == '\0')
		reasoning = json_get_str(delta, "reasoning");
	if (reasoning == NULL || *reasoning == '\0')
		reasoning = json_get_str(delta, "thinking");
	if (reasoning != NULL && *reasoning != '\0') {
		content_add_reasoning(&t->content, reasoning, strlen(reasoning));
		changed = 1;
	}
	text = json_get_str(delta, "content");
	if (text != NULL && *text != '\0') {
		content_add_text(&t->content, text, strlen(text));
		content_detect_tags(&t->content, t->tags, t->ntags);
		changed = 1;
	}
	out = changed ? content_data(t) : json_object_get(data);
	if (delta != NULL && json_object_object_length(delta) > 0) {
		t->delta_count++;
		json_object_put(t->last_delta);
		t->last_delta = json_object_get(out);
		if (t->delta_count >= t->delta_size)
			flush_delta(t, t->delta_size);
	} else
		emit(t, "chat:completion", out);
	json_object_put(out);
	if (changed && t->inflight == NULL &&
	    clock_mono() - t->last_save >= TASK_SAVE_EVERY)
		save_content(t, 0, NULL);
}

static void
on_line(void *arg, const char *p, size_t n)
{
	struct task *t = arg;
	json_object *o, *chunk;

	if (t->ended)
		return;
	if (t->ollama) {
		if ((o = json_parse(p, n)) == NULL)
			return;
		chunk = relay_ollama_chunk(o, json_get_str(t->spec, "model"));
		json_object_put(o);
		if (chunk != NULL)
			on_chunk(t, chunk);
		json_object_put(chunk);
		return;
	}
	if (n < 5 || strncmp(p, "data:", 5) != 0)
		return;
	p += 5;
	n -= 5;
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	if ((o = json_parse(p, n)) == NULL)
		return;		/* [DONE] and what is not JSON */
	if (json_object_is_type(o, json_type_object))
		on_chunk(t, o);
	json_object_put(o);
}

static void
up_head(void *arg, long status, const char *ctype)
{
	struct task *t = arg;

	t->status = status;
	t->streamed = status < 400 && ctype != NULL &&
	    (strstr(ctype, "text/event-stream") != NULL ||
	    strstr(ctype, "application/x-ndjson") != NULL ||
	    (t->ollama && json_truthy(json_get(t->spec, "stream"))));
}

static void
up_data(void *arg, const char *p, size_t n)
{
	struct task *t = arg;

	if (t->streamed) {
		if (sse_lines_feed(&t->lines, p, n) != ERR_OK && !t->overflow) {
			t->overflow = 1;
			log_warn("task %s: a line of the stream is over %ld "
			    "bytes", t->reg.id, TASK_MAX_LINE);
		}
		return;
	}
	if (t->body.len + n > (size_t)TASK_MAX_BODY)
		t->overflow = 1;
	else
		buf_append(&t->body, p, n);
}

/* The end of a streamed answer: the final content saved, then the done
 * event with the title, then the background tasks. */
static void
finish_stream(struct task *t)
{
	sse_lines_finish(&t->lines);
	flush_delta(t, 0);
	content_finish(&t->content);
	save_content(t, 1, on_final_saved);
}

/* Python's error text for an upstream error answer: the "error" member's
 * "detail" if it is an object that has one, else the object, else str(). */
static json_object *
error_of(json_object *res)
{
	json_object *e = json_get(res, "error"), *d;

	if (json_object_is_type(e, json_type_object))
		return json_object_get((d = json_get(e, "detail")) != NULL ?
		    d : e);
	return json_object_new_string(json_object_is_type(e,
	    json_type_string) ? json_object_get_string(e) :
	    json_object_to_json_string(e));
}

/* A non-streamed answer, as Python's process_chat_response reads a dict. */
static void
finish_json(struct task *t)
{
	json_object *res, *err, *f, *d, *v;
	const char *text;

	res = json_parse(buf_str(&t->body), t->body.len);
	if (!json_object_is_type(res, json_type_object)) {
		json_object_put(res);
		fail(t, t->status >= 400 ? buf_str(&t->body) :
		    "Invalid JSON response", 0);
		return;
	}
	if (json_get_str(t->spec, "selected_model_id") != NULL &&
	    !json_object_object_get_ex(res, "selected_model_id", NULL))
		json_object_object_add(res, "selected_model_id", json_object_get(
		    json_get(t->spec, "selected_model_id")));
	if (json_object_object_get_ex(res, "error", NULL)) {
		err = error_of(res);
		f = json_object_new_object();
		d = json_object_new_object();
		json_object_object_add(d, "content", json_object_get(err));
		json_object_object_add(f, "error", d);
		save(t, f, NULL);
		emit(t, "chat:message:error", f);
		json_object_put(f);
		json_object_put(err);
	}
	if ((v = json_get(res, "selected_model_id")) != NULL) {
		f = json_object_new_object();
		json_object_object_add(f, "selectedModelId", json_object_get(v));
		save(t, f, NULL);
		json_object_put(f);
	}
	text = json_get_str(json_get(first_choice(res), "message"), "content");
	if (text != NULL && *text != '\0') {
		emit(t, "chat:completion", res);
		buf_reset(&t->ser);
		buf_puts(&t->ser, text);
		f = json_object_new_object();
		json_object_object_add(f, "role",
		    json_object_new_string("assistant"));
		json_object_object_add(f, "content",
		    json_object_new_string(text));
		json_object_object_add(f, "done", json_object_new_boolean(1));
		save(t, f, on_final_saved);
		json_object_put(f);
	}
	json_object_put(res);
}

/* The answer is complete (streamed or not): it is finished and saved, and
 * the task ends. */
static void
task_end(struct task *t)
{
	if (t->streamed)
		finish_stream(t);
	else
		finish_json(t);
	taskreg_remove(&t->reg);
	t->ended = 1;
	queue_run(t);
}

static void
up_done(void *arg, int ok, const char *error)
{
	struct task *t = arg;

	t->up = NULL;
	if (!ok && t->status == 0) {
		log_warn("task %s: upstream failed: %s", t->reg.id,
		    error != NULL ? error : "?");
		fail(t, "500: Open WebUI: Server Connection Error", 1);
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
	fail(t, msg, 1);
}

/* One event of the channel after the ack: a string is a line of the
 * stream, {"done": true} its end, another object a chunk. */
static void
direct_item(struct task *t, json_object *data)
{
	if (json_object_is_type(data, json_type_string))
		on_line(t, json_object_get_string(data),
		    (size_t)json_object_get_string_len(data));
	else if (!json_object_is_type(data, json_type_object))
		return;
	else if (json_truthy(json_get(data, "done"))) {
		direct_stop(t);
		task_end(t);
	} else
		on_chunk(t, data);
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
		if (t->acked && !t->ended) {
			direct_stop(t);
			task_end(t);
		}
		return;
	}
	if (t->ended)
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
	if (json_truthy(json_get(t->spec, "stream"))) {
		if (!json_truthy(json_get(res, "status"))) {
			/* Exception(str(res)) */
			direct_fail(t, res == NULL ? "None" :
			    json_object_is_type(res, json_type_string) ?
			    json_object_get_string(res) :
			    openai_pyrepr(a, res));
			goto done;
		}
		t->acked = 1;
		t->streamed = 1;
		t->status = 200;
		early = t->early;
		t->early = NULL;
		for (i = 0; early != NULL && !t->ended &&
		    i < json_object_array_length(early); i++)
			direct_item(t, json_object_array_get_idx(early, i));
		json_object_put(early);
		if (t->listener == NULL && !t->ended) {
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
	t->status = 200;
	txt = json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN);
	buf_puts(&t->body, txt);
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
	o = chat_event(t, "request:chat:completion", d);
	if (json_truthy(json_get(t->spec, "stream")))
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

/* The first save ({"model": ...}) answered with the message as stored: its
 * content is where a "continue" starts. Then the generation starts. */
static void
on_started(struct task *t, json_object *reply)
{
	const char *initial = json_get_str(json_get(reply, "message"),
	    "content");

	content_free(&t->content);
	content_init(&t->content, initial);
	if (t->ended)
		return;
	if (json_truthy(json_get(t->spec, "stream")) &&
	    json_get_str(t->spec, "selected_model_id") != NULL) {
		/* the arena's pick, as Python's stream_wrapper sends it first */
		json_object *o = json_object_new_object();

		json_object_object_add(o, "selected_model_id",
		    json_object_get(json_get(t->spec, "selected_model_id")));
		on_chunk(t, o);
		json_object_put(o);
	}
	if (t->direct != NULL) {
		direct_start(t);
		return;
	}
	t->up = upstream_start(t->upstream, &up_cbs, t);
	if (t->up == NULL)
		fail(t, "500: Open WebUI: Server Connection Error", 1);
}

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
	sse_lines_free(&t->lines);
	buf_free(&t->body);
	buf_free(&t->ser);
	content_free(&t->content);
	json_object_put(t->last_delta);
	json_object_put(t->spec);
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

	if (t->ended)
		return;
	if (t->up != NULL) {
		upstream_abort(t->up);
		t->up = NULL;
	}
	direct_stop(t);
	emit(t, "chat:tasks:cancel", NULL);
	save_content(t, 0, NULL);
	taskreg_remove(&t->reg);
	t->ended = 1;
	queue_run(t);
}

void
task_start(struct hconn *c, json_object *handoff)
{
	json_object *spec = json_get(handoff, "task"), *up, *o, *f;
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
	t->spec = json_object_get(spec);
	t->upstream = json_object_get(up);
	t->direct = json_object_get(json_get(spec, "direct"));
	t->ollama = relay != NULL && strcmp(relay, "ollama-openai") == 0;
	t->q_tail = &t->q_head;
	t->delta_size = delta_chunk_size(spec);
	t->ntags = reasoning_tags(t->spec, &t->tag_pair, &t->tags);
	sse_lines_init(&t->lines, t->ollama ? SSE_LINES_NDJSON :
	    SSE_LINES_SSE, TASK_MAX_LINE, on_line, t);
	content_init(&t->content, "");
	taskreg_add(&t->reg);

	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_boolean(1));
	json_object_object_add(o, "task_id",
	    json_object_new_string(t->reg.id));
	hconn_respond(c, 200, "application/json", NULL,
	    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    strlen(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)));
	json_object_put(o);

	f = json_object_new_object();
	json_object_object_add(f, "model",
	    json_object_get(json_get(spec, "model")));
	save(t, f, on_started);
	json_object_put(f);
}
