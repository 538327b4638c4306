/* srv_routes.c: the one route table of cwebui-streamd. Every path the web
 * server sends here is listed: Socket.IO, the streaming-capable endpoints
 * (forwarded to cwebui-fcgi, which may hand the stream back) and the chat
 * task routes. A pattern segment "{x}" matches one non-empty path segment;
 * a pattern ending in "/" and "*" matches the path without them and
 * everything below. */
#include <string.h>

#include "httpd.h"
#include "relay.h"
#include "rt.h"
#include "srv_routes.h"
#include "task.h"

struct route {
	const char	*method;	/* NULL: any */
	const char	*pattern;
	void		(*fn)(struct hreq *);
};

static const struct route routes[] = {
	{ NULL,   "/ws/socket.io/*",			rt_http },
	/* cwebui-fcgi answers the other methods (405, CORS preflight) */
	{ NULL,   "/api/chat/completions",		relay_http },
	{ NULL,   "/api/v1/chat/completions",		relay_http },
	{ NULL,   "/api/v1/tasks/moa/completions",	relay_http },
	{ NULL,   "/openai/chat/completions",		relay_http },
	{ NULL,   "/ollama/api/chat",			relay_http },
	{ NULL,   "/ollama/api/chat/{url_idx}",		relay_http },
	{ NULL,   "/ollama/api/generate",		relay_http },
	{ NULL,   "/ollama/api/generate/{url_idx}",	relay_http },
	{ NULL,   "/ollama/api/pull",			relay_http },
	{ NULL,   "/ollama/api/pull/{url_idx}",		relay_http },
	{ NULL,   "/ollama/api/push",			relay_http },
	{ NULL,   "/ollama/api/push/{url_idx}",		relay_http },
	{ NULL,   "/ollama/api/create",			relay_http },
	{ NULL,   "/ollama/api/create/{url_idx}",		relay_http },
	{ NULL,   "/ollama/v1/chat/completions",	relay_http },
	{ NULL,   "/ollama/v1/chat/completions/{url_idx}", relay_http },
	{ NULL,   "/ollama/v1/completions",		relay_http },
	{ NULL,   "/ollama/v1/completions/{url_idx}",	relay_http },
	{ "GET",  "/api/tasks",				task_list_http },
	{ "GET",  "/api/tasks/chat/{chat_id}",		task_chat_http },
	{ "POST", "/api/tasks/stop/{task_id}",		task_stop_http },
	{ "GET",  "/api/usage",				task_usage_http },
	{ "GET",  "/api/v1/users/active",		task_users_active_http },
	{ "GET",  "/api/v1/users/{user_id}/active",	task_user_active_http },
};

/* Returns 1 when path matches pattern. */
static int
match(const char *pat, const char *path)
{
	size_t n;

	while (*pat != '\0') {
		if (strcmp(pat, "/*") == 0)
			return *path == '\0' || *path == '/';
		if (*pat == '{') {
			n = strcspn(path, "/");
			if (n == 0)
				return 0;
			path += n;
			pat = strchr(pat, '}');
			if (pat == NULL)
				return 0;
			pat++;
			continue;
		}
		if (*pat++ != *path++)
			return 0;
	}
	return *path == '\0';
}

void
srv_route(struct hreq *r)
{
	const struct route *rt;
	int path_known = 0;

	for (rt = routes; rt < routes + sizeof(routes) / sizeof(routes[0]);
	    rt++) {
		if (!match(rt->pattern, r->path))
			continue;
		if (rt->method == NULL || strcmp(rt->method, r->method) == 0) {
			rt->fn(r);
			return;
		}
		path_known = 1;
	}
	if (path_known && strcmp(r->method, "OPTIONS") == 0)
		relay_http(r);	/* cwebui-fcgi answers the preflight */
	else if (path_known)
		hconn_respond_detail(r->conn, 405, "Method Not Allowed");
	else
		hconn_respond_detail(r->conn, 404, "Not Found");
}
