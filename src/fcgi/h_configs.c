/* h_configs.c: /api/v1/configs/ (routers/configs.py): import and export
 * of the settings document, connections, tool servers, code execution,
 * default models, prompt suggestions and banners. */
#include <string.h>

#include "body.h"
#include "conf.h"
#include "handlers.h"
#include "json.h"
#include "mem.h"
#include "oauthreg.h"
#include "req.h"
#include "toolserver.h"

/* One setting of a form: its field name, key and pydantic type. */
struct cfg_field {
	const char	*name;
	enum conf_key	 key;
	enum body_type	 type;
	int		 flags;
};

/* Returns the settings of fields as one object (conf_object). */
static json_object *
cfg_json(struct arena *a, const struct cfg_field *f, size_t n)
{
	struct conf_field *c = arena_alloc(a, n * sizeof(*c));
	size_t i;

	for (i = 0; i < n; i++) {
		c[i].name = f[i].name;
		c[i].key = f[i].key;
	}
	return conf_object(c, n);
}

/* Reads the form of fields from the body, stores each value and answers
 * 200 with the settings; 422 (nothing stored) for a bad form. */
static int
cfg_set(struct req *r, const struct cfg_field *f, size_t n)
{
	struct body_spec *spec = arena_alloc(r->a, n * sizeof(*spec));
	json_object **v = arena_alloc(r->a, n * sizeof(*v));
	size_t i;
	int st;

	for (i = 0; i < n; i++) {
		spec[i].key = f[i].name;
		spec[i].type = f[i].type;
		spec[i].flags = f[i].flags;
	}
	if ((st = body_read(r, spec, n, v)) != 0)
		return st;
	for (i = 0; i < n; i++)
		if (conf_set(r->db, f[i].key, json_object_get(v[i])) != ERR_OK)
			return resp_error(r, 500, MSG_DEFAULT);
	return resp_json(r, 200, cfg_json(r->a, f, n));
}

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

static const struct cfg_field connections[] = {
	{ "ENABLE_DIRECT_CONNECTIONS", CONF_ENABLE_DIRECT_CONNECTIONS,
	    BODY_BOOL, 0 },
	{ "ENABLE_BASE_MODELS_CACHE", CONF_ENABLE_BASE_MODELS_CACHE,
	    BODY_BOOL, 0 },
};

#define OPT	BODY_NULL	/* Optional[...] without default: required */
static const struct cfg_field code_execution[] = {
	{ "ENABLE_CODE_EXECUTION", CONF_ENABLE_CODE_EXECUTION, BODY_BOOL, 0 },
	{ "CODE_EXECUTION_ENGINE", CONF_CODE_EXECUTION_ENGINE, BODY_STR, 0 },
	{ "CODE_EXECUTION_JUPYTER_URL", CONF_CODE_EXECUTION_JUPYTER_URL,
	    BODY_STR, OPT },
	{ "CODE_EXECUTION_JUPYTER_AUTH", CONF_CODE_EXECUTION_JUPYTER_AUTH,
	    BODY_STR, OPT },
	{ "CODE_EXECUTION_JUPYTER_AUTH_TOKEN",
	    CONF_CODE_EXECUTION_JUPYTER_AUTH_TOKEN, BODY_STR, OPT },
	{ "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD",
	    CONF_CODE_EXECUTION_JUPYTER_AUTH_PASSWORD, BODY_STR, OPT },
	{ "CODE_EXECUTION_JUPYTER_TIMEOUT",
	    CONF_CODE_EXECUTION_JUPYTER_TIMEOUT, BODY_INT, OPT },
	{ "ENABLE_CODE_INTERPRETER", CONF_ENABLE_CODE_INTERPRETER, BODY_BOOL,
	    0 },
	{ "CODE_INTERPRETER_ENGINE", CONF_CODE_INTERPRETER_ENGINE, BODY_STR,
	    0 },
	{ "CODE_INTERPRETER_PROMPT_TEMPLATE",
	    CONF_CODE_INTERPRETER_PROMPT_TEMPLATE, BODY_STR, OPT },
	{ "CODE_INTERPRETER_JUPYTER_URL", CONF_CODE_INTERPRETER_JUPYTER_URL,
	    BODY_STR, OPT },
	{ "CODE_INTERPRETER_JUPYTER_AUTH", CONF_CODE_INTERPRETER_JUPYTER_AUTH,
	    BODY_STR, OPT },
	{ "CODE_INTERPRETER_JUPYTER_AUTH_TOKEN",
	    CONF_CODE_INTERPRETER_JUPYTER_AUTH_TOKEN, BODY_STR, OPT },
	{ "CODE_INTERPRETER_JUPYTER_AUTH_PASSWORD",
	    CONF_CODE_INTERPRETER_JUPYTER_AUTH_PASSWORD, BODY_STR, OPT },
	{ "CODE_INTERPRETER_JUPYTER_TIMEOUT",
	    CONF_CODE_INTERPRETER_JUPYTER_TIMEOUT, BODY_INT, OPT },
};

static const struct cfg_field models[] = {
	{ "DEFAULT_MODELS", CONF_DEFAULT_MODELS, BODY_STR, OPT },
	{ "MODEL_ORDER_LIST", CONF_MODEL_ORDER_LIST, BODY_LIST_STR, OPT },
};
#undef OPT

/* Replaces the whole settings document (admin) and returns 200 with it;
 * 422 when config is not an object. */
int
h_configs_import(struct req *r)
{
	static const struct body_spec form[] = {
		{ "config", BODY_DICT, 0, NULL, NULL },
	};
	json_object *v[1], *doc = NULL;
	int st;

	if ((st = body_read(r, form, 1, v)) != 0)
		return st;
	if (json_object_deep_copy(v[0], &doc, NULL) != 0 ||
	    conf_replace(r->db, doc) != ERR_OK)
		return resp_error(r, 500, MSG_DEFAULT);
	return resp_json(r, 200, json_object_get(conf_document()));
}

/* Returns 200 with the stored settings document (admin). */
int
h_configs_export(struct req *r)
{
	json_object *doc = conf_document();

	if (doc == NULL)
		return resp_json(r, 200, json_parse("{\"version\":0,\"ui\":{}}",
		    22));
	return resp_json(r, 200, json_object_get(doc));
}

/* Returns 200 {ENABLE_DIRECT_CONNECTIONS, ENABLE_BASE_MODELS_CACHE}. */
int
h_configs_connections(struct req *r)
{
	return resp_json(r, 200, cfg_json(r->a, connections,
	    NFIELDS(connections)));
}

/* Stores both connection flags; 200 with them, 422 for a bad form. */
int
h_configs_connections_set(struct req *r)
{
	return cfg_set(r, connections, NFIELDS(connections));
}

/* OAuthClientRegistrationForm */
static const struct body_spec oauth_client[] = {
	{ "url", BODY_STR, 0, NULL, NULL },
	{ "client_id", BODY_STR, 0, NULL, NULL },
	{ "client_name", BODY_STR, BODY_NULL | BODY_ABSENT, NULL, NULL },
};

/* Registers Open WebUI at the OAuth server of url (dynamic client
 * registration): 200 {status, oauth_client_info (encrypted)}; 400 when
 * anything fails; 422 for a bad form. */
int
h_configs_oauth_register(struct req *r)
{
	const char *type = req_query(r, "type"), *id, *base;
	json_object *v[3], *info = NULL, *out;
	char *token;
	size_t n;
	int st;

	if ((st = body_read(r, oauth_client, NFIELDS(oauth_client), v)) != 0)
		return st;
	id = json_object_get_string(v[1]);
	if (type != NULL && *type != '\0')
		id = arena_printf(r->a, "%s:%s", type, id);
	base = conf_str(CONF_WEBUI_URL);
	if (base == NULL || *base == '\0')
		base = req_base_url(r);
	for (n = strlen(base); n > 0 && base[n - 1] == '/'; n--)
		;
	base = arena_strndup(r->a, base, n);
	if (oauthreg_register(r->a, json_object_get_string(v[0]),
	    arena_printf(r->a, "%s/oauth/clients/%s/callback", base, id),
	    &info) != ERR_OK || oauthreg_encrypt(r->a, fcgi_secret(),
	    json_on_arena(r->a, info), &token) != ERR_OK)
		return resp_error(r, 400, "Failed to register OAuth client");
	out = json_object_new_object();
	json_object_object_add(out, "status", json_object_new_boolean(1));
	json_object_object_add(out, "oauth_client_info",
	    json_object_new_string(token));
	return resp_json(r, 200, out);
}

/* The fields of ToolServerConnection, in its order (extra keys kept). */
static const struct body_spec tool_server[] = {
	{ "url", BODY_STR, 0, NULL, NULL },
	{ "path", BODY_STR, 0, NULL, NULL },
	{ "type", BODY_STR, BODY_NULL | BODY_ABSENT, NULL, NULL },
	{ "auth_type", BODY_STR, BODY_NULL, NULL, NULL },
	{ "key", BODY_STR, BODY_NULL, NULL, NULL },
	{ "config", BODY_DICT, BODY_NULL, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

/* Returns a connection as model_dump() gives it: the declared fields
 * first (type defaulting to "openapi"), then the extra ones. */
static json_object *
tool_server_dump(json_object *c)
{
	json_object *o = json_object_new_object(), *v;
	size_t i;

	for (i = 0; tool_server[i].key != NULL; i++) {
		const char *k = tool_server[i].key;

		if (!json_object_object_get_ex(c, k, &v))
			v = strcmp(k, "type") == 0 ?
			    json_object_new_string("openapi") : NULL;
		else
			v = json_object_get(v);
		json_object_object_add(o, k, v);
	}
	json_object_object_foreach(c, key, val)
		if (!json_object_object_get_ex(o, key, NULL))
			json_object_object_add(o, key, json_object_get(val));
	return o;
}

/* Returns 200 {TOOL_SERVER_CONNECTIONS} (admin). */
int
h_configs_tool_servers(struct req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "TOOL_SERVER_CONNECTIONS",
	    json_object_get(conf_get(CONF_TOOL_SERVER_CONNECTIONS)));
	return resp_json(r, 200, o);
}

/* Stores the tool server connections; 200 with them, 422 for a bad form.
 * (Python also refreshes the servers' tool specs here; cwebui reads them
 * when tools are used.) */
int
h_configs_tool_servers_set(struct req *r)
{
	static const struct body_spec form[] = {
		{ "TOOL_SERVER_CONNECTIONS", BODY_LIST_MODEL, 0, tool_server,
		    "ToolServerConnection" },
	};
	json_object *v[1], *list;
	size_t i;
	int st;

	if ((st = body_read(r, form, 1, v)) != 0)
		return st;
	list = json_object_new_array();
	for (i = 0; i < json_object_array_length(v[0]); i++)
		json_object_array_add(list, tool_server_dump(
		    json_object_array_get_idx(v[0], i)));
	if (conf_set(r->db, CONF_TOOL_SERVER_CONNECTIONS, list) != ERR_OK)
		return resp_error(r, 500, MSG_DEFAULT);
	return h_configs_tool_servers(r);
}

/* Verifies a tool server connection: 200 with the OpenAPI spec, or for MCP
 * {status, specs} (oauth_2.1: {status, oauth_server_metadata}); 400 with
 * Python's message when the server cannot be reached or read; 422 for a
 * bad form. */
int
h_configs_tool_servers_verify(struct req *r)
{
	struct toolserver ts;
	const char *detail;
	json_object *v[6], *out;
	enum err e;
	int st;

	if ((st = body_read(r, tool_server, 6, v)) != 0)
		return st;
	ts.url = v[0] != NULL ? json_object_get_string(v[0]) : NULL;
	ts.path = v[1] != NULL ? json_object_get_string(v[1]) : NULL;
	ts.type = v[2] != NULL ? json_object_get_string(v[2]) :
	    json_object_object_get_ex(r->json, "type", NULL) ? NULL :
	    "openapi";
	ts.auth_type = v[3] != NULL ? json_object_get_string(v[3]) : NULL;
	ts.key = v[4] != NULL ? json_object_get_string(v[4]) : NULL;
	e = toolserver_verify(r->a, &ts, r->token, &out, &detail);
	if (e == ERR_TOOBIG)
		return resp_internal(r, "tool server spec", e);
	if (e != ERR_OK)
		return resp_error(r, 400, detail);
	return resp_json(r, 200, out);
}

/* Returns 200 with the code execution and interpreter settings (admin). */
int
h_configs_code_execution(struct req *r)
{
	return resp_json(r, 200, cfg_json(r->a, code_execution,
	    NFIELDS(code_execution)));
}

/* Stores the code execution settings; 200 with them, 422 for a bad form. */
int
h_configs_code_execution_set(struct req *r)
{
	return cfg_set(r, code_execution, NFIELDS(code_execution));
}

/* Returns 200 {DEFAULT_MODELS, MODEL_ORDER_LIST} (admin). */
int
h_configs_models(struct req *r)
{
	return resp_json(r, 200, cfg_json(r->a, models, NFIELDS(models)));
}

/* Stores the default models and their order; 200, 422 for a bad form. */
int
h_configs_models_set(struct req *r)
{
	return cfg_set(r, models, NFIELDS(models));
}

/* Copies the fields of spec from each item of list (model_dump: declared
 * fields only, in order). New reference. */
static json_object *
cfg_dump_list(json_object *list, const struct body_spec *spec)
{
	json_object *out = json_object_new_array(), *o, *item, *v;
	size_t i, k;

	for (i = 0; i < json_object_array_length(list); i++) {
		item = json_object_array_get_idx(list, i);
		o = json_object_new_object();
		for (k = 0; spec[k].key != NULL; k++) {
			if (!json_object_object_get_ex(item, spec[k].key, &v))
				v = NULL;
			if (spec[k].type == BODY_BOOL && v != NULL)
				v = json_object_new_boolean(json_lax_bool(v));
			else if (spec[k].type == BODY_INT && v != NULL)
				v = json_object_new_int64(
				    json_object_get_int64(v));
			else
				v = json_object_get(v);
			json_object_object_add(o, spec[k].key, v);
		}
		json_object_array_add(out, o);
	}
	return out;
}

/* Stores the default prompt suggestions (admin); 200 with them. */
int
h_configs_suggestions_set(struct req *r)
{
	static const struct body_spec suggestion[] = {
		{ "title", BODY_LIST_STR, 0, NULL, NULL },
		{ "content", BODY_STR, 0, NULL, NULL },
		{ NULL, 0, 0, NULL, NULL }
	};
	static const struct body_spec form[] = {
		{ "suggestions", BODY_LIST_MODEL, 0, suggestion,
		    "PromptSuggestion" },
	};
	json_object *v[1], *list;
	int st;

	if ((st = body_read(r, form, 1, v)) != 0)
		return st;
	list = cfg_dump_list(v[0], suggestion);
	if (conf_set(r->db, CONF_DEFAULT_PROMPT_SUGGESTIONS,
	    json_object_get(list)) != ERR_OK) {
		json_object_put(list);
		return resp_error(r, 500, MSG_DEFAULT);
	}
	return resp_json(r, 200, list);
}

static const struct body_spec banner[] = {
	{ "id", BODY_STR, 0, NULL, NULL },
	{ "type", BODY_STR, 0, NULL, NULL },
	{ "title", BODY_STR, BODY_NULL | BODY_ABSENT, NULL, NULL },
	{ "content", BODY_STR, 0, NULL, NULL },
	{ "dismissible", BODY_BOOL, 0, NULL, NULL },
	{ "timestamp", BODY_INT, 0, NULL, NULL },
	{ NULL, 0, 0, NULL, NULL }
};

/* Stores the banners (admin); 200 with them, 422 for a bad form. */
int
h_configs_banners_set(struct req *r)
{
	static const struct body_spec form[] = {
		{ "banners", BODY_LIST_MODEL, 0, banner, "BannerModel" },
	};
	json_object *v[1], *list;
	int st;

	if ((st = body_read(r, form, 1, v)) != 0)
		return st;
	list = cfg_dump_list(v[0], banner);
	if (conf_set(r->db, CONF_WEBUI_BANNERS, json_object_get(list))) {
		json_object_put(list);
		return resp_error(r, 500, MSG_DEFAULT);
	}
	return resp_json(r, 200, list);
}

/* Returns 200 with the banners to any verified user. */
int
h_configs_banners(struct req *r)
{
	json_object *b = conf_get(CONF_WEBUI_BANNERS);

	return resp_json(r, 200, b != NULL ? json_object_get(b) :
	    json_object_new_array());
}
