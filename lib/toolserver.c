/* toolserver.c: verification of OpenAPI and MCP tool servers (see
 * toolserver.h). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "oauthreg.h"
#include "openai.h"
#include "toolserver.h"
#include "yml.h"

#define MSG_CONNECT	"Failed to connect to the tool server"
#define MSG_MCP		"Failed to create MCP client"

/* The MCP client of Python 0.6.32 (mcp 1.14.1): its protocol versions,
 * name and version, and the timeout of each HTTP request. */
#define MCP_PROTOCOL	"2025-06-18"
#define MCP_TIMEOUT_MS	30000L

static const char *const mcp_versions[] = {
	"2024-11-05", "2025-03-26", "2025-06-18", NULL
};

/* AIOHTTP_CLIENT_TIMEOUT_TOOL_SERVER_DATA in ms: default 10 s, empty for
 * no limit, 10 s when not an integer. */
static long
ts_timeout_ms(void)
{
	const char *v = getenv("AIOHTTP_CLIENT_TIMEOUT_TOOL_SERVER_DATA");
	char *end;
	long s;

	if (v == NULL)
		return 10000;
	if (*v == '\0')
		return 0;
	s = strtol(v, &end, 10);
	if (end == v || *end != '\0')
		return 10000;
	return s > 0 ? s * 1000 : 1;
}

/* The token the connection sends, or NULL (Python: `if token`). */
static const char *
ts_token(const struct toolserver *ts, const char *session_token)
{
	const char *t = NULL;

	if (ts->auth_type == NULL)
		return NULL;
	if (strcmp(ts->auth_type, "bearer") == 0)
		t = ts->key;
	else if (strcmp(ts->auth_type, "session") == 0)
		t = session_token;
	return t != NULL && *t != '\0' ? t : NULL;
}

/* Python's get_tool_server_url(). */
static const char *
ts_spec_url(struct arena *a, const char *url, const char *path)
{
	if (strstr(path, "://") != NULL)
		return path;
	return arena_printf(a, "%s%s%s", url, *path == '/' ? "" : "/", path);
}

static int
ts_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* Rewrites every double of o as Python's json.dumps writes it. Returns -1
 * when one is not finite (Python's JSON response refuses it), else 0. */
static int
ts_py_doubles(json_object *o)
{
	char s[48];
	double d;
	size_t i;

	switch (json_object_get_type(o)) {
	case json_type_double:
		d = json_object_get_double(o);
		if (!isfinite(d))
			return -1;
		yml_float_repr(d, s, sizeof(s));
		json_object_set_serializer(o, json_object_userdata_to_json_string,
		    xstrdup(s), json_object_free_userdata);
		return 0;
	case json_type_array:
		for (i = 0; i < json_object_array_length(o); i++)
			if (ts_py_doubles(json_object_array_get_idx(o, i)) != 0)
				return -1;
		return 0;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			if (ts_py_doubles(v) != 0)
				return -1;
		}
		return 0;
	}
	default:
		return 0;
	}
}

/* Parses text as json.loads, falling back to safe_load (YAML first for a
 * .yaml or .yml URL, as Python does). Returns ERR_OK with *out. */
static enum err
ts_parse_spec(const char *url, const struct buf *body, json_object **out)
{
	json_object *y = NULL, *j;
	int yaml_first = ts_ends_with(url, ".yaml") || ts_ends_with(url, ".yml");
	enum err e;

	*out = NULL;
	if (yaml_first && (e = yml_parse(body->p, body->len, &y)) != ERR_OK)
		return e;
	if ((j = json_parse(body->p, body->len)) != NULL) {
		json_object_put(y);
		*out = j;
		return ERR_OK;
	}
	if (yaml_first) {
		*out = y;
		return ERR_OK;
	}
	return yml_parse(body->p, body->len, out);
}

/* OpenAPI: GET of the spec. */
static enum err
ts_openapi(struct arena *a, const struct toolserver *ts, const char *token,
    json_object **out, const char **detail)
{
	const char *hdrs[4] = { "Accept: application/json",
	    "Content-Type: application/json", NULL, NULL };
	struct http_req q = { 0 };
	struct http_resp rs;
	const char *url;

	*detail = MSG_CONNECT;
	if (ts->url == NULL || ts->path == NULL)
		return ERR_INVAL;
	url = ts_spec_url(a, ts->url, ts->path);
	if (token != NULL)
		hdrs[2] = arena_printf(a, "Authorization: Bearer %s", token);
	q.url = url;
	q.headers = hdrs;
	q.timeout_ms = ts_timeout_ms();
	q.follow = 1;
	if (http_do(a, &q, &rs) != ERR_OK || rs.status != 200) {
		log_info("could not fetch tool server spec from %s: %s %ld",
		    url, rs.error != NULL ? rs.error : "status", rs.status);
		return ERR_INVAL;
	}
	if (ts_parse_spec(url, &rs.body, out) != ERR_OK) {
		log_info("tool server spec from %s is neither JSON nor YAML",
		    url);
		return ERR_INVAL;
	}
	if (ts_py_doubles(*out) != 0) {
		json_object_put(*out);
		*out = NULL;
		return ERR_TOOBIG;
	}
	return ERR_OK;
}

/* ---- MCP over streamable HTTP ---- */

struct mcp {
	struct arena	*a;
	const char	*url;
	const char	*auth;		/* "Authorization: ..." or NULL */
	const char	*session;	/* mcp-session-id */
	const char	*version;	/* negotiated protocol version */
};

/* Returns 1 when m is a JSON-RPC response or error to request id. */
static int
mcp_is_reply(json_object *m, int id)
{
	json_object *v;

	if (!json_object_is_type(m, json_type_object) ||
	    json_get_str(m, "jsonrpc") == NULL ||
	    strcmp(json_get_str(m, "jsonrpc"), "2.0") != 0 ||
	    !json_object_object_get_ex(m, "id", &v) ||
	    (!json_object_object_get_ex(m, "result", NULL) &&
	    !json_object_object_get_ex(m, "error", NULL)))
		return 0;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) == id;
	return 0;
}

/* Finds the reply to request id in an SSE body: the first "message" event
 * whose data is that reply. Returns a new reference or NULL. */
static json_object *
mcp_sse_reply(const char *p, size_t n, int id)
{
	struct buf data = BUF_INIT;
	const char *end = p + n, *eol, *val;
	json_object *m = NULL;
	int message = 1, has = 0;
	size_t len, vlen;

	while (p <= end && m == NULL) {
		for (eol = p; eol < end && *eol != '\n' && *eol != '\r'; eol++)
			;
		len = (size_t)(eol - p);
		if (len == 0) {		/* dispatch */
			if (has && message) {
				m = json_parse(data.p != NULL ? data.p : "",
				    data.len);
				if (m != NULL && !mcp_is_reply(m, id)) {
					json_object_put(m);
					m = NULL;
				}
			}
			buf_reset(&data);
			message = 1;
			has = 0;
			if (eol >= end)
				break;
		} else if (*p != ':') {
			val = memchr(p, ':', len);
			vlen = val != NULL ? len - (size_t)(val - p) - 1 : 0;
			if (val != NULL && (val++, vlen > 0 && *val == ' '))
				val++, vlen--;
			if (val == NULL)
				val = "";
			if (len >= 4 && strncmp(p, "data", 4) == 0 &&
			    (len == 4 || p[4] == ':')) {
				if (has)
					buf_putc(&data, '\n');
				buf_append(&data, val, vlen);
				has = 1;
			} else if (len >= 5 && strncmp(p, "event", 5) == 0 &&
			    (len == 5 || p[5] == ':'))
				message = vlen == 7 && strncmp(val, "message",
				    7) == 0;
		}
		if (eol < end && *eol == '\r' && eol + 1 < end &&
		    eol[1] == '\n')
			eol++;
		p = eol + 1;
	}
	buf_free(&data);
	return m;
}

/* Fills h (6 slots) with the headers of every request of the session. */
static void
mcp_headers(struct mcp *c, const char **h)
{
	int n = 0;

	h[n++] = "Accept: application/json, text/event-stream";
	h[n++] = "Content-Type: application/json";
	if (c->auth != NULL)
		h[n++] = c->auth;
	if (c->session != NULL)
		h[n++] = arena_printf(c->a, "mcp-session-id: %s", c->session);
	if (c->version != NULL)
		h[n++] = arena_printf(c->a, "mcp-protocol-version: %s",
		    c->version);
	h[n] = NULL;
}

/* POSTs one JSON-RPC message; for a request (id >= 0) returns its reply
 * (new reference) in *reply. Returns ERR_OK or ERR_INVAL. */
static enum err
mcp_post(struct mcp *c, json_object *msg, int id, json_object **reply)
{
	const char *hdrs[6];
	struct http_req q = { 0 };
	struct http_resp rs;
	const char *text = json_text(msg), *ct;

	mcp_headers(c, hdrs);
	q.method = "POST";
	q.url = c->url;
	q.headers = hdrs;
	q.body = text;
	q.body_len = strlen(text);
	q.timeout_ms = MCP_TIMEOUT_MS;
	q.follow = 1;
	q.want_header = id == 0 ? "mcp-session-id" : NULL;
	if (reply != NULL)
		*reply = NULL;
	if (http_do(c->a, &q, &rs) != ERR_OK) {
		log_info("mcp %s: %s", c->url, rs.error);
		return ERR_INVAL;
	}
	if (id < 0)
		return ERR_OK;	/* a notification: no answer is read */
	if (rs.status >= 400 || rs.status == 202) {
		log_info("mcp %s: status %ld", c->url, rs.status);
		return ERR_INVAL;
	}
	if (id == 0 && rs.header != NULL && *rs.header != '\0')
		c->session = rs.header;
	ct = rs.content_type != NULL ? rs.content_type : "";
	if (strncasecmp(ct, "application/json", 16) == 0) {
		*reply = json_parse(rs.body.p, rs.body.len);
		if (*reply != NULL && !mcp_is_reply(*reply, id)) {
			json_object_put(*reply);
			*reply = NULL;
		}
	} else if (strncasecmp(ct, "text/event-stream", 17) == 0)
		*reply = mcp_sse_reply(rs.body.p, rs.body.len, id);
	if (*reply == NULL) {
		log_info("mcp %s: no reply to request %d", c->url, id);
		return ERR_INVAL;
	}
	return ERR_OK;
}

/* Sends request method (params may be NULL) and returns its "result"
 * (new reference) in *result; ERR_INVAL for a JSON-RPC error. */
static enum err
mcp_request(struct mcp *c, int id, const char *method, json_object *params,
    json_object **result)
{
	json_object *msg = json_object_new_object(), *reply = NULL, *res;
	enum err e;

	json_object_object_add(msg, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(msg, "id", json_object_new_int(id));
	json_object_object_add(msg, "method", json_object_new_string(method));
	if (params != NULL)
		json_object_object_add(msg, "params", params);
	e = mcp_post(c, msg, id, &reply);
	json_object_put(msg);
	*result = NULL;
	if (e != ERR_OK)
		return e;
	if (!json_object_object_get_ex(reply, "result", &res) ||
	    !json_object_is_type(res, json_type_object)) {
		log_info("mcp %s: %s failed: %s", c->url, method,
		    json_text(reply));
		json_object_put(reply);
		return ERR_INVAL;
	}
	*result = json_object_get(res);
	json_object_put(reply);
	return ERR_OK;
}

/* Returns 1 when key of o is absent, null or of type t. */
static int
mcp_opt(json_object *o, const char *key, enum json_type t)
{
	json_object *v;

	return !json_object_object_get_ex(o, key, &v) || v == NULL ||
	    json_object_is_type(v, t);
}

/* Checks an InitializeResult; returns its protocol version or NULL. */
static const char *
mcp_init_ok(json_object *r)
{
	json_object *info = json_get(r, "serverInfo");
	const char *v = json_get_str(r, "protocolVersion");
	size_t i;

	if (v == NULL || !json_object_is_type(json_get(r, "capabilities"),
	    json_type_object) || !json_object_is_type(info, json_type_object) ||
	    json_get_str(info, "name") == NULL ||
	    json_get_str(info, "version") == NULL ||
	    !mcp_opt(r, "instructions", json_type_string))
		return NULL;
	for (i = 0; mcp_versions[i] != NULL; i++)
		if (strcmp(v, mcp_versions[i]) == 0)
			return v;
	return NULL;
}

/* Turns a ListToolsResult into [{name, description, parameters}]; NULL
 * when a tool is not valid. */
static json_object *
mcp_specs(json_object *r)
{
	json_object *tools = json_get(r, "tools"), *out, *t, *s, *d;
	size_t i;

	if (!json_object_is_type(tools, json_type_array))
		return NULL;
	out = json_object_new_array();
	for (i = 0; i < json_object_array_length(tools); i++) {
		t = json_object_array_get_idx(tools, i);
		if (!json_object_is_type(t, json_type_object) ||
		    json_get_str(t, "name") == NULL ||
		    !json_object_is_type(json_get(t, "inputSchema"),
		    json_type_object) ||
		    !mcp_opt(t, "description", json_type_string) ||
		    !mcp_opt(t, "title", json_type_string) ||
		    !mcp_opt(t, "outputSchema", json_type_object) ||
		    !mcp_opt(t, "annotations", json_type_object) ||
		    !mcp_opt(t, "_meta", json_type_object)) {
			json_object_put(out);
			return NULL;
		}
		s = json_object_new_object();
		json_object_object_add(s, "name",
		    json_object_get(json_get(t, "name")));
		d = json_get(t, "description");
		json_object_object_add(s, "description", json_object_get(d));
		json_object_object_add(s, "parameters",
		    json_object_get(json_get(t, "inputSchema")));
		json_object_array_add(out, s);
	}
	if (!mcp_opt(r, "nextCursor", json_type_string)) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

/* Ends the session with DELETE (its answer does not matter). */
static void
mcp_close(struct mcp *c)
{
	const char *hdrs[6];
	struct http_req q = { 0 };
	struct http_resp rs;

	if (c->session == NULL)
		return;
	mcp_headers(c, hdrs);
	q.method = "DELETE";
	q.url = c->url;
	q.headers = hdrs;
	q.timeout_ms = MCP_TIMEOUT_MS;
	q.follow = 1;
	(void)http_do(c->a, &q, &rs);
}

/* MCP: initialize, notifications/initialized, tools/list. */
static enum err
ts_mcp(struct arena *a, const struct toolserver *ts, const char *token,
    json_object **out, const char **detail)
{
	struct mcp c = { a, ts->url, NULL, NULL, NULL };
	json_object *params, *info, *res = NULL, *note, *specs;
	enum err e = ERR_INVAL;

	*detail = MSG_MCP;
	if (ts->url == NULL)
		return ERR_INVAL;
	if (token != NULL)
		c.auth = arena_printf(a, "Authorization: Bearer %s", token);
	params = json_object_new_object();
	json_object_object_add(params, "protocolVersion",
	    json_object_new_string(MCP_PROTOCOL));
	json_object_object_add(params, "capabilities",
	    json_object_new_object());
	info = json_object_new_object();
	json_object_object_add(info, "name", json_object_new_string("mcp"));
	json_object_object_add(info, "version",
	    json_object_new_string("0.1.0"));
	json_object_object_add(params, "clientInfo", info);
	if (mcp_request(&c, 0, "initialize", params, &res) != ERR_OK)
		goto done;
	if ((c.version = mcp_init_ok(res)) == NULL) {
		log_info("mcp %s: bad initialize result %s", c.url,
		    json_text(res));
		goto done;
	}
	c.version = arena_strdup(a, c.version);
	json_object_put(res);
	res = NULL;
	note = json_object_new_object();
	json_object_object_add(note, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(note, "method",
	    json_object_new_string("notifications/initialized"));
	e = mcp_post(&c, note, -1, NULL);
	json_object_put(note);
	if (e != ERR_OK || (e = mcp_request(&c, 1, "tools/list", NULL,
	    &res)) != ERR_OK)
		goto done;
	e = ERR_INVAL;
	if ((specs = mcp_specs(res)) == NULL) {
		log_info("mcp %s: bad tools/list result", c.url);
		goto done;
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "status", json_object_new_boolean(1));
	json_object_object_add(*out, "specs", specs);
	e = ERR_OK;
done:
	json_object_put(res);
	mcp_close(&c);
	return e;
}

/* ---- OAuth 2.1 authorization server metadata ---- */

/* OAuth 2.1: the authorization server's metadata document. */
static enum err
ts_oauth(struct arena *a, const struct toolserver *ts, json_object **out,
    const char **detail)
{
	const char *u[4];
	struct http_req q = { 0 };
	struct http_resp rs;
	json_object *doc, *md, *list;
	int n, i;

	*detail = MSG_CONNECT;
	if (ts->url == NULL)
		return ERR_INVAL;
	n = oauthreg_discovery_urls(a, ts->url, u);
	if (n == 0 || u[0] == NULL)
		return ERR_INVAL;
	/* Python tries the first address once per address it knows */
	for (i = 0; i < n; i++) {
		q.url = u[0];
		q.follow = 1;
		q.timeout_ms = 300000;
		if (http_do(a, &q, &rs) != ERR_OK) {
			log_info("oauth discovery %s: %s", u[0], rs.error);
			return ERR_INVAL;
		}
		if (rs.status != 200)
			continue;
		doc = oauthreg_json_ctype(rs.content_type) ?
		    json_parse(rs.body.p, rs.body.len) : NULL;
		md = oauthreg_metadata(a, doc);
		json_object_put(doc);
		if (md == NULL) {
			*detail = arena_printf(a, "Failed to parse OAuth 2.1 "
			    "discovery document from %s", u[0]);
			return ERR_INVAL;
		}
		*out = json_object_new_object();
		json_object_object_add(*out, "status",
		    json_object_new_boolean(1));
		json_object_object_add(*out, "oauth_server_metadata", md);
		return ERR_OK;
	}
	list = json_on_arena(a, json_object_new_array());
	for (i = 0; i < n; i++)
		json_object_array_add(list, json_object_new_string(u[i]));
	*detail = arena_printf(a, "Failed to fetch OAuth 2.1 discovery "
	    "document from %s", openai_pyrepr(a, list));
	return ERR_INVAL;
}

enum err
toolserver_verify(struct arena *a, const struct toolserver *ts,
    const char *session_token, json_object **out, const char **detail)
{
	const char *token = ts_token(ts, session_token);

	*out = NULL;
	*detail = MSG_CONNECT;
	if (ts->type != NULL && strcmp(ts->type, "mcp") == 0) {
		if (ts->auth_type != NULL &&
		    strcmp(ts->auth_type, "oauth_2.1") == 0)
			return ts_oauth(a, ts, out, detail);
		return ts_mcp(a, ts, token, out, detail);
	}
	return ts_openapi(a, ts, token, out, detail);
}
