/* router.c: matches a request against the route table, applies the
 * route's auth level and body flag once, then calls its handler. */
#include <string.h>
#include <strings.h>

#include "authn.h"
#include "conf.h"
#include "json.h"
#include "mem.h"
#include "path.h"
#include "req.h"
#include "hosting.h"
#include "router.h"

/* Copies the captured segments out of the path into the arena. */
static void
router_captures(struct req *r, const char *pattern)
{
	const char *raw[REQ_MAX_PARAMS] = { 0 };
	int i;

	path_match(pattern, r->path, raw, REQ_MAX_PARAMS);
	for (i = 0; i < REQ_MAX_PARAMS && raw[i] != NULL; i++) {
		const char *end = strstr(pattern, ":path}") != NULL &&
		    (i + 1 == REQ_MAX_PARAMS || raw[i + 1] == NULL) ?
		    NULL : strchr(raw[i], '/');

		r->params[i] = end ? arena_strndup(r->a, raw[i],
		    (size_t)(end - raw[i])) : arena_strdup(r->a, raw[i]);
	}
}

/* FastAPI's 422 for a body that is not JSON. */
static int
router_bad_json(struct req *r)
{
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object *e = json_object_new_object(), *loc = json_object_new_array();
	json_object *ctx = json_object_new_object();

	json_object_array_add(loc, json_object_new_string("body"));
	json_object_array_add(loc, json_object_new_int(0));
	json_object_object_add(e, "type", json_object_new_string("json_invalid"));
	json_object_object_add(e, "loc", loc);
	json_object_object_add(e, "msg", json_object_new_string("JSON decode error"));
	json_object_object_add(e, "input", json_object_new_object());
	json_object_object_add(ctx, "error", json_object_new_string("Expecting value"));
	json_object_object_add(e, "ctx", ctx);
	json_object_array_add(arr, e);
	json_object_object_add(o, "detail", arr);
	return resp_json(r, 422, o);
}

/* Parses the body for R_JSON routes. Returns 0 or the status written. */
static int
router_body(struct req *r)
{
	if (r->body.len == 0) {
		r->json = NULL;
		return resp_invalid(r, NULL, "missing", "Field required");
	}
	r->json = json_on_arena(r->a, json_parse(r->body.p, r->body.len));
	if (r->json == NULL)
		return router_bad_json(r);
	if (!json_object_is_type(r->json, json_type_object))
		return resp_invalid(r, NULL, "model_attributes_type",
		    "Input should be a valid dictionary or object to extract "
		    "fields from");
	return 0;
}

/* Returns 1 when route rt exists for r (see R_STREAMD, R_HOSTING). */
static int
router_visible(struct req *r, const struct route *rt)
{
	return (!(rt->flags & R_STREAMD) || req_from_streamd(r)) &&
	    (!(rt->flags & R_HOSTING) || hosting_on());
}

/* Starlette's redirect_slashes: when only the other form of the path (with
 * or without a trailing slash) has a route, redirect there with 307. */
static int
router_slash(struct req *r)
{
	const char *tmp[REQ_MAX_PARAMS];
	size_t n = strlen(r->path);
	const struct route *rt;
	char *other;

	if (n > 1 && r->path[n - 1] == '/')
		other = arena_strndup(r->a, r->path, n - 1);
	else
		other = arena_printf(r->a, "%s/", r->path);
	for (rt = routes; rt < routes + routes_len; rt++)
		if (router_visible(r, rt) &&
		    path_match(rt->pattern, other, tmp, REQ_MAX_PARAMS))
			return resp_redirect(r, 307, *r->query != '\0' ?
			    arena_printf(r->a, "%s%s?%s", req_base_url(r),
			    other, r->query) :
			    arena_printf(r->a, "%s%s", req_base_url(r), other));
	return resp_error(r, 404, "Not Found");
}

int
router_dispatch(struct req *r)
{
	const struct route *rt, *path_hit = NULL;
	const char *tmp[REQ_MAX_PARAMS];
	int st;

	for (rt = routes; rt < routes + routes_len; rt++) {
		if (!router_visible(r, rt) ||
		    !path_match(rt->pattern, r->path, tmp, REQ_MAX_PARAMS))
			continue;
		if (strcmp(rt->method, r->method) == 0 ||
		    (strcmp(r->method, "HEAD") == 0 &&
		    strcmp(rt->method, "GET") == 0))
			break;
		path_hit = rt;
	}
	if (rt == routes + routes_len) {
		if (path_hit != NULL)
			return resp_error(r, 405, "Method Not Allowed");
		return router_slash(r);
	}
	router_captures(r, rt->pattern);
	/* FastAPI reads and decodes the body before any dependency runs. */
	if ((rt->flags & R_JSON) && r->body.len > 0 &&
	    (r->json = json_on_arena(r->a,
	    json_parse(r->body.p, r->body.len))) == NULL)
		return router_bad_json(r);
	if ((st = authn_check(r, rt->auth)) != 0)
		return st;
	if ((rt->flags & R_JSON) && (st = router_body(r)) != 0)
		return st;
	return rt->handler(r);
}
