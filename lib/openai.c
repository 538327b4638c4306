/* openai.c: the OpenAI-compatible connections (see openai.h), as
 * routers/openai.py of Open WebUI 0.6.32 talks to them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access.h"
#include "conf.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "model.h"
#include "openai.h"
#include "payload.h"
#include "user.h"

#define OPENAI_URL	"api.openai.com"

/* The model ids OpenAI's own list holds that are no chat models. */
static const char *const openai_skip[] = { "babbage", "dall-e", "davinci",
    "embedding", "tts", "whisper" };

int
openai_conn_count(void)
{
	json_object *urls = conf_get(CONF_OPENAI_API_BASE_URLS);

	if (!json_object_is_type(urls, json_type_array))
		return 0;
	return (int)json_object_array_length(urls);
}

/* A string member of an array, or "" when absent or not a string. */
static const char *
openai_str_at(json_object *arr, int i)
{
	json_object *v;

	if (!json_object_is_type(arr, json_type_array) || i < 0 ||
	    (size_t)i >= json_object_array_length(arr))
		return "";
	v = json_object_array_get_idx(arr, i);
	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
}

enum err
openai_conn_get(struct arena *a, int idx, struct openai_conn *c)
{
	json_object *cfgs = conf_get(CONF_OPENAI_API_CONFIGS), *cfg = NULL;
	char key[16];

	if (idx < 0 || idx >= openai_conn_count())
		return ERR_NOTFOUND;
	c->idx = idx;
	c->url = openai_str_at(conf_get(CONF_OPENAI_API_BASE_URLS), idx);
	c->key = openai_str_at(conf_get(CONF_OPENAI_API_KEYS), idx);
	snprintf(key, sizeof(key), "%d", idx);
	/* the index as a string, else (legacy) the URL */
	if (json_object_is_type(cfgs, json_type_object) &&
	    !json_object_object_get_ex(cfgs, key, &cfg))
		json_object_object_get_ex(cfgs, c->url, &cfg);
	if (!json_object_is_type(cfg, json_type_object))
		cfg = json_on_arena(a, json_object_new_object());
	c->config = cfg;
	return ERR_OK;
}

/* Python's urllib.parse.quote(s, safe=" "). Arena-owned. */
static char *
openai_quote(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = arena_alloc(a, strlen(s) * 3 + 1), *p = out;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || strchr("_.-~ ", ch) != NULL)
			*p++ = (char)ch;
		else {
			*p++ = '%';
			*p++ = hex[ch >> 4];
			*p++ = hex[ch & 15];
		}
	}
	*p = '\0';
	return out;
}

/* Returns 1 when s can go into a header value. */
static int
openai_header_safe(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") == NULL;
}

/* Appends the X-OpenWebUI-User-* headers when forwarding is on. */
static int
openai_user_headers(struct arena *a, const char **h, int n,
    const struct user *u)
{
	if (!conf_bool(CONF_ENABLE_FORWARD_USER_INFO_HEADERS) || u == NULL)
		return n;
	h[n++] = arena_printf(a, "X-OpenWebUI-User-Name: %s",
	    openai_quote(a, u->name ? u->name : ""));
	if (openai_header_safe(u->id))
		h[n++] = arena_printf(a, "X-OpenWebUI-User-Id: %s", u->id);
	if (openai_header_safe(u->email))
		h[n++] = arena_printf(a, "X-OpenWebUI-User-Email: %s",
		    u->email);
	if (openai_header_safe(u->role))
		h[n++] = arena_printf(a, "X-OpenWebUI-User-Role: %s", u->role);
	return n;
}

const char **
openai_headers(struct arena *a, const struct openai_conn *c,
    const struct user *u, const char *token, const char *chat_id)
{
	const char **h = arena_alloc(a, 16 * sizeof(*h));
	const char *auth = json_get_str(c->config, "auth_type");
	const char *bearer = NULL;
	int n = 0;

	h[n++] = "Content-Type: application/json";
	if (strstr(c->url, "openrouter.ai") != NULL) {
		h[n++] = "HTTP-Referer: https://openwebui.com/";
		h[n++] = "X-Title: Open WebUI";
	}
	n = openai_user_headers(a, h, n, u);
	if (u != NULL && conf_bool(CONF_ENABLE_FORWARD_USER_INFO_HEADERS) &&
	    chat_id != NULL && *chat_id != '\0' && openai_header_safe(chat_id))
		h[n++] = arena_printf(a, "X-OpenWebUI-Chat-Id: %s", chat_id);
	if (json_get(c->config, "auth_type") == NULL ||
	    (auth != NULL && strcmp(auth, "bearer") == 0))
		bearer = c->key;
	else if (auth != NULL && strcmp(auth, "session") == 0)
		bearer = token;
	/* system_oauth and Azure Entra ID need credentials cwebui does not
	 * hold: no Authorization, as Python when it finds no token */
	if (bearer != NULL && *bearer != '\0' && openai_header_safe(bearer))
		h[n++] = arena_printf(a, "Authorization: Bearer %s", bearer);
	h[n] = NULL;
	return h;
}

json_object *
openai_resp_json(const struct http_resp *r)
{
	const char *ct = r->content_type, *sub, *end;

	if (r->status == 0 || ct == NULL || strncasecmp(ct,
	    "application/", 12) != 0)
		return NULL;
	sub = ct + 12;
	end = sub + strcspn(sub, "; ");
	if (!((end - sub == 4 && strncasecmp(sub, "json", 4) == 0) ||
	    (end - sub > 5 && strncasecmp(end - 5, "+json", 5) == 0)))
		return NULL;
	return json_parse(r->body.p ? r->body.p : "", r->body.len);
}

/* Python's f"{x}" for an id or name value. Arena-owned. */
static const char *
openai_pystr(struct arena *a, json_object *v)
{
	if (v == NULL)
		return "None";
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v) ? "True" : "False";
	return arena_strdup(a, json_text(v));
}

/* Applies the connection's prefix_id, tags and connection_type to each
 * model of one answer (get_all_models_responses). */
static void
openai_decorate(struct arena *a, json_object *list, json_object *cfg)
{
	json_object *tags = json_get(cfg, "tags"), *ct, *m, *v;
	const char *prefix = json_get_str(cfg, "prefix_id");
	size_t i;

	if (!json_object_object_get_ex(cfg, "connection_type", &ct))
		ct = NULL;
	for (i = 0; i < json_object_array_length(list); i++) {
		m = json_object_array_get_idx(list, i);
		if (!json_object_is_type(m, json_type_object))
			continue;
		if (json_object_object_get_ex(m, "name", &v) && v == NULL)
			json_object_object_del(m, "name");
		if (prefix != NULL && *prefix != '\0') {
			if (!json_object_object_get_ex(m, "id", &v) &&
			    !json_object_object_get_ex(m, "name", &v))
				v = json_object_new_string("");
			else
				v = json_object_get(v);
			json_object_object_add(m, "id", json_object_new_string(
			    arena_printf(a, "%s.%s", prefix,
			    openai_pystr(a, v))));
			json_object_put(v);
		}
		if (json_truthy(tags))
			json_object_object_add(m, "tags", json_object_get(tags));
		if (!json_object_object_get_ex(cfg, "connection_type", NULL))
			json_object_object_add(m, "connection_type",
			    json_object_new_string("external"));
		else if (json_truthy(ct))
			json_object_object_add(m, "connection_type",
			    json_object_get(ct));
	}
}

/* The entries one connection gives to the merged list (merge_models_lists):
 * each model with an id (or name), minus OpenAI's non-chat models, as
 * {**model, name, owned_by, openai, connection_type, urlIdx}. */
static void
openai_merge(json_object *out, json_object *list, const char *url, int idx)
{
	json_object *m, *e, *id, *name, *ct;
	size_t i, j;

	for (i = 0; i < json_object_array_length(list); i++) {
		m = json_object_array_get_idx(list, i);
		if (!json_object_is_type(m, json_type_object))
			continue;
		id = json_get(m, "id");
		name = json_get(m, "name");
		if (!json_truthy(id) && !json_truthy(name))
			continue;
		/* Python reads model["id"] here: a model with a name only
		 * would fail the whole list there; cwebui drops it */
		if (!json_object_object_get_ex(m, "id", &id) ||
		    !json_object_is_type(id, json_type_string))
			continue;
		if (strstr(url, OPENAI_URL) != NULL) {
			for (j = 0; j < sizeof(openai_skip) /
			    sizeof(openai_skip[0]); j++)
				if (strstr(json_object_get_string(id),
				    openai_skip[j]) != NULL)
					break;
			if (j < sizeof(openai_skip) / sizeof(openai_skip[0]))
				continue;
		}
		e = NULL;
		if (json_object_deep_copy(m, &e, NULL) != 0)
			continue;
		if (!json_object_object_get_ex(m, "name", NULL))
			json_object_object_add(e, "name", json_object_get(id));
		json_object_object_add(e, "owned_by",
		    json_object_new_string("openai"));
		json_object_object_add(e, "openai", json_object_get(m));
		if (!json_object_object_get_ex(m, "connection_type", &ct))
			ct = json_object_new_string("external");
		else
			ct = json_object_get(ct);
		json_object_object_add(e, "connection_type", ct);
		json_object_object_add(e, "urlIdx", json_object_new_int(idx));
		json_object_array_add(out, e);
	}
}

/* The list given by model_ids instead of asking the connection. */
static json_object *
openai_listed(json_object *ids, int idx)
{
	json_object *list = json_object_new_array(), *m, *o, *id;
	size_t i;

	for (i = 0; i < json_object_array_length(ids); i++) {
		id = json_object_array_get_idx(ids, i);
		m = json_object_new_object();
		json_object_object_add(m, "id", json_object_get(id));
		json_object_object_add(m, "name", json_object_get(id));
		json_object_object_add(m, "owned_by",
		    json_object_new_string("openai"));
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_get(id));
		json_object_object_add(m, "openai", o);
		json_object_object_add(m, "urlIdx", json_object_new_int(idx));
		json_object_array_add(list, m);
	}
	return list;
}

/* Pads or cuts OPENAI_API_KEYS to the number of URLs and stores that, as
 * Python does whenever it lists the models. */
static void
openai_align_keys(struct db *db, int n)
{
	json_object *keys = conf_get(CONF_OPENAI_API_KEYS), *k;
	int i, nk;

	nk = json_object_is_type(keys, json_type_array) ?
	    (int)json_object_array_length(keys) : 0;
	if (nk == n)
		return;
	k = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(k, i < nk ? json_object_get(
		    json_object_array_get_idx(keys, i)) :
		    json_object_new_string(""));
	if (conf_set(db, CONF_OPENAI_API_KEYS, k) != ERR_OK)
		log_error("could not store the aligned OPENAI_API_KEYS");
}

void
openai_models_prepare(struct db *db, struct arena *a, const struct user *u,
    struct openai_fetch *f)
{
	json_object *ids;
	const char **h;
	int n, i;

	memset(f, 0, sizeof(*f));
	if (!conf_bool(CONF_ENABLE_OPENAI_API))
		return;
	n = openai_conn_count();
	openai_align_keys(db, n);
	f->n = n;
	f->c = arena_alloc(a, (size_t)(n + 1) * sizeof(*f->c));
	f->q = arena_alloc(a, (size_t)(n + 1) * sizeof(*f->q));
	f->qidx = arena_alloc(a, (size_t)(n + 1) * sizeof(*f->qidx));
	f->lists = arena_alloc(a, (size_t)(n + 1) * sizeof(*f->lists));
	for (i = 0; i < n; i++) {
		openai_conn_get(a, i, &f->c[i]);
		if (json_object_object_get_ex(f->c[i].config, "enable", NULL) &&
		    !json_truthy(json_get(f->c[i].config, "enable")))
			continue;
		ids = json_get(f->c[i].config, "model_ids");
		if (json_object_is_type(ids, json_type_array) &&
		    json_object_array_length(ids) > 0) {
			f->lists[i] = json_on_arena(a, openai_listed(ids, i));
			continue;
		}
		/* send_get_request: the key as bearer whatever auth_type */
		h = arena_alloc(a, 8 * sizeof(*h));
		h[openai_user_headers(a, h, 0, u)] = NULL;
		if (*f->c[i].key != '\0' && openai_header_safe(f->c[i].key)) {
			int k = 0;

			while (h[k] != NULL)
				k++;
			h[k] = arena_printf(a, "Authorization: Bearer %s",
			    f->c[i].key);
			h[k + 1] = NULL;
		}
		f->q[f->nq].method = "GET";
		f->q[f->nq].url = arena_printf(a, "%s/models", f->c[i].url);
		f->q[f->nq].headers = h;
		f->q[f->nq].timeout_ms = http_timeout_model_list_ms();
		f->qidx[f->nq++] = i;
	}
}

json_object *
openai_models_finish(struct arena *a, const struct openai_fetch *f,
    const struct http_resp *rs)
{
	json_object *out = json_object_new_array(), *body, *data;
	int i;

	for (i = 0; i < f->nq; i++) {
		body = json_on_arena(a, openai_resp_json(&rs[i]));
		if (json_object_is_type(body, json_type_array))
			f->lists[f->qidx[i]] = body;
		else if (json_object_is_type(body, json_type_object) &&
		    json_object_object_length(body) > 0 &&
		    (data = json_get(body, "data")) != NULL &&
		    json_object_is_type(data, json_type_array))
			f->lists[f->qidx[i]] = data;
		else if (rs[i].status == 0)
			log_warn("openai connection %d: %s", f->qidx[i],
			    rs[i].error ? rs[i].error : "no answer");
	}
	for (i = 0; i < f->n; i++) {
		if (f->lists[i] == NULL)
			continue;
		openai_decorate(a, f->lists[i], f->c[i].config);
		openai_merge(out, f->lists[i], f->c[i].url, i);
	}
	return out;
}

enum err
openai_models(struct db *db, struct arena *a, const struct user *u,
    int refresh, json_object **out)
{
	struct openai_fetch f;
	struct http_resp *rs;

	(void)refresh;
	openai_models_prepare(db, a, u, &f);
	rs = arena_alloc(a, (size_t)(f.nq + 1) * sizeof(*rs));
	if (f.nq > 0)
		http_do_many(a, f.q, rs, f.nq);
	*out = openai_models_finish(a, &f, rs);
	return ERR_OK;
}

json_object *
openai_model_find(json_object *models, const char *id)
{
	json_object *found = NULL, *m;
	const char *mid;
	size_t i;

	if (id == NULL || !json_object_is_type(models, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(models); i++) {
		m = json_object_array_get_idx(models, i);
		mid = json_get_str(m, "id");
		if (mid != NULL && strcmp(mid, id) == 0)
			found = m;
	}
	return found;
}

enum err
openai_model_access(struct db *db, struct arena *a, const struct user *u,
    json_object *payload, int bypass)
{
	const char *id = json_get_str(payload, "model");
	struct model *info = NULL;
	json_object *params, *system;
	enum err e;

	if (conf_bool(CONF_BYPASS_MODEL_ACCESS_CONTROL))
		bypass = 1;
	e = id != NULL ? model_get(db, a, id, &info) : ERR_NOTFOUND;
	if (e == ERR_DB)
		return e;
	if (info == NULL)
		return bypass || strcmp(u->role, "admin") == 0 ? ERR_OK :
		    ERR_DENIED;
	if (info->base_model_id != NULL)
		json_object_object_add(payload, "model",
		    json_object_new_string(info->base_model_id));
	params = json_on_arena(a, json_parse_col(info->params));
	if (json_truthy(params) &&
	    json_object_is_type(params, json_type_object)) {
		system = json_on_arena(a, json_object_get(json_get(params,
		    "system")));
		json_object_object_del(params, "system");
		if (payload_params_openai(params, payload) != ERR_OK)
			return ERR_INVAL;
		if (json_object_is_type(system, json_type_string))
			payload_apply_system(json_object_get_string(system),
			    payload, json_get(payload, "metadata"), u);
	}
	if (!bypass && strcmp(u->role, "user") == 0 &&
	    strcmp(u->id, info->user_id) != 0 &&
	    !access_has(db, a, u, "read", info->access_control))
		return ERR_DENIED;
	return ERR_OK;
}

enum err
openai_resolve(struct db *db, struct arena *a, const struct user *u,
    json_object *payload, int bypass, json_object **models, int *idx,
    json_object **model)
{
	const char *id;
	json_object *v;
	enum err e;

	*models = NULL;
	*model = NULL;
	if ((e = openai_model_access(db, a, u, payload, bypass)) != ERR_OK)
		return e;
	id = json_get_str(payload, "model");
	if ((e = openai_models(db, a, u, 0, models)) != ERR_OK)
		return e;
	if ((*model = openai_model_find(*models, id)) == NULL)
		return ERR_NOTFOUND;
	v = json_get(*model, "urlIdx");
	*idx = v != NULL ? json_object_get_int(v) : 0;
	if (json_truthy(json_get(*model, "pipeline"))) {
		v = json_object_new_object();
		json_object_object_add(v, "name", json_str_or_null(u->name));
		json_object_object_add(v, "id", json_str_or_null(u->id));
		json_object_object_add(v, "email", json_str_or_null(u->email));
		json_object_object_add(v, "role", json_str_or_null(u->role));
		json_object_object_add(payload, "user", v);
	}
	return ERR_OK;
}

/* Python's is_openai_reasoning_model. */
static int
openai_reasoning(const char *model)
{
	static const char *const pre[] = { "o1", "o3", "o4", "gpt-5" };
	size_t i;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (strncasecmp(model, pre[i], strlen(pre[i])) == 0)
			return 1;
	return 0;
}

/* Renames field from into to (the value moves). */
static void
openai_rename(json_object *o, const char *from, const char *to)
{
	json_object *v;

	if (!json_object_object_get_ex(o, from, &v))
		return;
	json_object_object_add(o, to, json_object_get(v));
	json_object_object_del(o, from);
}

/* The reasoning models' rules (openai_reasoning_model_handler). */
static void
openai_reasoning_fix(json_object *p)
{
	json_object *msgs = json_get(p, "messages"), *first;
	const char *role, *model = json_get_str(p, "model");

	openai_rename(p, "max_tokens", "max_completion_tokens");
	if (!json_object_is_type(msgs, json_type_array) ||
	    json_object_array_length(msgs) == 0)
		return;
	first = json_object_array_get_idx(msgs, 0);
	role = json_get_str(first, "role");
	if (role == NULL || strcmp(role, "system") != 0)
		return;
	json_object_object_add(first, "role", json_object_new_string(
	    strncasecmp(model, "o1-mini", 7) == 0 ||
	    strncasecmp(model, "o1-preview", 10) == 0 ? "user" : "developer"));
}

/* convert_logit_bias_input_to_json: "token:bias,..." to {token: bias}
 * with bias clamped to [-100, 100]. A string Python cannot read is left
 * as it is (Python fails the request). */
static void
openai_logit_bias(json_object *p)
{
	const char *s = json_get_str(p, "logit_bias");
	json_object *o;
	char *copy, *pair, *save = NULL, *colon, *end, *tok, *t;
	long bias;

	if (s == NULL)
		return;
	o = json_object_new_object();
	copy = xstrdup(s);
	for (pair = strtok_r(copy, ",", &save); pair != NULL;
	    pair = strtok_r(NULL, ",", &save)) {
		if ((colon = strchr(pair, ':')) == NULL ||
		    strchr(colon + 1, ':') != NULL)
			goto bad;
		*colon = '\0';
		bias = strtol(colon + 1, &end, 10);
		while (isspace((unsigned char)*end))
			end++;
		if (end == colon + 1 || *end != '\0')
			goto bad;
		for (tok = pair; isspace((unsigned char)*tok); tok++)
			;
		for (t = tok + strlen(tok); t > tok &&
		    isspace((unsigned char)t[-1]); t--)
			*(t - 1) = '\0';
		json_object_object_add(o, tok, json_object_new_int(bias > 100 ?
		    100 : bias < -100 ? -100 : (int)bias));
	}
	free(copy);
	json_object_object_add(p, "logit_bias", o);
	return;
bad:
	free(copy);
	json_object_put(o);
}

const char *
openai_azure_payload(struct arena *a, const char *url, json_object *p,
    const char *version)
{
	static const char *const allowed[] = { "messages", "temperature",
	    "role", "content", "contentPart", "contentPartImage",
	    "enhancements", "dataSources", "n", "stream", "stop",
	    "max_tokens", "presence_penalty", "frequency_penalty",
	    "logit_bias", "user", "function_call", "functions", "tools",
	    "tool_choice", "top_p", "log_probs", "top_logprobs",
	    "response_format", "seed", "max_completion_tokens" };
	const char *model = json_get_str(p, "model");
	json_object *t;
	struct json_object_iterator it, end;
	const char **drop;
	size_t i, nd = 0;

	model = arena_strdup(a, model ? model : "");
	if (openai_reasoning(model)) {
		openai_rename(p, "max_tokens", "max_completion_tokens");
		if (json_object_object_get_ex(p, "temperature", &t) &&
		    !(t != NULL && json_object_get_double(t) == 1.0 &&
		    (json_object_is_type(t, json_type_int) ||
		    json_object_is_type(t, json_type_double))))
			json_object_object_del(p, "temperature");
	}
	drop = arena_alloc(a, (json_object_object_length(p) + 1) *
	    sizeof(*drop));
	it = json_object_iter_begin(p);
	end = json_object_iter_end(p);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);

		for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (i == sizeof(allowed) / sizeof(allowed[0]) &&
		    !(strcmp(k, "stream_options") == 0 &&
		    strcmp(version, "2024-09-01-preview") >= 0))
			drop[nd++] = arena_strdup(a, k);
	}
	for (i = 0; i < nd; i++)
		json_object_object_del(p, drop[i]);
	return arena_printf(a, "%s/openai/deployments/%s", url, model);
}

enum err
openai_chat_prepare(struct arena *a, const struct user *u, const char *token,
    int url_idx, json_object *payload, struct http_req *q)
{
	struct openai_conn c;
	json_object *meta = NULL;
	const char *prefix, *model, *chat_id = NULL, *version, *auth, *url;
	const char **h;
	size_t plen;
	int n;
	enum err e;

	memset(q, 0, sizeof(*q));
	if ((e = openai_conn_get(a, url_idx, &c)) != ERR_OK)
		return e;
	if (json_object_object_get_ex(payload, "metadata", &meta)) {
		meta = json_on_arena(a, json_object_get(meta));
		json_object_object_del(payload, "metadata");
		chat_id = json_get_str(meta, "chat_id");
	}
	prefix = json_get_str(c.config, "prefix_id");
	model = json_get_str(payload, "model");
	if (prefix != NULL && *prefix != '\0' && model != NULL) {
		/* str.replace(f"{prefix_id}.", ""): every occurrence */
		struct buf *b = arena_alloc(a, sizeof(*b));
		const char *pat = arena_printf(a, "%s.", prefix), *p;

		plen = strlen(pat);
		buf_on_arena(b, a);
		while ((p = strstr(model, pat)) != NULL) {
			buf_append(b, model, (size_t)(p - model));
			model = p + plen;
		}
		buf_puts(b, model);
		json_object_object_add(payload, "model",
		    json_object_new_string(buf_str(b)));
	}
	model = json_get_str(payload, "model");
	if (model == NULL)
		model = "";
	if (openai_reasoning(model))
		openai_reasoning_fix(payload);
	else if (strstr(c.url, OPENAI_URL) == NULL)
		openai_rename(payload, "max_completion_tokens", "max_tokens");
	if (json_object_object_get_ex(payload, "max_tokens", NULL) &&
	    json_object_object_get_ex(payload, "max_completion_tokens", NULL))
		json_object_object_del(payload, "max_tokens");
	openai_logit_bias(payload);
	h = openai_headers(a, &c, u, token, chat_id);
	url = arena_printf(a, "%s/chat/completions", c.url);
	if (json_truthy(json_get(c.config, "azure"))) {
		version = json_get_str(c.config, "api_version");
		if (!json_object_object_get_ex(c.config, "api_version", NULL))
			version = "2023-03-15-preview";
		if (version == NULL)
			version = "None";
		url = openai_azure_payload(a, c.url, payload, version);
		auth = json_get_str(c.config, "auth_type");
		for (n = 0; h[n] != NULL; n++)
			;
		if (auth == NULL || (strcmp(auth, "azure_ad") != 0 &&
		    strcmp(auth, "microsoft_entra_id") != 0))
			h[n++] = arena_printf(a, "api-key: %s", c.key);
		h[n++] = arena_printf(a, "api-version: %s", version);
		h[n] = NULL;
		url = arena_printf(a, "%s/chat/completions?api-version=%s",
		    url, version);
	}
	q->method = "POST";
	q->url = url;
	q->headers = h;
	q->body = arena_strdup(a, json_text(payload));
	q->body_len = strlen(q->body);
	q->timeout_ms = http_timeout_ms();
	return ERR_OK;
}

enum err
openai_chat_send(struct arena *a, const struct user *u, const char *token,
    int url_idx, json_object *payload, struct http_resp *out)
{
	struct http_req q;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = openai_chat_prepare(a, u, token, url_idx, payload, &q)) !=
	    ERR_OK)
		return e;
	http_do(a, &q, out);
	return ERR_OK;
}

enum err
openai_embeddings(struct db *db, struct arena *a, const struct user *u,
    const char *token, json_object *form, struct http_resp *out)
{
	json_object *models, *m;
	struct openai_conn c;
	struct http_req q = { 0 };
	int idx = 0;
	enum err e;

	memset(out, 0, sizeof(*out));
	if ((e = openai_models(db, a, u, 0, &models)) != ERR_OK)
		return e;
	json_on_arena(a, models);
	m = openai_model_find(models, json_get_str(form, "model"));
	if (m != NULL && json_get(m, "urlIdx") != NULL)
		idx = json_object_get_int(json_get(m, "urlIdx"));
	if ((e = openai_conn_get(a, idx, &c)) != ERR_OK)
		return e;
	q.method = "POST";
	q.url = arena_printf(a, "%s/embeddings", c.url);
	q.headers = openai_headers(a, &c, u, token, NULL);
	q.body = arena_strdup(a, json_text(form));
	q.body_len = strlen(q.body);
	http_do(a, &q, out);
	return ERR_OK;
}

void
openai_drop_non_chat(json_object *resp)
{
	json_object *data = json_get(resp, "data"), *keep, *m;
	const char *id;
	size_t i, j;

	if (!json_object_is_type(data, json_type_array))
		return;
	keep = json_object_new_array();
	for (i = 0; i < json_object_array_length(data); i++) {
		m = json_object_array_get_idx(data, i);
		id = json_get_str(m, "id");
		for (j = 0; id != NULL && j < sizeof(openai_skip) /
		    sizeof(openai_skip[0]); j++)
			if (strstr(id, openai_skip[j]) != NULL)
				break;
		if (id == NULL ||
		    j == sizeof(openai_skip) / sizeof(openai_skip[0]))
			json_object_array_add(keep, json_object_get(m));
	}
	json_object_object_add(resp, "data", keep);
}

/* Appends Python's repr() of a str. */
static void
openai_repr_str(struct buf *b, const char *s)
{
	char q = strchr(s, '\'') != NULL && strchr(s, '"') == NULL ?
	    '"' : '\'';

	buf_putc(b, q);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == (unsigned char)q || ch == '\\')
			buf_printf(b, "\\%c", ch);
		else if (ch == '\n')
			buf_puts(b, "\\n");
		else if (ch == '\r')
			buf_puts(b, "\\r");
		else if (ch == '\t')
			buf_puts(b, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			buf_printf(b, "\\x%02x", ch);
		else
			buf_putc(b, (char)ch);
	}
	buf_putc(b, q);
}

static void
openai_repr(struct buf *b, json_object *v)
{
	size_t i;
	int first = 1;

	switch (json_object_get_type(v)) {
	case json_type_null:
		buf_puts(b, "None");
		break;
	case json_type_boolean:
		buf_puts(b, json_object_get_boolean(v) ? "True" : "False");
		break;
	case json_type_string:
		openai_repr_str(b, json_object_get_string(v));
		break;
	case json_type_array:
		buf_putc(b, '[');
		for (i = 0; i < json_object_array_length(v); i++) {
			if (i > 0)
				buf_puts(b, ", ");
			openai_repr(b, json_object_array_get_idx(v, i));
		}
		buf_putc(b, ']');
		break;
	case json_type_object:
		buf_putc(b, '{');
		json_object_object_foreach(v, k, m) {
			if (!first)
				buf_puts(b, ", ");
			first = 0;
			openai_repr_str(b, k);
			buf_puts(b, ": ");
			openai_repr(b, m);
		}
		buf_putc(b, '}');
		break;
	default:
		buf_puts(b, json_object_to_json_string(v));
		break;
	}
}

const char *
openai_pyrepr(struct arena *a, json_object *v)
{
	struct buf *b = buf_arena(a);
	openai_repr(b, v);
	return buf_str(b);
}
