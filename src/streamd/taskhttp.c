/* taskhttp.c: the routes that read the running tasks and the sessions,
 * which live in streamd: GET /api/tasks, GET /api/tasks/chat/{chat_id},
 * POST /api/tasks/stop/{task_id}, GET /api/usage (main.py), GET
 * /api/v1/users/active and GET /api/v1/users/{user_id}/active (users.py).
 * srv_routes.c routes each to its handler here. The caller is
 * authenticated by cwebui-fcgi (/_streamd/auth with its Authorization and
 * Cookie headers), as a verified-user route; its answer is relayed when it
 * refuses. With Redis, the tasks and bound users of every instance count
 * (bus.h); without, this instance's.
 *
 * Unlike Python, a task is only visible to, and stoppable by, the user who
 * started it or an admin. */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "bus.h"
#include "chatproc.h"
#include "fcgic.h"
#include "httpd.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "rt.h"
#include "task.h"
#include "taskreg.h"

enum route {
	R_LIST,		/* GET /api/tasks */
	R_CHAT,		/* GET /api/tasks/chat/{chat_id} */
	R_STOP,		/* POST /api/tasks/stop/{task_id} */
	R_USAGE,	/* GET /api/usage */
	R_ACTIVE,	/* GET /api/v1/users/active */
	R_USER_ACTIVE	/* GET /api/v1/users/{user_id}/active */
};

struct ctx {
	struct hreq		*r;
	struct fcgic_call	*call;
	enum route		 route;
	char			*arg;	/* chat_id, task_id or user_id */
	char			*uid;	/* the caller, once authenticated */
	int			 admin;
	int			 in_redis;	/* waiting for the lists */
	int			 gone;		/* the client left meanwhile */
};

static void
ctx_free(struct ctx *x)
{
	free(x->arg);
	free(x->uid);
	free(x);
}

static void
client_gone(void *arg)
{
	struct ctx *x = arg;

	if (x->in_redis) {
		x->gone = 1;	/* freed when Redis answers */
		return;
	}
	if (x->call != NULL)
		fcgic_cancel(x->call);
	ctx_free(x);
}

/* 1 when the JSON array of strings list holds id. */
static int
has_id(json_object *list, const char *id)
{
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(
		    list, i)), id) == 0)
			return 1;
	return 0;
}

/* Stops x->arg for the caller: Python's {"status", "message"}. */
static void
stop(struct ctx *x, json_object *o)
{
	struct taskreg_entry *e = taskreg_find(x->arg);
	struct buf msg = BUF_INIT;
	int ok = 1;

	if (e != NULL && (x->admin || strcmp(e->user_id, x->uid) == 0)) {
		e->stop(e);
		buf_printf(&msg, "Task %s successfully stopped.", x->arg);
	} else if (bus_enabled()) {
		/* perhaps another instance's: Python's answer with Redis */
		bus_stop_task(x->arg, x->uid, x->admin);
		buf_printf(&msg, "Stop signal sent for %s", x->arg);
	} else {
		buf_printf(&msg, "Task with ID %s not found.", x->arg);
		ok = 0;
	}
	json_object_object_add(o, "status", json_object_new_boolean(ok));
	json_object_object_add(o, "message",
	    json_object_new_string(buf_str(&msg)));
	buf_free(&msg);
}

/* Answers the route for the authenticated caller from list: every
 * instance's tasks or bound users (Redis), or NULL for this instance's. */
static void
answer(struct ctx *x, json_object *list)
{
	json_object *o = json_object_new_object(), *own = NULL;
	const char *s;

	switch (x->route) {
	case R_LIST:
	case R_CHAT:
		if (list == NULL)
			list = own = taskreg_list();
		json_object_object_add(o, x->route == R_LIST ? "tasks" :
		    "task_ids", chatproc_task_ids(list, x->route == R_CHAT ||
		    !x->admin ? x->uid : NULL, x->route == R_CHAT ? x->arg :
		    NULL));
		break;
	case R_STOP:
		stop(x, o);
		break;
	case R_USAGE:
	case R_ACTIVE:
	case R_USER_ACTIVE:
		if (list == NULL)
			list = own = rt_active_user_ids();
		if (x->route == R_USAGE)
			json_object_object_add(o, "model_ids",
			    rt_usage_models());
		if (x->route == R_USER_ACTIVE)
			json_object_object_add(o, "active",
			    json_object_new_boolean(has_id(list, x->arg)));
		else
			json_object_object_add(o, "user_ids",
			    json_object_get(list));
		break;
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	hconn_respond(x->r->conn, 200, "application/json", NULL, s, strlen(s));
	json_object_put(o);
	json_object_put(own);
}

static void
listed(void *arg, json_object *list)
{
	struct ctx *x = arg;

	x->in_redis = 0;
	if (!x->gone) {
		hconn_on_close(x->r->conn, NULL, NULL);
		answer(x, list);
	}
	ctx_free(x);
}

/* Asks Redis for what every instance has: 0 when the answer will come to
 * listed(), -1 to answer from this instance alone. */
static int
ask_redis(struct ctx *x)
{
	switch (x->route) {
	case R_LIST:
	case R_CHAT:
		return bus_task_list(listed, x);
	case R_USAGE:
	case R_ACTIVE:
	case R_USER_ACTIVE:
		return bus_user_list(listed, x);
	default:
		return -1;
	}
}

static void
authed(void *arg, const struct fcgic_resp *resp)
{
	struct ctx *x = arg;
	struct hconn *c = x->r->conn;
	json_object *user;

	x->call = NULL;
	hconn_on_close(c, NULL, NULL);
	if (resp == NULL) {
		hconn_respond_detail(c, 500, "Internal Server Error");
	} else if (resp->status != 200) {
		hconn_respond(c, resp->status, resp->content_type, NULL,
		    resp->body, resp->body_len);
	} else if ((user = json_parse(resp->body, resp->body_len)) == NULL ||
	    json_get_str(user, "id") == NULL) {
		json_object_put(user);
		log_error("/_streamd/auth answered without a user id");
		hconn_respond_detail(c, 500, "Internal Server Error");
	} else {
		x->uid = xstrdup(json_get_str(user, "id"));
		x->admin = json_get_str(user, "role") != NULL &&
		    strcmp(json_get_str(user, "role"), "admin") == 0;
		json_object_put(user);
		if (ask_redis(x) == 0) {
			x->in_redis = 1;
			hconn_on_close(c, client_gone, x);
			return;
		}
		answer(x, NULL);
	}
	ctx_free(x);
}

/* Authenticates r's caller, then answers route; arg (malloc'd, taken) is
 * the path's id or NULL. */
static void
serve(struct hreq *r, enum route route, char *arg)
{
	const char *params[5], *body;
	struct ctx *x = xcalloc(1, sizeof(*x));
	json_object *o;
	int n = 0;

	x->r = r;
	x->route = route;
	x->arg = arg;
	if (hreq_header(r, "Authorization") != NULL) {
		params[n++] = "HTTP_AUTHORIZATION";
		params[n++] = hreq_header(r, "Authorization");
	}
	if (hreq_header(r, "Cookie") != NULL) {
		params[n++] = "HTTP_COOKIE";
		params[n++] = hreq_header(r, "Cookie");
	}
	params[n] = NULL;
	/* the path the client asked for: API key endpoint restrictions */
	o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string(r->path));
	body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	x->call = fcgic_request("POST", "/_streamd/auth", params, body,
	    strlen(body), authed, x);
	json_object_put(o);
	if (x->call == NULL) {
		ctx_free(x);
		hconn_respond_detail(r->conn, 503, "Service Unavailable");
		return;
	}
	hconn_on_close(r->conn, client_gone, x);
}

/* The path segment after the n-th '/' (n from 1), malloc'd: the id of a
 * route pattern that srv_routes.c has already matched. */
static char *
segment(const char *path, int n)
{
	const char *p = path;

	while (n-- > 0 && (p = strchr(p, '/')) != NULL)
		p++;
	return xstrndup(p, strcspn(p, "/"));
}

void
task_list_http(struct hreq *r)
{
	serve(r, R_LIST, NULL);
}

void
task_chat_http(struct hreq *r)
{
	serve(r, R_CHAT, segment(r->path, 4));	/* /api/tasks/chat/{id} */
}

void
task_stop_http(struct hreq *r)
{
	serve(r, R_STOP, segment(r->path, 4));	/* /api/tasks/stop/{id} */
}

void
task_usage_http(struct hreq *r)
{
	serve(r, R_USAGE, NULL);
}

void
task_users_active_http(struct hreq *r)
{
	serve(r, R_ACTIVE, NULL);
}

void
task_user_active_http(struct hreq *r)
{
	serve(r, R_USER_ACTIVE, segment(r->path, 4)); /* /api/v1/users/{id} */
}
