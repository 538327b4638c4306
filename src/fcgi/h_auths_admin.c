/* h_auths_admin.c: /api/v1/auths/ admin settings, admin contact details
 * and the caller's API key (routers/auths.py). */
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "handlers.h"
#include "json.h"
#include "mem.h"
#include "rand.h"
#include "req.h"
#include "user.h"

#define MSG_ACTION_PROHIBITED	"The requested action has been restricted as a security measure."
#define MSG_API_KEY_NOT_FOUND	"Oops! It looks like there's a hiccup. The API key is missing. Please make sure to provide a valid API key to access this feature."
#define MSG_API_KEY_CREATION	"API key creation is not allowed in the environment."
#define MSG_CREATE_API_KEY_ERROR "Oops! Something went wrong while creating your API key. Please try again later. If the issue persists, contact support for assistance."

enum admin_type {
	A_BOOL,		/* bool */
	A_STR,		/* str */
	A_OPTSTR	/* Optional[str] = None */
};

/* The fields of Python's AdminConfig, in its order. */
static const struct admin_field {
	const char	*name;
	enum conf_key	 key;
	enum admin_type	 type;
} admin_fields[] = {
	{ "SHOW_ADMIN_DETAILS", CONF_SHOW_ADMIN_DETAILS, A_BOOL },
	{ "WEBUI_URL", CONF_WEBUI_URL, A_STR },
	{ "ENABLE_SIGNUP", CONF_ENABLE_SIGNUP, A_BOOL },
	{ "ENABLE_API_KEY", CONF_ENABLE_API_KEY, A_BOOL },
	{ "ENABLE_API_KEY_ENDPOINT_RESTRICTIONS",
	    CONF_ENABLE_API_KEY_ENDPOINT_RESTRICTIONS, A_BOOL },
	{ "API_KEY_ALLOWED_ENDPOINTS", CONF_API_KEY_ALLOWED_ENDPOINTS, A_STR },
	{ "DEFAULT_USER_ROLE", CONF_DEFAULT_USER_ROLE, A_STR },
	{ "JWT_EXPIRES_IN", CONF_JWT_EXPIRES_IN, A_STR },
	{ "ENABLE_COMMUNITY_SHARING", CONF_ENABLE_COMMUNITY_SHARING, A_BOOL },
	{ "ENABLE_MESSAGE_RATING", CONF_ENABLE_MESSAGE_RATING, A_BOOL },
	{ "ENABLE_CHANNELS", CONF_ENABLE_CHANNELS, A_BOOL },
	{ "ENABLE_NOTES", CONF_ENABLE_NOTES, A_BOOL },
	{ "ENABLE_USER_WEBHOOKS", CONF_ENABLE_USER_WEBHOOKS, A_BOOL },
	{ "PENDING_USER_OVERLAY_TITLE", CONF_PENDING_USER_OVERLAY_TITLE,
	    A_OPTSTR },
	{ "PENDING_USER_OVERLAY_CONTENT", CONF_PENDING_USER_OVERLAY_CONTENT,
	    A_OPTSTR },
	{ "RESPONSE_WATERMARK", CONF_RESPONSE_WATERMARK, A_OPTSTR },
};

#define ADMIN_FIELDS	(sizeof(admin_fields) / sizeof(admin_fields[0]))

/* Returns the admin settings object as GET and POST answer it. */
static json_object *
admin_config_json(void)
{
	json_object	*o = json_object_new_object();
	size_t		 i;

	for (i = 0; i < ADMIN_FIELDS; i++) {
		const struct admin_field *f = &admin_fields[i];

		json_object_object_add(o, f->name, f->type == A_BOOL ?
		    json_object_new_boolean(conf_bool(f->key)) :
		    json_object_get(conf_get(f->key)));
	}
	return o;
}

/* Reads a pydantic (lax mode) bool: true/false, 0/1, 0.0/1.0 and the
 * strings it knows. Returns 1 and sets *b, or 0 with *why the error type. */
static int
lax_bool(json_object *v, int *b, const char **why)
{
	static const char *const no[] = { "0", "off", "f", "false", "n", "no" };
	static const char *const yes[] = { "1", "on", "t", "true", "y", "yes" };
	size_t		 i;
	double		 d;

	*why = "bool_parsing";
	switch (v != NULL ? json_object_get_type(v) : json_type_null) {
	case json_type_boolean:
		*b = json_object_get_boolean(v);
		return 1;
	case json_type_int:
	case json_type_double:
		d = json_object_get_double(v);
		if (d != 0 && d != 1)
			return 0;
		*b = d == 1;
		return 1;
	case json_type_string:
		for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
			if (strcasecmp(json_object_get_string(v), no[i]) == 0) {
				*b = 0;
				return 1;
			}
			if (strcasecmp(json_object_get_string(v), yes[i]) == 0) {
				*b = 1;
				return 1;
			}
		}
		return 0;
	default:
		*why = "bool_type";
		return 0;
	}
}

/* Returns 1 when s matches Python's ^(-1|0|(-?\d+(\.\d+)?)(ms|s|m|h|d|w))$
 * under re.match, where $ also matches before one final newline. */
static int
jwt_expiry_ok(const char *s)
{
	size_t		 n = strlen(s), i = 0;

	if (n > 0 && s[n - 1] == '\n')
		n--;
	if ((n == 2 && strncmp(s, "-1", 2) == 0) || (n == 1 && s[0] == '0'))
		return 1;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i < n && s[i] == '.') {
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (n - i == 2 && strncmp(s + i, "ms", 2) == 0)
		return 1;
	return n - i == 1 && strchr("smhdw", s[i]) != NULL;
}

/* Returns 200 {name, email} of the admin to contact (ADMIN_EMAIL, else
 * the first user) to any signed-in user; 400 when SHOW_ADMIN_DETAILS is
 * off. */
int
h_auths_admin_details(struct req *r)
{
	const char	*email = conf_str(CONF_ADMIN_EMAIL), *name = NULL;
	struct user	*u;
	json_object	*o;

	if (!conf_bool(CONF_SHOW_ADMIN_DETAILS))
		return resp_error(r, 400, MSG_ACTION_PROHIBITED);
	if (email != NULL && *email != '\0') {
		if (user_get_by_email(r->db, r->a, email, &u) == ERR_OK)
			name = u->name;
	} else if (user_get_first(r->db, r->a, &u) == ERR_OK) {
		email = u->email;
		name = u->name;
	}
	o = json_object_new_object();
	json_object_object_add(o, "name", json_str_or_null(name));
	json_object_object_add(o, "email", json_str_or_null(email));
	return resp_json(r, 200, o);
}

/* Returns 200 with the admin settings (admin only). */
int
h_auths_admin_config_get(struct req *r)
{
	return resp_json(r, 200, admin_config_json());
}

/* Stores every AdminConfig field (DEFAULT_USER_ROLE only when pending,
 * user or admin; JWT_EXPIRES_IN only when a single duration) and returns
 * 200 with the settings now in effect; 422 for a missing or mistyped
 * field, nothing stored. */
int
h_auths_admin_config_set(struct req *r)
{
	json_object	*val[ADMIN_FIELDS], *v;
	const char	*why, *s;
	size_t		 i;
	int		 b;

	for (i = 0; i < ADMIN_FIELDS; i++) {
		const struct admin_field *f = &admin_fields[i];

		val[i] = NULL;
		if (!json_object_object_get_ex(r->json, f->name, &v)) {
			if (f->type == A_OPTSTR)
				continue;
			return resp_invalid(r, f->name, "missing",
			    "Field required");
		}
		if (f->type == A_BOOL) {
			if (!lax_bool(v, &b, &why))
				return resp_invalid(r, f->name, why,
				    strcmp(why, "bool_type") == 0 ?
				    "Input should be a valid boolean" :
				    "Input should be a valid boolean, unable "
				    "to interpret input");
			val[i] = json_object_new_boolean(b);
		} else if (v == NULL && f->type == A_OPTSTR) {
			continue;
		} else if (!json_object_is_type(v, json_type_string)) {
			return resp_invalid(r, f->name, "string_type",
			    "Input should be a valid string");
		} else
			val[i] = v;
	}
	/* Validated: nothing fails from here but the database. */
	for (i = 0; i < ADMIN_FIELDS; i++) {
		const struct admin_field *f = &admin_fields[i];

		s = val[i] != NULL && f->type != A_BOOL ?
		    json_object_get_string(val[i]) : NULL;
		if (f->key == CONF_DEFAULT_USER_ROLE && strcmp(s, "pending") &&
		    strcmp(s, "user") && strcmp(s, "admin"))
			continue;
		if (f->key == CONF_JWT_EXPIRES_IN && !jwt_expiry_ok(s))
			continue;
		if (conf_set(r->db, f->key, f->type == A_BOOL ? val[i] :
		    json_object_get(val[i])) != ERR_OK) {
			for (i++; i < ADMIN_FIELDS; i++)
				if (admin_fields[i].type == A_BOOL)
					json_object_put(val[i]);
			return resp_error(r, 500, MSG_DEFAULT);
		}
	}
	return resp_json(r, 200, admin_config_json());
}

/* Returns 200 {"api_key": "sk-..."} after replacing the caller's key; 403
 * when ENABLE_API_KEY is off. */
int
h_auths_api_key_create(struct req *r)
{
	char		 key[36];
	json_object	*o;

	if (!conf_bool(CONF_ENABLE_API_KEY))
		return resp_error(r, 403, MSG_API_KEY_CREATION);
	rand_api_key(key);
	if (user_set_api_key(r->db, r->user->id, key) != ERR_OK)
		return resp_error(r, 500, MSG_CREATE_API_KEY_ERROR);
	o = json_object_new_object();
	json_object_object_add(o, "api_key", json_object_new_string(key));
	return resp_json(r, 200, o);
}

/* Returns 200 {"api_key": ...} of the caller; 404 when there is none. */
int
h_auths_api_key_get(struct req *r)
{
	json_object	*o;

	if (r->user->api_key == NULL || *r->user->api_key == '\0')
		return resp_error(r, 404, MSG_API_KEY_NOT_FOUND);
	o = json_object_new_object();
	json_object_object_add(o, "api_key",
	    json_object_new_string(r->user->api_key));
	return resp_json(r, 200, o);
}

/* Returns 200 true after removing the caller's API key (false if the
 * database refused). */
int
h_auths_api_key_delete(struct req *r)
{
	return resp_json(r, 200, json_object_new_boolean(
	    user_set_api_key(r->db, r->user->id, NULL) == ERR_OK));
}
