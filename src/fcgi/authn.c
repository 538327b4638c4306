/* authn.c: credential checks done once by the router for every route. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "authn.h"
#include "channel.h"
#include "json.h"
#include "conf.h"
#include "jwt.h"
#include "log.h"
#include "mem.h"
#include "req.h"
#include "user.h"

static char *authn_key;

void
authn_set_secret(const char *secret)
{
	free(authn_key);
	authn_key = xstrdup(secret);
}

const char *
authn_secret(void)
{
	return authn_key;
}

const char *
fcgi_secret(void)
{
	return authn_key;
}

/* Returns the credential: the Bearer header first, then the cookie. */
static const char *
authn_credential(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	const char *sp;

	if (h != NULL && (sp = strchr(h, ' ')) != NULL &&
	    (size_t)(sp - h) == 6 && strncasecmp(h, "bearer", 6) == 0 &&
	    sp[1] != '\0')
		return sp + 1;
	return req_cookie(r, "token");
}

/* Returns 1 when an API key may be used on this path. */
static int
authn_key_path_ok(struct req *r)
{
	const char *list, *p, *end;
	size_t n;

	if (!conf_bool(CONF_ENABLE_API_KEY_ENDPOINT_RESTRICTIONS))
		return 1;
	list = conf_str(CONF_API_KEY_ALLOWED_ENDPOINTS);
	for (p = list ? list : ""; ; p = end + 1) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(end - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if ((strlen(r->path) == n && strncmp(r->path, p, n) == 0) ||
		    (strncmp(r->path, p, n) == 0 && r->path[n] == '/'))
			return 1;
		if (*end == '\0')
			return 0;
	}
}

/* Returns 1 when s holds only ASCII bytes. */
static int
authn_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* Bumps last_active_at, throttled by the Python interval setting. */
static void
authn_touch(struct req *r)
{
	long long every = conf_int(CONF_DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL);
	long long now = (long long)time(NULL);

	/* within the same second the write would store the same value */
	if (r->user->last_active_at == now ||
	    (every > 0 && now - r->user->last_active_at < every))
		return;
	if (user_touch(r->db, r->user->id) != ERR_OK)
		log_warn("[%s] could not update last_active_at", r->id);
}

/* Resolves the credential into r->user. Returns 0 or an error status. */
static int
authn_user(struct req *r, int quiet)
{
	const char *tok = authn_credential(r);
	char *id = NULL;
	enum err e;

	if (tok == NULL)
		return quiet ? 0 : resp_error(r, 401, MSG_NOT_AUTHENTICATED);
	if (strncmp(tok, "sk-", 3) == 0) {
		if (quiet)
			return 0;
		if (!conf_bool(CONF_ENABLE_API_KEY) || !authn_key_path_ok(r))
			return resp_error(r, 403,
			    "Use of API key is not enabled in the environment.");
		/* keys are ASCII; other bytes are no key (PostgreSQL would
		 * refuse invalid UTF-8 with an error, not a miss) */
		e = authn_ascii(tok) ? user_get_by_api_key(r->db, r->a, tok,
		    &r->user) : ERR_NOTFOUND;
		if (e == ERR_NOTFOUND)
			return resp_error(r, 401, MSG_INVALID_TOKEN);
		if (e != ERR_OK)
			return resp_error(r, 500, MSG_DEFAULT);
		r->api_key = 1;
		r->token = tok;
		authn_touch(r);
		return 0;
	}
	if (jwt_verify(authn_key, tok, (long long)time(NULL), &id) != ERR_OK)
		return quiet ? 0 : resp_error(r, 401, MSG_UNAUTHORIZED);
	e = user_get(r->db, r->a, id, &r->user);
	free(id);
	if (e != ERR_OK) {
		r->user = NULL;
		if (quiet)
			return 0;
		return e == ERR_NOTFOUND ? resp_error(r, 401, MSG_INVALID_TOKEN) :
		    resp_error(r, 500, MSG_DEFAULT);
	}
	r->token = tok;
	if (!quiet && conf_str(CONF_WEBUI_AUTH_TRUSTED_EMAIL_HEADER) != NULL) {
		const char *h = req_header(r,
		    conf_str(CONF_WEBUI_AUTH_TRUSTED_EMAIL_HEADER));

		if (h != NULL && *h != '\0' && strcasecmp(h, r->user->email) != 0)
			return resp_error(r, 401,
			    "User mismatch. Please sign in again.");
	}
	if (!quiet)
		authn_touch(r);
	return 0;
}

int
authn_check(struct req *r, enum route_auth level)
{
	int st;

	switch (level) {
	case AUTH_PUBLIC:
		return 0;
	case AUTH_OPTIONAL:
		return authn_user(r, 1);
	case AUTH_ANY:
		return authn_user(r, 0);
	case AUTH_VERIFIED:
		if ((st = authn_user(r, 0)) != 0)
			return st;
		if (strcmp(r->user->role, "user") != 0 &&
		    strcmp(r->user->role, "admin") != 0)
			return resp_error(r, 401, MSG_ACCESS_PROHIBITED);
		return 0;
	case AUTH_ADMIN:
		if ((st = authn_user(r, 0)) != 0)
			return st;
		if (strcmp(r->user->role, "admin") != 0)
			return resp_error(r, 401, MSG_ACCESS_PROHIBITED);
		return 0;
	}
	return resp_error(r, 500, MSG_DEFAULT);
}

enum err
authn_socket_json(struct db *db, struct arena *a, const char *user_id,
    json_object **out)
{
	json_object *o = NULL, *list = NULL, *ids;
	enum err e;
	size_t i;

	*out = NULL;
	if ((e = user_response(db, a, user_id, &o)) != ERR_OK ||
	    (e = channel_list_readable(db, a, user_id, &list)) != ERR_OK) {
		json_object_put(o);
		return e;
	}
	json_on_arena(a, list);
	if (o == NULL)
		return ERR_NOTFOUND;
	ids = json_object_new_array();
	for (i = 0; i < json_object_array_length(list); i++)
		json_object_array_add(ids, json_object_get(json_get(
		    json_object_array_get_idx(list, i), "id")));
	json_object_object_add(o, "channel_ids", ids);
	*out = o;
	return ERR_OK;
}

enum err
authn_socket_token(struct db *db, struct arena *a, const char *token,
    json_object **out)
{
	char *id = NULL;
	enum err e;

	*out = NULL;
	if (token == NULL || jwt_verify(authn_key, token,
	    (long long)time(NULL), &id) != ERR_OK)
		return ERR_DENIED;
	e = authn_socket_json(db, a, id, out);
	free(id);
	return e;
}
