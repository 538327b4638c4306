/* h_openai.c: /openai/ (routers/openai.py): the OpenAI connections'
 * settings, their model lists, chat completions and the deprecated proxy.
 * A streamed chat completion is handed to cwebui-streamd (handoff.h); not
 * from streamd, and on the proxy, stream:true is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "body.h"
#include "conf.h"
#include "handlers.h"
#include "handoff.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "model.h"
#include "access.h"
#include "openai.h"
#include "req.h"
#include "setup.h"
#include "speech.h"
#include "user.h"

#define MSG_CONNECTION	"Open WebUI: Server Connection Error"
#define MSG_MODEL	"Model not found"
#define MSG_NO_STREAM	"Streaming responses are not supported yet by " \
	"this server (issue 5); send \"stream\": false"

/* The four settings as GET /openai/config and the update answer them. */
static const struct conf_field openai_settings[] = {
	{ "ENABLE_OPENAI_API", CONF_ENABLE_OPENAI_API },
	{ "OPENAI_API_BASE_URLS", CONF_OPENAI_API_BASE_URLS },
	{ "OPENAI_API_KEYS", CONF_OPENAI_API_KEYS },
	{ "OPENAI_API_CONFIGS", CONF_OPENAI_API_CONFIGS },
};

#define openai_config_json()	conf_object(openai_settings, 4)

/* Answers with an upstream response as Python relays one: a transport
 * failure is 500 MSG_CONNECTION; an event stream goes through as is; an
 * error status (>= min_error) keeps its JSON or text body; a success is
 * 200 with the JSON (or the text as a JSON string). */
static int
openai_relay(struct req *r, const struct http_resp *up, long min_error)
{
	json_object *j;
	const char *ct = up->content_type;

	if (up->status == 0)
		return resp_error(r, 500, MSG_CONNECTION);
	if (ct != NULL && strstr(ct, "text/event-stream") != NULL)
		return resp_raw(r, (int)up->status, ct, up->body.p,
		    up->body.len);
	j = openai_resp_json(up);
	if (up->status >= min_error) {
		if (j != NULL)
			return resp_json(r, (int)up->status, j);
		return resp_raw(r, (int)up->status, "text/plain; charset=utf-8",
		    up->body.p, up->body.len);
	}
	if (j == NULL)
		j = json_object_new_string_len(up->body.p ? up->body.p : "",
		    (int)up->body.len);
	return resp_json(r, 200, j);
}

/* Returns 200 with the OpenAI connection settings (admin). */
int
h_openai_config_get(struct req *r)
{
	return resp_json(r, 200, openai_config_json());
}

/* Stores the connection settings (keys cut or padded to the URLs, configs
 * kept for existing indexes only) and returns 200 with them; 422 for a
 * bad form, nothing stored. */
int
h_openai_config_update(struct req *r)
{
	static const struct body_spec form[] = {
		{ "ENABLE_OPENAI_API", BODY_BOOL, BODY_NULL | BODY_ABSENT,
		    NULL, NULL },
		{ "OPENAI_API_BASE_URLS", BODY_LIST_STR, 0, NULL, NULL },
		{ "OPENAI_API_KEYS", BODY_LIST_STR, 0, NULL, NULL },
		{ "OPENAI_API_CONFIGS", BODY_DICT, 0, NULL, NULL },
	};
	json_object *v[4], *keys, *cfgs;
	size_t nurl, nkey, i;
	int st;

	if ((st = body_read(r, form, 4, v)) != 0)
		return st;
	nurl = json_object_array_length(v[1]);
	nkey = json_object_array_length(v[2]);
	keys = json_object_new_array();
	for (i = 0; i < nurl; i++)
		json_object_array_add(keys, i < nkey ? json_object_get(
		    json_object_array_get_idx(v[2], i)) :
		    json_object_new_string(""));
	cfgs = json_index_members(v[3], nurl);

	if (conf_set(r->db, CONF_ENABLE_OPENAI_API, json_object_get(v[0])) ||
	    conf_set(r->db, CONF_OPENAI_API_BASE_URLS, json_object_get(v[1])) ||
	    conf_set(r->db, CONF_OPENAI_API_KEYS, keys) ||
	    conf_set(r->db, CONF_OPENAI_API_CONFIGS, cfgs))
		return resp_error(r, 500, MSG_DEFAULT);
	return resp_json(r, 200, openai_config_json());
}

/* Keeps the models a plain user may read (get_filtered_models): those with
 * a workspace entry the user owns or has read access to. */
static json_object *
openai_filter(struct req *r, json_object *models)
{
	json_object *out = json_object_new_array(), *m;
	struct model *info;
	const char *id;
	size_t i;

	for (i = 0; i < json_object_array_length(models); i++) {
		m = json_object_array_get_idx(models, i);
		id = json_get_str(m, "id");
		if (id == NULL || model_get(r->db, r->a, id, &info) != ERR_OK)
			continue;
		if (strcmp(r->user->id, info->user_id) == 0 ||
		    access_has(r->db, r->a, r->user, "read",
		    info->access_control))
			json_object_array_add(out, json_object_get(m));
	}
	return out;
}

/* Returns 200 {data} with the merged model list of every enabled
 * connection, filtered by access for a plain user. */
int
h_openai_models(struct req *r)
{
	json_object *list, *o;

	if (openai_models(r->db, r->a, r->user, 0, &list) != ERR_OK)
		return resp_error(r, 500, MSG_DEFAULT);
	if (strcmp(r->user->role, "user") == 0 &&
	    !conf_bool(CONF_BYPASS_MODEL_ACCESS_CONTROL)) {
		json_object *f = openai_filter(r, list);

		json_object_put(list);
		list = f;
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", list);
	return resp_json(r, 200, o);
}

/* Returns 200 with connection url_idx's own model list (admin: a plain
 * user never picks a connection); 422 for a non-integer index. */
int
h_openai_models_idx(struct req *r)
{
	struct openai_conn c;
	struct http_req q = { 0 };
	struct http_resp up;
	json_object *body, *o, *err;
	long long idx;
	int n = openai_conn_count();


	if (req_parse_int(r->params[0], 0, &idx) != 0)
		return resp_invalid_param(r, "path", "url_idx", "int_parsing",
		    MSG_INT_PARSING, r->params[0]);

	if (strcmp(r->user->role, "admin") != 0)
		return resp_error(r, 403, MSG_ACCESS_PROHIBITED);
	if (idx < 0)
		idx += n;	/* Python's negative list index */
	if (idx < 0 || idx >= n || openai_conn_get(r->a, (int)idx, &c))
		return resp_raw(r, 500, "text/plain; charset=utf-8",
		    "Internal Server Error", 21);
	if (json_truthy(json_get(c.config, "azure"))) {
		o = json_object_new_object();
		body = json_get(c.config, "model_ids");
		json_object_object_add(o, "data", json_truthy(body) ?
		    json_object_get(body) : json_object_new_array());
		json_object_object_add(o, "object",
		    json_object_new_string("list"));
		return resp_json(r, 200, o);
	}
	q.method = "GET";
	q.url = arena_printf(r->a, "%s/models", c.url);
	q.headers = openai_headers(r->a, &c, r->user, r->token, NULL);
	q.timeout_ms = http_timeout_model_list_ms();
	http_do(r->a, &q, &up);
	if (up.status == 0)
		return resp_error(r, 500, MSG_CONNECTION);
	body = json_on_arena(r->a, openai_resp_json(&up));
	if (up.status != 200) {
		if (body == NULL)
			return resp_error(r, 500, "Unexpected error: Attempt "
			    "to decode JSON with unexpected mimetype");
		err = json_get(body, "error");
		if (json_object_is_type(body, json_type_object) &&
		    json_object_object_get_ex(body, "error", NULL))
			return resp_error(r, 500, arena_printf(r->a,
			    "Unexpected error: External Error: %s",
			    openai_pyrepr(r->a, err)));
		return resp_error(r, 500, arena_printf(r->a,
		    "Unexpected error: HTTP Error: %ld", up.status));
	}
	if (body == NULL)
		return resp_error(r, 500, "Unexpected error: Attempt to decode "
		    "JSON with unexpected mimetype");
	if (strstr(c.url, "api.openai.com") != NULL &&
	    json_object_is_type(body, json_type_object))
		openai_drop_non_chat(body);
	return resp_json(r, 200, json_object_get(body));
}

/* Asks {url}/models (Azure: {url}/openai/models) with the given key and
 * config (admin) and relays the answer; 422 for a bad form. */
int
h_openai_verify(struct req *r)
{
	static const struct body_spec form[] = {
		{ "url", BODY_STR, 0, NULL, NULL },
		{ "key", BODY_STR, 0, NULL, NULL },
		{ "config", BODY_DICT, BODY_NULL | BODY_ABSENT, NULL, NULL },
	};
	struct openai_conn c;
	struct http_req q = { 0 };
	struct http_resp up;
	json_object *v[3];
	const char *auth, *ver, **h;
	int st, n;

	if ((st = body_read(r, form, 3, v)) != 0)
		return st;
	c.idx = -1;
	c.url = json_object_get_string(v[0]);
	c.key = json_object_get_string(v[1]);
	c.config = v[2] != NULL ? v[2] :
	    json_on_arena(r->a, json_object_new_object());
	h = openai_headers(r->a, &c, r->user, r->token, NULL);
	q.url = arena_printf(r->a, "%s/models", c.url);
	if (json_truthy(json_get(c.config, "azure"))) {
		auth = json_get_str(c.config, "auth_type");
		for (n = 0; h[n] != NULL; n++)
			;
		if (auth == NULL || (strcmp(auth, "azure_ad") != 0 &&
		    strcmp(auth, "microsoft_entra_id") != 0))
			h[n++] = arena_printf(r->a, "api-key: %s", c.key);
		h[n] = NULL;
		ver = json_get_str(c.config, "api_version");
		if (ver == NULL || *ver == '\0')
			ver = "2023-03-15-preview";
		q.url = arena_printf(r->a, "%s/openai/models?api-version=%s",
		    c.url, ver);
	}
	q.method = "GET";
	q.headers = h;
	q.timeout_ms = http_timeout_model_list_ms();
	http_do(r->a, &q, &up);
	return openai_relay(r, &up, up.status != 200 ? 0 : 400);
}

/* Sends a chat completion to the connection that owns the model, once the
 * caller's access to the model is checked; relays the upstream answer, or
 * for stream:true from cwebui-streamd hands the request over (relay "raw"
 * with the upstream's Content-Type). 400 for stream:true not from
 * streamd, 403/404 "Model not found". The bypass_filter query parameter
 * is never honoured. */
int
h_openai_chat(struct req *r)
{
	json_object *payload = NULL, *models, *model;
	struct handoff ho = { 0 };
	struct http_resp up;
	enum err e;
	int idx, stream = json_truthy(json_get(r->json, "stream"));

	if (stream && !req_streams(r))
		return resp_error(r, 400, MSG_NO_STREAM);
	if (json_object_deep_copy(r->json, &payload, NULL) != 0)
		return resp_error(r, 500, MSG_DEFAULT);
	json_on_arena(r->a, payload);
	e = openai_resolve(r->db, r->a, r->user, payload, 0, &models, &idx,
	    &model);
	json_on_arena(r->a, models);
	if (e == ERR_DENIED)
		return resp_error(r, 403, MSG_MODEL);
	if (e == ERR_NOTFOUND)
		return resp_error(r, 404, MSG_MODEL);
	if (e == ERR_INVAL)	/* Python fails on the model's params */
		return resp_raw(r, 500, "text/plain; charset=utf-8",
		    "Internal Server Error", 21);
	if (e != ERR_OK)
		return resp_error(r, 500, MSG_DEFAULT);
	if (stream) {
		if (openai_chat_prepare(r->a, r->user, r->token, idx, payload,
		    &ho.upstream) != ERR_OK)
			return resp_error(r, 500, MSG_DEFAULT);
		return resp_handoff(r, &ho);
	}
	if (openai_chat_send(r->a, r->user, r->token, idx, payload, &up))
		return resp_error(r, 500, MSG_DEFAULT);
	return openai_relay(r, &up, 400);
}

/* The deprecated proxy: sends the request as is to {first url}/{path}
 * with the first connection's credentials and relays the answer. A body
 * naming a model needs the caller's access to it (a hardening over
 * Python, which checks nothing here). */
int
h_openai_proxy(struct req *r)
{
	const char *path = r->params[0] != NULL ? r->params[0] : "";
	struct openai_conn c;
	struct http_req q = { 0 };
	struct http_resp up;
	json_object *body, *copy;
	const char *ver, *auth, **h, *url;
	int n;
	enum err e;

	if (openai_conn_get(r->a, 0, &c) != ERR_OK)
		return resp_raw(r, 500, "text/plain; charset=utf-8",
		    "Internal Server Error", 21);
	body = json_on_arena(r->a, json_parse(r->body.p ? r->body.p : "",
	    r->body.len));
	if (json_get_str(body, "model") != NULL) {
		if (json_truthy(json_get(body, "stream")))
			return resp_error(r, 400, MSG_NO_STREAM);
		copy = NULL;
		if (json_object_deep_copy(body, &copy, NULL) != 0)
			return resp_error(r, 500, MSG_DEFAULT);
		json_on_arena(r->a, copy);
		e = openai_model_access(r->db, r->a, r->user, copy, 0);
		if (e == ERR_DENIED)
			return resp_error(r, 403, MSG_MODEL);
		if (e == ERR_DB)
			return resp_error(r, 500, MSG_DEFAULT);
	}
	h = openai_headers(r->a, &c, r->user, r->token, NULL);
	url = arena_printf(r->a, "%s/%s", c.url, path);
	q.body = r->body.p;
	q.body_len = r->body.len;
	if (json_truthy(json_get(c.config, "azure"))) {
		ver = json_get_str(c.config, "api_version");
		if (!json_object_object_get_ex(c.config, "api_version", NULL))
			ver = "2023-03-15-preview";
		if (ver == NULL)
			ver = "None";
		auth = json_get_str(c.config, "auth_type");
		for (n = 0; h[n] != NULL; n++)
			;
		if (auth == NULL || (strcmp(auth, "azure_ad") != 0 &&
		    strcmp(auth, "microsoft_entra_id") != 0))
			h[n++] = arena_printf(r->a, "api-key: %s", c.key);
		h[n++] = arena_printf(r->a, "api-version: %s", ver);
		h[n] = NULL;
		if (!json_object_is_type(body, json_type_object))
			return resp_error(r, 500, MSG_CONNECTION);
		url = arena_printf(r->a, "%s/%s?api-version=%s",
		    openai_azure_payload(r->a, c.url, body, ver), path, ver);
		q.body = json_text(body);
		q.body_len = strlen(q.body);
	}
	q.method = r->method;
	q.url = url;	/* Python drops the query string */
	q.headers = h;
	http_do(r->a, &q, &up);
	return openai_relay(r, &up, 400);
}

/* Returns the speech audio (audio/mpeg) for the body, from the cache or
 * the api.openai.com connection; 500 as Python when there is no such
 * connection or it fails. */
int
h_openai_speech(struct req *r)
{
	struct speech_answer s;
	struct setup st;
	enum err e;

	if ((e = setup_paths(&st)) != ERR_OK) {
		setup_free(&st);
		return resp_internal(r, "speech cache", e);
	}
	e = speech_answer(r->a, r->user, r->token, st.data_dir, r->body.p,
	    r->body.len, &s);
	setup_free(&st);
	if (e == ERR_NOTFOUND)
		return resp_internal(r, NULL, ERR_OK);	/* as Python fails */
	if (e != ERR_OK)
		return resp_internal(r, "speech", e);
	return resp_raw(r, (int)s.status, s.ctype, s.body, s.len);
}
