/* conf.h: settings, as the Python backend's env.py and config.py have them.
 *
 * Each key has an environment variable and, when persistent, a dotted path
 * in the `config` table's JSON document. The effective value of a persistent
 * key is the stored one when ENABLE_PERSISTENT_CONFIG is true (default) and
 * the document holds a non-null value at its path; else the environment's
 * value; else the built-in default. With ENABLE_PERSISTENT_CONFIG=false a
 * stored value is used only once it differs from what was stored when the
 * process started (so admin changes still apply at run time, as in Python).
 * Paths under oauth.* follow ENABLE_OAUTH_PERSISTENT_CONFIG instead.
 *
 * Every worker reloads the stored document at the start of each request
 * (conf_refresh), so a change made by one worker is seen by all. */
#ifndef CWEBUI_CONF_H
#define CWEBUI_CONF_H

#include <stddef.h>

#include <json-c/json.h>

#include "err.h"

struct db;
struct arena;

enum conf_kind {
	CONF_BOOL = 0,	/* "true"/"false" (any case) in the environment */
	CONF_INT,	/* integer, or null when unset and no default */
	CONF_FLOAT,
	CONF_STR,	/* string, may default to null */
	CONF_JSON,	/* JSON text in the environment */
	CONF_LIST	/* comma-separated list in the environment */
};

enum conf_key {
	/* env only */
	CONF_WEBUI_AUTH = 0,
	CONF_WEBUI_NAME,
	CONF_ENABLE_SIGNUP_PASSWORD_CONFIRMATION,
	CONF_ENABLE_INITIAL_ADMIN_SIGNUP,
	CONF_ENABLE_WEBSOCKET_SUPPORT,
	CONF_ENABLE_VERSION_UPDATE_CHECK,
	CONF_ENABLE_ADMIN_EXPORT,
	CONF_ENABLE_ADMIN_CHAT_ACCESS,
	CONF_ENABLE_PERSISTENT_CONFIG,
	CONF_ENABLE_OAUTH_PERSISTENT_CONFIG,
	CONF_WEBUI_AUTH_COOKIE_SAME_SITE,
	CONF_WEBUI_AUTH_COOKIE_SECURE,
	CONF_WEBUI_AUTH_TRUSTED_EMAIL_HEADER,
	CONF_WEBUI_AUTH_TRUSTED_NAME_HEADER,
	CONF_WEBUI_AUTH_SIGNOUT_REDIRECT_URL,
	CONF_CORS_ALLOW_ORIGIN,
	CONF_DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL,
	CONF_ENABLE_ONEDRIVE_PERSONAL,
	CONF_ENABLE_ONEDRIVE_BUSINESS,
	CONF_ONEDRIVE_CLIENT_ID_PERSONAL,
	CONF_ONEDRIVE_CLIENT_ID_BUSINESS,
	CONF_WEBUI_FAVICON_URL,
	/* persistent */
	CONF_WEBUI_URL,
	CONF_ENABLE_SIGNUP,
	CONF_ENABLE_LOGIN_FORM,
	CONF_DEFAULT_USER_ROLE,
	CONF_DEFAULT_LOCALE,
	CONF_DEFAULT_MODELS,
	CONF_DEFAULT_PROMPT_SUGGESTIONS,
	CONF_WEBUI_BANNERS,
	CONF_PENDING_USER_OVERLAY_TITLE,
	CONF_PENDING_USER_OVERLAY_CONTENT,
	CONF_RESPONSE_WATERMARK,
	CONF_ENABLE_COMMUNITY_SHARING,
	CONF_ENABLE_MESSAGE_RATING,
	CONF_ENABLE_USER_WEBHOOKS,
	CONF_JWT_EXPIRES_IN,
	CONF_ENABLE_API_KEY,
	CONF_ENABLE_API_KEY_ENDPOINT_RESTRICTIONS,
	CONF_API_KEY_ALLOWED_ENDPOINTS,
	CONF_SHOW_ADMIN_DETAILS,
	CONF_ADMIN_EMAIL,
	CONF_ENABLE_CHANNELS,
	CONF_ENABLE_NOTES,
	CONF_ENABLE_DIRECT_CONNECTIONS,
	CONF_ENABLE_WEB_SEARCH,
	CONF_ENABLE_CODE_EXECUTION,
	CONF_CODE_EXECUTION_ENGINE,
	CONF_ENABLE_CODE_INTERPRETER,
	CONF_ENABLE_IMAGE_GENERATION,
	CONF_ENABLE_AUTOCOMPLETE_GENERATION,
	CONF_ENABLE_GOOGLE_DRIVE_INTEGRATION,
	CONF_GOOGLE_DRIVE_CLIENT_ID,
	CONF_GOOGLE_DRIVE_API_KEY,
	CONF_ENABLE_ONEDRIVE_INTEGRATION,
	CONF_ONEDRIVE_SHAREPOINT_URL,
	CONF_ONEDRIVE_SHAREPOINT_TENANT_ID,
	CONF_TTS_ENGINE,
	CONF_TTS_VOICE,
	CONF_TTS_SPLIT_ON,
	CONF_STT_ENGINE,
	CONF_FILE_MAX_SIZE,
	CONF_FILE_MAX_COUNT,
	CONF_FILE_IMAGE_COMPRESSION_WIDTH,
	CONF_FILE_IMAGE_COMPRESSION_HEIGHT,
	CONF_USER_PERMISSIONS,
	CONF_ENABLE_LDAP,
	CONF_WEBHOOK_URL,
	/* env only, added after the first set */
	CONF_WEBUI_SESSION_COOKIE_SAME_SITE,
	CONF_WEBUI_SESSION_COOKIE_SECURE,
	CONF_WEBUI_AUTH_TRUSTED_GROUPS_HEADER,
	CONF_OFFLINE_MODE,
	CONF_RESET_CONFIG_ON_START,
	CONF_EXTERNAL_PWA_MANIFEST_URL,
	CONF_ONEDRIVE_CLIENT_ID,
	CONF_CORS_ALLOW_CUSTOM_SCHEME,
	/* persistent, routers/ollama.py */
	CONF_ENABLE_OLLAMA_API,
	CONF_OLLAMA_BASE_URLS,
	CONF_OLLAMA_API_CONFIGS,
	/* persistent, utils/models.py and main.py (the model list) */
	CONF_ENABLE_BASE_MODELS_CACHE,
	CONF_MODEL_ORDER_LIST,
	CONF_ENABLE_EVALUATION_ARENA_MODELS,
	CONF_EVALUATION_ARENA_MODELS,
	/* env only, env.py */
	CONF_BYPASS_MODEL_ACCESS_CONTROL,
	/* persistent, routers/openai.py and routers/configs.py */
	CONF_ENABLE_OPENAI_API,
	CONF_OPENAI_API_BASE_URLS,
	CONF_OPENAI_API_KEYS,
	CONF_OPENAI_API_CONFIGS,
	CONF_TOOL_SERVER_CONNECTIONS,
	CONF_CODE_EXECUTION_JUPYTER_URL,
	CONF_CODE_EXECUTION_JUPYTER_AUTH,
	CONF_CODE_EXECUTION_JUPYTER_AUTH_TOKEN,
	CONF_CODE_EXECUTION_JUPYTER_AUTH_PASSWORD,
	CONF_CODE_EXECUTION_JUPYTER_TIMEOUT,
	CONF_CODE_INTERPRETER_ENGINE,
	CONF_CODE_INTERPRETER_PROMPT_TEMPLATE,
	CONF_CODE_INTERPRETER_JUPYTER_URL,
	CONF_CODE_INTERPRETER_JUPYTER_AUTH,
	CONF_CODE_INTERPRETER_JUPYTER_AUTH_TOKEN,
	CONF_CODE_INTERPRETER_JUPYTER_AUTH_PASSWORD,
	CONF_CODE_INTERPRETER_JUPYTER_TIMEOUT,
	/* env only, env.py */
	CONF_ENABLE_FORWARD_USER_INFO_HEADERS,
	/* persistent, the LDAP server (routers/auths.py) */
	CONF_LDAP_SERVER_LABEL,
	CONF_LDAP_SERVER_HOST,
	CONF_LDAP_SERVER_PORT,
	CONF_LDAP_ATTRIBUTE_FOR_MAIL,
	CONF_LDAP_ATTRIBUTE_FOR_USERNAME,
	CONF_LDAP_APP_DN,
	CONF_LDAP_APP_PASSWORD,
	CONF_LDAP_SEARCH_BASE,
	CONF_LDAP_SEARCH_FILTERS,
	CONF_LDAP_USE_TLS,
	CONF_LDAP_CA_CERT_FILE,
	CONF_LDAP_VALIDATE_CERT,
	CONF_LDAP_CIPHERS,
	/* persistent, config.py TASKS (routers/tasks.py) */
	CONF_TASK_MODEL,
	CONF_TASK_MODEL_EXTERNAL,
	CONF_TITLE_GENERATION_PROMPT_TEMPLATE,
	CONF_TAGS_GENERATION_PROMPT_TEMPLATE,
	CONF_IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE,
	CONF_FOLLOW_UP_GENERATION_PROMPT_TEMPLATE,
	CONF_ENABLE_FOLLOW_UP_GENERATION,
	CONF_ENABLE_TAGS_GENERATION,
	CONF_ENABLE_TITLE_GENERATION,
	CONF_ENABLE_SEARCH_QUERY_GENERATION,
	CONF_ENABLE_RETRIEVAL_QUERY_GENERATION,
	CONF_QUERY_GENERATION_PROMPT_TEMPLATE,
	CONF_AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH,
	CONF_AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE,
	CONF_TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE,
	CONF__MAX
};

/* One row of the settings table (conf_items.c). */
struct conf_item {
	const char	*env;		/* environment variable, NULL = constant */
	const char	*path;		/* dotted path, NULL when env only */
	enum conf_kind	 kind;
	const char	*def;		/* default as JSON text; NULL = null */
};

extern const struct conf_item conf_items[CONF__MAX];

/* One flag of the USER_PERMISSIONS document (conf_items.c): its section
 * and key, the USER_PERMISSIONS_* variable that seeds it, its default in
 * config.py's DEFAULT_USER_PERMISSIONS and in the UserPermissions model of
 * routers/users.py (the sharing flags differ). */
struct conf_perm {
	const char	*section;
	const char	*name;
	const char	*env;
	int		 def;
	int		 model_def;
};

/* The flags in document order, ended by a row whose section is NULL. */
extern const struct conf_perm conf_perms[];

/* Reads the environment once (at start, before fork). Returns ERR_INVAL
 * with the reason logged when a value cannot be parsed. */
enum err conf_init(void);
/* Remembers the stored document as it was at start (see above). */
enum err conf_load_startup(struct db *db);
/* Reloads the stored document; call at the top of each request. */
enum err conf_refresh(struct db *db);

/* The effective value; borrowed, valid until the next conf_refresh() or
 * conf_set(). NULL means JSON null. */
json_object *conf_get(enum conf_key k);
int	 conf_bool(enum conf_key k);
long long conf_int(enum conf_key k);
/* Returns the string or NULL (when null or not a string). */
const char *conf_str(enum conf_key k);

/* The value from the environment or the built-in default, as conf_init()
 * derived it, ignoring the stored document (e.g. the USER_PERMISSIONS
 * document seeded from USER_PERMISSIONS_*). Borrowed, valid for the life of
 * the process; NULL means JSON null (or conf_init() not run). */
json_object *conf_default(enum conf_key k);

/* Stores v (taken) at k's path in the document and saves the document into
 * the config table (first row, or a new one), as Python's save does. */
enum err conf_set(struct db *db, enum conf_key k, json_object *v);

/* Replaces the whole document by doc (taken; must be an object) and saves
 * it as conf_set() does (Python's save_config, POST /configs/import). */
enum err conf_replace(struct db *db, json_object *doc);

/* A setting under the name a route answers it with, for conf_object(). */
struct conf_field {
	const char	*name;
	enum conf_key	 key;
};

/* Returns {name: effective value, ...} of the n fields, in order (e.g. the
 * answer of GET /openai/config). New reference. */
json_object *conf_object(const struct conf_field *f, size_t n);

/* Returns the whole stored document (borrowed). */
json_object *conf_document(void);

#endif
