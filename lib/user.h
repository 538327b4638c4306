/* user.h: the "user" and "auth" tables (one row each per account, same id).
 *
 * Every struct user and string returned lives in the arena passed in; the
 * caller frees nothing. Emails are lower-cased before they are stored or
 * looked up. Writes that touch both tables run in one transaction. */
#ifndef CWEBUI_USER_H
#define CWEBUI_USER_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

struct user {
	char		*id;
	char		*name;
	char		*email;
	char		*role;		/* "admin", "user" or "pending" */
	char		*profile_image_url;
	char		*api_key;	/* NULL when none */
	long long	 created_at;	/* epoch seconds */
	long long	 updated_at;
	long long	 last_active_at;
	char		*settings;	/* JSON text, NULL when absent */
	char		*info;		/* JSON text, NULL when absent */
	char		*oauth_sub;
	char		*username;
	char		*bio;
	char		*gender;
	char		*date_of_birth;	/* "YYYY-MM-DD" or NULL */
};

/* Look-ups: ERR_OK with *out, ERR_NOTFOUND, or ERR_DB. */
enum err user_get(struct db *db, struct arena *a, const char *id,
	    struct user **out);
enum err user_get_by_email(struct db *db, struct arena *a, const char *email,
	    struct user **out);
enum err user_get_by_api_key(struct db *db, struct arena *a, const char *key,
	    struct user **out);
/* The primary admin: the user with the smallest created_at. */
enum err user_get_first(struct db *db, struct arena *a, struct user **out);
enum err user_count(struct db *db, struct arena *a, long long *n);

/* Creates the auth row (email, bcrypt hash, active) and the user row in
 * one transaction with a new uuid4 id, timestamps now, settings/info null.
 * ERR_EXISTS when the email is taken. *out is the new user. */
enum err user_create(struct db *db, struct arena *a, const char *name,
	    const char *email, const char *password_hash, const char *role,
	    const char *profile_image_url, struct user **out);

/* Returns the stored password hash of the auth row with this email. */
enum err user_auth_hash(struct db *db, struct arena *a, const char *email,
	    char **hash);
enum err user_set_password(struct db *db, const char *id, const char *hash);
enum err user_set_role(struct db *db, const char *id, const char *role);
enum err user_set_api_key(struct db *db, const char *id, const char *key);
/* Sets last_active_at to now. */
enum err user_touch(struct db *db, const char *id);

/* The paged list of GET /api/v1/users/ (Python Users.get_users). query,
 * order_by and direction are NULL (or "") when absent. When all three are
 * absent the order is created_at descending; otherwise order_by picks one
 * of name, email, created_at, last_active_at, updated_at, role (descending
 * unless direction is "asc"), and any other value leaves the order to the
 * database, as Python does. query matches name or email, case-insensitive
 * (ILIKE on PostgreSQL, lower() LIKE lower() on SQLite), with its % and _
 * acting as wildcards. skip and limit of 0 mean none. *total counts every
 * user, not only the matching ones (as Python). *out is an array of *n
 * users. */
enum err user_list(struct db *db, struct arena *a, const char *query,
	    const char *order_by, const char *direction, long long skip,
	    long long limit, struct user ***out, int *n, long long *total);

/* Admin update (POST /api/v1/users/{id}/update): sets role, name, email
 * (lower-cased) and profile_image_url of the user row and the email of the
 * auth row, and the password hash when hash is not NULL, in one
 * transaction. updated_at is left alone, as in Python. ERR_NOTFOUND when
 * no user row has this id. */
enum err user_update(struct db *db, const char *id, const char *role,
	    const char *name, const char *email, const char *profile_image_url,
	    const char *hash);

/* Replaces the settings or info column with the JSON text (NULL stores the
 * text null, as Python's JSONField). ERR_NOTFOUND when no such user. */
enum err user_set_settings(struct db *db, const char *id, const char *json);
enum err user_set_info(struct db *db, const char *id, const char *json);

/* Deletes the account as Python's Auths.delete_auth_by_id does, in one
 * transaction: removes the id from every group's user_ids, deletes the
 * chats whose user_id is "shared-<id of one of the user's chats>", the
 * user's chats, the user row and the auth row. Deleting an id that does
 * not exist succeeds. */
enum err user_delete(struct db *db, struct arena *a, const char *id);

/* Returns in *owner the user_id of the chat with this id (for the
 * "shared-<chat_id>" form of GET /api/v1/users/{id}); ERR_NOTFOUND when
 * there is no such chat. */
enum err user_chat_owner(struct db *db, struct arena *a, const char *chat_id,
	    char **owner);

/* Returns the user's oauth_session rows, oldest first, as a JSON array of
 * {id, user_id, provider, expires_at, created_at, updated_at} (the
 * encrypted token is never read). New reference in *out. */
enum err user_oauth_sessions(struct db *db, struct arena *a,
	    const char *user_id, json_object **out);

/* Returns in *out a new JSON array of the ids in the JSON array ids that
 * name a user, in the database's order (Users.get_valid_user_ids); entries
 * that are not strings are skipped. ERR_OK or ERR_DB. */
enum err user_valid_ids(struct db *db, struct arena *a, json_object *ids,
	    json_object **out);

/* Sets *out to Python's UserResponse {id, name, email, role,
 * profile_image_url} of the user with this id, or JSON null (NULL) when
 * there is none, as the workspace lists attach their owners. New
 * reference. ERR_OK or ERR_DB. */
enum err user_response(struct db *db, struct arena *a, const char *id,
	    json_object **out);

/* Returns email lower-cased as Python's str.lower() does for each code
 * point (simple case mapping; bytes that are not UTF-8 are kept), owned by
 * a. The look-ups and writes above apply it themselves. */
char	*user_email_lower(struct arena *a, const char *email);

/* Returns 1 when email passes Open WebUI's validate_email_format(): it
 * ends with "@localhost", or it starts with [^@]+@[^@]+\.[^@]+ (re.match:
 * anchored at the start only); else 0. */
int	 user_email_valid(const char *email);

/* Returns 1 when s is a date_of_birth pydantic reads from a string:
 * YYYY-MM-DD naming a day of the calendar (year 1 to 9999); else 0. */
int	 user_date_valid(const char *s);

/* Returns a deep copy of the settings document s as Python's UserSettings
 * model reads it: an object without "ui" gets "ui": {}. NULL (JSON null)
 * gives NULL. New reference. */
json_object *user_settings_model(json_object *s);

/* Returns the user as the Python UserModel JSON (all columns; settings and
 * info parsed). New reference. */
json_object *user_json(const struct user *u);

/* auths helper */

/* Profile update (POST /api/v1/auths/update/profile): sets name,
 * profile_image_url, bio, gender and date_of_birth ("YYYY-MM-DD"; NULL
 * stores NULL, as Python overwrites them all). updated_at is left alone,
 * as in Python. ERR_NOTFOUND when no user row has this id. */
enum err user_update_profile(struct db *db, const char *id, const char *name,
	    const char *profile_image_url, const char *bio, const char *gender,
	    const char *date_of_birth);

#endif
