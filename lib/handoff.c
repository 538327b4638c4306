/* handoff.c: the hand-off JSON cwebui-fcgi gives cwebui-streamd (see
 * handoff.h). */
#include <string.h>

#include "handoff.h"
#include "json.h"
#include "mem.h"
#include "user.h"

static const char *const handoff_relays[HANDOFF__MAX] = {
	"raw", "ollama-openai"
};

/* The "upstream" object of q. New reference. */
static json_object *
handoff_upstream(const struct http_req *q)
{
	json_object *o = json_object_new_object(), *h;
	const char *const *p;

	json_object_object_add(o, "method", json_object_new_string(
	    q->method != NULL ? q->method : "GET"));
	json_object_object_add(o, "url", json_object_new_string(q->url));
	h = json_object_new_array();
	for (p = q->headers; p != NULL && *p != NULL; p++)
		json_object_array_add(h, json_object_new_string(*p));
	json_object_object_add(o, "headers", h);
	json_object_object_add(o, "body", q->body == NULL ? NULL :
	    json_object_new_string_len(q->body, (int)q->body_len));
	json_object_object_add(o, "timeout_ms", json_object_new_int64(
	    q->timeout_ms > 0 ? q->timeout_ms : 0));
	return o;
}

/* The "task" object of t. New reference. */
static json_object *
handoff_task(const struct handoff_task *t)
{
	json_object *o = json_object_new_object(), *u;

	json_object_object_add(o, "user_id", json_str_or_null(t->user->id));
	json_object_object_add(o, "chat_id", json_str_or_null(t->chat_id));
	json_object_object_add(o, "message_id",
	    json_str_or_null(t->message_id));
	json_object_object_add(o, "session_id",
	    json_str_or_null(t->session_id));
	json_object_object_add(o, "model", json_str_or_null(t->model));
	json_object_object_add(o, "stream",
	    json_object_new_boolean(t->stream));
	json_object_object_add(o, "background_tasks",
	    json_object_get(t->background_tasks));
	json_object_object_add(o, "messages", t->messages != NULL ?
	    json_object_get(t->messages) : json_object_new_array());
	json_object_object_add(o, "params", json_object_get(t->params));
	if (t->selected_model_id != NULL)
		json_object_object_add(o, "selected_model_id",
		    json_object_new_string(t->selected_model_id));
	if (t->direct_model != NULL) {
		json_object *d = json_object_new_object();

		json_object_object_add(d, "model",
		    json_object_get(t->direct_model));
		json_object_object_add(d, "form_data",
		    json_object_get(t->direct_form));
		json_object_object_add(o, "direct", d);
	}
	u = json_object_new_object();
	json_object_object_add(u, "id", json_str_or_null(t->user->id));
	json_object_object_add(u, "name", json_str_or_null(t->user->name));
	json_object_object_add(u, "email", json_str_or_null(t->user->email));
	json_object_object_add(u, "role", json_str_or_null(t->user->role));
	json_object_object_add(o, "user", u);
	return o;
}

int
handoff_ready(const struct handoff *h)
{
	return h->upstream.url != NULL ||
	    (h->task != NULL && h->task->direct_model != NULL);
}

json_object *
handoff_json(const struct handoff *h)
{
	json_object *o = json_object_new_object();

	if (h->upstream.url != NULL)
		json_object_object_add(o, "upstream",
		    handoff_upstream(&h->upstream));
	json_object_object_add(o, "relay", json_object_new_string(
	    handoff_relays[h->relay < HANDOFF__MAX ? h->relay : HANDOFF_RAW]));
	json_object_object_add(o, "content_type",
	    json_str_or_null(h->content_type));
	if (h->prelude != NULL)
		json_object_object_add(o, "prelude",
		    json_object_new_string(h->prelude));
	if (h->conn_error_status != 0) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "status",
		    json_object_new_int(h->conn_error_status));
		json_object_object_add(e, "body",
		    json_str_or_null(h->conn_error_body));
		json_object_object_add(o, "conn_error", e);
	}
	if (h->ollama_errors)
		json_object_object_add(o, "errors",
		    json_object_new_string("ollama"));
	if (h->task != NULL)
		json_object_object_add(o, "task", handoff_task(h->task));
	return o;
}

const char *
handoff_text(struct arena *a, const struct handoff *h)
{
	json_object *o = json_on_arena(a, handoff_json(h));

	return arena_strdup(a, json_text(o));
}
