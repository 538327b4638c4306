/* h_ollama.c: /ollama/ (routers/ollama.py). The connections, model lists
 * and exchanges are lib/ollama.c's; these handlers read the forms as
 * pydantic does and answer as the Python routes. Streamed answers
 * (NDJSON of /api/chat, /api/generate, /api/pull ..., SSE of /v1/) are
 * cwebui-streamd's: a request from streamd gets the hand-off (handoff.h),
 * any other request that would stream a 400. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "access.h"
#include "body.h"
#include "conf.h"
#include "handlers.h"
#include "handoff.h"
#include "http.h"
#include "json.h"
#include "mem.h"
#include "model.h"
#include "ollama.h"
#include "payload.h"
#include "req.h"
#include "user.h"

#define MSG_CONN_ERROR	"Open WebUI: Server Connection Error"
/* The URL asked of connection c, for error texts. */
#define URL(c, path)	arena_printf(r->a, "%s%s", (c).url, (path))

/* The kinds of fields of the routes' pydantic forms. */
enum okind {
	OK_STR, OK_BOOL, OK_DICT, OK_LIST_STR, OK_LIST_INT, OK_DICT_OR_STR,
	OK_INT_OR_STR, OK_LIST_STR_OR_STR
};

struct ofield {
	const char	*name;
	enum okind	 kind;
	int		 required;
};

#define M_STR	"Input should be a valid string"
#define M_DICT	"Input should be a valid dictionary"
#define M_LIST	"Input should be a valid list"
#define M_INT	"Input should be a valid integer"

/* Checks a present, non-null value of the kinds body_check() has no type
 * for (unions, list[int]); returns the number of errors appended. */
static int
ollama_check_union(json_object *errs, const struct ofield *f, json_object *v)
{
	size_t i;

	switch (f->kind) {
	case OK_LIST_INT:
		if (!json_object_is_type(v, json_type_array)) {
			json_error_add(errs, "list_type", M_LIST, v, "body",
			    f->name, NULL);
			return 1;
		}
		for (i = 0; i < json_object_array_length(v); i++)
			if (!json_object_is_type(json_object_array_get_idx(v,
			    i), json_type_int)) {
				json_error_add(errs, "int_type", M_INT,
				    json_object_array_get_idx(v, i), "body",
				    f->name, NULL);
				return 1;
			}
		return 0;
	case OK_DICT_OR_STR:
		if (json_object_is_type(v, json_type_object) ||
		    json_object_is_type(v, json_type_string))
			return 0;
		json_error_add(errs, "dict_type", M_DICT, v, "body", f->name,
		    "dict[any,any]");
		json_error_add(errs, "string_type", M_STR, v, "body", f->name,
		    "str");
		return 2;
	case OK_INT_OR_STR:
		if (json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_string))
			return 0;
		json_error_add(errs, "int_type", M_INT, v, "body", f->name,
		    "int");
		json_error_add(errs, "string_type", M_STR, v, "body", f->name,
		    "str");
		return 2;
	case OK_LIST_STR_OR_STR:
		if (json_object_is_type(v, json_type_string))
			return 0;
		if (json_object_is_type(v, json_type_array)) {
			for (i = 0; i < json_object_array_length(v); i++)
				if (!json_object_is_type(
				    json_object_array_get_idx(v, i),
				    json_type_string))
					break;
			if (i == json_object_array_length(v))
				return 0;
			json_error_add(errs, "string_type", M_STR,
			    json_object_array_get_idx(v, i), "body", f->name,
			    "list[str]");
		} else
			json_error_add(errs, "list_type", M_LIST, v, "body",
			    f->name, "list[str]");
		json_error_add(errs, "string_type", M_STR, v, "body", f->name,
		    "str");
		return 2;
	default:
		return 0;
	}
}

#define OLLAMA_MAX_FIELDS	16

/* Reads r->json as the pydantic form of fields (extra: other members are
 * kept, as ConfigDict(extra="allow")) and sets *out to its
 * model_dump(exclude_none=True): the declared fields in order, then the
 * extra ones (arena). def_stream_true adds "stream": true when absent
 * (a form whose stream defaults to True). Returns 0 or the 422 written. */
static int
ollama_form(struct req *r, const struct ofield *fields, int extra,
    int def_stream_true, json_object **out)
{
	static const enum body_type types[] = {
		[OK_STR] = BODY_STR, [OK_BOOL] = BODY_BOOL,
		[OK_DICT] = BODY_DICT, [OK_LIST_STR] = BODY_LIST_STR,
		[OK_LIST_INT] = BODY_ANY, [OK_DICT_OR_STR] = BODY_ANY,
		[OK_INT_OR_STR] = BODY_ANY, [OK_LIST_STR_OR_STR] = BODY_ANY
	};
	struct body_spec spec[OLLAMA_MAX_FIELDS];
	json_object *vals[OLLAMA_MAX_FIELDS], *errs, *loc, *o;
	size_t i, n;
	int bad;

	memset(spec, 0, sizeof(spec));
	for (n = 0; fields[n].name != NULL && n < OLLAMA_MAX_FIELDS; n++) {
		spec[n].key = fields[n].name;
		spec[n].type = types[fields[n].kind];
		spec[n].flags = fields[n].required ? 0 :
		    BODY_NULL | BODY_ABSENT;
	}
	errs = json_on_arena(r->a, json_object_new_array());
	loc = json_on_arena(r->a, json_object_new_array());
	json_object_array_add(loc, json_object_new_string("body"));
	bad = body_check(r->a, errs, loc, r->json, spec, n, vals);
	for (i = 0; i < n; i++)
		if (vals[i] != NULL)
			bad += ollama_check_union(errs, &fields[i], vals[i]);
	if (bad > 0)
		return resp_errors(r, json_object_get(errs));
	o = json_on_arena(r->a, json_object_new_object());
	for (i = 0; i < n; i++) {
		if (vals[i] != NULL)
			json_object_object_add(o, fields[i].name,
			    json_object_get(vals[i]));
		else if (def_stream_true && strcmp(fields[i].name,
		    "stream") == 0 && !json_object_object_get_ex(r->json,
		    "stream", NULL))
			json_object_object_add(o, "stream",
			    json_object_new_boolean(1));
	}
	if (extra) {
		json_object_object_foreach(r->json, k, val) {
			for (i = 0; i < n; i++)
				if (strcmp(fields[i].name, k) == 0)
					break;
			if (i == n && val != NULL)
				json_object_object_add(o, k,
				    json_object_get(val));
		}
	}
	*out = o;
	return 0;
}

/* Reads the {url_idx} capture: returns 0 with *idx (-1 when the route has
 * none), or the status of the 422 written. */
static int
ollama_idx(struct req *r, int *idx)
{
	long long v;

	*idx = -1;
	if (r->params[0] == NULL)
		return 0;
	if (req_parse_int(r->params[0], -1, &v) != 0)
		return resp_invalid_param(r, "path", "url_idx", "int_parsing",
		    MSG_INT_PARSING, r->params[0]);

	/* Python indexes a list with it: past the end is an IndexError */
	*idx = v < 0 || v >= ollama_conn_count() ? -2 : (int)v;
	return 0;
}

/* Answers Python's IndexError for a url_idx past the connections. */
static int
ollama_bad_idx(struct req *r)
{
	return resp_internal(r, "ollama url_idx out of range", ERR_NOTFOUND);
}

/* ollama_idx() with an index past the connections answered: 0 with *idx
 * (-1: none), or the status written (422 or 500). */
static int
ollama_url_idx(struct req *r, int *idx)
{
	int st;

	if ((st = ollama_idx(r, idx)) != 0)
		return st;
	return *idx == -2 ? ollama_bad_idx(r) : 0;
}

/* Answers 400 "Model '<name>' was not found" (None for NULL). */
static int
ollama_not_found(struct req *r, const char *name)
{
	return resp_error(r, 400, arena_printf(r->a,
	    "Model '%s' was not found", name != NULL ? name : "None"));
}

/* The upstream body parsed as JSON (new reference), NULL when it is not. */
static json_object *
ollama_body_json(const struct http_resp *h)
{
	return json_parse(h->body.p != NULL ? h->body.p : "", h->body.len);
}

/* ollama_form() then ollama_idx(): 0 with *form and *idx (-1: none), or
 * the status written (422, or 500 for an index past the connections). */
static int
ollama_form_idx(struct req *r, const struct ofield *f, int extra,
    json_object **form, int *idx)
{
	int st;

	if ((st = ollama_form(r, f, extra, 0, form)) != 0)
		return st;
	return ollama_url_idx(r, idx);
}


/* Writes the upstream answer as it came (Python's StreamingResponse of a
 * non-streamed upstream body). */
static int
ollama_pass(struct req *r, const struct http_resp *h)
{
	return resp_raw(r, (int)h->status, h->content_type != NULL ?
	    h->content_type : "application/json", h->body.p != NULL ?
	    h->body.p : "", h->body.len);
}

/* Writes the parsed upstream JSON body, or Python's error for it (url:
 * the one asked). */
static int
ollama_json_answer(struct req *r, const struct http_resp *h, const char *url)
{
	json_object *o;
	const char *detail;
	long st;

	if (ollama_requests_error(r->a, h, url, &st, &detail))
		return resp_error(r, (int)st, detail);
	if ((o = ollama_body_json(h)) == NULL)
		return resp_error(r, (int)h->status, "Ollama: Expecting value: "
		    "line 1 column 1 (char 0)");
	return resp_json(r, 200, o);
}

/* Answers a request that would stream, not from cwebui-streamd: 400. */
static int
ollama_no_stream(struct req *r)
{
	return resp_error(r, 400, OLLAMA_MSG_NO_STREAM);
}

/* 1 when the body explicitly asks for no streaming ("stream": false). */
static int
ollama_stream_off(json_object *form)
{
	json_object *v;

	return json_object_object_get_ex(form, "stream", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    !json_object_get_boolean(v);
}

/* The merged model list: 0 with *models (arena), or the 500 written. */
static int
ollama_list(struct req *r, json_object **models)
{
	if (ollama_models(r->db, r->a, r->user, 0, models) != ERR_OK)
		return resp_internal(r, "ollama models", ERR_IO);
	json_on_arena(r->a, *models);
	return 0;
}

/* Returns 200 {"status": true}, as GET /health. */
int
h_ollama_status(struct req *r)
{
	return h_health(r);
}

/* Returns 200 with the upstream /api/version of {url}; 500 with Python's
 * detail when it cannot be reached or answers an error. */
int
h_ollama_verify(struct req *r)
{
	struct body_field url, key;
	struct ollama_conn c;
	struct http_resp h;
	json_object *res, *e;
	const char *detail;
	int st;

	if ((st = body_str(r, "url", 1, NULL, &url)) != 0 ||
	    (st = body_str(r, "key", 0, NULL, &key)) != 0)
		return st;
	memset(&c, 0, sizeof(c));
	c.url = url.s;
	c.key = key.s != NULL && *key.s != '\0' ? key.s : NULL;
	ollama_send(r->a, &c, "GET", "/api/version", r->user, NULL, NULL,
	    http_timeout_model_list_ms(), &h);
	if (h.status == 0)
		return resp_error(r, 500, h.error != NULL &&
		    strstr(h.error, "timed out") != NULL ?
		    "Unexpected error: " : MSG_CONN_ERROR);
	if ((res = json_on_arena(r->a, ollama_body_json(&h))) == NULL)
		return resp_error(r, 500, MSG_CONN_ERROR);
	if (h.status != 200) {
		detail = arena_printf(r->a, "HTTP Error: %ld", h.status);
		if (json_object_is_type(res, json_type_object) &&
		    json_object_object_get_ex(res, "error", &e))
			detail = arena_printf(r->a, "External Error: %s",
			    json_object_is_type(e, json_type_string) ?
			    json_object_get_string(e) : json_text(e));
		return resp_error(r, 500, arena_printf(r->a,
		    "Unexpected error: %s", detail));
	}
	return resp_json(r, 200, json_object_get(res));
}

/* The three settings as GET /ollama/config answers them. */
static const struct conf_field ollama_settings[] = {
	{ "ENABLE_OLLAMA_API", CONF_ENABLE_OLLAMA_API },
	{ "OLLAMA_BASE_URLS", CONF_OLLAMA_BASE_URLS },
	{ "OLLAMA_API_CONFIGS", CONF_OLLAMA_API_CONFIGS },
};

/* Returns 200 {ENABLE_OLLAMA_API, OLLAMA_BASE_URLS, OLLAMA_API_CONFIGS}. */
int
h_ollama_config_get(struct req *r)
{
	return resp_json(r, 200, conf_object(ollama_settings, 3));
}


/* Stores the three settings (configs of missing indexes dropped); returns
 * 200 with them; 422 for a bad form. */
int
h_ollama_config_update(struct req *r)
{
	static const struct ofield f[] = {
		{ "ENABLE_OLLAMA_API", OK_BOOL, 0 },
		{ "OLLAMA_BASE_URLS", OK_LIST_STR, 1 },
		{ "OLLAMA_API_CONFIGS", OK_DICT, 1 },
		{ NULL, OK_STR, 0 }
	};
	json_object *form, *urls, *kept, *en;
	enum err e;
	int st;

	if ((st = ollama_form(r, f, 0, 0, &form)) != 0)
		return st;
	urls = json_get(form, "OLLAMA_BASE_URLS");
	en = json_get(form, "ENABLE_OLLAMA_API");
	kept = json_index_members(json_get(form, "OLLAMA_API_CONFIGS"),
	    json_object_array_length(urls));
	if ((e
 = conf_set(r->db, CONF_ENABLE_OLLAMA_API,
	    json_object_get(en))) != ERR_OK ||
	    (e = conf_set(r->db, CONF_OLLAMA_BASE_URLS,
	    json_object_get(urls))) != ERR_OK ||
	    (e = conf_set(r->db, CONF_OLLAMA_API_CONFIGS,
	    json_object_get(kept))) != ERR_OK) {
		json_object_put(kept);
		return resp_internal(r, "ollama config", e);
	}
	form = json_object_new_object();
	json_object_object_add(form, "ENABLE_OLLAMA_API", json_object_get(en));
	json_object_object_add(form, "OLLAMA_BASE_URLS", json_object_get(urls));
	json_object_object_add(form, "OLLAMA_API_CONFIGS", kept);
	return resp_json(r, 200, form);
}

/* 1 when u's model lists are filtered by access. */
static int
ollama_filtered(const struct user *u)
{
	return strcmp(u->role, "user") == 0 &&
	    !conf_bool(CONF_BYPASS_MODEL_ACCESS_CONTROL);
}

/* Returns 200 {"models": [...]}: the merged list, or connection
 * {url_idx}'s; for a user only the models shared with them. */
int
h_ollama_tags(struct req *r)
{
	json_object *o, *models, *kept;
	struct ollama_conn c;
	struct http_resp h;
	const char *detail;
	long status;
	int idx, st;

	if ((st = ollama_url_idx(r, &idx)) != 0)
		return st;
	if (idx < 0) {
		if ((st = ollama_list(r, &models)) != 0)
			return st;
		o = json_on_arena(r->a, json_object_new_object());
		json_object_object_add(o, "models", json_object_get(models));
	} else {
		ollama_conn_get(r->a, idx, &c);
		ollama_send(r->a, &c, "GET", "/api/tags", r->user, NULL, NULL,
		    http_timeout_model_list_ms(), &h);
		if (ollama_requests_error(r->a, &h,
		    URL(c, "/api/tags"), &status, &detail))
			return resp_error(r, (int)status, detail);
		if ((o = json_on_arena(r->a, ollama_body_json(&h))) == NULL)
			return resp_error(r, (int)h.status, "Ollama: "
			    "Expecting value: line 1 column 1 (char 0)");
	}
	if (ollama_filtered(r->user)) {
		if (!json_object_is_type(o, json_type_object))
			return resp_internal(r, "ollama tags", ERR_INVAL);
		if (ollama_filter(r->db, r->a, r->user, json_get(o, "models"),
		    "model", &kept) != ERR_OK)
			return resp_internal(r, "ollama tags", ERR_DB);
		json_object_object_add(o, "models", kept);
	}
	return resp_json(r, 200, json_object_get(o));
}

/* Returns 200 {"models": [...]}: the loaded models of all connections. */
int
h_ollama_ps(struct req *r)
{
	json_object *o = json_object_new_object(), *m;

	ollama_loaded(r->a, r->user, &m);
	json_object_object_add(o, "models", m);
	return resp_json(r, 200, o);
}

/* Parses "v0.1.2-rc1" as Python's version tuple; -1 when not numbers. */
static int
ollama_version_tuple(const char *s, long *v, int max)
{
	char *t, *p, *end;
	int n = 0;

	if (*s == 'v')
		s++;
	t = xstrdup(s);
	if ((p = strchr(t, '-')) != NULL)
		*p = '\0';
	for (p = t;; p = end + 1) {
		if (n == max) {
			free(t);
			return -1;
		}
		v[n++] = strtol(p, &end, 10);
		if (end == p || (*end != '.' && *end != '\0')) {
			free(t);
			return -1;
		}
		if (*end == '\0')
			break;
	}
	free(t);
	return n;
}

/* Returns 200 {"version": lowest} over the connections (or connection
 * {url_idx}'s answer); {"version": false} when the API is off; 500 when
 * none answers. */
int
h_ollama_version(struct req *r)
{
	json_object *o, *best = NULL, *v;
	struct ollama_conn c;
	struct http_resp h;
	long cur[16], low[16];
	int idx, st, n, ln = 0, i, k;

	if ((st = ollama_idx(r, &idx)) != 0)
		return st;
	o = json_object_new_object();
	if (!conf_bool(CONF_ENABLE_OLLAMA_API)) {
		json_object_object_add(o, "version",
		    json_object_new_boolean(0));
		return resp_json(r, 200, o);
	}
	json_object_put(o);
	if (idx == -2)
		return ollama_bad_idx(r);
	if (idx >= 0) {
		ollama_conn_get(r->a, idx, &c);
		c.key = NULL;
		ollama_send(r->a, &c, "GET", "/api/version", NULL, NULL, NULL,
		    http_timeout_model_list_ms(), &h);
		return ollama_json_answer(r, &h, URL(c, "/api/version"));
	}
	n = ollama_conn_count();
	{
		json_object **res = arena_alloc(r->a, (size_t)(n + 1) *
		    sizeof(*res));
		struct http_req *q = arena_alloc(r->a, (size_t)(n + 1) *
		    sizeof(*q));
		struct http_resp *out = arena_alloc(r->a, (size_t)(n + 1) *
		    sizeof(*out));
		int m = 0;

		for (i = 0; i < n; i++) {
			json_object *en;
			const char *key, **hd;

			ollama_conn_get(r->a, i, &c);
			if (json_object_object_get_ex(c.config, "enable", &en)
			    && !json_truthy(en))
				continue;
			key = json_get_str(c.config, "key");
			q[m].method = "GET";
			q[m].url = arena_printf(r->a, "%s/api/version", c.url);
			hd = arena_alloc(r->a, 3 * sizeof(*hd));
			hd[0] = "Content-Type: application/json";
			if (key != NULL && *key != '\0' &&
			    strpbrk(key, "\r\n") == NULL)
				hd[1] = arena_printf(r->a,
				    "Authorization: Bearer %s", key);
			q[m].headers = hd;
			q[m].timeout_ms = http_timeout_model_list_ms();
			m++;
		}
		http_do_many(r->a, q, out, m);
		for (i = 0; i < m; i++) {
			res[i] = NULL;
			if (out[i].status == 0)
				continue;
			res[i] = json_on_arena(r->a, json_parse(out[i].body.p ?
			    out[i].body.p : "", out[i].body.len));
			if (res[i] == NULL)
				continue;
			if (!json_object_is_type(res[i], json_type_object) ||
			    !json_object_is_type(v = json_get(res[i],
			    "version"), json_type_string) ||
			    (k = ollama_version_tuple(
			    json_object_get_string(v), cur, 16)) < 0)
				return resp_internal(r, "ollama version",
				    ERR_INVAL);
			if (best != NULL) {
				int j, cmp = 0;

				for (j = 0; j < k && j < ln && cmp == 0; j++)
					cmp = cur[j] < low[j] ? -1 :
					    cur[j] > low[j];
				if (cmp == 0)
					cmp = k < ln ? -1 : 0;
				if (cmp >= 0)
					continue;
			}
			best = v;
			memcpy(low, cur, sizeof(cur));
			ln = k;
		}
	}
	if (best == NULL)
		return resp_error(r, 500, "WebUI could not connect to Ollama");
	o = json_object_new_object();
	json_object_object_add(o, "version", json_object_get(best));
	return resp_json(r, 200, o);
}

static const struct ofield name_form[] = {
	{ "model", OK_STR, 0 }, { NULL, OK_STR, 0 }
};

/* form["model"] = form.get("model", form.get("name")) */
static const char *
ollama_form_model(json_object *form)
{
	json_object *v;

	if (!json_object_object_get_ex(form, "model", &v)) {
		v = json_get(form, "name");
		json_object_object_add(form, "model", json_object_get(v));
	}
	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : v == NULL ? NULL : json_text(v);
}

/* Unloads a model from every connection that has it (keep_alive 0);
 * returns 200 {"status": true}; 400 when missing or unknown. */
int
h_ollama_unload(struct req *r)
{
	json_object *form, *models, *m, *urls, *body;
	struct buf errs = BUF_INIT;
	struct ollama_conn c;
	struct http_resp h;
	const char *name, *detail;
	size_t j;
	long status;
	int st, nerr = 0;

	if ((st = ollama_form(r, name_form, 1, 0, &form)) != 0)
		return st;
	name = json_get_str(form, "model");
	if (name == NULL)
		name = json_get_str(form, "name");
	if (name == NULL || *name == '\0')
		return resp_error(r, 400, "Missing name of the model to "
		    "unload.");
	if ((st = ollama_list(r, &models)) != 0)
		return st;
	if (strchr(name, ':') == NULL)
		name = arena_printf(r->a, "%s:latest", name);
	if ((m = ollama_find(models, name)) == NULL)
		return ollama_not_found(r, name);
	urls = json_get(m, "urls");
	for (j = 0; j < json_object_array_length(urls); j++) {
		int idx = json_object_get_int(json_object_array_get_idx(urls,
		    j));

		if (ollama_conn_get(r->a, idx, &c) != ERR_OK)
			continue;
		if (c.prefix_id != NULL) {
			const char *pre = arena_printf(r->a, "%s.",
			    c.prefix_id);

			if (strncmp(name, pre, strlen(pre)) == 0)
				name += strlen(pre);
		}
		body = json_on_arena(r->a, json_object_new_object());
		json_object_object_add(body, "model",
		    json_object_new_string(name));
		json_object_object_add(body, "keep_alive",
		    json_object_new_int(0));
		json_object_object_add(body, "prompt",
		    json_object_new_string(""));
		ollama_send(r->a, &c, "POST", "/api/generate", r->user, NULL,
		    body, http_timeout_ms(), &h);
		if (ollama_post_error(r->a, &h, URL(c, "/api/generate"),
		    &status, &detail)) {
			buf_printf(&errs, "%s{'url_idx': %d, 'success': False, "
			    "'error': '%ld: %s'}", nerr > 0 ? ", " : "", idx,
			    status, detail);
			nerr++;
		}
	}
	detail = arena_printf(r->a, "Failed to unload model on %d nodes: "
	    "[%s]", nerr, buf_str(&errs));
	buf_free(&errs);
	if (nerr > 0)
		return resp_error(r, 500, detail);
	form = json_object_new_object();
	json_object_object_add(form, "status", json_object_new_boolean(1));
	return resp_json(r, 200, form);
}

/* Sends method path with body to connection idx: 0 with *h, or the status
 * of Python's error written (post: as its POST routes word one). */
static int
ollama_ask(struct req *r, int idx, const char *method, const char *path,
    json_object *body, int post, struct http_resp *h)
{
	struct ollama_conn c;
	const char *detail;
	long status;
	int bad;

	if (ollama_conn_get(r->a, idx, &c) != ERR_OK)
		return ollama_bad_idx(r);
	ollama_send(r->a, &c, method, path, r->user, NULL, body,
	    http_timeout_ms(), h);
	bad = post ? ollama_post_error(r->a, h, URL(c, path), &status,
	    &detail) : ollama_requests_error(r->a, h, URL(c, path), &status,
	    &detail);
	return bad ? resp_error(r, (int)status, detail) : 0;
}

/* Posts body to path of connection idx and writes the upstream answer as
 * it came, or Python's error. Unless body has "stream": false: the
 * hand-off (relay "raw", the upstream's Content-Type) for a request from
 * cwebui-streamd, else 400. */
static int
ollama_post_pass(struct req *r, int idx, const char *path, json_object *body)
{
	struct handoff ho = { 0 };
	struct ollama_conn c;
	struct http_resp h;
	int st;

	if (!ollama_stream_off(body)) {
		if (!req_streams(r))
			return ollama_no_stream(r);
		if (ollama_conn_get(r->a, idx, &c) != ERR_OK)
			return ollama_bad_idx(r);
		ollama_prepare(r->a, &c, "POST", path, r->user, NULL, body,
		    http_timeout_ms(), &ho.upstream);
		ho.ollama_errors = 1;
		return resp_handoff(r, &ho);
	}
	if ((st = ollama_ask(r, idx, "POST", path, body, 1, &h)) != 0)
		return st;
	return ollama_pass(r, &h);
}

/* Pulls a model on connection {url_idx} (0): the upstream answer, a
 * stream as ollama_post_pass() serves it. */
int
h_ollama_pull(struct req *r)
{
	json_object *form;
	int idx, st;

	if ((st = ollama_form_idx(r, name_form, 1, &form, &idx)) != 0)
		return st;
	if (idx == -1 && ollama_conn_count() == 0)
		return ollama_bad_idx(r);
	ollama_form_model(form);
	json_object_object_add(form, "insecure", json_object_new_boolean(1));
	return ollama_post_pass(r, idx < 0 ? 0 : idx, "/api/pull", form);
}

/* The connection of model name when idx is -1 (the first that has it):
 * returns 0 with *idx, or the status of the 400 written. */
static int
ollama_first_url(struct req *r, const char *name, int *idx)
{
	json_object *models, *m;

	int st;

	if (*idx >= 0)
		return 0;
	if ((st = ollama_list(r, &models)) != 0)
		return st;
	if ((m = ollama_find(models, name)) == NULL ||
	    json_object_array_length(json_get(m, "urls")) == 0)
		return ollama_not_found(r, name);
	*idx = json_object_get_int(json_object_array_get_idx(json_get(m,
	    "urls"), 0));
	return 0;
}

/* Pushes a model (DELETE, as Python declares it): the upstream answer, a
 * stream as ollama_post_pass() serves it; 400 when unknown. */
int
h_ollama_push(struct req *r)
{
	static const struct ofield f[] = {
		{ "model", OK_STR, 1 }, { "insecure", OK_BOOL, 0 },
		{ "stream", OK_BOOL, 0 }, { NULL, OK_STR, 0 }
	};
	json_object *form;
	int idx, st;

	if ((st = ollama_form_idx(r, f, 0, &form, &idx)) != 0)
		return st;
	if ((st = ollama_first_url(r, json_get_str(form, "model"), &idx)) != 0)
		return st;
	return ollama_post_pass(r, idx, "/api/push", form);
}

/* Creates a model on connection {url_idx} (0): the upstream answer, a
 * stream as ollama_post_pass() serves it. */
int
h_ollama_create(struct req *r)
{
	static const struct ofield f[] = {
		{ "model", OK_STR, 0 }, { "stream", OK_BOOL, 0 },
		{ "path", OK_STR, 0 }, { NULL, OK_STR, 0 }
	};
	json_object *form;
	int idx, st;

	if ((st = ollama_form_idx(r, f, 1, &form, &idx)) != 0)
		return st;
	if (idx == -1 && ollama_conn_count() == 0)
		return ollama_bad_idx(r);
	return ollama_post_pass(r, idx < 0 ? 0 : idx, "/api/create", form);
}

/* Sends method path with body to connection idx; returns 200 true, or
 * Python's error. */
static int
ollama_send_true(struct req *r, int idx, const char *method,
    const char *path, json_object *body)
{
	struct http_resp h;
	int st;

	if ((st = ollama_ask(r, idx, method, path, body, 0, &h)) != 0)
		return st;
	return resp_json(r, 200, json_object_new_boolean(1));
}

/* Copies a model; returns 200 true; 400 when the source is unknown. */
int
h_ollama_copy(struct req *r)
{
	static const struct ofield f[] = {
		{ "source", OK_STR, 1 }, { "destination", OK_STR, 1 },
		{ NULL, OK_STR, 0 }
	};
	json_object *form;
	int idx, st;

	if ((st = ollama_form_idx(r, f, 0, &form, &idx)) != 0)
		return st;
	if ((st = ollama_first_url(r, json_get_str(form, "source"),
	    &idx)) != 0)
		return st;
	return ollama_send_true(r, idx, "POST", "/api/copy", form);
}

/* Deletes a model; returns 200 true; 400 when unknown. */
int
h_ollama_delete(struct req *r)
{
	json_object *form;
	const char *name;
	int idx, st;

	if ((st = ollama_form_idx(r, name_form, 1, &form, &idx)) != 0)
		return st;
	name = ollama_form_model(form);
	if ((st = ollama_first_url(r, name, &idx)) != 0)
		return st;
	return ollama_send_true(r, idx, "DELETE", "/api/delete", form);
}

/* Returns 200 with the upstream /api/show of a served model; 400 when it
 * is not served. */
int
h_ollama_show(struct req *r)
{
	json_object *form, *models, *m;
	struct ollama_conn c;
	struct http_resp h;
	const char *name;
	int st;

	if ((st = ollama_form(r, name_form, 1, 0, &form)) != 0)
		return st;
	name = ollama_form_model(form);
	if ((st = ollama_list(r, &models)) != 0)
		return st;
	if ((m = ollama_find(models, name)) == NULL || ollama_pick(m) < 0)
		return ollama_not_found(r, name);
	if (ollama_conn_get(r->a, ollama_pick(m), &c) != ERR_OK)
		return ollama_bad_idx(r);
	ollama_send(r->a, &c, "POST", "/api/show", r->user, NULL, form,
	    http_timeout_ms(), &h);
	return ollama_json_answer(r, &h, URL(c, "/api/show"));
}

/* The connection serving model look (connection idx, or with -1 one that
 * has it) with its prefix stripped from form's model: 0 with *c, or the
 * status written (400 naming name when the model is not served there). */
static int
ollama_serving(struct req *r, json_object *form, const char *look,
    const char *name, int idx, struct ollama_conn *c)
{
	enum err e;

	e = ollama_resolve(r->db, r->a, r->user, look, idx, &idx);
	if (e == ERR_NOTFOUND)
		return ollama_not_found(r, name);
	if (e != ERR_OK)
		return resp_internal(r, "ollama models", e);
	if (ollama_conn_get(r->a, idx, c) != ERR_OK)
		return ollama_bad_idx(r);
	ollama_strip_prefix(r->a, form, c->prefix_id);
	return 0;
}

/* The connection for form's model ({url_idx} or one that has it, with
 * ":latest" added for the look-up) and the model's prefix stripped: 0 with
 * *c, or the status written (400 when the model is not served there). */
static int
ollama_route(struct req *r, json_object *form, struct ollama_conn *c)
{
	const char *name = json_get_str(form, "model"), *look;
	int idx, st;

	if ((st = ollama_url_idx(r, &idx)) != 0)
		return st;
	look = strchr(name, ':') == NULL ? arena_printf(r->a, "%s:latest",
	    name) : name;
	return ollama_serving(r, form, look, name, idx, c);
}

/* Posts the form to path of the connection of its model: 200 with the
 * upstream answer; 400 when the model is not served. */
static int
ollama_embed_at(struct req *r, const struct ofield *f, const char *path)
{
	struct ollama_conn c;
	struct http_resp h;
	json_object *form;
	int st;

	if ((st = ollama_form(r, f, 0, 0, &form)) != 0 ||
	    (st = ollama_route(r, form, &c)) != 0)
		return st;
	ollama_send(r->a, &c, "POST", path, r->user, NULL, form,
	    http_timeout_ms(), &h);
	return ollama_json_answer(r, &h, URL(c, path));
}

/* Embeds input with a served model: 200 with the upstream answer; 400
 * when the model is not served. */
int
h_ollama_embed(struct req *r)
{
	static const struct ofield f[] = {
		{ "model", OK_STR, 1 }, { "input", OK_LIST_STR_OR_STR, 1 },
		{ "truncate", OK_BOOL, 0 }, { "options", OK_DICT, 0 },
		{ "keep_alive", OK_INT_OR_STR, 0 }, { NULL, OK_STR, 0 }
	};

	return ollama_embed_at(r, f, "/api/embed");
}

/* The legacy /api/embeddings: as h_ollama_embed with a prompt. */
int
h_ollama_embeddings(struct req *r)
{
	static const struct ofield f[] = {
		{ "model", OK_STR, 1 }, { "prompt", OK_STR, 1 },
		{ "options", OK_DICT, 0 }, { "keep_alive", OK_INT_OR_STR, 0 },
		{ NULL, OK_STR, 0 }
	};

	return ollama_embed_at(r, f, "/api/embeddings");
}

/* A completion: the upstream answer as it came, a stream as
 * ollama_post_pass() serves it; 400 when the model is not served. */
int
h_ollama_generate(struct req *r)
{
	static const struct ofield f[] = {
		{ "model", OK_STR, 1 }, { "prompt", OK_STR, 1 },
		{ "suffix", OK_STR, 0 }, { "images", OK_LIST_STR, 0 },
		{ "format", OK_DICT_OR_STR, 0 }, { "options", OK_DICT, 0 },
		{ "system", OK_STR, 0 }, { "template", OK_STR, 0 },
		{ "context", OK_LIST_INT, 0 }, { "stream", OK_BOOL, 0 },
		{ "raw", OK_BOOL, 0 }, { "keep_alive", OK_INT_OR_STR, 0 },
		{ NULL, OK_STR, 0 }
	};
	struct ollama_conn c;
	json_object *form;
	int st;

	if ((st = ollama_form(r, f, 0, 1, &form)) != 0 ||
	    (st = ollama_route(r, form, &c)) != 0)
		return st;
	return ollama_post_pass(r, c.idx, "/api/generate", form);
}

/* A chat with "stream": false: 200 with the upstream answer; one that
 * streams: the hand-off (NDJSON as application/x-ndjson) for a request
 * from cwebui-streamd, else 400; 400 for a bad form or an unknown model;
 * 403 when the user may not use the model. */
int
h_ollama_chat(struct req *r)
{
	struct handoff ho = { 0 };
	json_object *out;
	long status;
	enum err e;
	int idx, st;

	if ((st = ollama_url_idx(r, &idx)) != 0)
		return st;
	if (!req_streams(r))
		e = ollama_chat(r->db, r->a, r->user, idx, r->json, 0, &status,
		    &out);
	else if ((e = ollama_chat_prepare(r->db, r->a, r->user, idx, r->json,
	    0, &status, &out, &ho.upstream)) == ERR_OK && status == 0) {
		if (json_truthy(json_get(r->json, "stream"))) {
			ho.content_type = "application/x-ndjson";
			ho.ollama_errors = 1;
			return resp_handoff(r, &ho);
		}
		e = ollama_chat_send(r->a, &ho.upstream, &status, &out);
	}
	if (e != ERR_OK)
		return resp_internal(r, "ollama chat", e);
	return resp_json(r, (int)status, out);
}

/* OpenAIChatCompletionForm / OpenAICompletionForm: NULL when valid, else
 * pydantic's text. */
static const char *
ollama_v1_invalid(struct req *r, int chat)
{
	const char *form = chat ? "OpenAIChatCompletionForm" :
	    "OpenAICompletionForm";
	const char *second = chat ? "messages" : "prompt";
	struct buf b = BUF_INIT;
	json_object *v;
	const char *out;
	int n = 0;

	if (!json_object_object_get_ex(r->json, "model", &v)) {
		buf_printf(&b, "\nmodel\n  Field required [type=missing, "
		    "input_value=%s, input_type=dict]", json_text(r->json));
		n++;
	} else if (!json_object_is_type(v, json_type_string)) {
		buf_printf(&b, "\nmodel\n  Input should be a valid string "
		    "[type=string_type, input_value=%s]", v ? json_text(v) :
		    "None");
		n++;
	}
	if (!json_object_object_get_ex(r->json, second, &v)) {
		buf_printf(&b, "\n%s\n  Field required [type=missing, "
		    "input_value=%s, input_type=dict]", second,
		    json_text(r->json));
		n++;
	} else if (!json_object_is_type(v, chat ? json_type_array :
	    json_type_string)) {
		buf_printf(&b, "\n%s\n  Input should be a valid %s "
		    "[type=%s, input_value=%s]", second, chat ? "list" :
		    "string", chat ? "list_type" : "string_type",
		    v ? json_text(v) : "None");
		n++;
	} else if (chat) {
		size_t i;

		for (i = 0; i < json_object_array_length(v); i++) {
			json_object *m = json_object_array_get_idx(v, i), *x;

			if (!json_object_is_type(m, json_type_object) ||
			    !json_object_is_type(json_get(m, "role"),
			    json_type_string) ||
			    !json_object_object_get_ex(m, "content", &x) ||
			    !(x == NULL || json_object_is_type(x,
			    json_type_string) || json_object_is_type(x,
			    json_type_array))) {
				buf_printf(&b, "\nmessages.%zu\n  Input should "
				    "be a valid message [type=model_type, "
				    "input_value=%s]", i, json_text(m));
				n++;
			}
		}
	}
	if (n == 0) {
		buf_free(&b);
		return NULL;
	}
	out = arena_printf(r->a, "%d validation error%s for %s%s", n,
	    n > 1 ? "s" : "", form, buf_str(&b));
	buf_free(&b);
	return out;
}

/* /v1/completions and /v1/chat/completions: the workspace model's params
 * (and system prompt for chat) applied, access checked, the model's
 * connection's OpenAI-compatible endpoint asked; a stream is handed to
 * cwebui-streamd (relay "raw"), or refused when not from streamd. */
static int
ollama_v1(struct req *r, int chat)
{
	json_object *form = r->json, *metadata = NULL, *params, *sys;
	const char *bad, *id, *look, *detail, *path;
	struct handoff ho = { 0 };
	struct ollama_conn c;
	struct http_resp h;
	struct model *mi;
	long status;
	enum err e;
	int idx, st;

	if ((st = ollama_url_idx(r, &idx)) != 0)
		return st;
	if (json_object_object_get_ex(form, "metadata", &metadata)) {
		json_on_arena(r->a, json_object_get(metadata));
		json_object_object_del(form, "metadata");
	}
	if ((bad = ollama_v1_invalid(r, chat)) != NULL)
		return resp_error(r, 400, bad);
	ollama_drop_nulls(form);
	id = json_get_str(form, "model");
	look = strchr(id, ':') == NULL ? arena_printf(r->a, "%s:latest", id) :
	    id;
	e = model_get(r->db, r->a, look, &mi);
	if (e == ERR_OK) {
		if (mi->base_model_id != NULL)
			json_object_object_add(form, "model",
			    json_object_new_string(mi->base_model_id));
		params = json_on_arena(r->a, json_parse_col(mi->params));
		if (json_object_is_type(params, json_type_object) &&
		    json_object_object_length(params) > 0) {
			const char *system = NULL;

			sys = json_get(params, "system");
			if (chat && json_object_is_type(sys, json_type_string))
				system = arena_strdup(r->a,
				    json_object_get_string(sys));
			json_object_object_del(params, "system");
			if (payload_params_openai(params, form) != ERR_OK)
				return resp_internal(r, "ollama params",
				    ERR_INVAL);
			if (chat)
				payload_apply_system(system, form, metadata,
				    r->user);
		}
		if (strcmp(r->user->role, "user") == 0 &&
		    strcmp(mi->user_id ? mi->user_id : "", r->user->id) != 0 &&
		    !access_has(r->db, r->a, r->user, "read",
		    mi->access_control))
			return resp_error(r, 403, "Model not found");
	} else if (e != ERR_NOTFOUND)
		return resp_internal(r, "ollama model", e);
	else if (strcmp(r->user->role, "admin") != 0)
		return resp_error(r, 403, "Model not found");
	id = json_get_str(form, "model");
	if (id != NULL && strchr(id, ':') == NULL) {
		id = arena_printf(r->a, "%s:latest", id);
		json_object_object_add(form, "model",
		    json_object_new_string(id));
	}
	if ((st = ollama_serving(r, form, id, id, idx, &c)) != 0)
		return st;
	path = chat ? "/v1/chat/completions" : "/v1/completions";
	ollama_prepare(r->a, &c, "POST", path, r->user,
	    json_get_str(metadata, "chat_id"), form, http_timeout_ms(),
	    &ho.upstream);
	ho.ollama_errors = 1;
	if (json_truthy(json_get(form, "stream")))
		return req_streams(r) ? resp_handoff(r, &ho) :
		    ollama_no_stream(r);
	http_do(r->a, &ho.upstream, &h);
	if (ollama_post_error(r->a, &h, URL(c, path), &status, &detail))
		return resp_error(r, (int)status, detail);
	if ((form = ollama_body_json(&h)) == NULL)
		return resp_error(r, (int)h.status, "Ollama: invalid JSON in "

		    "the response");
	return resp_json(r, 200, form);
}

/* See ollama_v1. */
int
h_ollama_v1_completions(struct req *r)
{
	return ollama_v1(r, 0);
}

/* See ollama_v1. */
int
h_ollama_v1_chat(struct req *r)
{
	return ollama_v1(r, 1);
}

/* Returns 200 {"data": [{id, object, created, owned_by}], "object":
 * "list"}; with {url_idx}, what Python answers (its list of one
 * connection fails: 200 {"detail": ...}). */
int
h_ollama_v1_models(struct req *r)
{
	json_object *models, *data, *kept, *o, *res, *e;
	struct ollama_conn c;
	struct http_resp h;
	const char *detail;
	long status;
	size_t j;
	int idx, st;

	if ((st = ollama_url_idx(r, &idx)) != 0)
		return st;
	if (idx >= 0) {
		ollama_conn_get(r->a, idx, &c);
		c.key = NULL;
		ollama_send(r->a, &c, "GET", "/api/tags", NULL, NULL, NULL,
		    http_timeout_model_list_ms(), &h);
		if (h.status == 0)
			return resp_internal(r, "ollama v1 models", ERR_IO);
		if (ollama_requests_error(r->a, &h,
		    URL(c, "/api/tags"), &status, &detail))
			return resp_error(r, (int)status, detail);
		detail = MSG_CONN_ERROR;
		res = json_on_arena(r->a, ollama_body_json(&h));
		if (json_object_is_type(res, json_type_object) &&
		    json_object_object_get_ex(res, "error", &e))
			detail = arena_printf(r->a, "Ollama: %s",
			    json_object_is_type(e, json_type_string) ?
			    json_object_get_string(e) : json_text(e));
		return resp_error(r, (int)h.status, detail);
	}
	if ((st = ollama_list(r, &models)) != 0)
		return st;
	data = json_on_arena
(r->a, json_object_new_array());
	for (j = 0; j < json_object_array_length(models); j++) {
		json_object *m = json_object_new_object();

		json_object_object_add(m, "id", json_object_get(json_get(
		    json_object_array_get_idx(models, j), "model")));
		json_object_object_add(m, "object",
		    json_object_new_string("model"));
		json_object_object_add(m, "created",
		    json_object_new_int64((long long)time(NULL)));
		json_object_object_add(m, "owned_by",
		    json_object_new_string("openai"));
		json_object_array_add(data, m);
	}
	if (ollama_filtered(r->user)) {
		if (ollama_filter(r->db, r->a, r->user, data, "id", &kept) !=
		    ERR_OK)
			return resp_internal(r, "ollama v1 models", ERR_DB);
		data = json_on_arena(r->a, kept);
	}
	o = json_object_new_object();
	json_object_object_add(o, "data", json_object_get(data));
	json_object_object_add(o, "object", json_object_new_string("list"));
	return resp_json(r, 200, o);
}
