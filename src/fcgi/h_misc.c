/* h_misc.c: the small routes of main.py: health checks, version, the
 * admin webhook URL, the PWA manifest and the OpenSearch description. */
#include <string.h>

#include <curl/curl.h>

#include "body.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "req.h"

/* The manifest fetched from EXTERNAL_PWA_MANIFEST_URL may not be larger. */
#define MANIFEST_MAX	(1L << 20)

/* Appends Python's str() of a setting: None for null. */
static void
buf_py_str(struct buf *b, json_object *v)
{
	if (v == NULL)
		buf_puts(b, "None");
	else if (json_object_is_type(v, json_type_string))
		buf_append(b, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	else if (json_object_is_type(v, json_type_boolean))
		buf_puts(b, json_object_get_boolean(v) ? "True" : "False");
	else
		buf_puts(b, json_text(v));
}

/* Returns 200 {"status": true}. */
int
h_health(struct req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_boolean(1));
	return resp_json(r, 200, o);
}

/* Returns 200 {"status": true} once the database answers SELECT 1; 500
 * when it does not. */
int
h_health_db(struct req *r)
{
	if (r->db == NULL || DBQ0(r->db, r->a, NULL, "SELECT 1") != ERR_OK)
		return resp_internal(r, NULL, ERR_OK);
	return h_health(r);
}

/* Returns 200 {"version": "0.6.32"}. */
int
h_version(struct req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "version",
	    json_object_new_string(WEBUI_VERSION));
	return resp_json(r, 200, o);
}

#define RELEASES_LATEST \
	"https://api.github.com/repos/open-webui/open-webui/releases/latest"

/* Returns 200 {"current", "latest"}: the latest Open WebUI release on
 * GitHub (its tag without the "v"), asked with a 1 s limit as Python does;
 * the current version as the latest when the check is off
 * (ENABLE_VERSION_UPDATE_CHECK, OFFLINE_MODE) or GitHub does not answer. */
int
h_version_updates(struct req *r)
{
	static const char *const hdrs[] = { "Accept: application/json",
	    "User-Agent: cwebui", NULL };
	struct http_req q = { 0 };
	struct http_resp h;
	json_object *o = json_object_new_object(), *res;
	const char *tag = NULL;

	if (conf_bool(CONF_ENABLE_VERSION_UPDATE_CHECK)) {
		q.url = RELEASES_LATEST;
		q.headers = hdrs;
		q.timeout_ms = 1000;
		q.follow = 1;
		if (http_do(r->a, &q, &h) == ERR_OK && h.status == 200 &&
		    (res = json_on_arena(r->a, json_parse(buf_str(&h.body),
		    h.body.len))) != NULL)
			tag = json_get_str(res, "tag_name");
		if (tag == NULL || *tag == '\0')
			log_debug("[%s] no latest release from GitHub (%ld)",
			    r->id, h.status);
	}
	json_object_object_add(o, "current",
	    json_object_new_string(WEBUI_VERSION));
	json_object_object_add(o, "latest", json_object_new_string(
	    tag != NULL && *tag != '\0' ? tag + 1 : WEBUI_VERSION));
	return resp_json(r, 200, o);
}

/* Returns 200 {"url": WEBHOOK_URL} (admin only). */
int
h_webhook_get(struct req *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "url",
	    json_object_get(conf_get(CONF_WEBHOOK_URL)));
	return resp_json(r, 200, o);
}

/* Stores WEBHOOK_URL from {"url": str} and returns 200 {"url": ...}; 422
 * when url is missing or not a string. */
int
h_webhook_set(struct req *r)
{
	static const struct body_spec spec[] = {
		{ "url", BODY_STR, 0, NULL, NULL },
	};
	json_object *val[1];
	int st;

	if ((st = body_read(r, spec, 1, val)) != 0)
		return st;
	if (conf_set(r->db, CONF_WEBHOOK_URL, json_object_get(val[0])) !=
	    ERR_OK)
		return resp_error(r, 500, MSG_DEFAULT);
	return h_webhook_get(r);
}

static size_t
manifest_write(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len + size * n > (size_t)MANIFEST_MAX)
		return 0;
	buf_append(b, p, size * n);
	return size * n;
}

/* Fetches the JSON at url; returns a new reference or NULL (logged). */
static json_object *
manifest_fetch(const char *url)
{
	struct buf b = BUF_INIT;
	json_object *o = NULL;
	CURLcode rc;
	CURL *c;

	if ((c = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, manifest_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		log_error("could not fetch EXTERNAL_PWA_MANIFEST_URL %s: %s",
		    url, curl_easy_strerror(rc));
	else if ((o = json_parse(b.p, b.len)) == NULL)
		log_error("EXTERNAL_PWA_MANIFEST_URL %s is not JSON", url);
	curl_easy_cleanup(c);
	buf_free(&b);
	return o;
}

/* One icon of the built-in manifest. */
static json_object *
manifest_icon(const char *purpose)
{
	json_object *i = json_object_new_object();

	json_object_object_add(i, "src",
	    json_object_new_string("/static/logo.png"));
	json_object_object_add(i, "type", json_object_new_string("image/png"));
	json_object_object_add(i, "sizes", json_object_new_string("500x500"));
	json_object_object_add(i, "purpose", json_object_new_string(purpose));
	return i;
}

/* Returns 200 with the web app manifest: the one at
 * EXTERNAL_PWA_MANIFEST_URL when set (500 when it cannot be fetched),
 * else one naming WEBUI_NAME. */
int
h_manifest(struct req *r)
{
	const char *ext = conf_str(CONF_EXTERNAL_PWA_MANIFEST_URL);
	const char *name = conf_str(CONF_WEBUI_NAME);
	json_object *o, *icons;
	struct buf d = BUF_INIT;

	if (ext != NULL && *ext != '\0') {
		if ((o = manifest_fetch(ext)) == NULL)
			return resp_internal(r, NULL, ERR_OK);
		return resp_json(r, 200, o);
	}
	o = json_object_new_object();
	json_object_object_add(o, "name", json_str_or_null(name));
	json_object_object_add(o, "short_name", json_str_or_null(name));
	buf_printf(&d, "%s is an open, extensible, user-friendly interface "
	    "for AI that adapts to your workflow.", name ? name : "None");
	json_object_object_add(o, "description",
	    json_object_new_string(buf_str(&d)));
	buf_free(&d);
	json_object_object_add(o, "start_url", json_object_new_string("/"));
	json_object_object_add(o, "display",
	    json_object_new_string("standalone"));
	json_object_object_add(o, "background_color",
	    json_object_new_string("#343541"));
	icons = json_object_new_array();
	json_object_array_add(icons, manifest_icon("any"));
	json_object_array_add(icons, manifest_icon("maskable"));
	json_object_object_add(o, "icons", icons);
	return resp_json(r, 200, o);
}

/* Returns 200 application/xml: the OpenSearch description pointing the
 * browser at WEBUI_URL/?q=, text as Python writes it (not escaped). */
int
h_opensearch(struct req *r)
{
	json_object *name = conf_get(CONF_WEBUI_NAME);
	json_object *url = conf_get(CONF_WEBUI_URL);
	struct buf b = BUF_INIT;
	int st;

	buf_puts(&b, "\n    <OpenSearchDescription "
	    "xmlns=\"http://a9.com/-/spec/opensearch/1.1/\" "
	    "xmlns:moz=\"http://www.mozilla.org/2006/browser/search/\">\n"
	    "    <ShortName>");
	buf_py_str(&b, name);
	buf_puts(&b, "</ShortName>\n    <Description>Search ");
	buf_py_str(&b, name);
	buf_puts(&b, "</Description>\n"
	    "    <InputEncoding>UTF-8</InputEncoding>\n"
	    "    <Image width=\"16\" height=\"16\" type=\"image/x-icon\">");
	buf_py_str(&b, url);
	buf_puts(&b, "/static/favicon.png</Image>\n"
	    "    <Url type=\"text/html\" method=\"get\" template=\"");
	buf_py_str(&b, url);
	buf_puts(&b, "/?q={searchTerms}\"/>\n    <moz:SearchForm>");
	buf_py_str(&b, url);
	buf_puts(&b, "</moz:SearchForm>\n    </OpenSearchDescription>\n    ");
	st = resp_raw(r, 200, "application/xml", b.p, b.len);
	buf_free(&b);
	return st;
}
