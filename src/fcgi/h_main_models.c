/* h_main_models.c: the model list and chat completion routes of main.py
 * (GET /api/models, /api/models/base, POST /api/chat/completions), over
 * lib/models.c; streams and chat tasks are handed to cwebui-streamd. */
#include <string.h>

#include "buf.h"
#include "handlers.h"
#include "handoff.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "models.h"
#include "req.h"

/* Reads ?refresh= as pydantic's bool: returns 0 with *v, or the status of
 * the 422 written. */
static int
refresh_param(struct req *r, int *v)
{
	const char *s = req_query(r, "refresh");
	json_object *in;

	*v = 0;

	if (s == NULL)
		return 0;
	in = json_on_arena(r->a, json_object_new_string(s));
	if ((*v = json_lax_bool(in)) >= 0)
		return 0;
	return resp_invalid_param(r, "query", "refresh", "bool_parsing",
	    "Input should be a valid boolean, unable to interpret input", s);
}


/* Writes 200 {"data": list}, or 500 when e says the list failed. */
static int
resp_data(struct req *r, enum err e, json_object *list)
{
	json_object *o;

	if (e != ERR_OK)
		return resp_error(r, 500, MSG_DEFAULT);
	o = json_object_new_object();
	json_object_object_add(o, "data", list);
	return resp_json(r, 200, o);
}

/* Returns 200 {"data": [...]}: the models the caller may use. */
int
h_main_models_list(struct req *r)
{
	json_object *list = NULL;
	int refresh, st;
	enum err e;

	if ((st = refresh_param(r, &refresh)) != 0)
		return st;
	e = models_list(r->db, r->a, r->user, refresh, &list);
	return resp_data(r, e, list);
}

/* Returns 200 {"data": [...]}: every provider model (admin). */
int
h_main_models_base(struct req *r)
{
	json_object *list = NULL;
	enum err e;

	e = models_base(r->db, r->a, r->user, &list);
	return resp_data(r, e, list);
}

/* Returns the provider's answer (non-streaming); for a request from
 * cwebui-streamd that streams or runs as a task, the hand-off; 400 "Model
 * not found" for an unknown or forbidden model, 400 for streaming (not from
 * streamd) and the features not served. */
int
h_main_chat_completions(struct req *r)
{
	struct buf *body = arena_alloc(r->a, sizeof(*body));
	struct handoff ho = { 0 };
	long status = 0;
	enum err e;

	e = models_chat_ex(r->db, r->a, r->user, r->token, r->json,
	    req_streams(r) ? &ho : NULL, &status, body);
	if (e != ERR_OK && e != ERR_INVAL) {
		log_error("chat completion failed: %s", err_str(e));
		return resp_error(r, 500, MSG_DEFAULT);
	}
	if (e == ERR_OK && req_streams(r) && handoff_ready(&ho)) {
		/* main.py catches the provider's error and returns None */
		ho.conn_error_status = 200;
		ho.conn_error_body = "null";
		return resp_handoff(r, &ho);
	}
	if (json_on_arena(r->a, json_parse(buf_str(body), body->len)) == NULL)
		return resp_raw(r, (int)status, "text/plain; charset=utf-8",
		    buf_str(body), body->len);
	return resp_raw(r, (int)status, "application/json", buf_str(body),
	    body->len);
}

/* Returns the embeddings in OpenAI's shape (the provider's answer, or an
 * Ollama one converted); Python's plain 500 for an unknown or forbidden model. */
int
h_main_embeddings(struct req *r)
{
	struct buf *body = arena_alloc(r->a, sizeof(*body));
	const char *ctype;
	long status = 0;
	enum err e;

	e = models_embeddings(r->db, r->a, r->user, r->token, r->json,
	    &status, &ctype, body);
	if (e == ERR_NOTFOUND || e == ERR_INVAL)
		return resp_internal(r, NULL, ERR_OK);	/* as Python fails */
	if (e != ERR_OK)
		return resp_internal(r, "embeddings", e);
	return resp_raw(r, (int)status, ctype != NULL ? ctype :
	    "application/json", buf_str(body), body->len);
}
