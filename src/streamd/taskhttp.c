/* taskhttp.c: the routes of main.py that read the running tasks and the
 * sessions, which live in streamd: GET /api/tasks, GET
 * /api/tasks/chat/{chat_id}, POST /api/tasks/stop/{task_id} and GET
 * /api/usage. The caller is authenticated by cwebui-fcgi
 * (/_streamd/auth with its Authorization and Cookie headers), as a
 * verified-user route; its answer is relayed when it refuses.
 *
 * Unlike Python, a task is only visible to, and stoppable by, the user who
 * started it or an admin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bus.h"
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
	char			*arg;	/* chat_id or task_id */
	char			*uid;	/* the caller, once authenticated */
	int			 admin;
	int			 in_redis;	/* waiting for the task list */
	int			 gone;		/* the client left meanwhile */
};

static void
respond_json(struct hconn *c, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN);

	hconn_respond(c, 200, "application/json", NULL, s, strlen(s));
}

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

/* The ids in list (every instance's tasks, from Redis) of user_id (NULL:
 * all) and chat_id (NULL: all). New reference. */
static json_object *
list_ids(json_object *list, const char *user_id, const char *chat_id)
{
	json_object *a = json_object_new_array(), *t;
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		t = json_object_array_get_idx(list, i);
		if ((user_id == NULL || strcmp(json_get_str(t, "user_id"),
		    user_id) == 0) && (chat_id == NULL ||
		    strcmp(json_get_str(t, "chat_id"), chat_id) == 0))
			json_object_array_add(a,
			    json_object_get(json_get(t, "id")));
	}
	return a;
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

/* Answers the route for the authenticated caller; list is what every
 * instance has (Redis: the tasks, or the bound users' ids for the presence
 * routes) or NULL for this instance alone. */
static void
answer(struct ctx *x, json_object *list)
{
	const char *uid = x->uid;
	int admin = x->admin;
	json_object *o = json_object_new_object();
	struct taskreg_entry *e;
	char *msg;

	switch (x->route) {
	case R_LIST:
		json_object_object_add(o, "tasks", list != NULL ?
		    list_ids(list, admin ? NULL : uid, NULL) :
		    taskreg_ids(admin ? NULL : uid, NULL));
		break;
	case R_CHAT:
		json_object_object_add(o, "task_ids", list != NULL ?
		    list_ids(list, uid, x->arg) : taskreg_ids(uid, x->arg));
		break;
	case R_STOP:
		e = taskreg_find(x->arg);
		if (e != NULL && (admin || strcmp(e->user_id, uid) == 0)) {
			e->stop(e);
			msg = xmalloc(strlen(x->arg) + 32);
			sprintf(msg, "Task %s successfully stopped.", x->arg);
			json_object_object_add(o, "status",
			    json_object_new_boolean(1));
		} else if (bus_enabled()) {
			/* perhaps another instance's: Python's answer with
			 * Redis */
			bus_stop_task(x->arg, uid, admin);
			msg = xmalloc(strlen(x->arg) + 32);
			sprintf(msg, "Stop signal sent for %s", x->arg);
			json_object_object_add(o, "status",
			    json_object_new_boolean(1));
		} else {
			msg = xmalloc(strlen(x->arg) + 32);
			sprintf(msg, "Task with ID %s not found.", x->arg);
			json_object_object_add(o, "status",
			    json_object_new_boolean(0));
		}
		json_object_object_add(o, "message",
		    json_object_new_string(msg));
		free(msg);
		break;
	case R_USAGE:
		json_object_object_add(o, "model_ids", rt_usage_models());
		json_object_object_add(o, "user_ids", list != NULL ?
		    json_object_get(list) : rt_active_user_ids());
		break;
	case R_ACTIVE:
		json_object_object_add(o, "user_ids", list != NULL ?
		    json_object_get(list) : rt_active_user_ids());
		break;
	case R_USER_ACTIVE:
		json_object_object_add(o, "active", json_object_new_boolean(
		    list != NULL ? has_id(list, x->arg) :
		    rt_user_active(x->arg)));
		break;
	}
	respond_json(x->r->conn, o);
	json_object_put(o);
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
		if (((x->route == R_LIST || x->route == R_CHAT) &&
		    bus_task_list(listed, x) == 0) ||
		    ((x->route == R_USAGE || x->route == R_ACTIVE ||
		    x->route == R_USER_ACTIVE) && bus_user_list(listed, x) == 0)) {
			x->in_redis = 1;
			hconn_on_close(c, client_gone, x);
			return;
		}
		answer(x, NULL);
	}
	ctx_free(x);
}

/* Matches path against prefix; the rest (one non-empty segment) goes to
 * *arg. */
static int
match_arg(const char *path, const char *prefix, char **arg)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0 || path[n] == '\0' ||
	    strchr(path + n, '/') != NULL)
		return 0;
	*arg = xstrdup(path + n);
	return 1;
}

/* /api/v1/users/{user_id}/active: the id into *arg. */
static int
match_user_active(const char *path, char **arg)
{
	static const char pre[] = "/api/v1/users/", suf[] = "/active";
	size_t n = strlen(path), lp = sizeof(pre) - 1, ls = sizeof(suf) - 1;

	if (n <= lp + ls || strncmp(path, pre, lp) != 0 ||
	    strcmp(path + n - ls, suf) != 0 ||
	    memchr(path + lp, '/', n - lp - ls) != NULL)
		return 0;
	*arg = xstrndup(path + lp, n - lp - ls);
	return 1;
}

void
task_http(struct hreq *r)
{
	const char *want, *params[5];
	struct ctx *x = xcalloc(1, sizeof(*x));
	int n = 0;

	x->r = r;
	if (strcmp(r->path, "/api/tasks") == 0) {
		x->route = R_LIST;
		want = "GET";
	} else if (strcmp(r->path, "/api/usage") == 0) {
		x->route = R_USAGE;
		want = "GET";
	} else if (match_arg(r->path, "/api/tasks/chat/", &x->arg)) {
		x->route = R_CHAT;
		want = "GET";
	} else if (match_arg(r->path, "/api/tasks/stop/", &x->arg)) {
		x->route = R_STOP;
		want = "POST";
	} else if (strcmp(r->path, "/api/v1/users/active") == 0) {
		x->route = R_ACTIVE;
		want = "GET";
	} else if (match_user_active(r->path, &x->arg)) {
		x->route = R_USER_ACTIVE;
		want = "GET";
	} else {
		ctx_free(x);
		hconn_respond_detail(r->conn, 404, "Not Found");
		return;
	}
	if (strcmp(r->method, want) != 0 && !(strcmp(want, "GET") == 0 &&
	    strcmp(r->method, "HEAD") == 0)) {
		ctx_free(x);
		hconn_respond_detail(r->conn, 405, "Method Not Allowed");
		return;
	}
	if (hreq_header(r, "Authorization") != NULL) {
		params[n++] = "HTTP_AUTHORIZATION";
		params[n++] = hreq_header(r, "Authorization");
	}
	if (hreq_header(r, "Cookie") != NULL) {
		params[n++] = "HTTP_COOKIE";
		params[n++] = hreq_header(r, "Cookie");
	}
	params[n] = NULL;
	x->call = fcgic_request("POST", "/_streamd/auth", params, "{}", 2,
	    authed, x);
	if (x->call == NULL) {
		ctx_free(x);
		hconn_respond_detail(r->conn, 503, "Service Unavailable");
		return;
	}
	hconn_on_close(r->conn, client_gone, x);
}
