/* ollama.c: the Ollama connections of routers/ollama.py: the merged model
 * list, the exchanges with a connection and their errors as Python reports
 * them, the chat completion and its OpenAI form (utils/response.py). */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "buf.h"
#include "conf.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "model.h"
#include "ollama.h"
#include "payload.h"
#include "rand.h"
#include "user.h"

#define MSG_CONN_ERROR	"Open WebUI: Server Connection Error"

int
ollama_conn_count(void)
{
	json_object *urls = conf_get(CONF_OLLAMA_BASE_URLS);

	if (!json_object_is_type(urls, json_type_array))
		return 0;
	return (int)json_object_array_length(urls);
}

/* configs[str(idx)], else configs[alt] (legacy), else NULL. Borrowed. */
static json_object *
ollama_config_of(int idx, const char *alt)
{
	json_object *cfgs = conf_get(CONF_OLLAMA_API_CONFIGS), *v;
	char k[24];

	if (!json_object_is_type(cfgs, json_type_object))
		return NULL;
	snprintf(k, sizeof(k), "%d", idx);
	if (json_object_object_get_ex(cfgs, k, &v))
		return v;
	if (alt != NULL && json_object_object_get_ex(cfgs, alt, &v))
		return v;
	return NULL;
}

/* scheme://netloc of url (Python's urlparse), in a. */
static const char *
ollama_origin(struct arena *a, const char *url)
{
	const char *p = strstr(url, "://"), *e;

	if (p == NULL)
		return "://";
	e = p + 3;
	while (*e != '\0' && *e != '/' && *e != '?' && *e != '#')
		e++;
	return arena_strndup(a, url, (size_t)(e - url));
}

enum err
ollama_conn_get(struct arena *a, int idx, struct ollama_conn *c)
{
	json_object *urls = conf_get(CONF_OLLAMA_BASE_URLS), *u, *kc;
	const char *s;

	memset(c, 0, sizeof(*c));
	if (idx < 0 || idx >= ollama_conn_count())
		return ERR_NOTFOUND;
	u = json_object_array_get_idx(urls, (size_t)idx);
	c->idx = idx;
	c->url = json_object_is_type(u, json_type_string) ?
	    json_object_get_string(u) : json_text(u);
	c->config = ollama_config_of(idx, c->url);
	if (!json_object_is_type(c->config, json_type_object))
		c->config = json_on_arena(a, json_object_new_object());
	kc = ollama_config_of(idx, ollama_origin(a, c->url));
	s = json_get_str(kc, "key");
	c->key = s != NULL && *s != '\0' ? s : NULL;
	s = json_get_str(c->config, "prefix_id");
	c->prefix_id = s != NULL && *s != '\0' ? s : NULL;
	return ERR_OK;
}

/* Python's quote(s, safe=" "). */
static const char *
ollama_quote(struct arena *a, const char *s)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;
	char *out;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || strchr("_.-~ ", *p) != NULL)
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	out = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return out;
}

/* Header values must not carry CR or LF. */
static int
ollama_header_safe(const char *s)
{
	return s == NULL || strpbrk(s, "\r\n") == NULL;
}

/* The request headers of one exchange (NULL-terminated, in a). */
static const char *const *
ollama_headers(struct arena *a, const char *key, const struct user *u,
    const char *chat_id, int json)
{
	const char **h = arena_alloc(a, 9 * sizeof(*h));
	int n = 0;

	if (json)
		h[n++] = "Content-Type: application/json";
	if (key != NULL && *key != '\0' && ollama_header_safe(key))
		h[n++] = arena_printf(a, "Authorization: Bearer %s", key);
	if (!ollama_header_safe(chat_id))
		chat_id = NULL;
	if (u != NULL && conf_bool(CONF_ENABLE_FORWARD_USER_INFO_HEADERS) &&
	    ollama_header_safe(u->id) && ollama_header_safe(u->email)) {
		h[n++] = arena_printf(a, "X-OpenWebUI-User-Name: %s",
		    ollama_quote(a, u->name ? u->name : ""));
		h[n++] = arena_printf(a, "X-OpenWebUI-User-Id: %s", u->id);
		h[n++] = arena_printf(a, "X-OpenWebUI-User-Email: %s",
		    u->email);
		h[n++] = arena_printf(a, "X-OpenWebUI-User-Role: %s",
		    u->role);
		if (chat_id != NULL && *chat_id != '\0')
			h[n++] = arena_printf(a, "X-OpenWebUI-Chat-Id: %s",
			    chat_id);
	}
	h[n] = NULL;
	return h;
}

void
ollama_prepare(struct arena *a, const struct ollama_conn *c,
    const char *method, const char *path, const struct user *u,
    const char *chat_id, json_object *body, long timeout_ms,
    struct http_req *q)
{
	memset(q, 0, sizeof(*q));
	q->method = method;
	q->url = arena_printf(a, "%s%s", c->url, path);
	if (!ollama_header_safe(c->key) || !ollama_header_safe(chat_id) ||
	    (u != NULL && (!ollama_header_safe(u->email) ||
	    !ollama_header_safe(u->id))))
		chat_id = NULL, u = NULL;
	q->headers = ollama_headers(a, ollama_header_safe(c->key) ? c->key :
	    NULL, u, chat_id, body != NULL);
	if (body != NULL) {
		q->body = arena_strdup(a, json_text(body));
		q->body_len = strlen(q->body);
	}
	q->timeout_ms = timeout_ms;
}

enum err
ollama_send(struct arena *a, const struct ollama_conn *c, const char *method,
    const char *path, const struct user *u, const char *chat_id,
    json_object *body, long timeout_ms, struct http_resp *out)
{
	struct http_req q;

	ollama_prepare(a, c, method, path, u, chat_id, body, timeout_ms, &q);
	return http_do(a, &q, out);
}

/* The parsed JSON body of h (arena), or NULL. */
static json_object *
ollama_body_json(struct arena *a, const struct http_resp *h)
{
	if (h->body.len == 0)
		return NULL;
	return json_on_arena(a, json_parse(h->body.p, h->body.len));
}

/* The text of an "error" member as Python's f-string shows it. */
static const char *
ollama_error_text(json_object *e)
{
	if (e == NULL)
		return "None";
	if (json_object_is_type(e, json_type_string))
		return json_object_get_string(e);
	return json_text(e);
}

int
ollama_requests_error(struct arena *a, const struct http_resp *h,
    const char *url, long *status, const char **detail)
{
	json_object *res, *e;

	if (h->status >= 200 && h->status < 400)
		return 0;
	*status = 500;
	*detail = MSG_CONN_ERROR;
	if (h->status == 0)
		return 1;
	res = ollama_body_json(a, h);
	if (res == NULL)
		*detail = arena_printf(a, "Ollama: %ld %s Error: %s for url: "
		    "%s", h->status, h->status < 500 ? "Client" : "Server",
		    http_reason(h->status), url);
	else if (json_object_is_type(res, json_type_object) &&
	    json_object_object_get_ex(res, "error", &e))
		*detail = arena_printf(a, "Ollama: %s", ollama_error_text(e));
	return 1;
}

int
ollama_post_error(struct arena *a, const struct http_resp *h,
    const char *url, long *status, const char **detail)
{
	json_object *res, *e;

	if (h->status >= 200 && h->status < 400)
		return 0;
	if (h->status == 0) {
		*status = 500;
		*detail = arena_printf(a, "Ollama: %s",
		    h->error ? h->error : "connection failed");
		return 1;
	}
	*status = h->status;
	res = ollama_body_json(a, h);
	if (res == NULL)
		*detail = MSG_CONN_ERROR;
	else if (json_object_is_type(res, json_type_object) &&
	    json_object_object_get_ex(res, "error", &e))
		*detail = ollama_error_text(e);
	else
		*detail = arena_printf(a, "Ollama: %ld, message='%s', "
		    "url='%s'", h->status, http_reason(h->status), url);
	return 1;
}

/* The requests asking path of every enabled connection (of n) with the
 * model list timeout, into q; which[k] is the connection of q[k]. Returns
 * their number. */
static int
ollama_fetch_prep(struct arena *a, const char *path, const struct user *u,
    int n, struct http_req *q, int *which)
{
	struct ollama_conn c;
	const char *key;
	int i, m = 0;

	for (i = 0; i < n; i++) {
		json_object *cfg;

		if (ollama_conn_get(a, i, &c) != ERR_OK)
			continue;
		cfg = ollama_config_of(i, c.url);
		key = NULL;
		if (cfg != NULL) {
			json_object *en = NULL;

			if (json_object_object_get_ex(cfg, "enable", &en) &&
			    !json_truthy(en))
				continue;
			key = json_get_str(cfg, "key");
		}
		if (!ollama_header_safe(key))
			key = NULL;
		q[m].method = "GET";
		q[m].url = arena_printf(a, "%s%s", c.url, path);
		q[m].headers = ollama_headers(a, key, u, NULL, 1);
		q[m].timeout_ms = http_timeout_model_list_ms();
		which[m++] = i;
	}
	return m;
}

/* res[i] from the m answers out[] to ollama_fetch_prep's requests: the
 * parsed object of connection i (arena) or NULL (disabled, failed, not a
 * JSON object). */
static void
ollama_fetch_parse(struct arena *a, const struct http_resp *out,
    const int *which, int m, int n, json_object **res)
{
	int i;

	for (i = 0; i < n; i++)
		res[i] = NULL;
	for (i = 0; i < m; i++) {
		json_object *o = ollama_body_json(a, &out[i]);

		if (out[i].status == 0 || !json_object_is_type(o,
		    json_type_object) || json_object_object_length(o) == 0)
			continue;
		res[which[i]] = o;
	}
}

/* Asks path of every connection in parallel with the model list timeout;
 * res[i] as ollama_fetch_parse gives it. */
static void
ollama_fetch_all(struct arena *a, const char *path, const struct user *u,
    int n, json_object **res)
{
	struct http_req *q = arena_alloc(a, (size_t)(n + 1) * sizeof(*q));
	struct http_resp *out = arena_alloc(a, (size_t)(n + 1) * sizeof(*out));
	int *which = arena_alloc(a, (size_t)(n + 1) * sizeof(*which));
	int m;

	m = ollama_fetch_prep(a, path, u, n, q, which);
	http_do_many(a, q, out, m);
	ollama_fetch_parse(a, out, which, m, n, res);
}

/* merge_ollama_models_lists: lists[i] (borrowed, may be NULL) merged by
 * "model" with "urls". New reference. */
static json_object *
ollama_merge(json_object **lists, int n)
{
	json_object *byid = json_object_new_object(), *out, *v;
	size_t j;
	int i;

	for (i = 0; i < n; i++) {
		if (!json_object_is_type(lists[i], json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(lists[i]); j++) {
			json_object *m = json_object_array_get_idx(lists[i], j);
			json_object *id = json_get(m, "model"), *have, *urls;
			const char *k;

			if (!json_object_is_type(m, json_type_object) ||
			    id == NULL)
				continue;
			k = json_object_is_type(id, json_type_string) ?
			    json_object_get_string(id) : json_text(id);
			if (json_object_object_get_ex(byid, k, &have)) {
				json_object_array_add(json_get(have, "urls"),
				    json_object_new_int(i));
				continue;
			}
			urls = json_object_new_array();
			json_object_array_add(urls, json_object_new_int(i));
			json_object_object_add(m, "urls", urls);
			json_object_object_add(byid, k, json_object_get(m));
		}
	}
	out = json_object_new_array();
	json_object_object_foreach(byid, k, m) {
		(void)k;
		v = m;
		json_object_array_add(out, json_object_get(v));
	}
	json_object_put(byid);
	return out;
}

/* "prefix.model" for the "model" member of every entry when prefix. */
static void
ollama_prefix(struct arena *a, json_object *models, const char *prefix)
{
	size_t j;

	if (prefix == NULL || !json_object_is_type(models, json_type_array))
		return;
	for (j = 0; j < json_object_array_length(models); j++) {
		json_object *m = json_object_array_get_idx(models, j);
		json_object *id = json_get(m, "model");

		if (!json_object_is_type(m, json_type_object))
			continue;
		json_object_object_add(m, "model", json_object_new_string(
		    arena_printf(a, "%s.%s", prefix, id == NULL ? "None" :
		    json_object_is_type(id, json_type_string) ?
		    json_object_get_string(id) : json_text(id))));
	}
}

/* get_ollama_loaded_models from the /api/ps answers res[0..n-1] (as
 * ollama_fetch_parse gives them). New reference. */
static json_object *
ollama_loaded_merge(struct arena *a, int n, json_object **res)
{
	json_object **lists;
	struct ollama_conn c;
	int i;

	lists = arena_alloc(a, (size_t)(n + 1) * sizeof(*lists));
	for (i = 0; i < n; i++) {
		lists[i] = json_get(res[i], "models");
		if (lists[i] != NULL && ollama_conn_get(a, i, &c) == ERR_OK)
			ollama_prefix(a, lists[i], c.prefix_id);
	}
	return ollama_merge(lists, n);
}

enum err
ollama_loaded(struct arena *a, const struct user *u, json_object **out)
{
	int n = ollama_conn_count();
	json_object **res;

	*out = NULL;
	if (!conf_bool(CONF_ENABLE_OLLAMA_API)) {
		*out = json_object_new_array();
		return ERR_OK;
	}
	res = arena_alloc(a, (size_t)(n + 1) * sizeof(*res));
	ollama_fetch_all(a, "/api/ps", u, n, res);
	*out = ollama_loaded_merge(a, n, res);
	return ERR_OK;
}

/* datetime.fromisoformat(s).timestamp(): returns 0 and *t, or -1. */
static int
ollama_iso_time(const char *s, long long *t)
{
	struct tm tm;
	const char *p;
	long off = 0;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		p = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.' || *p == ',') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, hh, mm = 0;

		if (!isdigit((unsigned char)p[1]) ||
		    !isdigit((unsigned char)p[2]))
			return -1;
		hh = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)p[0]) &&
		    isdigit((unsigned char)p[1])) {
			mm = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		}
		off = sign * (hh * 3600L + mm * 60L);
	}
	if (*p != '\0')
		return -1;
	*t = (long long)timegm(&tm) - off;
	return 0;
}

/* get_all_models from the /api/tags answers res[0..n-1] and the loaded
 * models (borrowed, may be NULL) for "expires_at". New reference. */
static json_object *
ollama_models_merge(struct arena *a, int n, json_object **res,
    json_object *loaded)
{
	json_object **lists, *models, *exp;
	struct ollama_conn c;
	size_t j;
	int i;

	lists = arena_alloc(a, (size_t)(n + 1) * sizeof(*lists));
	for (i = 0; i < n; i++) {
		json_object *cfg, *ids, *tags, *ms, *kept;
		const char *ct;

		if (res[i] == NULL || ollama_conn_get(a, i, &c) != ERR_OK)
			continue;
		cfg = c.config;
		ids = json_get(cfg, "model_ids");
		ms = json_get(res[i], "models");
		if (json_object_is_type(ids, json_type_array) &&
		    json_object_array_length(ids) > 0 &&
		    json_object_is_type(ms, json_type_array)) {
			kept = json_object_new_array();
			for (j = 0; j < json_object_array_length(ms); j++) {
				json_object *m = json_object_array_get_idx(ms,
				    j);
				json_object *id = json_get(m, "model");
				size_t k;

				for (k = 0; k < json_object_array_length(ids);
				    k++)
					if (json_object_equal(id,
					    json_object_array_get_idx(ids, k)))
						break;
				if (k < json_object_array_length(ids))
					json_object_array_add(kept,
					    json_object_get(m));
			}
			json_object_object_add(res[i], "models", kept);
			ms = kept;
		}
		if (!json_object_is_type(ms, json_type_array))
			continue;
		ollama_prefix(a, ms, c.prefix_id);
		tags = json_get(cfg, "tags");
		if (json_object_object_get_ex(cfg, "connection_type", &exp))
			ct = json_truthy(exp) ? json_object_get_string(exp) :
			    NULL;
		else
			ct = "local";
		for (j = 0; j < json_object_array_length(ms); j++) {
			json_object *m = json_object_array_get_idx(ms, j);

			if (!json_object_is_type(m, json_type_object))
				continue;
			if (json_truthy(tags))
				json_object_object_add(m, "tags",
				    json_object_get(tags));
			if (ct != NULL)
				json_object_object_add(m, "connection_type",
				    json_object_new_string(ct));
		}
		lists[i] = ms;
	}
	models = ollama_merge(lists, n);
	if (loaded != NULL) {
		json_object *map = json_object_new_object();

		for (j = 0; j < json_object_array_length(loaded); j++) {
			json_object *m = json_object_array_get_idx(loaded, j);
			json_object *id = json_get(m, "model"), *e;

			if (json_object_is_type(id, json_type_string) &&
			    json_object_object_get_ex(m, "expires_at", &e))
				json_object_object_add(map,
				    json_object_get_string(id),
				    json_object_get(e));
		}
		for (j = 0; j < json_object_array_length(models); j++) {
			json_object *m = json_object_array_get_idx(models, j);
			const char *id = json_get_str(m, "model");
			long long t;

			if (id == NULL ||
			    !json_object_object_get_ex(map, id, &exp))
				continue;
			if (!json_object_is_type(exp, json_type_string) ||
			    ollama_iso_time(json_object_get_string(exp),
			    &t) != 0)
				break;
			json_object_object_add(m, "expires_at",
			    json_object_new_int64(t));
		}
		json_object_put(map);
	}
	return models;
}

void
ollama_models_prepare(struct arena *a, const struct user *u,
    struct ollama_fetch *f)
{
	int n = ollama_conn_count();

	memset(f, 0, sizeof(*f));
	f->on = conf_bool(CONF_ENABLE_OLLAMA_API);
	if (!f->on)
		return;
	f->n = n;
	f->q = arena_alloc(a, (size_t)(2 * n + 1) * sizeof(*f->q));
	f->which = arena_alloc(a, (size_t)(2 * n + 1) * sizeof(*f->which));
	f->ntags = ollama_fetch_prep(a, "/api/tags", u, n, f->q, f->which);
	f->nq = f->ntags + ollama_fetch_prep(a, "/api/ps", u, n,
	    f->q + f->ntags, f->which + f->ntags);
}

json_object *
ollama_models_finish(struct arena *a, const struct ollama_fetch *f,
    const struct http_resp *rs)
{
	json_object **tags, **ps, *loaded, *models;

	if (!f->on)
		return json_object_new_array();
	tags = arena_alloc(a, (size_t)(f->n + 1) * sizeof(*tags));
	ps = arena_alloc(a, (size_t)(f->n + 1) * sizeof(*ps));
	ollama_fetch_parse(a, rs, f->which, f->ntags, f->n, tags);
	ollama_fetch_parse(a, rs + f->ntags, f->which + f->ntags,
	    f->nq - f->ntags, f->n, ps);
	loaded = ollama_loaded_merge(a, f->n, ps);
	models = ollama_models_merge(a, f->n, tags, loaded);
	json_object_put(loaded);
	return models;
}

enum err
ollama_models(struct db *db, struct arena *a, const struct user *u,
    int refresh, json_object **out)
{
	struct ollama_fetch f;
	struct http_resp *rs;

	(void)db;
	(void)refresh;
	ollama_models_prepare(a, u, &f);
	rs = arena_alloc(a, (size_t)(f.nq + 1) * sizeof(*rs));
	http_do_many(a, f.q, rs, f.nq);
	*out = ollama_models_finish(a, &f, rs);
	return ERR_OK;
}

json_object *
ollama_find(json_object *models, const char *name)
{
	size_t j;

	if (name == NULL)
		return NULL;
	for (j = 0; j < json_object_array_length(models); j++) {
		json_object *m = json_object_array_get_idx(models, j);
		const char *id = json_get_str(m, "model");

		if (id != NULL && strcmp(id, name) == 0)
			return m;
	}
	return NULL;
}

int
ollama_pick(json_object *model)
{
	json_object *urls = json_get(model, "urls"), *v;
	size_t n = json_object_array_length(urls);
	unsigned int r = 0;

	if (!json_object_is_type(urls, json_type_array) || n == 0)
		return -1;
	rand_bytes(&r, sizeof(r));
	v = json_object_array_get_idx(urls, r % n);
	return json_object_get_int(v);
}

enum err
ollama_resolve(struct db *db, struct arena *a, const struct user *u,
    const char *name, int url_idx, int *idx)
{
	json_object *models, *m, *urls;
	enum err e;
	size_t j;

	*idx = url_idx;
	if (url_idx >= 0 && strcmp(u->role, "admin") == 0)
		return ERR_OK;
	if ((e = ollama_models(db, a, u, 0, &models)) != ERR_OK)
		return e;
	json_on_arena(a, models);
	if ((m = ollama_find(models, name)) == NULL)
		return ERR_NOTFOUND;
	if (url_idx < 0) {
		*idx = ollama_pick(m);
		return *idx < 0 ? ERR_NOTFOUND : ERR_OK;
	}
	urls = json_get(m, "urls");
	for (j = 0; j < json_object_array_length(urls); j++)
		if (json_object_get_int(json_object_array_get_idx(urls, j)) ==
		    url_idx)
			return ERR_OK;
	return ERR_NOTFOUND;
}

/* 1 when u may read the workspace model m (owner or access control). */
static int
ollama_can_read(struct db *db, struct arena *a, const struct user *u,
    const struct model *m)
{
	if (m->user_id != NULL && strcmp(m->user_id, u->id) == 0)
		return 1;
	return access_has(db, a, u, "read", m->access_control);
}

enum err
ollama_filter(struct db *db, struct arena *a, const struct user *u,
    json_object *list, const char *idkey, json_object **out)
{
	json_object *o = json_object_new_array();
	struct model *m;
	size_t j;
	enum err e;

	for (j = 0; j < json_object_array_length(list); j++) {
		json_object *it = json_object_array_get_idx(list, j);
		const char *id = json_get_str(it, idkey);

		if (id == NULL)
			continue;
		e = model_get(db, a, id, &m);
		if (e == ERR_NOTFOUND)
			continue;
		if (e != ERR_OK) {
			json_object_put(o);
			return e;
		}
		if (ollama_can_read(db, a, u, m))
			json_object_array_add(o, json_object_get(it));
	}
	*out = o;
	return ERR_OK;
}

/* Sets *out to {"detail": detail} and *status; returns ERR_OK. */
static enum err
ollama_fail(long *status, json_object **out, long st, const char *detail)
{
	*status = st;
	*out = json_object_new_object();
	json_object_object_add(*out, "detail", json_object_new_string(detail));
	return ERR_OK;
}

/* Python's repr-like text of a value in a validation message. */
static const char *
ollama_repr(json_object *v)
{
	return v == NULL ? "None" : json_text(v);
}

/* Appends one pydantic error line group to b. */
static void
ollama_verr(struct buf *b, int *n, const char *loc, const char *msg,
    const char *type, json_object *input)
{
	const char *ty = input == NULL ? "NoneType" :
	    json_object_is_type(input, json_type_string) ? "str" :
	    json_object_is_type(input, json_type_object) ? "dict" :
	    json_object_is_type(input, json_type_array) ? "list" :
	    json_object_is_type(input, json_type_boolean) ? "bool" :
	    json_object_is_type(input, json_type_int) ? "int" : "float";

	buf_printf(b, "\n%s\n  %s [type=%s, input_value=%s, input_type=%s]",
	    loc, msg, type, ollama_repr(input), ty);
	(*n)++;
}

/* GenerateChatCompletionForm: returns NULL when form is valid, else the
 * text of str(ValidationError) in a. Lax bools are normalised. */
static const char *
ollama_chat_invalid(struct arena *a, json_object *form)
{
	struct buf b = BUF_INIT;
	json_object *v, *msgs;
	const char *out;
	size_t i;
	int n = 0, lb;

	if (!json_object_object_get_ex(form, "model", &v))
		ollama_verr(&b, &n, "model", "Field required", "missing", form);
	else if (!json_object_is_type(v, json_type_string))
		ollama_verr(&b, &n, "model", "Input should be a valid string",
		    "string_type", v);
	if (!json_object_object_get_ex(form, "messages", &msgs))
		ollama_verr(&b, &n, "messages", "Field required", "missing",
		    form);
	else if (!json_object_is_type(msgs, json_type_array))
		ollama_verr(&b, &n, "messages", "Input should be a valid list",
		    "list_type", msgs);
	else
		for (i = 0; i < json_object_array_length(msgs); i++) {
			json_object *m = json_object_array_get_idx(msgs, i);
			char loc[64];

			if (!json_object_is_type(m, json_type_object)) {
				snprintf(loc, sizeof(loc), "messages.%zu", i);
				ollama_verr(&b, &n, loc, "Input should be a "
				    "valid dictionary or instance of "
				    "ChatMessage", "model_type", m);
				continue;
			}
			snprintf(loc, sizeof(loc), "messages.%zu.role", i);
			if (!json_object_object_get_ex(m, "role", &v))
				ollama_verr(&b, &n, loc, "Field required",
				    "missing", m);
			else if (!json_object_is_type(v, json_type_string))
				ollama_verr(&b, &n, loc, "Input should be a "
				    "valid string", "string_type", v);
			snprintf(loc, sizeof(loc), "messages.%zu.content", i);
			if (json_object_object_get_ex(m, "content", &v)) {
				if (v == NULL)
					ollama_verr(&b, &n, loc, "Value error, "
					    "At least one of 'content' or "
					    "'tool_calls' must be provided",
					    "value_error", v);
				else if (!json_object_is_type(v,
				    json_type_string))
					ollama_verr(&b, &n, loc, "Input should "
					    "be a valid string", "string_type",
					    v);
			}
			snprintf(loc, sizeof(loc), "messages.%zu.tool_calls",
			    i);
			v = json_get(m, "tool_calls");
			if (v != NULL && !json_object_is_type(v,
			    json_type_array))
				ollama_verr(&b, &n, loc, "Input should be a "
				    "valid list", "list_type", v);
			snprintf(loc, sizeof(loc), "messages.%zu.images", i);
			v = json_get(m, "images");
			if (v != NULL && !json_object_is_type(v,
			    json_type_array))
				ollama_verr(&b, &n, loc, "Input should be a "
				    "valid list", "list_type", v);
		}
	v = json_get(form, "options");
	if (v != NULL && !json_object_is_type(v, json_type_object))
		ollama_verr(&b, &n, "options", "Input should be a valid "
		    "dictionary", "dict_type", v);
	v = json_get(form, "template");
	if (v != NULL && !json_object_is_type(v, json_type_string))
		ollama_verr(&b, &n, "template", "Input should be a valid "
		    "string", "string_type", v);
	v = json_get(form, "tools");
	if (v != NULL && !json_object_is_type(v, json_type_array))
		ollama_verr(&b, &n, "tools", "Input should be a valid list",
		    "list_type", v);
	v = json_get(form, "stream");
	if (v != NULL) {
		lb = json_lax_bool(v);
		if (lb < 0)
			ollama_verr(&b, &n, "stream", lb == -1 ? "Input should "
			    "be a valid boolean, unable to interpret input" :
			    "Input should be a valid boolean", lb == -1 ?
			    "bool_parsing" : "bool_type", v);
		else
			json_object_object_add(form, "stream",
			    json_object_new_boolean(lb));
	}
	if (n == 0) {
		buf_free(&b);
		return NULL;
	}
	out = arena_printf(a, "%d validation error%s for "
	    "GenerateChatCompletionForm%s", n, n > 1 ? "s" : "", buf_str(&b));
	buf_free(&b);
	return out;
}

/* model_dump(exclude_none=True): null members dropped, also in messages;
 * messages keep only role, content, tool_calls and images. */
void
ollama_drop_nulls(json_object *o)
{
	struct buf del = BUF_INIT;
	size_t i;

	json_object_object_foreach(o, key, v) {
		if (v == NULL) {
			buf_puts(&del, key);
			buf_putc(&del, '\0');
		}
	}
	for (i = 0; i < del.len; i += strlen(del.p + i) + 1)
		json_object_object_del(o, del.p + i);
	buf_free(&del);
}

static void
ollama_chat_dump(json_object *form)
{
	static const char *const keep[] = { "role", "content", "tool_calls",
	    "images", NULL };
	json_object *msgs = json_get(form, "messages"), *nm;
	size_t i;
	int k;

	ollama_drop_nulls(form);
	for (i = 0; i < json_object_array_length(msgs); i++) {
		json_object *m = json_object_array_get_idx(msgs, i), *mv;

		nm = json_object_new_object();
		for (k = 0; keep[k] != NULL; k++)
			if ((mv = json_get(m, keep[k])) != NULL)
				json_object_object_add(nm, keep[k],
				    json_object_get(mv));
		json_object_array_put_idx(msgs, i, nm);
	}
	if (!json_object_object_get_ex(form, "stream", NULL))
		json_object_object_add(form, "stream",
		    json_object_new_boolean(1));
}

void
ollama_strip_prefix(struct arena *a, json_object *o, const char *prefix)
{
	const char *m = json_get_str(o, "model"), *p, *q;
	struct buf b = BUF_INIT;
	char *pre;

	if (prefix == NULL || m == NULL)
		return;
	pre = arena_printf(a, "%s.", prefix);
	for (p = m; (q = strstr(p, pre)) != NULL; p = q + strlen(pre))
		buf_append(&b, p, (size_t)(q - p));
	buf_puts(&b, p);
	json_object_object_add(o, "model", json_object_new_string(buf_str(&b)));
	buf_free(&b);
}

/* Applies the workspace model info of the chat payload: base model, params
 * and system prompt; checks access. Returns 0, or the status of the
 * refusal (*out set), or -1 on a database or cast failure. */
static int
ollama_chat_model(struct db *db, struct arena *a, const struct user *u,
    json_object *payload, json_object *metadata, int bypass,
    json_object **out)
{
	const char *id = json_get_str(payload, "model");
	struct model *mi;
	json_object *params, *sys;
	char *system = NULL;
	enum err e;
	long st;

	e = model_get(db, a, id, &mi);
	if (e == ERR_NOTFOUND) {
		if (!bypass && strcmp(u->role, "admin") != 0) {
			ollama_fail(&st, out, 403, "Model not found");
			return 403;
		}
		return 0;
	}
	if (e != ERR_OK)
		return -1;
	if (mi->base_model_id != NULL)
		json_object_object_add(payload, "model",
		    json_object_new_string(mi->base_model_id));
	params = json_on_arena(a, json_parse_col(mi->params));
	if (json_object_is_type(params, json_type_object) &&
	    json_object_object_length(params) > 0) {
		sys = json_get(params, "system");
		if (json_object_is_type(sys, json_type_string))
			system = arena_strdup(a, json_object_get_string(sys));
		json_object_object_del(params, "system");
		if (payload_params_ollama(params, payload) != ERR_OK)
			return -1;
		payload_apply_system(system, payload, metadata, u);
	}
	if (!bypass && strcmp(u->role, "user") == 0 &&
	    !ollama_can_read(db, a, u, mi)) {
		ollama_fail(&st, out, 403, "Model not found");
		return 403;
	}
	return 0;
}

enum err
ollama_chat_prepare(struct db *db, struct arena *a, const struct user *u,
    int url_idx, json_object *form, int bypass, long *status,
    json_object **out, struct http_req *q)
{
	json_object *metadata = NULL;
	struct ollama_conn c;
	const char *bad, *name;
	enum err e;
	int st;

	*out = NULL;
	*status = 0;
	memset(q, 0, sizeof(*q));
	if (conf_bool(CONF_BYPASS_MODEL_ACCESS_CONTROL))
		bypass = 1;
	if (json_object_object_get_ex(form, "metadata", &metadata)) {
		json_object_get(metadata);
		json_on_arena(a, metadata);
		json_object_object_del(form, "metadata");
	}
	if ((bad = ollama_chat_invalid(a, form)) != NULL)
		return ollama_fail(status, out, 400, bad);
	ollama_chat_dump(form);
	st = ollama_chat_model(db, a, u, form, metadata, bypass, out);
	if (st > 0) {
		*status = st;
		return ERR_OK;
	}
	if (st < 0)
		return ERR_INVAL;
	name = json_get_str(form, "model");
	if (strchr(name, ':') == NULL) {
		name = arena_printf(a, "%s:latest", name);
		json_object_object_add(form, "model",
		    json_object_new_string(name));
	}
	e = ollama_resolve(db, a, u, name, url_idx, &url_idx);
	if (e == ERR_NOTFOUND)
		return ollama_fail(status, out, 400, arena_printf(a,
		    "Model '%s' was not found", name));
	if (e != ERR_OK)
		return e;
	if (ollama_conn_get(a, url_idx, &c) != ERR_OK)
		return ERR_NOTFOUND;
	ollama_strip_prefix(a, form, c.prefix_id);
	ollama_prepare(a, &c, "POST", "/api/chat", u,
	    json_get_str(metadata, "chat_id"), form, http_timeout_ms(), q);
	return ERR_OK;
}

enum err
ollama_chat_send(struct arena *a, const struct http_req *q, long *status,
    json_object **out)
{
	struct http_resp h;
	const char *detail;
	json_object *res;

	*out = NULL;
	http_do(a, q, &h);
	if (ollama_post_error(a, &h, q->url, status, &detail))
		return ollama_fail(status, out, *status, detail);
	res = ollama_body_json(a, &h);
	if (res == NULL)
		return ollama_fail(status, out, 500, arena_printf(a,
		    "Ollama: %s", "invalid JSON in the response"));
	*status = 200;
	*out = json_object_get(res);
	return ERR_OK;
}

enum err
ollama_chat(struct db *db, struct arena *a, const struct user *u,
    int url_idx, json_object *form, int bypass, long *status,
    json_object **out)
{
	struct http_req q;
	enum err e;

	e = ollama_chat_prepare(db, a, u, url_idx, form, bypass, status, out,
	    &q);
	if (e != ERR_OK || *status != 0)
		return e;
	if (json_truthy(json_get(form, "stream")))
		return ollama_fail(status, out, 400, OLLAMA_MSG_NO_STREAM);
	return ollama_chat_send(a, &q, status, out);
}

/* Python's json.dumps (default separators, ensure_ascii) of v into b. */
static void
ollama_py_dumps(struct buf *b, json_object *v)
{
	const unsigned char *p;
	size_t i;
	int first = 1;

	switch (json_object_get_type(v)) {
	case json_type_null:
		buf_puts(b, "null");
		return;
	case json_type_object:
		buf_putc(b, '{');
		json_object_object_foreach(v, k, val) {
			if (!first)
				buf_puts(b, ", ");
			first = 0;
			json_object *ks = json_object_new_string(k);
			ollama_py_dumps(b, ks);
			json_object_put(ks);
			buf_puts(b, ": ");
			ollama_py_dumps(b, val);
		}
		buf_putc(b, '}');
		return;
	case json_type_array:
		buf_putc(b, '[');
		for (i = 0; i < json_object_array_length(v); i++) {
			if (i > 0)
				buf_puts(b, ", ");
			ollama_py_dumps(b, json_object_array_get_idx(v, i));
		}
		buf_putc(b, ']');
		return;
	case json_type_string:
		buf_putc(b, '"');
		p = (const unsigned char *)json_object_get_string(v);
		while (*p != '\0') {
			unsigned long c = *p;
			int n = 0;

			if (c >= 0xf0) {
				c &= 0x07;
				n = 3;
			} else if (c >= 0xe0) {
				c &= 0x0f;
				n = 2;
			} else if (c >= 0xc0) {
				c &= 0x1f;
				n = 1;
			}
			p++;
			while (n-- > 0 && (*p & 0xc0) == 0x80)
				c = (c << 6) | (*p++ & 0x3f);
			if (c == '"' || c == '\\')
				buf_printf(b, "\\%c", (int)c);
			else if (c == '\n')
				buf_puts(b, "\\n");
			else if (c == '\r')
				buf_puts(b, "\\r");
			else if (c == '\t')
				buf_puts(b, "\\t");
			else if (c == '\b')
				buf_puts(b, "\\b");
			else if (c == '\f')
				buf_puts(b, "\\f");
			else if (c < 0x20 || (c >= 0x7f && c < 0x10000))
				buf_printf(b, "\\u%04lx", c);
			else if (c >= 0x10000) {
				c -= 0x10000;
				buf_printf(b, "\\u%04lx\\u%04lx",
				    0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
			} else
				buf_putc(b, (char)c);
		}
		buf_putc(b, '"');
		return;
	default:
		buf_puts(b, json_text(v));
		return;
	}
}

/* Python's round(x, 2) as JSON. */
static json_object *
ollama_rate(json_object *data, const char *count, const char *dur)
{
	double d = json_object_get_double(json_get(data, dur));
	double c = json_object_get_double(json_get(data, count));

	if (!(d > 0))
		return json_object_new_string("N/A");
	return json_object_new_double(round(c / (d / 10000000.0) * 100 *
	    100) / 100);
}

/* data.get(key, 0) */
static json_object *
ollama_get0(json_object *data, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(data, key, &v))
		return json_object_get(v);
	return json_object_new_int(0);
}

/* convert_ollama_usage_to_openai. New reference. */
static json_object *
ollama_usage(json_object *data)
{
	json_object *u = json_object_new_object(), *d;
	long long pc = json_object_get_int64(json_get(data,
	    "prompt_eval_count"));
	long long ec = json_object_get_int64(json_get(data, "eval_count"));
	long long s = json_object_get_int64(json_get(data, "total_duration")) /
	    1000000000LL;
	char tot[64];

	json_object_object_add(u, "response_token/s",
	    ollama_rate(data, "eval_count", "eval_duration"));
	json_object_object_add(u, "prompt_token/s",
	    ollama_rate(data, "prompt_eval_count", "prompt_eval_duration"));
	json_object_object_add(u, "total_duration",
	    ollama_get0(data, "total_duration"));
	json_object_object_add(u, "load_duration",
	    ollama_get0(data, "load_duration"));
	json_object_object_add(u, "prompt_eval_count",
	    ollama_get0(data, "prompt_eval_count"));
	json_object_object_add(u, "prompt_tokens", json_object_new_int64(pc));
	json_object_object_add(u, "prompt_eval_duration",
	    ollama_get0(data, "prompt_eval_duration"));
	json_object_object_add(u, "eval_count",
	    ollama_get0(data, "eval_count"));
	json_object_object_add(u, "completion_tokens",
	    json_object_new_int64(ec));
	json_object_object_add(u, "eval_duration",
	    ollama_get0(data, "eval_duration"));
	snprintf(tot, sizeof(tot), "%lldh%lldm%llds", s / 3600,
	    (s % 3600) / 60, s % 60);
	json_object_object_add(u, "approximate_total",
	    json_object_new_string(tot));
	json_object_object_add(u, "total_tokens",
	    json_object_new_int64(pc + ec));
	d = json_object_new_object();
	json_object_object_add(d, "reasoning_tokens", json_object_new_int(0));
	json_object_object_add(d, "accepted_prediction_tokens",
	    json_object_new_int(0));
	json_object_object_add(d, "rejected_prediction_tokens",
	    json_object_new_int(0));
	json_object_object_add(u, "completion_tokens_details", d);
	return u;
}

/* convert_ollama_tool_call_to_openai: the OpenAI form of the array calls.
 * New reference. */
static json_object *
ollama_tool_calls(json_object *calls)
{
	json_object *tc = json_object_new_array();
	char uuid[37];
	size_t i;

	for (i = 0; i < json_object_array_length(calls); i++) {
		json_object *c = json_object_array_get_idx(
		    calls, i);
		json_object *fn = json_get(c, "function");
		json_object *t = json_object_new_object();
		json_object *f = json_object_new_object(), *v;
		struct buf b = BUF_INIT;
		const char *name = json_get_str(fn, "name");

		if (json_object_object_get_ex(c, "index", &v) ||
		    json_object_object_get_ex(fn, "index", &v))
			json_object_object_add(t, "index",
			    json_object_get(v));
		else
			json_object_object_add(t, "index",
			    json_object_new_int(0));
		if (json_object_object_get_ex(c, "id", &v))
			json_object_object_add(t, "id",
			    json_object_get(v));
		else {
			rand_uuid4(uuid);
			buf_printf(&b, "call_%s", uuid);
			json_object_object_add(t, "id",
			    json_object_new_string(
			    buf_str(&b)));
			buf_reset(&b);
		}
		json_object_object_add(t, "type",
		    json_object_new_string("function"));
		json_object_object_add(f, "name",
		    json_object_new_string(name ? name : ""));
		if (json_object_object_get_ex(fn, "arguments",
		    &v))
			ollama_py_dumps(&b, v);
		else
			buf_puts(&b, "{}");
		json_object_object_add(f, "arguments",
		    json_object_new_string(buf_str(&b)));
		buf_free(&b);
		json_object_object_add(t, "function", f);
		json_object_array_add(tc, t);
	}
	return tc;
}

/* convert_response_ollama_to_openai. New reference. */
static json_object *
ollama_to_openai(json_object *res)
{
	json_object *o = json_object_new_object(), *ch, *c0, *msg, *m;
	json_object *calls, *content, *think, *tc, *mv = NULL;
	const char *model = "ollama";
	struct buf id = BUF_INIT;
	char uuid[37];

	if (json_object_object_get_ex(res, "model", &mv))
		model = mv == NULL ? "None" : json_object_is_type(mv,
		    json_type_string) ? json_object_get_string(mv) :
		    json_text(mv);
	msg = json_get(res, "message");
	rand_uuid4(uuid);
	buf_printf(&id, "%s-%s", model, uuid);
	json_object_object_add(o, "id", json_object_new_string(buf_str(&id)));
	buf_free(&id);
	json_object_object_add(o, "created",
	    json_object_new_int64((long long)time(NULL)));
	json_object_object_add(o, "model", mv != NULL ? json_object_get(mv) :
	    json_object_new_string(model));
	ch = json_object_new_array();
	c0 = json_object_new_object();
	json_object_array_add(ch, c0);
	json_object_object_add(c0, "index", json_object_new_int(0));
	json_object_object_add(c0, "logprobs", NULL);
	json_object_object_add(c0, "finish_reason",
	    json_object_new_string("stop"));
	if (!json_object_object_get_ex(msg, "content", &content))
		content = json_object_new_string("");
	else
		json_object_get(content);
	if (content != NULL) {
		m = json_object_new_object();
		json_object_object_add(m, "role",
		    json_object_new_string("assistant"));
		json_object_object_add(m, "content", json_object_get(content));
		think = json_get(msg, "thinking");
		if (json_truthy(think))
			json_object_object_add(m, "reasoning_content",
			    json_object_get(think));
		calls = json_get(msg, "tool_calls");
		if (json_truthy(calls) && json_object_is_type(calls,
		    json_type_array)) {
			tc = ollama_tool_calls(calls);
			json_object_object_add(m, "tool_calls", tc);
		}
		json_object_object_add(c0, "message", m);
	}
	json_object_put(content);
	json_object_object_add(o, "choices", ch);
	json_object_object_add(o, "object",
	    json_object_new_string("chat.completion"));
	json_object_object_add(o, "usage", ollama_usage(res));
	return o;
}

json_object *
ollama_chunk_to_openai(json_object *data, const char *model)
{
	json_object *o = json_object_new_object(), *ch, *c0, *d, *mv, *v;
	json_object *msg = json_get(data, "message");
	struct buf id = BUF_INIT;
	char uuid[37];
	int done = 0;

	mv = json_object_object_get_ex(data, "model", &v) ? json_object_get(v) :
	    json_object_new_string(model != NULL ? model : "ollama");
	rand_uuid4(uuid);
	buf_printf(&id, "%s-%s", mv == NULL ? "None" : json_object_is_type(mv,
	    json_type_string) ? json_object_get_string(mv) : json_text(mv),
	    uuid);
	json_object_object_add(o, "id", json_object_new_string(buf_str(&id)));
	buf_free(&id);
	json_object_object_add(o, "created",
	    json_object_new_int64((long long)time(NULL)));
	json_object_object_add(o, "model", mv);
	ch = json_object_new_array();
	c0 = json_object_new_object();
	d = json_object_new_object();
	json_object_array_add(ch, c0);
	json_object_object_add(c0, "index", json_object_new_int(0));
	json_object_object_add(c0, "logprobs", NULL);
	json_object_object_add(c0, "finish_reason", NULL);
	if (json_truthy(v = json_get(msg, "content")))
		json_object_object_add(d, "content", json_object_get(v));
	if (json_truthy(v = json_get(msg, "thinking")))
		json_object_object_add(d, "reasoning_content",
		    json_object_get(v));
	if (json_truthy(v = json_get(msg, "tool_calls")) &&
	    json_object_is_type(v, json_type_array))
		json_object_object_add(d, "tool_calls", ollama_tool_calls(v));
	if (json_object_object_length(d) == 0)
		json_object_object_add(c0, "finish_reason",
		    json_object_new_string("stop"));
	json_object_object_add(c0, "delta", d);
	json_object_object_add(o, "choices", ch);
	json_object_object_add(o, "object",
	    json_object_new_string("chat.completion.chunk"));
	if (json_get_bool(data, "done", &done) && done)
		json_object_object_add(o, "usage", ollama_usage(data));
	return o;
}

enum err
ollama_chat_openai_prepare(struct db *db, struct arena *a,
    const struct user *u, int url_idx, json_object *openai_payload,
    long *status, struct buf *openai_body, struct http_req *q, int *stream)
{
	json_object *form, *out = NULL;
	enum err e;

	*status = 0;
	*stream = 0;
	if (payload_openai_to_ollama(openai_payload, &form) != ERR_OK)
		return ERR_INVAL;
	json_on_arena(a, form);
	e = ollama_chat_prepare(db, a, u, url_idx, form, 0, status, &out, q);
	*stream = json_truthy(json_get(form, "stream"));
	if (e != ERR_OK || *status == 0)
		return e;
	buf_puts(openai_body, json_text(json_on_arena(a, out)));
	return ERR_OK;
}

enum err
ollama_chat_openai(struct db *db, struct arena *a, const struct user *u,
    int url_idx, json_object *openai_payload, long *status,
    struct buf *openai_body)
{
	json_object *out = NULL, *conv;
	struct http_req q;
	enum err e;
	int stream;

	e = ollama_chat_openai_prepare(db, a, u, url_idx, openai_payload,
	    status, openai_body, &q, &stream);
	if (e != ERR_OK || *status != 0)
		return e;
	if (stream) {
		out = json_on_arena(a, json_object_new_object());
		json_object_object_add(out, "detail",
		    json_object_new_string(OLLAMA_MSG_NO_STREAM));
		buf_puts(openai_body, json_text(out));
		*status = 400;
		return ERR_OK;
	}
	if ((e = ollama_chat_send(a, &q, status, &out)) != ERR_OK)
		return e;
	json_on_arena(a, out);
	if (*status != 200) {
		buf_puts(openai_body, json_text(out));
		return ERR_OK;
	}
	conv = json_on_arena(a, ollama_to_openai(out));
	buf_puts(openai_body, json_text(conv));
	return ERR_OK;
}
