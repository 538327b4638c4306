/* conf.c: the effective value of each setting (see conf.h for the rules).
 *
 * Three layers are kept per process: the value read from the environment
 * (or the default) for each key, the stored document as it was when the
 * process started, and the stored document as last read. The effective
 * value of a key is recomputed from them whenever the document changes. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "conf.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mem.h"

/* What Python uses when the config table has no row. */
#define CONF_DEFAULT_DOC	"{\"version\": 0, \"ui\": {}}"

static struct {
	json_object	*env[CONF__MAX];	/* env or default; owned */
	json_object	*eff[CONF__MAX];	/* effective; borrowed */
	json_object	*start;			/* document at start; owned */
	json_object	*doc;			/* document as last read; owned */
	char		*doc_text;		/* its text; NULL when no row */
	int		 dirty;			/* doc differs from the table */
} conf;

/* The environment value of var, or NULL when var is NULL or unset. */
static const char *
conf_getenv(const char *var)
{
	return var == NULL ? NULL : getenv(var);
}

/* Python's `value.lower() == "true"`. */
static int
conf_parse_bool(const char *s)
{
	return strcasecmp(s, "true") == 0;
}

/* Parses JSON text where "null" is a valid answer: returns 0 and sets *out
 * (NULL for null), or -1 when s is not JSON. */
static int
conf_parse_json(const char *s, json_object **out)
{
	const char *p = s, *e = s + strlen(s);

	*out = json_parse(s, strlen(s));
	if (*out != NULL)
		return 0;
	while (p < e && isspace((unsigned char)*p))
		p++;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	return (e - p == 4 && strncmp(p, "null", 4) == 0) ? 0 : -1;
}

/* Python's int(): optional blanks and sign around decimal digits, with
 * single underscores between digits. Returns 0 and sets *out, or -1. */
static int
conf_parse_int(const char *s, long long *out)
{
	char digits[32];
	size_t n = 0;
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+' || *s == '-')
		digits[n++] = *s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	for (; *s != '\0' && !isspace((unsigned char)*s); s++) {
		if (*s == '_' && isdigit((unsigned char)s[-1]) &&
		    isdigit((unsigned char)s[1]))
			continue;
		if (!isdigit((unsigned char)*s) || n + 1 >= sizeof(digits))
			return -1;
		digits[n++] = *s;
	}
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '\0')
		return -1;
	digits[n] = '\0';
	errno = 0;
	*out = strtoll(digits, &end, 10);
	return errno == 0 ? 0 : -1;
}

/* Splits s at sep into a JSON array of strings (Python's str.split). */
static json_object *
conf_split(const char *s, char sep)
{
	json_object *a = json_object_new_array();
	const char *p;

	for (;;) {
		p = strchr(s, sep);
		if (p == NULL) {
			json_object_array_add(a, json_object_new_string(s));
			return a;
		}
		json_object_array_add(a,
		    json_object_new_string_len(s, (int)(p - s)));
		s = p + 1;
	}
}

/* Reads one key from the environment by its kind. Returns ERR_INVAL (and
 * logs) when the text cannot be parsed. */
static enum err
conf_read(enum conf_key k, json_object **out)
{
	const struct conf_item *it = &conf_items[k];
	const char *s = conf_getenv(it->env);
	long long i;
	double d;

	*out = NULL;
	if (s == NULL) {
		if (it->def != NULL && conf_parse_json(it->def, out) != 0) {
			log_error("bad built-in default of %s", it->env);
			return ERR_INVAL;
		}
		return ERR_OK;
	}
	switch (it->kind) {
	case CONF_BOOL:
		*out = json_object_new_boolean(conf_parse_bool(s));
		return ERR_OK;
	case CONF_INT:
		if (*s == '\0')
			return ERR_OK;
		if (conf_parse_int(s, &i) != 0)
			break;
		*out = json_object_new_int64(i);
		return ERR_OK;
	case CONF_FLOAT:
		if (json_float_str(s, &d) != 0)
			break;
		*out = json_object_new_double(d);
		return ERR_OK;
	case CONF_STR:
		*out = json_object_new_string(s);
		return ERR_OK;
	case CONF_JSON:
		if (conf_parse_json(s, out) != 0)
			break;
		return ERR_OK;
	case CONF_LIST:
		*out = conf_split(s, ',');
		return ERR_OK;
	}
	log_error("invalid value of %s: %s", it->env, s);
	return ERR_INVAL;
}

/* pydantic's lax int: an integer, a float without fraction, or digits. */
static int
conf_lax_int(json_object *v, long long *out)
{
	double d;

	switch (json_object_get_type(v)) {
	case json_type_int:
		*out = json_object_get_int64(v);
		return 0;
	case json_type_double:
		d = json_object_get_double(v);
		if (!json_double_ll(d, out) || d != (double)*out)
			return -1;
		return 0;
	case json_type_string:
		return conf_parse_int(json_object_get_string(v), out);
	default:
		return -1;
	}
}

/* WEBUI_BANNERS: every item must be a valid banner, else the list is [].
 * Returns the normalized list (new reference); takes v. */
static json_object *
conf_banners(json_object *v)
{
	static const char *const strs[] = { "id", "type", "content" };
	json_object *out = json_object_new_array(), *b, *o, *t;
	long long ts;
	size_t i, j, n;
	int dismiss;

	if (!json_object_is_type(v, json_type_array))
		goto fail;
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		b = json_object_array_get_idx(v, i);
		if (!json_object_is_type(b, json_type_object))
			goto fail;
		o = json_object_new_object();
		json_object_array_add(out, o);
		for (j = 0; j < sizeof(strs) / sizeof(strs[0]); j++) {
			if (json_get_str(b, strs[j]) == NULL)
				goto fail;
			json_object_object_add(o, strs[j],
			    json_object_new_string(json_get_str(b, strs[j])));
		}
		t = json_get(b, "title");
		if (t != NULL && !json_object_is_type(t, json_type_string))
			goto fail;
		json_object_object_add(o, "title", json_object_get(t));
		if (json_get(b, "dismissible") == NULL ||
		    (dismiss = json_lax_bool(json_get(b, "dismissible"))) < 0)
			goto fail;
		json_object_object_add(o, "dismissible",
		    json_object_new_boolean(dismiss));
		if (json_get(b, "timestamp") == NULL ||
		    conf_lax_int(json_get(b, "timestamp"), &ts) != 0)
			goto fail;
		json_object_object_add(o, "timestamp",
		    json_object_new_int64(ts));
	}
	json_object_put(v);
	return out;
fail:
	log_error("invalid WEBUI_BANNERS: using no banners");
	json_object_put(v);
	json_object_put(out);
	return json_object_new_array();
}

/* The default USER_PERMISSIONS document from USER_PERMISSIONS_*. */
static json_object *
conf_permissions(void)
{
	json_object *doc = json_object_new_object(), *sec;
	const struct conf_perm *p;
	const char *s;

	for (p = conf_perms; p->section != NULL; p++) {
		if ((sec = json_get(doc, p->section)) == NULL) {
			sec = json_object_new_object();
			json_object_object_add(doc, p->section, sec);
		}
		s = getenv(p->env);
		json_object_object_add(sec, p->name, json_object_new_boolean(
		    s != NULL ? conf_parse_bool(s) : p->def));
	}
	return doc;
}

/* Returns 1 when the n bytes at s name one of the schemes in list. */
static int
conf_scheme_in(const char *s, size_t n, const char *list)
{
	size_t len;

	for (; *list != '\0'; list += len + (list[len] == ';')) {
		len = strcspn(list, ";");
		if (len == n && len > 0 && strncasecmp(list, s, n) == 0)
			return 1;
	}
	return 0;
}

/* Each CORS origin must be scheme://host with scheme http, https or one
 * of CORS_ALLOW_CUSTOM_SCHEME; "*" alone allows any. */
static enum err
conf_check_origins(void)
{
	const char *s = conf_str(CONF_CORS_ALLOW_ORIGIN);
	const char *schemes = conf_str(CONF_CORS_ALLOW_CUSTOM_SCHEME);
	const char *p;
	size_t len, n;

	if (s == NULL || strcmp(s, "*") == 0)
		return ERR_OK;
	for (; ; s += len + 1) {
		len = strcspn(s, ";");
		p = strstr(s, "://");
		if (p != NULL && (size_t)(p - s) >= len)
			p = NULL;
		n = p != NULL ? (size_t)(p - s) : 0;
		if (p == NULL || n + 3 >= len || strchr("/?#", p[3]) != NULL ||
		    !(conf_scheme_in(s, n, "http;https") ||
		    conf_scheme_in(s, n, schemes ? schemes : ""))) {
			log_error("invalid origin in CORS_ALLOW_ORIGIN: '%.*s'",
			    (int)len, s);
			return ERR_INVAL;
		}
		if (s[len] == '\0')
			return ERR_OK;
	}
}

/* Replaces the environment value of k; takes v. */
static void
conf_env_set(enum conf_key k, json_object *v)
{
	json_object_put(conf.env[k]);
	conf.env[k] = v;
}

/* Python's [x.strip() for x in s.split(";")], an empty item becoming
 * empty_item when that is not NULL. New reference. */
static json_object *
conf_split_strip(const char *s, const char *empty_item)
{
	json_object *out = json_object_new_array();
	const char *end;
	size_t n;

	for (;;) {
		n = strcspn(s, ";");
		end = s + n;
		if (n == 0 && empty_item != NULL)
			json_object_array_add(out,
			    json_object_new_string(empty_item));
		else {
			const char *p = s;

			while (p < end && isspace((unsigned char)*p))
				p++;
			while (end > p && isspace((unsigned char)end[-1]))
				end--;
			json_object_array_add(out,
			    json_object_new_string_len(p, (int)(end - p)));
		}
		if (s[n] == '\0')
			return out;
		s += n + 1;
	}
}

/* config.py's OLLAMA_BASE_URLS: OLLAMA_BASE_URLS split on ';', else
 * OLLAMA_BASE_URL without one trailing '/', else OLLAMA_API_BASE_URL
 * without "/api"; under ENV=prod "/ollama" becomes the Docker host (or the
 * bundled Ollama with USE_OLLAMA_DOCKER=true), and K8S_FLAG the cluster
 * service. Each entry is stripped of white space. New reference. */
static json_object *
conf_ollama_urls(void)
{
	const char *base = getenv("OLLAMA_BASE_URL");
	const char *api = getenv("OLLAMA_API_BASE_URL");
	const char *env = getenv("ENV");
	const char *k8s = getenv("K8S_FLAG");
	const char *docker = getenv("USE_OLLAMA_DOCKER");
	const char *urls = getenv("OLLAMA_BASE_URLS");
	json_object *out;
	size_t n;
	char *b;

	b = xstrdup(base != NULL ? base : "");
	n = strlen(b);
	if (n > 0 && b[n - 1] == '/')
		b[--n] = '\0';
	if (api == NULL)
		api = "http://localhost:11434/api";
	if (n == 0 && *api != '\0') {
		free(b);
		b = xstrdup(api);
		n = strlen(b);
		if (n >= 4 && strcmp(b + n - 4, "/api") == 0)
			b[n - 4] = '\0';
	}
	if (env != NULL && strcmp(env, "prod") == 0) {
		if (strcmp(b, "/ollama") == 0 && (k8s == NULL || *k8s == '\0')) {
			free(b);
			b = xstrdup(docker != NULL &&
			    strcasecmp(docker, "true") == 0 ?
			    "http://localhost:11434" :
			    "http://host.docker.internal:11434");
		} else if (k8s != NULL && *k8s != '\0') {
			free(b);
			b = xstrdup("http://ollama-service.open-webui.svc."
			    "cluster.local:11434");
		}
	}
	out = conf_split_strip(urls != NULL && *urls != '\0' ? urls : b, NULL);
	free(b);
	return out;
}

/* config.py's OpenAI connections: OPENAI_API_BASE_URLS, else
 * OPENAI_API_BASE_URL without one trailing '/', else OpenAI's URL; the
 * keys from OPENAI_API_KEYS, else OPENAI_API_KEY; both split on ';'. Also
 * TOOL_SERVER_CONNECTIONS (invalid JSON gives []) and the
 * CODE_INTERPRETER_JUPYTER_* defaults taken from CODE_EXECUTION_JUPYTER_*. */
static void
conf_openai_env(void)
{
	static const char def_url[] = "https://api.openai.com/v1";
	static const enum conf_key jupyter[][2] = {
		{ CONF_CODE_INTERPRETER_JUPYTER_URL,
		    CONF_CODE_EXECUTION_JUPYTER_URL },
		{ CONF_CODE_INTERPRETER_JUPYTER_AUTH,
		    CONF_CODE_EXECUTION_JUPYTER_AUTH },
		{ CONF_CODE_INTERPRETER_JUPYTER_AUTH_TOKEN,
		    CONF_CODE_EXECUTION_JUPYTER_AUTH_TOKEN },
		{ CONF_CODE_INTERPRETER_JUPYTER_AUTH_PASSWORD,
		    CONF_CODE_EXECUTION_JUPYTER_AUTH_PASSWORD },
		{ CONF_CODE_INTERPRETER_JUPYTER_TIMEOUT,
		    CONF_CODE_EXECUTION_JUPYTER_TIMEOUT },
	};
	const char *urls = getenv("OPENAI_API_BASE_URLS");
	const char *url = getenv("OPENAI_API_BASE_URL");
	const char *keys = getenv("OPENAI_API_KEYS");
	const char *s;
	json_object *v;
	size_t i, n;
	char *b;

	if (url == NULL || *url == '\0')
		b = xstrdup(def_url);
	else {
		b = xstrdup(url);
		n = strlen(b);
		if (b[n - 1] == '/')
			b[n - 1] = '\0';
	}
	conf_env_set(CONF_OPENAI_API_BASE_URLS, conf_split_strip(
	    urls != NULL && *urls != '\0' ? urls : b, def_url));
	free(b);
	if (keys == NULL || *keys == '\0')
		keys = getenv("OPENAI_API_KEY");
	conf_env_set(CONF_OPENAI_API_KEYS,
	    conf_split_strip(keys != NULL ? keys : "", NULL));
	if ((s = getenv("TOOL_SERVER_CONNECTIONS")) != NULL) {
		if (conf_parse_json(s, &v) != 0) {
			log_error("invalid TOOL_SERVER_CONNECTIONS: using none");
			v = json_object_new_array();
		}
		conf_env_set(CONF_TOOL_SERVER_CONNECTIONS, v);
	}
	for (i = 0; i < sizeof(jupyter) / sizeof(jupyter[0]); i++)
		if (getenv(conf_items[jupyter[i][0]].env) == NULL)
			conf_env_set(jupyter[i][0],
			    json_object_get(conf.env[jupyter[i][1]]));
}

/* The rules of env.py/config.py that a plain default cannot express. */
static enum err
conf_derive(void)
{
	const char *s;
	json_object *v;

	s = conf_str(CONF_WEBUI_NAME);
	if (s != NULL && strcmp(s, "Open WebUI") != 0) {
		char *n = xmalloc(strlen(s) + sizeof(" (Open WebUI)"));

		strcpy(n, s);
		strcat(n, " (Open WebUI)");
		conf_env_set(CONF_WEBUI_NAME, json_object_new_string(n));
		free(n);
	}
	if (!conf_bool(CONF_WEBUI_AUTH))
		conf_env_set(CONF_ENABLE_SIGNUP, json_object_new_boolean(0));
	if (getenv("WEBUI_AUTH_COOKIE_SAME_SITE") == NULL)
		conf_env_set(CONF_WEBUI_AUTH_COOKIE_SAME_SITE, json_object_get(
		    conf.env[CONF_WEBUI_SESSION_COOKIE_SAME_SITE]));
	if (getenv("WEBUI_AUTH_COOKIE_SECURE") == NULL)
		conf_env_set(CONF_WEBUI_AUTH_COOKIE_SECURE, json_object_get(
		    conf.env[CONF_WEBUI_SESSION_COOKIE_SECURE]));
	if (conf_bool(CONF_OFFLINE_MODE))
		conf_env_set(CONF_ENABLE_VERSION_UPDATE_CHECK,
		    json_object_new_boolean(0));
	if (getenv("ONEDRIVE_CLIENT_ID_PERSONAL") == NULL)
		conf_env_set(CONF_ONEDRIVE_CLIENT_ID_PERSONAL,
		    json_object_get(conf.env[CONF_ONEDRIVE_CLIENT_ID]));
	if (getenv("ONEDRIVE_CLIENT_ID_BUSINESS") == NULL)
		conf_env_set(CONF_ONEDRIVE_CLIENT_ID_BUSINESS,
		    json_object_get(conf.env[CONF_ONEDRIVE_CLIENT_ID]));
	if (getenv("LDAP_SEARCH_FILTER") == NULL &&
	    (s = getenv("LDAP_SEARCH_FILTERS")) != NULL)
		conf_env_set(CONF_LDAP_SEARCH_FILTERS,
		    json_object_new_string(s));
	conf_env_set(CONF_USER_PERMISSIONS, conf_permissions());
	conf_openai_env();
	conf_env_set(CONF_OLLAMA_BASE_URLS, conf_ollama_urls());
	v = json_object_get(conf.env[CONF_WEBUI_BANNERS]);
	conf_env_set(CONF_WEBUI_BANNERS, conf_banners(v));
	return conf_check_origins();
}

/* Reads the keys whose parse errors Python forgives. */
static void
conf_read_lenient(void)
{
	const char *s;
	json_object *v = NULL;
	double d;

	s = getenv("DEFAULT_PROMPT_SUGGESTIONS");
	if (s != NULL) {
		if (conf_parse_json(s, &v) != 0)
			log_error("invalid DEFAULT_PROMPT_SUGGESTIONS: using "
			    "the built-in suggestions");
		else if (!json_object_is_type(v, json_type_array) ||
		    json_object_array_length(v) > 0)
			conf_env_set(CONF_DEFAULT_PROMPT_SUGGESTIONS, v);
		else
			json_object_put(v);
	}
	s = getenv("WEBUI_BANNERS");
	if (s != NULL) {
		if (conf_parse_json(s, &v) != 0) {
			log_error("invalid WEBUI_BANNERS: using no banners");
			v = json_object_new_array();
		}
		conf_env_set(CONF_WEBUI_BANNERS, v);
	}
	s = getenv("DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL");
	if (s != NULL) {
		if (json_float_str(s, &d) != 0)
			d = 0.0;
		conf_env_set(CONF_DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL,
		    json_object_new_double(d));
	}
}

/* Returns 1 when the key's environment value is read by conf_read(). */
static int
conf_is_plain(enum conf_key k)
{
	switch (k) {
	case CONF_DEFAULT_PROMPT_SUGGESTIONS:
	case CONF_WEBUI_BANNERS:
	case CONF_USER_PERMISSIONS:
	case CONF_DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL:
	case CONF_OPENAI_API_BASE_URLS:
	case CONF_OPENAI_API_KEYS:
	case CONF_TOOL_SERVER_CONNECTIONS:
	case CONF_OLLAMA_BASE_URLS:
		return 0;
	default:
		return 1;
	}
}

/* Looks a dotted path up as Python's get_config_value does, telling an
 * absent key (returns 0) from a present one (returns 1, *v NULL for null). */
static int
conf_lookup(json_object *doc, const char *path, json_object **v)
{
	char key[128];
	const char *dot;
	size_t n;

	*v = NULL;
	for (;;) {
		if (doc == NULL || !json_object_is_type(doc, json_type_object))
			return 0;
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return 0;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(doc, key, &doc))
			return 0;
		if (dot == NULL) {
			*v = doc;
			return 1;
		}
		path = dot + 1;
	}
}

/* Recomputes every effective value from the three layers. */
static void
conf_compute(void)
{
	int persist = conf_bool(CONF_ENABLE_PERSISTENT_CONFIG);
	int oauth = conf_bool(CONF_ENABLE_OAUTH_PERSISTENT_CONFIG);
	json_object *now, *then;
	int k, has_now, has_then, use_db;

	for (k = 0; k < CONF__MAX; k++) {
		const char *path = conf_items[k].path;

		conf.eff[k] = conf.env[k];
		if (path == NULL)
			continue;
		use_db = persist && (oauth || strncmp(path, "oauth.", 6) != 0);
		has_now = conf_lookup(conf.doc, path, &now);
		has_then = conf_lookup(conf.start, path, &then);
		if (has_now && (has_now != has_then ||
		    !json_object_equal(now, then)))
			conf.eff[k] = now;	/* changed while running */
		else if (use_db && now != NULL)
			conf.eff[k] = now;
	}
}

/* Replaces the current document; takes doc, copies text (NULL allowed). */
static void
conf_set_doc(json_object *doc, const char *text)
{
	json_object_put(conf.doc);
	conf.doc = doc;
	free(conf.doc_text);
	conf.doc_text = text != NULL ? xstrdup(text) : NULL;
	conf.dirty = 0;
	conf_compute();
}

static json_object *
conf_copy(json_object *o)
{
	json_object *c = NULL;

	if (o == NULL || json_object_deep_copy(o, &c, NULL) != 0)
		return json_parse(CONF_DEFAULT_DOC, strlen(CONF_DEFAULT_DOC));
	return c;
}

enum err
conf_init(void)
{
	enum err e;
	int k;

	for (k = 0; k < CONF__MAX; k++) {
		json_object *v = NULL;

		if (conf_items[k].env == NULL && conf_items[k].def == NULL) {
			log_error("setting %d has no definition", k);
			return ERR_INVAL;
		}
		if (conf_is_plain((enum conf_key)k)) {
			if ((e = conf_read((enum conf_key)k, &v)) != ERR_OK)
				return e;
		} else if (conf_items[k].def != NULL)
			conf_parse_json(conf_items[k].def, &v);
		conf_env_set((enum conf_key)k, v);
		conf.eff[k] = conf.env[k];
	}
	conf_read_lenient();
	if ((e = conf_derive()) != ERR_OK)
		return e;
	json_object_put(conf.start);
	conf.start = conf_copy(NULL);
	conf_set_doc(conf_copy(NULL), NULL);
	return ERR_OK;
}

/* Reads the document of the newest row into *doc (new reference) and its
 * text into *text (owned by a); both NULL when the table is empty. */
static enum err
conf_fetch(struct db *db, struct arena *a, json_object **doc,
    const char **text)
{
	struct db_res *res;
	enum err e;

	*doc = NULL;
	*text = NULL;
	e = DBQ0(db, a, &res,
	    "SELECT data FROM config ORDER BY id DESC LIMIT 1");
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0 || db_cell(res, 0, 0) == NULL)
		return ERR_OK;
	*text = db_cell(res, 0, 0);
	*doc = json_parse_col(*text);
	if (*doc == NULL || !json_object_is_type(*doc, json_type_object)) {
		log_error("config table holds a document that is not a JSON "
		    "object");
		json_object_put(*doc);
		*doc = NULL;
		return ERR_INVAL;
	}
	return ERR_OK;
}

enum err
conf_load_startup(struct db *db)
{
	struct arena *a = arena_new();
	json_object *doc;
	const char *text;
	enum err e;

	if ((e = conf_fetch(db, a, &doc, &text)) != ERR_OK)
		goto out;
	if (doc == NULL)
		doc = conf_copy(NULL);
	json_object_put(conf.start);
	conf.start = conf_copy(doc);
	conf_set_doc(doc, text);
	if (conf_bool(CONF_RESET_CONFIG_ON_START)) {
		log_info("RESET_CONFIG_ON_START: deleting the stored settings");
		e = DBQ0(db, a, NULL, "DELETE FROM config");
	}
out:
	arena_free(a);
	return e;
}

enum err
conf_refresh(struct db *db)
{
	struct arena *a = arena_new();
	json_object *doc;
	const char *text;
	enum err e;

	e = conf_fetch(db, a, &doc, &text);
	if (e != ERR_OK)
		goto out;
	if (text == NULL) {
		/* no row (e.g. after RESET_CONFIG_ON_START): Python keeps
		 * the document it loaded at start */
		if (conf.doc_text != NULL || conf.dirty)
			conf_set_doc(conf_copy(conf.start), NULL);
	} else if (conf.dirty || conf.doc_text == NULL ||
	    strcmp(text, conf.doc_text) != 0)
		conf_set_doc(doc, text);
	else
		json_object_put(doc);
out:
	arena_free(a);
	return e;
}

json_object *
conf_get(enum conf_key k)
{
	if ((unsigned)k >= CONF__MAX)
		return NULL;
	return conf.eff[k];
}

int
conf_bool(enum conf_key k)
{
	return json_truthy(conf_get(k));
}

json_object *
conf_default(enum conf_key k)
{
	if ((unsigned)k >= CONF__MAX)
		return NULL;
	return conf.env[k];
}

long long
conf_int(enum conf_key k)
{
	json_object *v = conf_get(k);

	return v == NULL ? 0 : json_object_get_int64(v);
}

const char *
conf_str(enum conf_key k)
{
	json_object *v = conf_get(k);

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Python's datetime.now() as SQLAlchemy writes it. */
static void
conf_now(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ld", (long)tv.tv_usec);
}

/* Saves the current document into the table and recomputes. */
static enum err
conf_save(struct db *db)
{
	struct arena *a;
	struct db_res *res;
	const char *text;
	char now[40];
	enum err e;

	a = arena_new();
	text = arena_strdup(a, json_text(conf.doc));
	conf_now(now, sizeof(now));
	/* as save_to_db: the first row gets the document, else a new row */
	e = DBQ(db, a, &res, "UPDATE config SET data = $1, updated_at = $2 "
	    "WHERE id = (SELECT min(id) FROM config)", DBV_TEXT(text),
	    DBV_TEXT(now));
	if (e == ERR_OK && res->changes == 0)
		e = DBQ(db, a, NULL, "INSERT INTO config (data, version) "
		    "VALUES ($1, $2)", DBV_TEXT(text), DBV_INT(0));
	/* on failure the value still applies to this request; the next
	 * conf_refresh() reads the table again */
	if (e == ERR_OK) {
		free(conf.doc_text);
		conf.doc_text = xstrdup(text);
	} else
		conf.dirty = 1;
	conf_compute();
	arena_free(a);
	return e;
}

json_object *
conf_document(void)
{
	return conf.doc;
}

enum err
conf_set(struct db *db, enum conf_key k, json_object *v)
{
	if ((unsigned)k >= CONF__MAX || conf_items[k].path == NULL) {
		json_object_put(v);
		return ERR_INVAL;
	}
	if (conf.doc == NULL)
		conf.doc = conf_copy(NULL);
	json_set_path(conf.doc, conf_items[k].path, v);
	return conf_save(db);
}

enum err
conf_replace(struct db *db, json_object *doc)
{
	if (!json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return ERR_INVAL;
	}
	json_object_put(conf.doc);
	conf.doc = doc;
	return conf_save(db);
}

json_object *
conf_object(const struct conf_field *f, size_t n)
{
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_object_add(o, f[i].name,
		    json_object_get(conf_get(f[i].key)));
	return o;
}
