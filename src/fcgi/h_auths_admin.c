/* h_auths_admin.c: /api/v1/auths/ admin settings, the LDAP settings,
 * admin contact details and the caller's API key (routers/auths.py). */
#include <string.h>

#include "body.h"
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

/* One field of a settings form: its name, setting and pydantic type, the
 * default of an absent field (JSON text; NULL: required or None) and
 * whether the handler refuses it empty. */
struct form_field {
	const char	*name;
	enum conf_key	 key;
	enum body_type	 type;
	int		 flags;
	const char	*def;
	int		 required;
};

/* A field without default that may be empty. */
#define FIELD(name, key, type, flags)	{ name, key, type, flags, NULL, 0 }

/* The fields of Python's AdminConfig, in its order. */
static const struct form_field admin_fields[] = {
	FIELD("SHOW_ADMIN_DETAILS", CONF_SHOW_ADMIN_DETAILS, BODY_BOOL, 0),
	FIELD("WEBUI_URL", CONF_WEBUI_URL, BODY_STR, 0),
	FIELD("ENABLE_SIGNUP", CONF_ENABLE_SIGNUP, BODY_BOOL, 0),
	FIELD("ENABLE_API_KEY", CONF_ENABLE_API_KEY, BODY_BOOL, 0),
	FIELD("ENABLE_API_KEY_ENDPOINT_RESTRICTIONS",
	    CONF_ENABLE_API_KEY_ENDPOINT_RESTRICTIONS, BODY_BOOL, 0),
	FIELD("API_KEY_ALLOWED_ENDPOINTS", CONF_API_KEY_ALLOWED_ENDPOINTS,
	    BODY_STR, 0),
	FIELD("DEFAULT_USER_ROLE", CONF_DEFAULT_USER_ROLE, BODY_STR, 0),
	FIELD("JWT_EXPIRES_IN", CONF_JWT_EXPIRES_IN, BODY_STR, 0),
	FIELD("ENABLE_COMMUNITY_SHARING", CONF_ENABLE_COMMUNITY_SHARING,
	    BODY_BOOL, 0),
	FIELD("ENABLE_MESSAGE_RATING", CONF_ENABLE_MESSAGE_RATING, BODY_BOOL,
	    0),
	FIELD("ENABLE_CHANNELS", CONF_ENABLE_CHANNELS, BODY_BOOL, 0),
	FIELD("ENABLE_NOTES", CONF_ENABLE_NOTES, BODY_BOOL, 0),
	FIELD("ENABLE_USER_WEBHOOKS", CONF_ENABLE_USER_WEBHOOKS, BODY_BOOL, 0),
	FIELD("PENDING_USER_OVERLAY_TITLE", CONF_PENDING_USER_OVERLAY_TITLE,
	    BODY_STR, BODY_NULL | BODY_ABSENT),
	FIELD("PENDING_USER_OVERLAY_CONTENT", CONF_PENDING_USER_OVERLAY_CONTENT,
	    BODY_STR, BODY_NULL | BODY_ABSENT),
	FIELD("RESPONSE_WATERMARK", CONF_RESPONSE_WATERMARK, BODY_STR,
	    BODY_NULL | BODY_ABSENT),
};

#define ADMIN_FIELDS	(sizeof(admin_fields) / sizeof(admin_fields[0]))

/* The fields of Python's LdapServerConfig, in its order. */
static const struct form_field ldap_fields[] = {
	{ "label", CONF_LDAP_SERVER_LABEL, BODY_STR, 0, NULL, 1 },
	{ "host", CONF_LDAP_SERVER_HOST, BODY_STR, 0, NULL, 1 },
	{ "port", CONF_LDAP_SERVER_PORT, BODY_INT, BODY_NULL | BODY_ABSENT,
	    NULL, 0 },
	{ "attribute_for_mail", CONF_LDAP_ATTRIBUTE_FOR_MAIL, BODY_STR,
	    BODY_ABSENT, "\"mail\"", 1 },
	{ "attribute_for_username", CONF_LDAP_ATTRIBUTE_FOR_USERNAME, BODY_STR,
	    BODY_ABSENT, "\"uid\"", 1 },
	{ "app_dn", CONF_LDAP_APP_DN, BODY_STR, 0, NULL, 1 },
	{ "app_dn_password", CONF_LDAP_APP_PASSWORD, BODY_STR, 0, NULL, 1 },
	{ "search_base", CONF_LDAP_SEARCH_BASE, BODY_STR, 0, NULL, 1 },
	{ "search_filters", CONF_LDAP_SEARCH_FILTERS, BODY_STR, BODY_ABSENT,
	    "\"\"", 0 },
	{ "use_tls", CONF_LDAP_USE_TLS, BODY_BOOL, BODY_ABSENT, "true", 0 },
	{ "certificate_path", CONF_LDAP_CA_CERT_FILE, BODY_STR,
	    BODY_NULL | BODY_ABSENT, NULL, 0 },
	{ "validate_cert", CONF_LDAP_VALIDATE_CERT, BODY_BOOL, BODY_ABSENT,
	    "true", 0 },
	{ "ciphers", CONF_LDAP_CIPHERS, BODY_STR, BODY_NULL | BODY_ABSENT,
	    "\"ALL\"", 0 },
};

#define LDAP_FIELDS	(sizeof(ldap_fields) / sizeof(ldap_fields[0]))

/* Reads the n fields of form from the body into val (borrowed, owned by
 * r->a; NULL for null), absent ones taking their defaults. Returns 0, or
 * the status of the 422 (mistyped) or 400 (a required field empty)
 * written. */
static int
form_read(struct req *r, const struct form_field *form, size_t n,
    json_object **val)
{
	struct body_spec *spec = arena_alloc(r->a, n * sizeof(*spec));
	size_t		 i;
	int		 st;

	for (i = 0; i < n; i++)
		spec[i] = (struct body_spec){ form[i].name, form[i].type,
		    form[i].flags, NULL, NULL };
	if ((st = body_read(r, spec, n, val)) != 0)
		return st;
	for (i = 0; i < n; i++) {
		if (form[i].def != NULL &&
		    !json_object_object_get_ex(r->json, form[i].name, NULL))
			val[i] = json_on_arena(r->a,
			    json_parse(form[i].def, strlen(form[i].def)));
		if (form[i].required && (val[i] == NULL ||
		    json_object_get_string_len(val[i]) == 0))
			return resp_error(r, 400, arena_printf(r->a,
			    "Required field %s is empty", form[i].name));
	}
	return 0;
}

/* Returns the admin settings object as GET and POST answer it. */
static json_object *
admin_config_json(void)
{
	json_object	*o = json_object_new_object();
	size_t		 i;

	for (i = 0; i < ADMIN_FIELDS; i++) {
		const struct form_field *f = &admin_fields[i];

		json_object_object_add(o, f->name, f->type == BODY_BOOL ?
		    json_object_new_boolean(conf_bool(f->key)) :
		    json_object_get(conf_get(f->key)));
	}
	return o;
}

/* Returns the LDAP server settings as GET and POST answer them. */
static json_object *
ldap_server_json(void)
{
	json_object	*o = json_object_new_object();
	size_t		 i;

	for (i = 0; i < LDAP_FIELDS; i++)
		json_object_object_add(o, ldap_fields[i].name,
		    json_object_get(conf_get(ldap_fields[i].key)));
	return o;
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
	json_object	*val[ADMIN_FIELDS];
	const char	*s;
	size_t		 i;
	int		 st;

	if ((st = form_read(r, admin_fields, ADMIN_FIELDS, val)) != 0)
		return st;
	for (i = 0; i < ADMIN_FIELDS; i++) {
		const struct form_field *f = &admin_fields[i];

		s = val[i] != NULL && f->type == BODY_STR ?
		    json_object_get_string(val[i]) : NULL;
		if (f->key == CONF_DEFAULT_USER_ROLE && strcmp(s, "pending") &&
		    strcmp(s, "user") && strcmp(s, "admin"))
			continue;
		if (f->key == CONF_JWT_EXPIRES_IN && !jwt_expiry_ok(s))
			continue;
		if (conf_set(r->db, f->key, json_object_get(val[i])) != ERR_OK)
			return resp_error(r, 500, MSG_DEFAULT);
	}
	return resp_json(r, 200, admin_config_json());
}

/* Returns 200 with the LDAP server settings (admin only). */
int
h_auths_ldap_server_get(struct req *r)
{
	return resp_json(r, 200, ldap_server_json());
}

/* Stores every LdapServerConfig field, in one save, and returns 200 with
 * the settings; 422 for a missing or mistyped field, 400 "Required field
 * <name> is empty" for an empty required one; nothing stored then. */
int
h_auths_ldap_server_set(struct req *r)
{
	json_object	*val[LDAP_FIELDS], *doc = NULL;
	size_t		 i;
	int		 st;

	if ((st = form_read(r, ldap_fields, LDAP_FIELDS, val)) != 0)
		return st;
	if (json_object_deep_copy(conf_document(), &doc, NULL) != 0)
		return resp_error(r, 500, MSG_DEFAULT);
	for (i = 0; i < LDAP_FIELDS; i++)
		json_set_path(doc, conf_items[ldap_fields[i].key].path,
		    json_object_get(val[i]));
	if (conf_replace(r->db, doc) != ERR_OK)
		return resp_error(r, 500, MSG_DEFAULT);
	return resp_json(r, 200, ldap_server_json());
}

/* Returns 200 {"ENABLE_LDAP": ...} (admin only). */
int
h_auths_ldap_config_get(struct req *r)
{
	json_object	*o = json_object_new_object();

	json_object_object_add(o, "ENABLE_LDAP",
	    json_object_get(conf_get(CONF_ENABLE_LDAP)));
	return resp_json(r, 200, o);
}

/* Stores enable_ldap (null when absent or null, as Python does) and
 * returns 200 {"ENABLE_LDAP": ...}; 422 when it is not a bool. */
int
h_auths_ldap_config_set(struct req *r)
{
	static const struct body_spec spec[] = {
		{ "enable_ldap", BODY_BOOL, BODY_NULL | BODY_ABSENT, NULL,
		    NULL },
	};
	json_object	*val[1];
	int		 st;

	if ((st = body_read(r, spec, 1, val)) != 0)
		return st;
	if (conf_set(r->db, CONF_ENABLE_LDAP, json_object_get(val[0])) !=
	    ERR_OK)
		return resp_error(r, 500, MSG_DEFAULT);
	return h_auths_ldap_config_get(r);
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
