/* chatproc.c: one chat answer as Python's process_chat makes it, for
 * either engine (see chatproc.h). Moved out of chatflow.c so that
 * cwebui-streamd and the shared-hosting mode of cwebui-fcgi share it. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "chatproc.h"
#include "clock.h"
#include "content.h"
#include "json.h"
#include "log.h"
#include "ollama.h"
#include "sse.h"

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
json_object *
chatproc_event(struct chatproc *cp, const char *type, json_object *data)
{
	json_object *o = json_object_new_object(), *d = json_object_new_object();

	json_object_object_add(o, "chat_id",
	    json_object_new_string(cp->chat_id));
	json_object_object_add(o, "message_id",
	    json_object_new_string(cp->message_id));
	json_object_object_add(d, "type", json_object_new_string(type));
	if (data != NULL)
		json_object_object_add(d, "data", json_object_get(data));
	json_object_object_add(o, "data", d);
	return o;
}

/* Emits a chat-events event of this task to its user's sessions. */
void
chatproc_emit(struct chatproc *cp, const char *type, json_object *data)
{
	json_object *o = chatproc_event(cp, type, data);

	cp->ops->emit(cp, o);
	json_object_put(o);
}

/* Merges fields (borrowed) into the stored message. */
static void
save(struct chatproc *cp, json_object *fields,
    chatproc_done_fn *done)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "chat_id",
	    json_object_new_string(cp->chat_id));
	json_object_object_add(o, "message_id",
	    json_object_new_string(cp->message_id));
	json_object_object_add(o, "message", json_object_get(fields));
	cp->ops->call(cp, "/_streamd/chat/message", o, done);
	json_object_put(o);
}

static void
save_content(struct chatproc *cp, int done,
    chatproc_done_fn *cb)
{
	json_object *f = json_object_new_object();

	content_serialize(&cp->content, &cp->ser);
	json_object_object_add(f, "content",
	    json_object_new_string_len(buf_str(&cp->ser), (int)cp->ser.len));
	if (done)
		json_object_object_add(f, "done", json_object_new_boolean(1));
	save(cp, f, cb);
	json_object_put(f);
	cp->last_save = clock_mono();
}

static void
on_background(struct chatproc *cp, json_object *reply)
{
	json_object *events = json_get(reply, "events"), *e;
	size_t i;

	for (i = 0; json_object_is_type(events, json_type_array) &&
	    i < json_object_array_length(events); i++) {
		e = json_object_array_get_idx(events, i);
		if (json_get_str(e, "type") != NULL)
			chatproc_emit(cp, json_get_str(e, "type"),
			    json_get(e, "data"));
	}
}

/* Python's background_tasks_handler, run by cwebui-fcgi. */
static void
background(struct chatproc *cp)
{
	json_object *o, *bt = json_get(cp->spec, "background_tasks");

	if (!json_truthy(bt))
		return;
	o = json_object_new_object();
	json_object_object_add(o, "user_id",
	    json_object_new_string(cp->user_id));
	json_object_object_add(o, "chat_id",
	    json_object_new_string(cp->chat_id));
	json_object_object_add(o, "message_id",
	    json_object_new_string(cp->message_id));
	json_object_object_add(o, "model",
	    json_object_get(json_get(cp->spec, "model")));
	json_object_object_add(o, "messages",
	    json_object_get(json_get(cp->spec, "messages")));
	json_object_object_add(o, "background_tasks", json_object_get(bt));
	cp->ops->call(cp, "/_streamd/chat/background", o, on_background);
	json_object_put(o);
}

/* The webhook Python sends when the user has no live session. */
static void
notify(struct chatproc *cp, const char *title)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "user_id",
	    json_object_new_string(cp->user_id));
	json_object_object_add(o, "chat_id",
	    json_object_new_string(cp->chat_id));
	json_object_object_add(o, "title", json_str_or_null(title));
	json_object_object_add(o, "content",
	    json_object_new_string_len(buf_str(&cp->ser), (int)cp->ser.len));
	cp->ops->call(cp, "/_streamd/chat/notify", o, NULL);
	json_object_put(o);
}

/* The final save answered with the chat title: the done event, then the
 * background tasks. */
static void
on_final_saved(struct chatproc *cp, json_object *reply)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "done", json_object_new_boolean(1));
	json_object_object_add(d, "content",
	    json_object_new_string_len(buf_str(&cp->ser), (int)cp->ser.len));
	json_object_object_add(d, "title",
	    json_object_get(json_get(reply, "title")));
	chatproc_emit(cp, "chat:completion", d);
	json_object_put(d);
	if (!cp->ops->user_active(cp))
		notify(cp, json_get_str(reply, "title"));
	background(cp);
}

/* Ends the task with an error as Python's process_chat does for an
 * exception: error saved and emitted, tasks cancelled. */
void
chatproc_fail(struct chatproc *cp, const char *msg, int cancel)
{
	json_object *f = json_object_new_object(), *err, *d;

	err = json_object_new_object();
	json_object_object_add(err, "content", json_object_new_string(msg));
	json_object_object_add(f, "error", err);
	save(cp, f, NULL);
	d = json_object_new_object();
	json_object_object_add(d, "error", json_object_get(err));
	chatproc_emit(cp, "chat:message:error", d);
	if (cancel)
		chatproc_emit(cp, "chat:tasks:cancel", NULL);
	json_object_put(d);
	json_object_put(f);
	cp->ended = 1;
}

static void
flush_delta(struct chatproc *cp, long threshold)
{
	if (cp->delta_count >= threshold && cp->last_delta != NULL) {
		chatproc_emit(cp, "chat:completion", cp->last_delta);
		json_object_put(cp->last_delta);
		cp->last_delta = NULL;
		cp->delta_count = 0;
	}
}

/* The message content as it is now, {"content": ...}. New reference. */
static json_object *
content_data(struct chatproc *cp)
{
	json_object *d = json_object_new_object();

	content_serialize(&cp->content, &cp->ser);
	json_object_object_add(d, "content",
	    json_object_new_string_len(buf_str(&cp->ser), (int)cp->ser.len));
	return d;
}

/* One chunk of the stream (an OpenAI chat.completion.chunk), as Python's
 * stream_body_handler reads it. */
void
chatproc_chunk(struct chatproc *cp, json_object *data)
{
	json_object *delta, *usage, *v, *out = NULL, *tm;
	const char *text, *reasoning;
	int changed = 0;

	if ((v = json_get(data, "event")) != NULL &&
	    json_get_str(v, "type") != NULL)
		chatproc_emit(cp, json_get_str(v, "type"),
		    json_get(v, "data"));
	if ((v = json_get(data, "selected_model_id")) != NULL) {
		json_object *f = json_object_new_object();

		json_object_object_add(f, "selectedModelId",
		    json_object_get(v));
		save(cp, f, NULL);
		json_object_put(f);
		chatproc_emit(cp, "chat:completion", data);
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
		chatproc_emit(cp, "chat:completion", d);
		json_object_put(d);
	}
	json_object_put(usage);
	if (first_choice(data) == NULL) {
		if (json_truthy(v = json_get(data, "error"))) {
			json_object *d = json_object_new_object();

			json_object_object_add(d, "error", json_object_get(v));
			chatproc_emit(cp, "chat:completion", d);
			json_object_put(d);
		}
		return;
	}
	delta = json_get(first_choice(data), "delta");
	if (!json_object_is_type(delta, json_type_object))
		delta = NULL;
	if (delta != NULL && cp->content.raw.len > (size_t)CHATPROC_MAX_CONTENT) {
		if (!cp->overflow)
			log_warn("task %s: the answer passed %ld bytes: the rest "
			    "of the stream is dropped", cp->task_id,
			    CHATPROC_MAX_CONTENT);
		cp->overflow = 1;
		return;
	}
	reasoning = json_get_str(delta, "reasoning_content");
	if (reasoning == NULL || *reasoning == '\0')
		reasoning = json_get_str(delta, "reasoning");
	if (reasoning == NULL || *reasoning == '\0')
		reasoning = json_get_str(delta, "thinking");
	if (reasoning != NULL && *reasoning != '\0') {
		content_add_reasoning(&cp->content, reasoning, strlen(reasoning));
		changed = 1;
	}
	text = json_get_str(delta, "content");
	if (text != NULL && *text != '\0') {
		content_add_text(&cp->content, text, strlen(text));
		content_detect_tags(&cp->content, cp->tags, cp->ntags);
		changed = 1;
	}
	out = changed ? content_data(cp) : json_object_get(data);
	if (delta != NULL && json_object_object_length(delta) > 0) {
		cp->delta_count++;
		json_object_put(cp->last_delta);
		cp->last_delta = json_object_get(out);
		if (cp->delta_count >= cp->delta_size)
			flush_delta(cp, cp->delta_size);
	} else
		chatproc_emit(cp, "chat:completion", out);
	json_object_put(out);
	if (changed && !cp->ops->busy(cp) &&
	    clock_mono() - cp->last_save >= CHATPROC_SAVE_EVERY)
		save_content(cp, 0, NULL);
}

void
chatproc_line(struct chatproc *cp, const char *p, size_t n)
{
	json_object *o, *chunk;

	if (cp->ended)
		return;
	if (cp->ollama) {
		if ((o = json_parse(p, n)) == NULL)
			return;
		chunk = ollama_chunk_to_openai(o,
		    json_get_str(cp->spec, "model"));
		json_object_put(o);
		if (chunk != NULL)
			chatproc_chunk(cp, chunk);
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
		chatproc_chunk(cp, o);
	json_object_put(o);
}

void
chatproc_head(struct chatproc *cp, long status, const char *ctype)
{
	cp->status = status;
	cp->streamed = status < 400 && ctype != NULL &&
	    (strstr(ctype, "text/event-stream") != NULL ||
	    strstr(ctype, "application/x-ndjson") != NULL ||
	    (cp->ollama && json_truthy(json_get(cp->spec, "stream"))));
}

void
chatproc_data(struct chatproc *cp, const char *p, size_t n)
{
	if (cp->streamed) {
		if (sse_lines_feed(&cp->lines, p, n) != ERR_OK && !cp->overflow) {
			cp->overflow = 1;
			log_warn("task %s: a line of the stream is over %ld "
			    "bytes", cp->task_id, CHATPROC_MAX_LINE);
		}
		return;
	}
	if (cp->body.len + n > (size_t)CHATPROC_MAX_BODY)
		cp->overflow = 1;
	else
		buf_append(&cp->body, p, n);
}

/* The end of a streamed answer: the final content saved, then the done
 * event with the title, then the background tasks. */
static void
finish_stream(struct chatproc *cp)
{
	sse_lines_finish(&cp->lines);
	flush_delta(cp, 0);
	content_finish(&cp->content);
	save_content(cp, 1, on_final_saved);
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
finish_json(struct chatproc *cp)
{
	json_object *res, *err, *f, *d, *v;
	const char *text;

	res = json_parse(buf_str(&cp->body), cp->body.len);
	if (!json_object_is_type(res, json_type_object)) {
		json_object_put(res);
		chatproc_fail(cp, cp->status >= 400 ? buf_str(&cp->body) :
		    "Invalid JSON response", 0);
		return;
	}
	if (json_get_str(cp->spec, "selected_model_id") != NULL &&
	    !json_object_object_get_ex(res, "selected_model_id", NULL))
		json_object_object_add(res, "selected_model_id", json_object_get(
		    json_get(cp->spec, "selected_model_id")));
	if (json_object_object_get_ex(res, "error", NULL)) {
		err = error_of(res);
		f = json_object_new_object();
		d = json_object_new_object();
		json_object_object_add(d, "content", json_object_get(err));
		json_object_object_add(f, "error", d);
		save(cp, f, NULL);
		chatproc_emit(cp, "chat:message:error", f);
		json_object_put(f);
		json_object_put(err);
	}
	if ((v = json_get(res, "selected_model_id")) != NULL) {
		f = json_object_new_object();
		json_object_object_add(f, "selectedModelId", json_object_get(v));
		save(cp, f, NULL);
		json_object_put(f);
	}
	text = json_get_str(json_get(first_choice(res), "message"), "content");
	if (text != NULL && *text != '\0') {
		chatproc_emit(cp, "chat:completion", res);
		buf_reset(&cp->ser);
		buf_puts(&cp->ser, text);
		f = json_object_new_object();
		json_object_object_add(f, "role",
		    json_object_new_string("assistant"));
		json_object_object_add(f, "content",
		    json_object_new_string(text));
		json_object_object_add(f, "done", json_object_new_boolean(1));
		save(cp, f, on_final_saved);
		json_object_put(f);
	}
	json_object_put(res);
}

/* The answer is complete (streamed or not): it is finished and saved, and
 * the task ends. */
void
chatproc_end(struct chatproc *cp)
{
	if (cp->streamed)
		finish_stream(cp);
	else
		finish_json(cp);
	cp->ended = 1;
}



static void
lines_cb(void *arg, const char *p, size_t n)
{
	chatproc_line(arg, p, n);
}

void
chatproc_init(struct chatproc *cp, const struct chatproc_ops *ops, void *arg,
    json_object *spec, int ollama)
{
	memset(cp, 0, sizeof(*cp));
	cp->ops = ops;
	cp->arg = arg;
	cp->spec = json_object_get(spec);
	cp->ollama = ollama;
	cp->delta_size = delta_chunk_size(spec);
	cp->ntags = reasoning_tags(cp->spec, &cp->tag_pair, &cp->tags);
	sse_lines_init(&cp->lines, ollama ? SSE_LINES_NDJSON : SSE_LINES_SSE,
	    CHATPROC_MAX_LINE, lines_cb, cp);
	content_init(&cp->content, "");
}

void
chatproc_free(struct chatproc *cp)
{
	sse_lines_free(&cp->lines);
	buf_free(&cp->body);
	buf_free(&cp->ser);
	content_free(&cp->content);
	json_object_put(cp->last_delta);
	json_object_put(cp->spec);
	memset(cp, 0, sizeof(*cp));
}

/* The first save ({"model": ...}) answered with the message as stored: its
 * content is where a "continue" starts. Then the generation starts. */
static void
on_started(struct chatproc *cp, json_object *reply)
{
	const char *initial = json_get_str(json_get(reply, "message"),
	    "content");

	content_free(&cp->content);
	content_init(&cp->content, initial);
	if (cp->ended)
		return;
	if (json_truthy(json_get(cp->spec, "stream")) &&
	    json_get_str(cp->spec, "selected_model_id") != NULL) {
		/* the arena's pick, as Python's stream_wrapper sends it first */
		json_object *o = json_object_new_object();

		json_object_object_add(o, "selected_model_id",
		    json_object_get(json_get(cp->spec, "selected_model_id")));
		chatproc_chunk(cp, o);
		json_object_put(o);
	}
	cp->ops->started(cp);
}

void
chatproc_begin(struct chatproc *cp)
{
	json_object *f = json_object_new_object();

	json_object_object_add(f, "model",
	    json_object_get(json_get(cp->spec, "model")));
	save(cp, f, on_started);
	json_object_put(f);
}

void
chatproc_stop(struct chatproc *cp)
{
	if (cp->ended)
		return;
	chatproc_emit(cp, "chat:tasks:cancel", NULL);
	save_content(cp, 0, NULL);
	cp->ended = 1;
}

json_object *
chatproc_task_ids(json_object *list, const char *user_id, const char *chat_id)
{
	json_object *a = json_object_new_array(), *t;
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		t = json_object_array_get_idx(list, i);
		if ((user_id == NULL || strcmp(json_get_str(t, "user_id"),
		    user_id) == 0) && (chat_id == NULL ||
		    strcmp(json_get_str(t, "chat_id"), chat_id) == 0))
			json_object_array_add(a,
			    json_object_get(json_get(t, "id")));
	}
	return a;
}

void
chatproc_relay_line(struct buf *out, int convert, const char *p, size_t n)
{
	json_object *o, *chunk;

	if (!convert) {
		buf_append(out, p, n);
		buf_putc(out, '\n');
		return;
	}
	if ((o = json_parse(p, n)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		log_warn("skipping a line of an Ollama stream that is not "
		    "a JSON object");
		json_object_put(o);
		return;
	}
	chunk = ollama_chunk_to_openai(o, NULL);
	buf_printf(out, "data: %s\n\n", json_text(chunk));
	json_object_put(chunk);
	json_object_put(o);
}
