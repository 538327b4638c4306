/* models.c: the merged model list and the non-streaming chat completion
 * over it (see models.h). */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "chat.h"
#include "chatmsg.h"
#include "conf.h"
#include "handoff.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "model.h"
#include "models.h"
#include "ollama.h"
#include "openai.h"
#include "payload.h"
#include "rand.h"
#include "user.h"

/* Python's DEFAULT_ARENA_MODEL (config.py). */
#define ARENA_ID	"arena-model"
#define ARENA_NAME	"Arena Model"
#define ARENA_META	"{\"profile_image_url\": \"/favicon.png\", "	\
	"\"description\": \"Submit your questions to anonymous AI chatbots "	\
	"and vote on the best response.\", \"model_ids\": null}"

#define MSG_MODEL_NOT_FOUND	"Model not found"

/* The per-process cache (see models.h). References owned here, released
 * when replaced; they live until the process exits. */
static struct {
	json_object	*base;		/* BASE_MODELS */
	char		*base_user;	/* whom base was fetched for */
	time_t		 base_at;
	json_object	*models;	/* MODELS: id -> model */
	time_t		 models_at;
} cache;

/* The rows of the "model" table, read once per request. */
struct rows {
	struct model	*m;
	int		 n;
};

/* MODELS_CACHE_TTL of env.py in seconds: unset 1, "" none (-1), not an
 * integer 1. */
static long
models_ttl(void)
{
	static long ttl = -2;
	const char *s;
	char *end;

	if (ttl != -2)
		return ttl;
	s = getenv("MODELS_CACHE_TTL");
	ttl = 1;
	if (s != NULL && *s == '\0')
		ttl = -1;
	else if (s != NULL) {
		long v = strtol(s, &end, 10);

		while (isspace((unsigned char)*end))
			end++;
		if (end != s && *end == '\0')
			ttl = v;
	}
	return ttl;
}

static void
cache_set(json_object **slot, json_object *v)
{
	json_object_put(*slot);
	*slot = json_object_get(v);
}

static const struct model *
rows_find(const struct rows *r, const char *id)
{
	int i;

	for (i = 0; id != NULL && i < r->n; i++)
		if (strcmp(r->m[i].id, id) == 0)
			return &r->m[i];
	return NULL;
}

/* Returns 1 when id is the model id of a (or its part before the first
 * ':' as Python's split(":")[0]). */
static int
id_matches(const char *id, const char *model_id)
{
	size_t n = strcspn(model_id, ":");

	return strcmp(id, model_id) == 0 ||
	    (strlen(id) == n && strncmp(id, model_id, n) == 0);
}

static const char *
str_of(json_object *o, const char *key)
{
	const char *s = json_get_str(o, key);

	return s != NULL ? s : "";
}

enum err
models_base(struct db *db, struct arena *a, const struct user *u,
    json_object **out)
{
	json_object *oa, *ol, *all, *m, *o;
	long long now = (long long)time(NULL);
	struct openai_fetch fa;
	struct ollama_fetch fl;
	struct http_req *q;
	struct http_resp *rs;
	size_t i;

	*out = NULL;
	/* function "pipe" models would come first: none until functions run.
	 * The OpenAI and Ollama lists are asked in one parallel round, so
	 * slow connections of both kinds cost one model-list timeout. */
	openai_models_prepare(db, a, u, &fa);
	ollama_models_prepare(a, u, &fl);
	q = arena_alloc(a, (size_t)(fa.nq + fl.nq + 1) * sizeof(*q));
	rs = arena_alloc(a, (size_t)(fa.nq + fl.nq + 1) * sizeof(*rs));
	if (fa.nq > 0)
		memcpy(q, fa.q, (size_t)fa.nq * sizeof(*q));
	if (fl.nq > 0)
		memcpy(q + fa.nq, fl.q, (size_t)fl.nq * sizeof(*q));
	http_do_many(a, q, rs, fa.nq + fl.nq);
	oa = openai_models_finish(a, &fa, rs);
	ol = ollama_models_finish(a, &fl, rs + fa.nq);
	all = json_object_new_array();
	for (i = 0; oa != NULL && i < json_object_array_length(oa); i++)
		json_object_array_add(all,
		    json_object_get(json_object_array_get_idx(oa, i)));
	for (i = 0; ol != NULL && i < json_object_array_length(ol); i++) {
		o = json_object_array_get_idx(ol, i);
		if (json_get_str(o, "model") == NULL)
			continue;
		m = json_object_new_object();
		json_object_object_add(m, "id",
		    json_object_new_string(json_get_str(o, "model")));
		json_object_object_add(m, "name",
		    json_object_get(json_object_object_get(o, "name")));
		json_object_object_add(m, "object",
		    json_object_new_string("model"));
		json_object_object_add(m, "created",
		    json_object_new_int64(now));
		json_object_object_add(m, "owned_by",
		    json_object_new_string("ollama"));
		json_object_object_add(m, "ollama", json_object_get(o));
		json_object_object_add(m, "connection_type",
		    json_object_object_get_ex(o, "connection_type", NULL) ?
		    json_object_get(json_object_object_get(o,
		    "connection_type")) : json_object_new_string("local"));
		json_object_object_add(m, "tags",
		    json_object_object_get_ex(o, "tags", NULL) ?
		    json_object_get(json_object_object_get(o, "tags")) :
		    json_object_new_array());
		json_object_array_add(all, m);
	}
	json_object_put(oa);
	json_object_put(ol);
	*out = all;
	return ERR_OK;
}

/* The base list through the cache. New reference in *out. */
static enum err
models_base_cached(struct db *db, struct arena *a, const struct user *u,
    int refresh, json_object **out)
{
	const char *uid = u != NULL ? u->id : "";
	long ttl = models_ttl();
	time_t now = time(NULL);
	enum err e;

	if (cache.base != NULL && cache.models != NULL &&
	    json_object_array_length(cache.base) > 0 &&
	    conf_bool(CONF_ENABLE_BASE_MODELS_CACHE) && !refresh)
		goto hit;
	if (cache.base != NULL && cache.base_user != NULL &&
	    strcmp(cache.base_user, uid) == 0 &&
	    (ttl < 0 || now - cache.base_at < ttl))
		goto hit;
	if ((e = models_base(db, a, u, out)) != ERR_OK)
		return e;
	cache_set(&cache.base, *out);
	free(cache.base_user);
	cache.base_user = xstrdup(uid);
	cache.base_at = now;
	return ERR_OK;
hit:
	*out = json_object_get(cache.base);
	return ERR_OK;
}

/* The arena models of EVALUATION_ARENA_MODELS, or Python's default one. */
static void
add_arena(json_object *models)
{
	json_object *list = conf_get(CONF_EVALUATION_ARENA_MODELS);
	json_object *m, *info, *src, *def = NULL;
	long long now = (long long)time(NULL);
	size_t i, n;

	n = json_object_is_type(list, json_type_array) ?
	    json_object_array_length(list) : 0;
	if (n == 0) {
		def = json_object_new_array();
		src = json_object_new_object();
		json_object_object_add(src, "id",
		    json_object_new_string(ARENA_ID));
		json_object_object_add(src, "name",
		    json_object_new_string(ARENA_NAME));
		json_object_object_add(src, "meta",
		    json_tokener_parse(ARENA_META));
		json_object_array_add(def, src);
		list = def;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		src = json_object_array_get_idx(list, i);
		m = json_object_new_object();
		json_object_object_add(m, "id",
		    json_object_get(json_object_object_get(src, "id")));
		json_object_object_add(m, "name",
		    json_object_get(json_object_object_get(src, "name")));
		info = json_object_new_object();
		json_object_object_add(info, "meta",
		    json_object_get(json_object_object_get(src, "meta")));
		json_object_object_add(m, "info", info);
		json_object_object_add(m, "object",
		    json_object_new_string("model"));
		json_object_object_add(m, "created",
		    json_object_new_int64(now));
		json_object_object_add(m, "owned_by",
		    json_object_new_string("arena"));
		json_object_object_add(m, "arena",
		    json_object_new_boolean(1));
		json_object_array_add(models, m);
	}
	json_object_put(def);
}

/* Applies the workspace models to the list, as get_all_models does. */
static void
apply_workspace(json_object *models, const struct rows *rows)
{
	const struct model *cm;
	json_object *m, *p;
	size_t i, n;
	int k, found;

	for (k = 0; k < rows->n; k++) {
		cm = &rows->m[k];
		if (cm->base_model_id == NULL) {
			/* Python removes while iterating: the model after a
			 * removed one is not looked at */
			for (i = 0; i < json_object_array_length(models);
			    i++) {
				m = json_object_array_get_idx(models, i);
				if (strcmp(cm->id, str_of(m, "id")) != 0 &&
				    !(strcmp(str_of(m, "owned_by"),
				    "ollama") == 0 &&
				    id_matches(cm->id, str_of(m, "id"))))
					continue;
				if (!cm->is_active) {
					json_object_array_del_idx(models, i, 1);
					continue;
				}
				json_object_object_add(m, "name",
				    json_object_new_string(cm->name));
				json_object_object_add(m, "info",
				    model_json(cm));
			}
			continue;
		}
		if (!cm->is_active)
			continue;
		n = json_object_array_length(models);
		for (found = 0, i = 0; i < n && !found; i++)
			found = strcmp(cm->id, str_of(
			    json_object_array_get_idx(models, i), "id")) == 0;
		if (found)
			continue;
		p = json_object_new_object();
		json_object_object_add(p, "id",
		    json_object_new_string(cm->id));
		json_object_object_add(p, "name",
		    json_object_new_string(cm->name));
		json_object_object_add(p, "object",
		    json_object_new_string("model"));
		json_object_object_add(p, "created",
		    json_object_new_int64(cm->created_at));
		json_object_object_add(p, "owned_by",
		    json_object_new_string("openai"));
		for (i = 0; i < n; i++) {
			m = json_object_array_get_idx(models, i);
			if (!id_matches(cm->base_model_id, str_of(m, "id")))
				continue;
			json_object_object_add(p, "owned_by",
			    json_object_object_get_ex(m, "owned_by", NULL) ?
			    json_object_get(json_object_object_get(m,
			    "owned_by")) :
			    json_object_new_string("unknown owner"));
			if (json_object_object_get_ex(m, "pipe", NULL))
				json_object_object_add(p, "pipe",
				    json_object_get(json_object_object_get(m,
				    "pipe")));
			break;
		}
		json_object_object_add(p, "info", model_json(cm));
		json_object_object_add(p, "preset",
		    json_object_new_boolean(1));
		json_object_array_add(models, p);
	}
}

/* get_all_models with the rows it read. *out is a new reference. */
static enum err
models_build(struct db *db, struct arena *a, const struct user *u,
    int refresh, json_object **out, struct rows *rows)
{
	json_object *base, *models, *m, *byid;
	enum err e;
	size_t i, n;

	*out = NULL;
	rows->m = NULL;
	rows->n = 0;
	if ((e = models_base_cached(db, a, u, refresh, &base)) != ERR_OK)
		return e;
	models = json_object_new_array();
	n = json_object_array_length(base);
	for (i = 0; i < n; i++) {
		m = NULL;
		json_object_deep_copy(json_object_array_get_idx(base, i), &m,
		    NULL);
		json_object_array_add(models, m);
	}
	json_object_put(base);
	if ((e = model_list_all(db, a, &rows->m, &rows->n)) != ERR_OK) {
		json_object_put(models);
		return e;
	}
	if (n == 0) {
		*out = models;
		return ERR_OK;
	}
	if (conf_bool(CONF_ENABLE_EVALUATION_ARENA_MODELS))
		add_arena(models);
	apply_workspace(models, rows);
	/* actions and filters need function modules: none until they run */
	byid = json_object_new_object();
	for (i = 0; i < json_object_array_length(models); i++) {
		m = json_object_array_get_idx(models, i);
		json_object_object_add(m, "actions", json_object_new_array());
		json_object_object_add(m, "filters", json_object_new_array());
		json_object_object_add(byid, str_of(m, "id"),
		    json_object_get(m));
	}
	json_object_put(cache.models);
	cache.models = byid;
	cache.models_at = time(NULL);
	*out = models;
	return ERR_OK;
}

enum err
models_all(struct db *db, struct arena *a, const struct user *u,
    int refresh, json_object **out)
{
	struct rows rows;

	return models_build(db, a, u, refresh, out, &rows);
}

/* Python's "tags" step of get_models: the names of info.meta.tags and of
 * tags, each once; [] when either is not a list of objects. */
static void
merge_tags(json_object *m)
{
	json_object *lists[2], *names, *t, *name, *out;
	size_t i, j, k;
	int bad = 0, dup;

	lists[0] = json_get_path(m, "info.meta.tags");
	lists[1] = json_get(m, "tags");
	names = json_object_new_array();
	for (k = 0; k < 2 && !bad; k++) {
		if (lists[k] == NULL) {
			/* absent is []; a present null is an error */
			bad = k == 0 ? json_object_object_get_ex(
			    json_get(json_get(m, "info"), "meta"), "tags",
			    NULL) : json_object_object_get_ex(m, "tags", NULL);
			continue;
		}
		if (!json_object_is_type(lists[k], json_type_array)) {
			bad = 1;
			break;
		}
		for (i = 0; i < json_object_array_length(lists[k]); i++) {
			t = json_object_array_get_idx(lists[k], i);
			if (!json_object_is_type(t, json_type_object)) {
				bad = 1;
				break;
			}
			name = json_object_object_get(t, "name");
			for (dup = 0, j = 0; j < json_object_array_length(
			    names) && !dup; j++)
				dup = json_object_equal(name,
				    json_object_array_get_idx(names, j));
			if (!dup)
				json_object_array_add(names,
				    json_object_get(name));
		}
	}
	out = json_object_new_array();
	for (i = 0; !bad && i < json_object_array_length(names); i++) {
		t = json_object_new_object();
		json_object_object_add(t, "name", json_object_get(
		    json_object_array_get_idx(names, i)));
		json_object_array_add(out, t);
	}
	json_object_put(names);
	json_object_object_add(m, "tags", out);
}

struct ordered {
	json_object	*m;
	long		 rank;	/* place in MODEL_ORDER_LIST, LONG_MAX if none */
	size_t		 pos;
};

static int
ordered_cmp(const void *x, const void *y)
{
	const struct ordered *a = x, *b = y;
	int c;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if ((c = strcmp(str_of(a->m, "name"), str_of(b->m, "name"))) != 0)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* Sorts the array by MODEL_ORDER_LIST then name, as get_models does. */
static void
order_models(json_object *models)
{
	json_object *order = conf_get(CONF_MODEL_ORDER_LIST);
	size_t n = json_object_array_length(models), no, i, j;
	struct ordered *v;

	if (!json_object_is_type(order, json_type_array) ||
	    (no = json_object_array_length(order)) == 0 || n == 0)
		return;
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].m = json_object_get(json_object_array_get_idx(models, i));
		v[i].pos = i;
		v[i].rank = LONG_MAX;
		/* the last occurrence wins, as in a dict built in order */
		for (j = 0; j < no; j++)
			if (strcmp(str_of(v[i].m, "id"), json_object_get_string(
			    json_object_array_get_idx(order, j))) == 0)
				v[i].rank = (long)j;
	}
	qsort(v, n, sizeof(*v), ordered_cmp);
	json_object_array_del_idx(models, 0, n);
	for (i = 0; i < n; i++)
		json_object_array_add(models, v[i].m);
	free(v);
}

/* The access_control of an arena model: info.meta.access_control, {} when
 * absent (private), NULL when null (public). Borrowed or new in *tmp. */
static json_object *
arena_ac(json_object *m, json_object **tmp)
{
	json_object *meta = json_get_path(m, "info.meta");

	*tmp = NULL;
	if (json_object_object_get_ex(meta, "access_control", NULL))
		return json_object_object_get(meta, "access_control");
	return *tmp = json_object_new_object();
}

/* Python's check_model_access for one model of the merged list. */
static int
may_read(struct db *db, struct arena *a, const struct user *u,
    json_object *m, const struct rows *rows, const struct access_groups *g)
{
	const struct model *info;
	json_object *ac, *tmp;
	int ok;

	if (json_truthy(json_get(m, "arena"))) {
		ac = arena_ac(m, &tmp);
		ok = access_check(u->id, "read", ac, g);
		json_object_put(tmp);
		return ok;
	}
	if ((info = rows_find(rows, str_of(m, "id"))) == NULL)
		return 0;
	if (strcmp(u->id, info->user_id) == 0)
		return 1;
	ac = json_on_arena(a, json_parse_col(info->access_control));
	(void)db;
	return access_check(u->id, "read", ac, g);
}

/* Whether u's model access is checked at all. */
static int
access_applies(const struct user *u)
{
	if (conf_bool(CONF_BYPASS_MODEL_ACCESS_CONTROL))
		return 0;
	return strcmp(u->role, "user") == 0 ||
	    (strcmp(u->role, "admin") == 0 && !access_admin_bypass());
}

enum err
models_list(struct db *db, struct arena *a, const struct user *u,
    int refresh, json_object **out)
{
	json_object *all, *res, *m, *p;
	struct access_groups g = { NULL, 0 };
	struct rows rows;
	enum err e;
	size_t i;
	int check;

	*out = NULL;
	if ((e = models_build(db, a, u, refresh, &all, &rows)) != ERR_OK)
		return e;
	res = json_object_new_array();
	for (i = 0; i < json_object_array_length(all); i++) {
		m = json_object_array_get_idx(all, i);
		p = json_get(m, "pipeline");
		if (p != NULL && json_object_is_type(p, json_type_object) &&
		    strcmp(str_of(p, "type"), "filter") == 0)
			continue;
		merge_tags(m);
		json_object_array_add(res, json_object_get(m));
	}
	json_object_put(all);
	order_models(res);
	check = access_applies(u);
	if (check && (e = access_groups_of(db, a, u->id, &g)) != ERR_OK) {
		json_object_put(res);
		return e;
	}
	for (i = 0; check && i < json_object_array_length(res); )
		if (may_read(db, a, u, json_object_array_get_idx(res, i),
		    &rows, &g))
			i++;
		else
			json_object_array_del_idx(res, i, 1);
	*out = res;
	return ERR_OK;
}

/* ---- chat completion ---- */

/* The params keys that are Open WebUI's own, never sent upstream. */
static int
webui_param(const char *k)
{
	static const char *const own[] = { "stream_response",
	    "stream_delta_chunk_size", "function_calling", "reasoning_tags",
	    "system" };
	size_t i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(k, own[i]) == 0)
			return 1;
	return 0;
}

/* A copy of params without Open WebUI's keys, custom_params (JSON text
 * parsed where it parses) merged in. New reference. */
static json_object *
clean_params(json_object *params)
{
	json_object *p = json_object_new_object(), *custom = NULL, *v;

	if (!json_object_is_type(params, json_type_object))
		return p;
	json_object_object_foreach(params, k, val) {
		if (webui_param(k))
			continue;
		if (strcmp(k, "custom_params") == 0) {
			custom = val;
			continue;
		}
		json_object_object_add(p, k, json_object_get(val));
	}
	if (json_object_is_type(custom, json_type_object) &&
	    json_object_object_length(custom) > 0) {
		json_object *c = json_object_new_object();

		json_object_object_foreach(custom, ck, cv) {
			v = NULL;
			if (json_object_is_type(cv, json_type_string))
				v = json_parse(json_object_get_string(cv),
				    strlen(json_object_get_string(cv)));
			json_object_object_add(c, ck, v != NULL ? v :
			    json_object_get(cv));
		}
		json_merge(p, c);
		json_object_put(c);
	}
	return p;
}

/* apply_model_params_to_body_openai / _ollama and the system prompt of
 * the workspace model mi, on the OpenAI-shaped form. Ollama's params go
 * into "options", which the conversion to /api/chat carries over (its root
 * params too: the conversion lifts them out of "options" again). */
static enum err
apply_model_info(struct arena *a, json_object *form, const struct model *mi,
    int ollama, json_object *metadata, const struct user *u)
{
	json_object *params = json_on_arena(a, json_parse_col(mi->params));
	json_object *opts, *v;
	char *system = NULL;
	enum err e;
	size_t i;
	static const char *const root[] = { "format", "keep_alive", "think" };

	if (!json_object_is_type(params, json_type_object) ||
	    json_object_object_length(params) == 0)
		return ERR_OK;
	if (json_get_str(params, "system") != NULL)
		system = arena_strdup(a, json_get_str(params, "system"));
	if (!ollama)
		e = payload_params_openai(params, form);
	else if ((e = payload_params_ollama(params, form)) == ERR_OK) {
		opts = json_get(form, "options");
		for (i = 0; opts != NULL && i < sizeof(root) / sizeof(root[0]);
		    i++) {
			if ((v = json_get(form, root[i])) == NULL)
				continue;
			json_object_object_add(opts, root[i],
			    json_object_get(v));
			json_object_object_del(form, root[i]);
		}
	}
	if (e != ERR_OK)
		return e;
	payload_apply_system(system, form, metadata, u);
	return ERR_OK;
}

/* The refusal of what is not served yet. */
static enum err
refuse(long *status, struct buf *body, const char *detail)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "detail", json_object_new_string(detail));
	buf_puts(body, json_text(o));
	json_object_put(o);
	*status = 400;
	return ERR_INVAL;
}

static enum err
answer(long *status, struct buf *body, long st, json_object *o)
{
	buf_reset(body);
	buf_puts(body, o != NULL ? json_text(o) : "null");
	*status = st;
	return ERR_OK;
}

/* The ids of the non-arena models of the merged list that are not in
 * excluded (NULL: all of them). Arena-owned. */
static json_object *
arena_pool(struct arena *a, json_object *excluded)
{
	json_object *pool = json_on_arena(a, json_object_new_array());
	size_t i;
	int skip;

	json_object_object_foreach(cache.models, k, v) {
		if (strcmp(str_of(v, "owned_by"), "arena") == 0)
			continue;
		for (skip = 0, i = 0; json_object_is_type(excluded,
		    json_type_array) && i < json_object_array_length(excluded);
		    i++)
			skip |= strcmp(k, json_object_get_string(
			    json_object_array_get_idx(excluded, i))) == 0;
		if (!skip)
			json_object_array_add(pool, json_object_new_string(k));
	}
	return pool;
}

/* 1 when the form asks for a stream ("stream": true, or 1). */
static int
wants_stream(json_object *form)
{
	json_object *v = json_get(form, "stream");

	return (json_object_is_type(v, json_type_boolean) ||
	    json_object_is_type(v, json_type_int)) &&
	    json_object_get_int64(v) == 1;
}

/* One chat completion on its way: who asks, and where the answer goes. */
struct chat_call {
	struct db	*db;
	struct arena	*a;
	const struct user *u;
	const char	*token;		/* the caller's credential or NULL */
	json_object	*metadata;
	struct handoff	*ho;		/* NULL: send and wait */
	const char	*selected;	/* an arena model's pick */
	long		*status;
	struct buf	*body;
};

/* Sends form to model m (utils/chat.py generate_chat_completion once the
 * model is known), arena models picking one of theirs. With c->ho the
 * request is prepared into the hand-off instead (c->ho->upstream.url set),
 * unless an answer is written. */
static enum err
send_chat(struct chat_call *c, json_object *form, json_object *m,
    int bypass)
{
	struct arena *a = c->a;
	const struct model *mi = NULL;
	struct model *row = NULL;
	struct http_resp r;
	json_object *ids, *pool, *target, *res;
	const char *id, *mode;
	size_t n, pick = 0;
	enum err e;
	long st = 0;
	int stream;

	if (json_truthy(json_get(m, "arena"))) {
		ids = json_get_path(m, "info.meta.model_ids");
		mode = json_get_str(json_get_path(m, "info.meta"),
		    "filter_mode");
		if (json_truthy(ids) && mode != NULL &&
		    strcmp(mode, "exclude") == 0)
			ids = arena_pool(a, ids);
		pool = json_object_is_type(ids, json_type_array) &&
		    json_object_array_length(ids) > 0 ? ids :
		    arena_pool(a, NULL);
		if ((n = json_object_array_length(pool)) == 0)
			return answer(c->status, c->body, 200, NULL);
		rand_bytes(&pick, sizeof(pick));
		id = json_object_get_string(json_object_array_get_idx(pool,
		    pick % n));
		json_object_object_add(form, "model",
		    json_object_new_string(id));
		if (!json_object_object_get_ex(cache.models, id, &target))
			return answer(c->status, c->body, 200, NULL);
		json_object_get(target);
		json_on_arena(a, target);
		stream = wants_stream(form);
		if ((e = send_chat(c, form, target, 1)) != ERR_OK)
			return e;
		if (c->ho != NULL && c->ho->upstream.url != NULL) {
			/* stream_wrapper's first event */
			if (stream)
				c->ho->prelude = arena_printf(a, "data: "
				    "{\"selected_model_id\": %s}\n\n",
				    json_text(json_on_arena(a,
				    json_object_new_string(id))));
			c->selected = id;
			return ERR_OK;
		}
		if (*c->status != 200)
			return answer(c->status, c->body, 200, NULL);
		res = json_on_arena(a, json_parse(c->body->p, c->body->len));
		if (!json_object_is_type(res, json_type_object))
			return answer(c->status, c->body, 200, NULL);
		json_object_object_add(res, "selected_model_id",
		    json_object_new_string(id));
		return answer(c->status, c->body, 200, res);
	}
	/* The Ollama router resolves a workspace model (base model, params,
	 * system prompt, access) itself, as Python's does: send the form as
	 * it is. */
	if (strcmp(str_of(m, "owned_by"), "ollama") == 0) {
		json_object_object_del(form, "metadata");
		if (c->ho == NULL)
			return ollama_chat_openai(c->db, a, c->u, -1, form,
			    c->status, c->body);
		e = ollama_chat_openai_prepare(c->db, a, c->u, -1, form,
		    c->status, c->body, &c->ho->upstream, &stream);
		if (e != ERR_OK || *c->status != 0)
			return e;
		c->ho->relay = HANDOFF_OLLAMA_OPENAI;
		c->ho->content_type = "text/event-stream";
		return ERR_OK;
	}
	id = json_get_str(form, "model");
	if ((e = model_get(c->db, a, id, &row)) == ERR_OK)
		mi = row;
	else if (e != ERR_NOTFOUND)
		return e;
	if (mi != NULL && mi->base_model_id != NULL)
		json_object_object_add(form, "model",
		    json_object_new_string(mi->base_model_id));
	if (mi != NULL && (e = apply_model_info(a, form, mi,
	    strcmp(str_of(m, "owned_by"), "ollama") == 0, c->metadata,
	    c->u)) != ERR_OK)
		return answer(c->status, c->body, 200, NULL);
	if (mi == NULL && !bypass && strcmp(c->u->role, "admin") != 0)
		return answer(c->status, c->body, 200, NULL);
	/* the connection of the model the request resolved to */
	if (!json_object_object_get_ex(cache.models, str_of(form, "model"),
	    &target) || json_get(target, "urlIdx") == NULL)
		return answer(c->status, c->body, 200, NULL);
	if (c->ho != NULL) {
		/* the upstream's own Content-Type goes to the client */
		c->ho->relay = HANDOFF_RAW;
		c->ho->content_type = NULL;
		return openai_chat_prepare(a, c->u, c->token,
		    (int)json_object_get_int(json_get(target, "urlIdx")), form,
		    &c->ho->upstream);
	}
	if ((e = openai_chat_send(a, c->u, c->token, (int)json_object_get_int(
	    json_get(target, "urlIdx")), form, &r)) != ERR_OK)
		return e;
	if ((st = r.status) == 0)
		return answer(c->status, c->body, 200, NULL);
	buf_append(c->body, r.body.p != NULL ? r.body.p : "", r.body.len);
	/* a 200 that is not JSON is answered as a JSON string */
	res = json_on_arena(a, json_parse(buf_str(c->body), c->body->len));
	if (res == NULL && st < 400)
		return answer(c->status, c->body, st, json_on_arena(a,
		    json_object_new_string_len(buf_str(c->body),
		    (int)c->body->len)));
	*c->status = st;
	return ERR_OK;
}

/* Python's apply_params_to_form_data: the request's own params. */
static void
apply_request_params(struct arena *a, json_object *form, json_object *m)
{
	json_object *params = json_get(form, "params"), *p;

	p = json_on_arena(a, clean_params(params));
	json_object_object_del(form, "params");
	if (strcmp(str_of(m, "owned_by"), "ollama") == 0) {
		json_object_object_add(form, "options", json_object_get(p));
		return;
	}
	json_object_object_foreach(p, k, v)
		if (v != NULL)
			json_object_object_add(form, k, json_object_get(v));
}

/* Removes key from o and returns its value (arena-owned), or NULL. */
static json_object *
pop(struct arena *a, json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	json_object_get(v);
	json_object_object_del(o, key);
	return json_on_arena(a, v);
}

/* Python's check_model_access for model m of the merged list: *ok is 1
 * when u may read it. */
static enum err
may_use(struct db *db, struct arena *a, const struct user *u,
    json_object *m, int *ok)
{
	struct access_groups g = { NULL, 0 };
	struct rows rows = { NULL, 0 };
	struct model *row;
	enum err e;

	*ok = 0;
	if (!json_truthy(json_get(m, "arena"))) {
		if ((e = model_get(db, a, str_of(m, "id"), &row)) == ERR_OK) {
			rows.m = row;
			rows.n = 1;
		} else if (e != ERR_NOTFOUND)
			return e;
	}
	if ((e = access_groups_of(db, a, u->id, &g)) != ERR_OK)
		return e;
	*ok = may_read(db, a, u, m, &rows, &g);
	return ERR_OK;
}

enum err
models_get(struct db *db, struct arena *a, const struct user *u,
    const char *id, json_object **m)
{
	json_object *all;
	struct rows rows;
	long ttl = models_ttl();
	enum err e;

	*m = NULL;
	if (id == NULL || cache.models == NULL ||
	    !json_object_object_get_ex(cache.models, id, NULL) ||
	    (ttl >= 0 && time(NULL) - cache.models_at >= ttl)) {
		if ((e = models_build(db, a, u, 0, &all, &rows)) != ERR_OK)
			return e;
		json_object_put(all);
	}
	if (id != NULL && cache.models != NULL &&
	    json_object_object_get_ex(cache.models, id, m))
		*m = json_on_arena(a, json_object_get(*m));
	return ERR_OK;
}

enum err
models_chat(struct db *db, struct arena *a, const struct user *u,
    json_object *form, long *status, struct buf *body)
{
	return models_chat_ex(db, a, u, NULL, form, NULL, status, body);
}

/* Python's chat_completion metadata for the request ("variables" popped
 * from form). Arena-owned. */
static json_object *
chat_metadata(struct arena *a, const struct user *u, const char *chat_id,
    const char *msg_id, const char *sess_id, json_object *vars)
{
	json_object *meta = json_on_arena(a, json_object_new_object());

	json_object_object_add(meta, "user_id", json_object_new_string(u->id));
	json_object_object_add(meta, "chat_id", json_str_or_null(chat_id));
	json_object_object_add(meta, "message_id", json_str_or_null(msg_id));
	json_object_object_add(meta, "session_id", json_str_or_null(sess_id));
	json_object_object_add(meta, "variables", vars != NULL ?
	    json_object_get(vars) : json_object_new_object());
	return meta;
}

/* A string member popped from form, or NULL. */
static const char *
pop_str(struct arena *a, json_object *form, const char *key)
{
	json_object *v = pop(a, form, key);

	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* Python's metadata["params"] of a chat: stream_delta_chunk_size and
 * reasoning_tags of the request's params, the model's own when it sets
 * them. Arena-owned. */
static json_object *
task_params(struct arena *a, json_object *form, json_object *m)
{
	json_object *fp = json_get(form, "params");
	json_object *mp = json_get_path(m, "info.params"), *o, *v;

	o = json_on_arena(a, json_object_new_object());
	v = json_get(fp, "stream_delta_chunk_size");
	if (json_truthy(json_get(mp, "stream_delta_chunk_size")))
		v = json_get(mp, "stream_delta_chunk_size");
	json_object_object_add(o, "stream_delta_chunk_size",
	    json_object_get(v));
	v = json_get(fp, "reasoning_tags");
	if (json_get(mp, "reasoning_tags") != NULL)
		v = json_get(mp, "reasoning_tags");
	json_object_object_add(o, "reasoning_tags", json_object_get(v));
	return o;
}

/* The task of a socket-flow hand-off. Arena-owned. */
static struct handoff_task *
chat_task(struct arena *a, const struct user *u, const char *chat_id,
    const char *msg_id, const char *sess_id, const char *model, int stream,
    json_object *tasks, json_object *msgs, const char *selected,
    json_object *params)
{
	struct handoff_task *t = arena_alloc(a, sizeof(*t));

	t->chat_id = chat_id;
	t->message_id = msg_id;
	t->session_id = sess_id;
	t->model = model;
	t->stream = stream;
	t->background_tasks = tasks;
	t->messages = msgs;
	t->selected_model_id = selected;
	t->params = params;
	t->user = u;
	return t;
}

#define NONEMPTY(s)	((s) != NULL && *(s) != '\0')

/* A direct connection outside the socket flow. Python asks the browser
 * session with sio.call(to=session_id): without a session_id that raises
 * ValueError, which process_chat catches (the error saved into the chat
 * message when chat_id and id are set; the chat:message:error and
 * chat:tasks:cancel events it also emits are not sent from here) and the
 * answer is 200 null. A session without a chat would stream through the
 * browser to this request: not served. */
static enum err
direct_unserved(struct db *db, struct arena *a, const char *chat_id,
    const char *msg_id, const char *sess_id, long *status, struct buf *body)
{
	json_object *f, *err;
	const char *title;

	if (sess_id != NULL)
		return refuse(status, body, "Direct connections outside a "
		    "chat are not served by this server yet");
	if (NONEMPTY(chat_id) && NONEMPTY(msg_id)) {
		f = json_on_arena(a, json_object_new_object());
		err = json_object_new_object();
		json_object_object_add(err, "content", json_object_new_string(
		    "Cannot use call() to broadcast."));
		json_object_object_add(f, "error", err);
		if (chatmsg_upsert(db, a, chat_id, msg_id, f, &title, NULL) ==
		    ERR_DB)
			log_warn("could not save the error of chat %s",
			    chat_id);
	}
	return answer(status, body, 200, NULL);
}

enum err
models_chat_ex(struct db *db, struct arena *a, const struct user *u,
    const char *token, json_object *form, struct handoff *ho, long *status,
    struct buf *body)
{
	json_object *item, *m = NULL, *meta, *v, *sys, *msgs, *vars, *tasks;
	json_object *msgs0 = NULL, *tparams;
	const char *id, *chat_id, *msg_id, *sess_id;
	struct handoff_task *dt;
	struct chat_call call;
	struct chat *chat;
	enum err e;
	size_t i;
	int ok, stream, task, direct;

	buf_on_arena(body, a);
	*status = 0;
	if (ho != NULL)
		memset(ho, 0, sizeof(*ho));
	item = pop(a, form, "model_item");
	tasks = pop(a, form, "background_tasks");
	/* a direct connection is the model_item itself: no lookup, no
	 * access check (main.py chat_completion) */
	direct = json_truthy(json_get(item, "direct"));
	id = json_get_str(form, "model");
	if (direct)
		m = item;
	else if ((e = models_get(db, a, u, id, &m)) != ERR_OK)
		return e;
	if (m == NULL)
		return refuse(status, body, MSG_MODEL_NOT_FOUND);
	if (!direct && access_applies(u)) {
		if ((e = may_use(db, a, u, m, &ok)) != ERR_OK)
			return e;
		if (!ok)
			return refuse(status, body, MSG_MODEL_NOT_FOUND);
	}
	id = arena_strdup(a, id);
	chat_id = pop_str(a, form, "chat_id");
	msg_id = pop_str(a, form, "id");
	sess_id = pop_str(a, form, "session_id");
	pop(a, form, "filter_ids");
	if (json_truthy(pop(a, form, "tool_servers")))
		return refuse(status, body, "Tool servers are not served by "
		    "this server yet");
	if (NONEMPTY(chat_id) && strcmp(u->role, "admin") != 0 &&
	    strcmp(chat_id, "local") != 0) {
		e = chat_get_for_user(db, a, chat_id, u->id, &chat);
		if (e == ERR_NOTFOUND)
			return refuse(status, body,
			    "404: Something went wrong :/");
		if (e != ERR_OK)
			return e;
	}
	/* the socket flow and streams are cwebui-streamd's: a hand-off */
	task = NONEMPTY(sess_id) && NONEMPTY(chat_id) && NONEMPTY(msg_id);
	if (direct && !task)
		return direct_unserved(db, a, chat_id, msg_id, sess_id, status,
		    body);
	if (task && ho == NULL)
		return refuse(status, body, "Background chat tasks (with "
		    "session_id, chat_id and id) are not served by this "
		    "server yet: send the request without them");
	if ((stream = wants_stream(form)) && ho == NULL)
		return refuse(status, body, "Streaming chat completions are "
		    "not served by this server yet: send \"stream\": false");
	if (json_truthy(json_get(form, "tool_ids")) ||
	    json_truthy(json_get(form, "files")) ||
	    json_truthy(json_get_path(m, "info.meta.knowledge")))
		return refuse(status, body, "Tools, files and knowledge are "
		    "not served by this server yet");
	v = json_get(form, "features");
	if (json_truthy(json_get(v, "memory")) ||
	    json_truthy(json_get(v, "web_search")) ||
	    json_truthy(json_get(v, "image_generation")) ||
	    json_truthy(json_get(v, "code_interpreter")))
		return refuse(status, body, "Chat features (memory, web "
		    "search, image generation, code interpreter) are not "
		    "served by this server yet");
	vars = pop(a, form, "variables");
	if (json_get(form, "params") != NULL &&
	    !json_object_is_type(json_get(form, "params"), json_type_object))
		return answer(status, body, 200, NULL);
	if (task && json_object_deep_copy(json_get(form, "messages"), &msgs0,
	    NULL) == 0)
		json_on_arena(a, msgs0);
	tparams = task ? task_params(a, form, direct ? NULL : m) : NULL;
	apply_request_params(a, form, m);
	msgs = json_get(form, "messages");
	for (sys = NULL, i = 0; json_object_is_type(msgs, json_type_array) &&
	    i < json_object_array_length(msgs) && sys == NULL; i++)
		if (strcmp(str_of(json_object_array_get_idx(msgs, i), "role"),
		    "system") == 0)
			sys = json_object_array_get_idx(msgs, i);
	meta = chat_metadata(a, u, chat_id, msg_id, sess_id, vars);
	if (sys != NULL && json_object_is_type(json_get(sys, "content"),
	    json_type_string))
		payload_apply_system(arena_strdup(a, json_get_str(sys,
		    "content")), form, meta, u);
	pop(a, form, "features");
	pop(a, form, "tool_ids");
	pop(a, form, "files");
	if (direct) {
		/* the form generate_direct_chat_completion sends the browser */
		dt = chat_task(a, u, chat_id, msg_id, sess_id, id, stream,
		    tasks, msgs0, NULL, tparams);
		dt->direct_model = item;
		dt->direct_form = form;
		ho->task = dt;
		return ERR_OK;
	}
	json_object_object_add(form, "metadata", json_object_get(meta));
	memset(&call, 0, sizeof(call));
	call.db = db;
	call.a = a;
	call.u = u;
	call.token = token;
	call.metadata = meta;
	call.ho = stream || task ? ho : NULL;
	call.status = status;
	call.body = body;
	e = send_chat(&call, form, m,
	    conf_bool(CONF_BYPASS_MODEL_ACCESS_CONTROL));
	if (e == ERR_OK && call.ho != NULL && ho->upstream.url != NULL && task)
		ho->task = chat_task(a, u, chat_id, msg_id, sess_id, id, stream,
		    tasks, msgs0, call.selected, tparams);
	return e;
}

/* str() of an embedding input item as Python prints it. */
static const char *
py_str(struct arena *a, json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return openai_pyrepr(a, v);
}

/* convert_embedding_payload_openai_to_ollama read into the fields of the
 * Ollama router's GenerateEmbeddingsForm (model, prompt, options,
 * keep_alive; dumped without the None ones). NULL when the form would not
 * validate. New reference. */
static json_object *
embed_ollama_form(struct arena *a, json_object *form)
{
	json_object *in = json_get(form, "input"), *o, *v;
	struct buf p = BUF_INIT;
	size_t i;

	o = json_object_new_object();
	json_object_object_add(o, "model",
	    json_object_get(json_get(form, "model")));
	if (json_object_is_type(in, json_type_array)) {
		for (i = 0; i < json_object_array_length(in); i++) {
			if (i > 0)
				buf_puts(&p, "\n");
			buf_puts(&p, py_str(a, json_object_array_get_idx(in,
			    i)));
		}
		json_object_object_add(o, "prompt",
		    json_object_new_string_len(buf_str(&p), (int)p.len));
		buf_free(&p);
	} else
		json_object_object_add(o, "prompt",
		    json_object_new_string(py_str(a, in)));
	v = json_get(form, "options");
	if (v != NULL && !json_object_is_type(v, json_type_object))
		goto invalid;
	if (v != NULL)
		json_object_object_add(o, "options", json_object_get(v));
	v = json_get(form, "keep_alive");
	if (json_object_is_type(v, json_type_double) &&
	    json_object_get_double(v) == (double)(long long)
	    json_object_get_double(v))
		v = json_on_arena(a, json_object_new_int64((long long)
		    json_object_get_double(v)));
	if (v != NULL && !json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_string))
		goto invalid;
	if (v != NULL)
		json_object_object_add(o, "keep_alive", json_object_get(v));
	return o;
invalid:
	json_object_put(o);
	return NULL;
}

/* convert_embedding_response_ollama_to_openai. Borrowed res; new
 * reference, or NULL where Python fails (an "embeddings" item that is not
 * an object). */
static json_object *
embed_to_openai(json_object *res)
{
	json_object *o, *data, *list, *e, *d;
	size_t i;

	if (!json_object_is_type(res, json_type_object) ||
	    (!json_object_object_get_ex(res, "embeddings", &list) &&
	    !json_object_object_get_ex(res, "embedding", NULL)))
		return json_object_get(res);
	o = json_object_new_object();
	json_object_object_add(o, "object", json_object_new_string("list"));
	data = json_object_new_array();
	json_object_object_add(o, "data", data);
	if (!json_object_object_get_ex(res, "embeddings", &list)) {
		d = json_object_new_object();
		json_object_object_add(d, "object",
		    json_object_new_string("embedding"));
		json_object_object_add(d, "embedding",
		    json_object_get(json_get(res, "embedding")));
		json_object_object_add(d, "index", json_object_new_int(0));
		json_object_array_add(data, d);
	}
	for (i = 0; json_object_is_type(list, json_type_array) &&
	    i < json_object_array_length(list); i++) {
		e = json_object_array_get_idx(list, i);
		if (!json_object_is_type(e, json_type_object)) {
			json_object_put(o);
			return NULL;
		}
		d = json_object_new_object();
		json_object_object_add(d, "object",
		    json_object_new_string("embedding"));
		json_object_object_add(d, "embedding",
		    json_object_get(json_get(e, "embedding")));
		json_object_object_add(d, "index",
		    json_object_object_get_ex(e, "index", NULL) ?
		    json_object_get(json_get(e, "index")) :
		    json_object_new_int((int)i));
		json_object_array_add(data, d);
	}
	if (json_object_object_get_ex(res, "embeddings", NULL) &&
	    !json_object_is_type(list, json_type_array)) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "model",
	    json_object_get(json_get(res, "model")));
	return o;
}

/* Writes {"detail": detail} with status st as the answer. */
static enum err
embed_detail(long *status, struct buf *body, long st, const char *detail)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "detail", json_object_new_string(detail));
	answer(status, body, st, o);
	json_object_put(o);
	return ERR_OK;
}

/* The Ollama router's embeddings() for the converted form (url_idx None). */
static enum err
embed_ollama(struct db *db, struct arena *a, const struct user *u,
    json_object *form, long *status, struct buf *body)
{
	json_object *f, *res, *o;
	const char *name, *look, *detail, *url;
	struct ollama_conn c;
	struct http_resp h;
	enum err e;
	int idx;

	if ((f = json_on_arena(a, embed_ollama_form(a, form))) == NULL)
		return ERR_INVAL;
	name = json_get_str(f, "model");
	look = strchr(name, ':') == NULL ? arena_printf(a, "%s:latest",
	    name) : name;
	e = ollama_resolve(db, a, u, look, -1, &idx);
	if (e == ERR_NOTFOUND)
		return embed_detail(status, body, 400, arena_printf(a,
		    "Model '%s' was not found", name));
	if (e != ERR_OK)
		return e;
	if ((e = ollama_conn_get(a, idx, &c)) != ERR_OK)
		return e;
	ollama_strip_prefix(a, f, c.prefix_id);
	/* requests without a timeout */
	ollama_send(a, &c, "POST", "/api/embeddings", u, NULL, f, 0, &h);
	url = arena_printf(a, "%s/api/embeddings", c.url);
	if (ollama_requests_error(a, &h, url, status, &detail))
		return embed_detail(status, body, *status, detail);
	res = json_on_arena(a, json_parse(h.body.p != NULL ? h.body.p : "",
	    h.body.len));
	if (res == NULL)
		return embed_detail(status, body, h.status, "Ollama: Expecting "
		    "value: line 1 column 1 (char 0)");
	if ((o = json_on_arena(a, embed_to_openai(res))) == NULL)
		return ERR_INVAL;
	return answer(status, body, 200, o);
}

/* The OpenAI router's embeddings(): the upstream answer relayed. */
static enum err
embed_openai(struct db *db, struct arena *a, const struct user *u,
    const char *token, json_object *form, long *status,
    const char **ctype, struct buf *body)
{
	struct http_resp h;
	json_object *res;
	enum err e;

	if ((e = openai_embeddings(db, a, u, token, form, &h)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_INVAL : e;
	if (h.status == 0)
		return embed_detail(status, body, 500,
		    "Open WebUI: Server Connection Error");
	if (h.content_type != NULL &&
	    strstr(h.content_type, "text/event-stream") != NULL) {
		*ctype = h.content_type;
		*status = h.status;
		buf_append(body, h.body.p, h.body.len);
		return ERR_OK;
	}
	res = json_on_arena(a, openai_resp_json(&h));
	if (res != NULL)
		return answer(status, body, h.status >= 400 ? h.status : 200,
		    res);
	if (h.status >= 400) {
		*ctype = "text/plain; charset=utf-8";
		*status = h.status;
		buf_append(body, h.body.p, h.body.len);
		return ERR_OK;
	}
	/* a text answer is returned as a JSON string */
	return answer(status, body, 200, json_on_arena(a,
	    json_object_new_string_len(h.body.p != NULL ? h.body.p : "",
	    (int)h.body.len)));
}

enum err
models_embeddings(struct db *db, struct arena *a, const struct user *u,
    const char *token, json_object *form, long *status, const char **ctype,
    struct buf *body)
{
	json_object *m;
	enum err e;
	int ok;

	buf_on_arena(body, a);
	*status = 0;
	*ctype = NULL;
	if ((e = models_get(db, a, u, json_get_str(form, "model"), &m)) !=
	    ERR_OK)
		return e;
	if (m == NULL)
		return ERR_NOTFOUND;
	if (!conf_bool(CONF_BYPASS_MODEL_ACCESS_CONTROL) &&
	    strcmp(u->role, "user") == 0) {
		if ((e = may_use(db, a, u, m, &ok)) != ERR_OK)
			return e;
		if (!ok)
			return ERR_NOTFOUND;
	}
	if (strcmp(str_of(m, "owned_by"), "ollama") == 0)
		return embed_ollama(db, a, u, form, status, body);
	return embed_openai(db, a, u, token, form, status, ctype, body);
}
