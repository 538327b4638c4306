/* h_auths.c: /api/v1/auths/ sessions and accounts (routers/auths.py):
 * the session user, sign-in, sign-up, sign-out, admin "add user", and the
 * caller's profile and password. The admin settings and API keys are in
 * h_auths_admin.c. LDAP and OAuth are not served yet.
 *
 * Bodies are validated as FastAPI does before the handler runs: a missing
 * field or a value of the wrong type is a 422 naming the first bad field. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "body.h"
#include "conf.h"
#include "db.h"
#include "handlers.h"
#include "json.h"
#include "jwt.h"
#include "log.h"
#include "mem.h"
#include "passwd.h"
#include "perm.h"
#include "rand.h"
#include "req.h"
#include "user.h"
#include "webhook.h"

#define MSG_INVALID_CRED	"The email or password provided is incorrect. Please check for typos and try logging in again."
#define MSG_INVALID_EMAIL	"The email format you entered is invalid. Please double-check and make sure you're using a valid email address (e.g., yourname@example.com)."
#define MSG_EMAIL_TAKEN		"Uh-oh! This email is already registered. Sign in with your existing account or choose another email to start anew."
#define MSG_INVALID_PASSWORD	"The password provided is incorrect. Please check for typos and try again."
#define MSG_INVALID_TRUSTED	"Your provider has not provided a trusted header. Please contact your administrator for assistance."
#define MSG_EXISTING_USERS	"You can't turn off authentication because there are existing users. If you want to disable WEBUI_AUTH, make sure your web interface doesn't have any existing users and is a fresh installation."
#define MSG_ACTION_PROHIBITED	"The requested action has been restricted as a security measure."
#define MSG_SIGNUP_ERROR	"An internal error occurred during signup."
#define MSG_ADD_ERROR		"An internal error occurred while adding the user."

/* bcrypt only looks at this many bytes; Python's signup refuses more. */
#define PASSWORD_MAX_BYTES	72

/* Signs a session token for uid expiring at exp (0: never) into *token
 * (arena-owned). Returns ERR_OK or what jwt_sign() returned. */
static enum err
token_make(struct req *r, const char *uid, long long exp, char **token)
{
	char		*t;
	enum err	 e;

	if ((e = jwt_sign(fcgi_secret(), uid, exp, &t)) != ERR_OK) {
		log_error("%s: could not sign a token: %s", r->id, err_str(e));
		return e;
	}
	*token = arena_strdup(r->a, t);
	free(t);
	return ERR_OK;
}

/* Adds the account fields of Python's token responses to o: id, email,
 * name, role and profile_image_url. */
static void
account_fields(json_object *o, const struct user *u)
{
	json_object_object_add(o, "id", json_object_new_string(u->id));
	json_object_object_add(o, "email", json_object_new_string(u->email));
	json_object_object_add(o, "name", json_object_new_string(u->name));
	json_object_object_add(o, "role", json_object_new_string(u->role));
	json_object_object_add(o, "profile_image_url",
	    json_str_or_null(u->profile_image_url));
}

/* Returns the SessionUserResponse of Python: the token and who it is. */
static json_object *
session_json(const struct user *u, const char *token,
    long long expires_at, json_object *perms)
{
	json_object	*o = json_object_new_object();

	json_object_object_add(o, "token", json_object_new_string(token));
	json_object_object_add(o, "token_type",
	    json_object_new_string("Bearer"));
	json_object_object_add(o, "expires_at", expires_at != 0 ?
	    json_object_new_int64(expires_at) : NULL);
	account_fields(o, u);
	json_object_object_add(o, "permissions", perms);
	return o;
}

/* Issues a token for u with the configured expiry, sets the token
 * cookie and writes the sign-in answer. */
static int
session_start(struct req *r, const struct user *u)
{
	long long	 exp, expires_at;
	char		*token;
	json_object	*perms;

	if (jwt_expiry(conf_str(CONF_JWT_EXPIRES_IN), &exp, &expires_at) != ERR_OK) {
		log_error("%s: JWT_EXPIRES_IN %s is not a duration", r->id,
		    conf_str(CONF_JWT_EXPIRES_IN));
		return resp_internal(r, NULL, ERR_OK);
	}
	if (token_make(r, u->id, exp, &token) != ERR_OK)
		return resp_internal(r, NULL, ERR_OK);
	if (perm_of_user(r->db, r->a, u->id, &perms) != ERR_OK)
		return resp_internal(r, NULL, ERR_OK);
	resp_cookie(r, "token", token, expires_at, 1);
	return resp_json(r, 200, session_json(u, token, expires_at, perms));
}

/* Returns the user if password matches the active auth row of the user
 * with this (lower-cased) email, as Auths.authenticate_user; else NULL. */
static struct user *
authenticate(struct req *r, const char *email, const struct body_field *pw)
{
	struct user	*u;
	char		*hash;

	if (user_get_by_email(r->db, r->a, email, &u) != ERR_OK)
		return NULL;
	if (body_has_nul(pw) || user_auth_hash(r->db, r->a, u->email, &hash)
	    != ERR_OK)
		return NULL;
	return passwd_verify(pw->s, hash) ? u : NULL;
}

/* The sign-up form of Python: name, email, password, profile_image_url. */
struct signup_form {
	struct body_field name;
	struct body_field email;
	struct body_field password;
	struct body_field profile_image_url;
};

/* Lower-cases the email of a new account into *email (arena-owned) and
 * checks it as Python's signup and add do. Returns 0, or the status of
 * the error written: 400 when invalid or taken. */
static int
email_available(struct req *r, const char *raw, const char **email)
{
	struct user	*u;

	*email = user_email_lower(r->a, raw);
	if (!user_email_valid(*email))
		return resp_error(r, 400, MSG_INVALID_EMAIL);
	switch (user_get_by_email(r->db, r->a, *email, &u)) {
	case ERR_OK:
		return resp_error(r, 400, MSG_EMAIL_TAKEN);
	case ERR_NOTFOUND:
		return 0;
	default:
		return resp_internal(r, NULL, ERR_OK);
	}
}

/* Creates an account as Python's signup() does, with every gate; on 0
 * *out is the new user, else the error was written and its status is
 * returned. The first account becomes admin and closes sign-up. */
static int
signup_create(struct req *r, const struct signup_form *f, struct user **out)
{
	long long	 n, exp, at;
	int		 first, st;
	const char	*role, *email;
	char		 hash[64];
	struct user	*u, *u0;

	if (user_count(r->db, r->a, &n) != ERR_OK)
		return resp_internal(r, NULL, ERR_OK);
	first = n == 0;
	if (conf_bool(CONF_WEBUI_AUTH)) {
		if ((!conf_bool(CONF_ENABLE_SIGNUP) ||
		    !conf_bool(CONF_ENABLE_LOGIN_FORM)) &&
		    (!first || !conf_bool(CONF_ENABLE_INITIAL_ADMIN_SIGNUP)))
			return resp_error(r, 403, MSG_ACCESS_PROHIBITED);
	} else if (!first)
		return resp_error(r, 403, MSG_ACCESS_PROHIBITED);

	if ((st = email_available(r, f->email.s, &email)) != 0)
		return st;

	/* From here on Python's catch-all answers 500 with one message. */
	role = first ? "admin" : conf_str(CONF_DEFAULT_USER_ROLE);
	if (role == NULL || f->password.len > PASSWORD_MAX_BYTES ||
	    body_has_nul(&f->password) || f->profile_image_url.s == NULL ||
	    jwt_expiry(conf_str(CONF_JWT_EXPIRES_IN), &exp, &at) != ERR_OK)
		return resp_error(r, 500, MSG_SIGNUP_ERROR);
	if (passwd_hash(f->password.s, hash) != ERR_OK ||
	    user_create(r->db, r->a, f->name.s, email, hash, role,
	    f->profile_image_url.s, &u) != ERR_OK)
		return resp_error(r, 500, MSG_SIGNUP_ERROR);

	/* Two first sign-ups racing both saw an empty table: only the one
	 * the database lists first stays admin. */
	if (first && user_get_first(r->db, r->a, &u0) == ERR_OK &&
	    strcmp(u0->id, u->id) != 0) {
		first = 0;
		role = conf_str(CONF_DEFAULT_USER_ROLE);
		if (role == NULL || user_set_role(r->db, u->id, role) != ERR_OK)
			return resp_error(r, 500, MSG_SIGNUP_ERROR);
		u->role = arena_strdup(r->a, role);
	}
	(void)webhook_signup(r->a, u);
	if (first && conf_set(r->db, CONF_ENABLE_SIGNUP,
	    json_object_new_boolean(0)) != ERR_OK)
		return resp_error(r, 500, MSG_SIGNUP_ERROR);
	*out = u;
	return 0;
}

/* Reads SignupForm; 0 or the status of the 422 written. */
static int
signup_form_read(struct req *r, struct signup_form *f)
{
	int	 st;

	if ((st = body_str(r, "name", 1, NULL, &f->name)) != 0 ||
	    (st = body_str(r, "email", 1, NULL, &f->email)) != 0 ||
	    (st = body_str(r, "password", 1, NULL, &f->password)) != 0 ||
	    (st = body_str(r, "profile_image_url", 0, "/user.png",
	    &f->profile_image_url)) != 0)
		return st;
	return 0;
}

/* Returns 200 with the session user (token from the Authorization header,
 * else the credential used) and its permissions; re-sets the token
 * cookie for a valid JWT; 401 when its exp has passed. */
int
h_auths_session(struct req *r)
{
	const struct user *u = r->user;
	const char	*h, *sp, *token = r->token;
	char		*uid = NULL;
	long long	 exp = 0;
	json_object	*o, *perms;

	/* Python reads the header even when the cookie signed in; a header
	 * that is not "<scheme> <credential>" would crash it: use the
	 * credential the router accepted instead. */
	if ((h = req_header(r, "Authorization")) != NULL &&
	    (sp = strchr(h, ' ')) != NULL && sp != h && sp[1] != '\0' &&
	    strchr(sp + 1, ' ') == NULL)
		token = sp + 1;
	if (token != NULL && jwt_verify(fcgi_secret(), token,
	    (long long)time(NULL), &uid) == ERR_OK) {
		free(uid);
		exp = jwt_exp(token);
		if (exp != 0 && (long long)time(NULL) > exp)
			return resp_error(r, 401, MSG_INVALID_TOKEN);
		resp_cookie(r, "token", token, exp, 1);
	}
	if (perm_of_user(r->db, r->a, u->id, &perms) != ERR_OK)
		return resp_internal(r, NULL, ERR_OK);
	o = session_json(u, token != NULL ? token : "", exp, perms);
	json_object_object_add(o, "bio", json_str_or_null(u->bio));
	json_object_object_add(o, "gender", json_str_or_null(u->gender));
	json_object_object_add(o, "date_of_birth",
	    json_str_or_null(u->date_of_birth));
	return resp_json(r, 200, o);
}

/* Signs in with the trusted email header hdr (and the name header),
 * creating the account on first sight. Returns 0 with *u, or the status
 * of the error written. */
static int
signin_trusted(struct req *r, const char *hdr, struct user **u)
{
	const char	*v = req_header(r, hdr), *nh;
	struct signup_form f;
	char		 pw[37];

	if (v == NULL)
		return resp_error(r, 400, MSG_INVALID_TRUSTED);
	f.email.s = user_email_lower(r->a, v);
	f.email.len = strlen(f.email.s);
	f.name = f.email;
	nh = conf_str(CONF_WEBUI_AUTH_TRUSTED_NAME_HEADER);
	if (nh != NULL && *nh != '\0' && (v = req_header(r, nh)) != NULL) {
		f.name.s = v;
		f.name.len = strlen(v);
	}
	switch (user_get_by_email(r->db, r->a, f.email.s, u)) {
	case ERR_OK:
		return 0;
	case ERR_NOTFOUND:
		rand_uuid4(pw);
		f.password.s = pw;
		f.password.len = strlen(pw);
		f.profile_image_url.s = "/user.png";
		f.profile_image_url.len = strlen("/user.png");
		return signup_create(r, &f, u);
	default:
		return resp_internal(r, NULL, ERR_OK);
	}
}

/* Signs in as the WEBUI_AUTH=false admin (admin@localhost, password
 * "admin"), creating it while no user exists. Returns 0 with *u (NULL
 * when the password no longer matches), or the status of the error
 * written. */
static int
signin_noauth(struct req *r, struct user **u)
{
	static const struct body_field admin_pw = { "admin", 5 };
	struct signup_form f = {
		{ "User", 4 }, { "admin@localhost", 15 },
		{ "admin", 5 }, { "/user.png", 9 }
	};
	long long	 n;

	switch (user_get_by_email(r->db, r->a, "admin@localhost", u)) {
	case ERR_OK:
		*u = authenticate(r, "admin@localhost", &admin_pw);
		return 0;
	case ERR_NOTFOUND:
		if (user_count(r->db, r->a, &n) != ERR_OK)
			return resp_internal(r, NULL, ERR_OK);
		if (n > 0)
			return resp_error(r, 400, MSG_EXISTING_USERS);
		return signup_create(r, &f, u);
	default:
		return resp_internal(r, NULL, ERR_OK);
	}
}

/* Returns 200 with a new session (token + cookie) for the form's
 * credentials, the trusted email header, or the WEBUI_AUTH=false admin;
 * 400 on bad credentials; sign-up's errors when it had to create one. */
int
h_auths_signin(struct req *r)
{
	const char	*hdr = conf_str(CONF_WEBUI_AUTH_TRUSTED_EMAIL_HEADER);
	struct body_field email, password;
	struct user	*u = NULL;
	int		 st;

	if ((st = body_str(r, "email", 1, NULL, &email)) != 0 ||
	    (st = body_str(r, "password", 1, NULL, &password)) != 0)
		return st;
	if (hdr != NULL && *hdr != '\0')
		st = signin_trusted(r, hdr, &u);
	else if (!conf_bool(CONF_WEBUI_AUTH))
		st = signin_noauth(r, &u);
	else
		u = authenticate(r, user_email_lower(r->a, email.s), &password);
	if (st != 0)
		return st;
	if (u == NULL)
		return resp_error(r, 400, MSG_INVALID_CRED);
	return session_start(r, u);
}

/* Returns 200 with a session for a new account (the first one is admin
 * and closes sign-up); 403 when sign-up is closed; 400 for a bad or taken
 * email; 500 with Python's message for a password over 72 bytes. */
int
h_auths_signup(struct req *r)
{
	struct signup_form f;
	struct user	*u;
	int		 st;

	if ((st = signup_form_read(r, &f)) != 0 ||
	    (st = signup_create(r, &f, &u)) != 0)
		return st;
	return session_start(r, u);
}

/* Returns 200 {"status": true} (plus redirect_url when
 * WEBUI_AUTH_SIGNOUT_REDIRECT_URL is set) and deletes the session cookies. */
int
h_auths_signout(struct req *r)
{
	const char	*url = conf_str(CONF_WEBUI_AUTH_SIGNOUT_REDIRECT_URL);
	json_object	*o = json_object_new_object();

	resp_cookie_delete(r, "token");
	resp_cookie_delete(r, "oui-session");
	resp_cookie_delete(r, "oauth_id_token");
	if (req_cookie(r, "oauth_session_id") != NULL)
		resp_cookie_delete(r, "oauth_session_id");
	json_object_object_add(o, "status", json_object_new_boolean(1));
	if (url != NULL && *url != '\0')
		json_object_object_add(o, "redirect_url",
		    json_object_new_string(url));
	return resp_json(r, 200, o);
}

/* Returns 200 with the new account and a token that never expires (admin
 * only); 400 for a bad or taken email; 500 when it cannot be created. */
int
h_auths_add(struct req *r)
{
	struct signup_form f;
	struct body_field role;
	struct user	*u;
	const char	*email;
	char		 hash[64], *token;
	json_object	*o;
	int		 st;

	if ((st = signup_form_read(r, &f)) != 0 ||
	    (st = body_str(r, "role", 0, "pending", &role)) != 0)
		return st;
	if ((st = email_available(r, f.email.s, &email)) != 0)
		return st;
	if (body_has_nul(&f.password) || role.s == NULL ||
	    f.profile_image_url.s == NULL ||
	    passwd_hash(f.password.s, hash) != ERR_OK ||
	    user_create(r->db, r->a, f.name.s, email, hash, role.s,
	    f.profile_image_url.s, &u) != ERR_OK ||
	    token_make(r, u->id, 0, &token) != ERR_OK)
		return resp_error(r, 500, MSG_ADD_ERROR);

	o = json_object_new_object();
	json_object_object_add(o, "token", json_object_new_string(token));
	json_object_object_add(o, "token_type",
	    json_object_new_string("Bearer"));
	account_fields(o, u);
	return resp_json(r, 200, o);
}

/* Returns 200 with the caller's updated {id, name, email, role,
 * profile_image_url}; bio, gender and date_of_birth are replaced too
 * (absent means null, as in Python); 400 when the user is gone. */
int
h_auths_update_profile(struct req *r)
{
	struct body_field img, name, bio, gender, dob;
	json_object	*v;
	struct user	*u;
	int		 st;

	if ((st = body_str(r, "profile_image_url", 1, NULL, &img)) != 0 ||
	    (st = body_str(r, "name", 1, NULL, &name)) != 0 ||
	    (st = body_str(r, "bio", 0, NULL, &bio)) != 0 ||
	    (st = body_str(r, "gender", 0, NULL, &gender)) != 0)
		return st;
	dob.s = NULL;
	if ((v = json_get(r->json, "date_of_birth")) != NULL) {
		if (!json_object_is_type(v, json_type_string))
			return resp_invalid(r, "date_of_birth", "date_type",
			    "Input should be a valid date");
		dob.s = json_object_get_string(v);
		if (!user_date_valid(dob.s))
			return resp_invalid(r, "date_of_birth",
			    "date_from_datetime_parsing",
			    "Input should be a valid date or datetime, "
			    "invalid character in year");
	}
	if (user_update_profile(r->db, r->user->id, name.s, img.s, bio.s,
	    gender.s, dob.s) != ERR_OK ||
	    user_get(r->db, r->a, r->user->id, &u) != ERR_OK)
		return resp_error(r, 400, MSG_DEFAULT);

	v = json_object_new_object();
	json_object_object_add(v, "id", json_object_new_string(u->id));
	json_object_object_add(v, "name", json_object_new_string(u->name));
	json_object_object_add(v, "email", json_object_new_string(u->email));
	json_object_object_add(v, "role", json_object_new_string(u->role));
	json_object_object_add(v, "profile_image_url",
	    json_object_new_string(u->profile_image_url));
	return resp_json(r, 200, v);
}

/* Returns 200 true after changing the caller's password; 400 when the old
 * one is wrong or trusted-header sign-in is configured. */
int
h_auths_update_password(struct req *r)
{
	const char	*hdr = conf_str(CONF_WEBUI_AUTH_TRUSTED_EMAIL_HEADER);
	struct body_field pw, npw;
	struct user	*u;
	char		 hash[64];
	int		 st;

	if ((st = body_str(r, "password", 1, NULL, &pw)) != 0 ||
	    (st = body_str(r, "new_password", 1, NULL, &npw)) != 0)
		return st;
	if (hdr != NULL && *hdr != '\0')
		return resp_error(r, 400, MSG_ACTION_PROHIBITED);
	if ((u = authenticate(r, r->user->email, &pw)) == NULL)
		return resp_error(r, 400, MSG_INVALID_PASSWORD);
	if (body_has_nul(&npw) || passwd_hash(npw.s, hash) != ERR_OK)
		return resp_internal(r, NULL, ERR_OK);
	return resp_json(r, 200, json_object_new_boolean(
	    user_set_password(r->db, u->id, hash) == ERR_OK));
}
