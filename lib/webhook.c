/* webhook.c: admin notifications posted with libcurl. */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "buf.h"
#include "conf.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "user.h"
#include "webhook.h"

/* The version Teams cards name, as Python's VERSION. */
#define WEBHOOK_VERSION	"0.6.32"
/* Discord refuses longer messages; Python cuts at 1980 and says so. */
#define DISCORD_MAX	2000

/* Returns the byte offset of code point n of the UTF-8 text s, or the
 * length of s when it has fewer. */
static size_t
utf8_offset(const char *s, size_t n)
{
	size_t		 i;

	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n-- == 0)
			return i;
	return i;
}

/* Returns the Teams MessageCard for the event. New reference. */
static json_object *
webhook_teams(const char *name, const char *message, json_object *event)
{
	json_object	*card = json_object_new_object();
	json_object	*sec = json_object_new_object(), *secs, *facts, *user;
	const char	*action = json_get_str(event, "action");
	struct buf	 sub = BUF_INIT;

	facts = json_object_new_array();
	user = json_parse_col(json_get_str(event, "user"));
	if (user != NULL && json_object_is_type(user, json_type_object)) {
		json_object_object_foreach(user, k, v) {
			json_object *f = json_object_new_object();

			json_object_object_add(f, "name",
			    json_object_new_string(k));
			json_object_object_add(f, "value", json_object_get(v));
			json_object_array_add(facts, f);
		}
	}
	json_object_put(user);
	buf_printf(&sub, "%s (%s) - %s", name, WEBHOOK_VERSION,
	    action != NULL ? action : "undefined");
	json_object_object_add(sec, "activityTitle",
	    json_object_new_string(message));
	json_object_object_add(sec, "activitySubtitle",
	    json_object_new_string(buf_str(&sub)));
	buf_free(&sub);
	json_object_object_add(sec, "activityImage",
	    json_str_or_null(conf_str(CONF_WEBUI_FAVICON_URL)));
	json_object_object_add(sec, "facts", facts);
	json_object_object_add(sec, "markdown", json_object_new_boolean(1));
	secs = json_object_new_array();
	json_object_array_add(secs, sec);
	json_object_object_add(card, "@type",
	    json_object_new_string("MessageCard"));
	json_object_object_add(card, "@context",
	    json_object_new_string("http://schema.org/extensions"));
	json_object_object_add(card, "themeColor",
	    json_object_new_string("0076D7"));
	json_object_object_add(card, "summary",
	    json_object_new_string(message));
	json_object_object_add(card, "sections", secs);
	return card;
}

/* Returns the payload for url. New reference. */
static json_object *
webhook_payload(const char *name, const char *url, const char *message,
    json_object *event)
{
	json_object	*p;
	size_t		 cut;

	if (strstr(url, "https://hooks.slack.com") != NULL ||
	    strstr(url, "https://chat.googleapis.com") != NULL) {
		p = json_object_new_object();
		json_object_object_add(p, "text",
		    json_object_new_string(message));
	} else if (strstr(url, "https://discord.com/api/webhooks") != NULL) {
		p = json_object_new_object();
		if (message[utf8_offset(message, DISCORD_MAX - 1)] == '\0') {
			json_object_object_add(p, "content",
			    json_object_new_string(message));
		} else {
			struct buf b = BUF_INIT;

			cut = utf8_offset(message, DISCORD_MAX - 20);
			buf_append(&b, message, cut);
			buf_puts(&b, "... (truncated)");
			json_object_object_add(p, "content",
			    json_object_new_string(buf_str(&b)));
			buf_free(&b);
		}
	} else if (strstr(url, "webhook.office.com") != NULL) {
		p = webhook_teams(name, message, event);
	} else {
		p = json_object_get(event);
	}
	return p;
}

/* Discards the receiver's answer. */
static size_t
webhook_sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

enum err
webhook_post(const char *name, const char *url, const char *message,
    json_object *event_data)
{
	CURL		*c;
	struct curl_slist *hdrs = NULL;
	json_object	*payload;
	CURLcode	 rc;
	long		 status = 0;
	enum err	 e = ERR_IO;

	if ((c = curl_easy_init()) == NULL) {
		log_error("webhook: could not initialise libcurl");
		return ERR_IO;
	}
	payload = webhook_payload(name, url, message, event_data);
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, json_text(payload));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, webhook_sink);
	if ((rc = curl_easy_perform(c)) != CURLE_OK)
		log_error("webhook: could not post to %s: %s", url,
		    curl_easy_strerror(rc));
	else if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status),
	    status >= 400)
		log_error("webhook: %s answered %ld", url, status);
	else
		e = ERR_OK;
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	json_object_put(payload);
	return e;
}

enum err
webhook_signup(struct arena *a, const struct user *u)
{
	const char	*url = conf_str(CONF_WEBHOOK_URL);
	const char	*name = conf_str(CONF_WEBUI_NAME);
	char		*msg;
	json_object	*uj, *ev;
	struct json_object_iterator it, end;

	if (url == NULL || *url == '\0')
		return ERR_OK;
	if (name == NULL)	/* conf_init() not run */
		name = "Open WebUI";
	msg = *u->name != '\0' ?
	    arena_printf(a, "New user signed up: %s", u->name) :
	    arena_strdup(a, "New user signed up");
	uj = json_on_arena(a, json_object_new_object());
	ev = json_on_arena(a, user_json(u));
	it = json_object_iter_begin(ev);
	end = json_object_iter_end(ev);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if (json_object_iter_peek_value(&it) != NULL)
			json_object_object_add(uj,
			    json_object_iter_peek_name(&it), json_object_get(
			    json_object_iter_peek_value(&it)));
	ev = json_on_arena(a, json_object_new_object());
	json_object_object_add(ev, "action", json_object_new_string("signup"));
	json_object_object_add(ev, "message", json_object_new_string(msg));
	json_object_object_add(ev, "user",
	    json_object_new_string(json_text(uj)));
	return webhook_post(name, url, msg, ev);
}

enum err
webhook_chat(struct arena *a, const struct user *u, const char *chat_id,
    const char *title, const char *content)
{
	json_object *settings, *ev;
	const char *url, *base = conf_str(CONF_WEBUI_URL);
	const char *name = conf_str(CONF_WEBUI_NAME), *link, *msg;
	enum err e;

	settings = json_on_arena(a, json_parse(u->settings != NULL ?
	    u->settings : "null", u->settings != NULL ? strlen(u->settings) :
	    4));
	url = json_get_str(json_get_path(settings, "ui.notifications"),
	    "webhook_url");
	if (url == NULL || *url == '\0')
		return ERR_OK;
	if (base == NULL)
		base = "";
	if (name == NULL)
		name = "Open WebUI";
	link = arena_printf(a, "%s/c/%s", base, chat_id);
	msg = arena_printf(a, "%s - %s\n\n%s", title != NULL ? title : "None",
	    link, content);
	ev = json_object_new_object();
	json_object_object_add(ev, "action", json_object_new_string("chat"));
	json_object_object_add(ev, "message", json_object_new_string(content));
	json_object_object_add(ev, "title", json_str_or_null(title));
	json_object_object_add(ev, "url", json_object_new_string(link));
	e = webhook_post(name, url, msg, ev);
	json_object_put(ev);
	return e;
}
