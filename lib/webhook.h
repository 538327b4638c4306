/* webhook.h: the admin notification webhook (WEBHOOK_URL), as Open WebUI's
 * utils/webhook.py post_webhook() sends it. */
#ifndef CWEBUI_WEBHOOK_H
#define CWEBUI_WEBHOOK_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct user;

/* Posts message to url as JSON, shaped for the receiver the URL names:
 * {"text"} for Slack and Google Chat, {"content"} (cut to 2000 characters)
 * for Discord, a MessageCard for Microsoft Teams (name is the instance
 * name; event_data's "action" and the JSON object text in its "user" give
 * the subtitle and facts), else event_data itself. Only http and https,
 * at most 10 seconds. event_data is borrowed. Returns ERR_OK when the
 * receiver answered below 400; ERR_IO otherwise, cause logged. */
enum err webhook_post(const char *name, const char *url, const char *message,
	    json_object *event_data);

/* Posts the sign-up notification of routers/auths.py for the new user u
 * to WEBHOOK_URL: the message "New user signed up[: <name>]" and the event
 * {action: "signup", message, user: the JSON text of u without its null
 * fields}, naming the instance WEBUI_NAME as conf_init() made it. Strings
 * live in a. Returns ERR_OK when no URL is set, else what webhook_post()
 * returned. */
enum err webhook_signup(struct arena *a, const struct user *u);

/* Posts the chat notification of utils/middleware.py for a finished answer
 * when its user has no live session: to the user's own webhook
 * (settings.ui.notifications.webhook_url), the message "<title> -
 * <WEBUI_URL>/c/<chat_id>\n\n<content>" and the event {action: "chat",
 * message, title, url}. Returns ERR_OK when the user has no webhook, else
 * what webhook_post() returned. */
enum err webhook_chat(struct arena *a, const struct user *u,
	    const char *chat_id, const char *title, const char *content);

#endif
