/* t_conf.c: settings from the environment, the built-in defaults, and the
 * precedence between them and the stored document (conf.c), on an
 * in-memory SQLite database. */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "json.h"
#include "mem.h"
#include "tap.h"

static const char *const vars[] = {
	"WEBUI_AUTH", "WEBUI_NAME", "ENABLE_SIGNUP", "DEFAULT_LOCALE",
	"ENABLE_PERSISTENT_CONFIG", "RESET_CONFIG_ON_START",
	"WEBUI_SESSION_COOKIE_SAME_SITE", "WEBUI_SESSION_COOKIE_SECURE",
	"WEBUI_AUTH_COOKIE_SAME_SITE", "WEBUI_AUTH_COOKIE_SECURE",
	"RAG_FILE_MAX_SIZE", "DEFAULT_PROMPT_SUGGESTIONS", "WEBUI_BANNERS",
	"USER_PERMISSIONS_CHAT_EDIT", "USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS",
	"OFFLINE_MODE", "ENABLE_VERSION_UPDATE_CHECK", "CORS_ALLOW_ORIGIN",
	"CORS_ALLOW_CUSTOM_SCHEME", "ONEDRIVE_CLIENT_ID",
	"ONEDRIVE_CLIENT_ID_PERSONAL", "ENABLE_IMAGE_GENERATION",
	"DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL", "DEFAULT_MODELS",
	"JWT_EXPIRES_IN", "ENABLE_LOGIN_FORM",
};

static void
env_clear(void)
{
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

/* The JSON text of a setting, "null" for null. */
static const char *
text(enum conf_key k)
{
	return conf_get(k) == NULL ? "null" : json_text(conf_get(k));
}

/* A fresh in-memory database with Open WebUI's config table. */
static struct db *
db_new(void)
{
	struct db *db;

	if (db_open("sqlite:///:memory:", &db) != ERR_OK)
		bail_out("could not open an in-memory SQLite database");
	if (db_exec_script(db, "CREATE TABLE config (id INTEGER NOT NULL, "
	    "data JSON NOT NULL, version INTEGER NOT NULL, created_at "
	    "DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL, updated_at "
	    "DATETIME DEFAULT (CURRENT_TIMESTAMP), PRIMARY KEY (id));") !=
	    ERR_OK)
		bail_out("could not create the config table");
	return db;
}

static void
store(struct db *db, const char *doc)
{
	struct arena *a = arena_new();

	if (DBQ(db, a, NULL, "INSERT INTO config (data, version) "
	    "VALUES ($1, 0)", DBV_TEXT(doc)) != ERR_OK)
		bail_out("could not insert a config row");
	arena_free(a);
}

/* Returns the text of one cell of the first row of sql ("" when none). */
static const char *
query1(struct db *db, struct arena *a, const char *sql)
{
	struct db_res *res;

	if (DBQ0(db, a, &res, sql) != ERR_OK)
		return "error";
	if (res->nrows == 0)
		return "";
	return db_cell(res, 0, 0) ? db_cell(res, 0, 0) : "NULL";
}

static void
test_defaults(void)
{
	json_object *ps, *perm;

	env_clear();
	is_int(conf_init(), ERR_OK, "conf_init with an empty environment");
	is_str(conf_str(CONF_WEBUI_NAME), "Open WebUI", "WEBUI_NAME default");
	ok(conf_bool(CONF_WEBUI_AUTH), "WEBUI_AUTH defaults to true");
	ok(conf_bool(CONF_ENABLE_SIGNUP), "ENABLE_SIGNUP defaults to true");
	is_str(conf_str(CONF_JWT_EXPIRES_IN), "-1", "JWT_EXPIRES_IN default");
	is_str(conf_str(CONF_DEFAULT_USER_ROLE), "pending",
	    "DEFAULT_USER_ROLE default");
	is_str(text(CONF_DEFAULT_MODELS), "null", "DEFAULT_MODELS is null");
	is_str(text(CONF_FILE_MAX_SIZE), "null", "RAG_FILE_MAX_SIZE is null");
	is_str(text(CONF_WEBUI_BANNERS), "[]", "no banners");
	is_str(conf_str(CONF_TTS_VOICE), "alloy", "AUDIO_TTS_VOICE default");
	is_str(conf_str(CONF_WEBUI_AUTH_COOKIE_SAME_SITE), "lax",
	    "token cookie SameSite default");
	ok(!conf_bool(CONF_WEBUI_AUTH_COOKIE_SECURE),
	    "token cookie not Secure by default");
	is_str(conf_str(CONF_WEBUI_FAVICON_URL),
	    "https://openwebui.com/favicon.png", "favicon constant");
	ps = conf_get(CONF_DEFAULT_PROMPT_SUGGESTIONS);
	is_int(json_object_array_length(ps), 6, "six built-in suggestions");
	is_str(json_object_get_string(json_object_array_get_idx(json_get(
	    json_object_array_get_idx(ps, 0), "title"), 0)), "Help me study",
	    "first suggestion title");
	is_str(json_get_str(json_object_array_get_idx(ps, 5), "content"),
	    "Could you start by asking me about instances when I "
	    "procrastinate the most and then give me some suggestions to "
	    "overcome it?", "last suggestion content");
	perm = conf_get(CONF_USER_PERMISSIONS);
	is_str(json_text(json_get(perm, "workspace")),
	    "{\"models\":false,\"knowledge\":false,\"prompts\":false,"
	    "\"tools\":false}", "workspace permissions default");
	is_int(json_object_object_length(json_get(perm, "chat")), 19,
	    "19 chat permissions");
	is_str(json_text(json_get(perm, "features")),
	    "{\"direct_tool_servers\":false,\"web_search\":true,"
	    "\"image_generation\":true,\"code_interpreter\":true,"
	    "\"notes\":true}", "feature permissions default");
}

static void
test_env_rules(void)
{
	env_clear();
	setenv("WEBUI_NAME", "Acme", 1);
	setenv("ENABLE_SIGNUP", "TRUE", 1);
	setenv("ENABLE_LOGIN_FORM", "1", 1);
	setenv("WEBUI_SESSION_COOKIE_SAME_SITE", "strict", 1);
	setenv("WEBUI_SESSION_COOKIE_SECURE", "True", 1);
	setenv("RAG_FILE_MAX_SIZE", " 1_000 ", 1);
	setenv("USER_PERMISSIONS_CHAT_EDIT", "no", 1);
	setenv("USER_PERMISSIONS_WORKSPACE_MODELS_ACCESS", "true", 1);
	setenv("OFFLINE_MODE", "true", 1);
	setenv("ONEDRIVE_CLIENT_ID", "od", 1);
	setenv("DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL", "soon", 1);
	setenv("DEFAULT_MODELS", "", 1);
	is_int(conf_init(), ERR_OK, "conf_init with rules to apply");
	is_str(conf_str(CONF_WEBUI_NAME), "Acme (Open WebUI)",
	    "a custom WEBUI_NAME gets the suffix");
	ok(conf_bool(CONF_ENABLE_SIGNUP), "\"TRUE\" is true");
	ok(!conf_bool(CONF_ENABLE_LOGIN_FORM), "\"1\" is false");
	is_str(conf_str(CONF_WEBUI_AUTH_COOKIE_SAME_SITE), "strict",
	    "token SameSite falls back to the session cookie's");
	ok(conf_bool(CONF_WEBUI_AUTH_COOKIE_SECURE),
	    "token Secure falls back to the session cookie's");
	is_int(conf_int(CONF_FILE_MAX_SIZE), 1000, "int() rules for ints");
	is_str(json_text(json_get_path(conf_get(CONF_USER_PERMISSIONS),
	    "chat.edit")), "false", "USER_PERMISSIONS_CHAT_EDIT seeds chat.edit");
	is_str(json_text(json_get_path(conf_get(CONF_USER_PERMISSIONS),
	    "workspace.models")), "true", "workspace.models seeded");
	ok(!conf_bool(CONF_ENABLE_VERSION_UPDATE_CHECK),
	    "OFFLINE_MODE turns the update check off");
	is_str(conf_str(CONF_ONEDRIVE_CLIENT_ID_PERSONAL), "od",
	    "OneDrive personal id falls back to ONEDRIVE_CLIENT_ID");
	is_str(text(CONF_DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL), "0.0",
	    "an unparsable interval is 0.0");
	is_str(conf_str(CONF_DEFAULT_MODELS), "", "an empty string is kept");

	env_clear();
	setenv("WEBUI_AUTH", "false", 1);
	setenv("ENABLE_SIGNUP", "true", 1);
	setenv("WEBUI_NAME", "Open WebUI", 1);
	setenv("WEBUI_AUTH_COOKIE_SAME_SITE", "none", 1);
	setenv("WEBUI_SESSION_COOKIE_SAME_SITE", "strict", 1);
	setenv("RAG_FILE_MAX_SIZE", "", 1);
	is_int(conf_init(), ERR_OK, "conf_init without auth");
	ok(!conf_bool(CONF_ENABLE_SIGNUP), "no sign-up without WEBUI_AUTH");
	is_str(conf_str(CONF_WEBUI_NAME), "Open WebUI", "no suffix");
	is_str(conf_str(CONF_WEBUI_AUTH_COOKIE_SAME_SITE), "none",
	    "WEBUI_AUTH_COOKIE_SAME_SITE wins");
	is_str(text(CONF_FILE_MAX_SIZE), "null", "an empty int is null");

	env_clear();
	setenv("DEFAULT_PROMPT_SUGGESTIONS", "[]", 1);
	conf_init();
	is_int(json_object_array_length(conf_get(
	    CONF_DEFAULT_PROMPT_SUGGESTIONS)), 6, "[] gives the built-ins");
	setenv("DEFAULT_PROMPT_SUGGESTIONS", "[{", 1);
	is_int(conf_init(), ERR_OK, "invalid suggestions are forgiven");
	is_int(json_object_array_length(conf_get(
	    CONF_DEFAULT_PROMPT_SUGGESTIONS)), 6, "... and give the built-ins");
	setenv("DEFAULT_PROMPT_SUGGESTIONS",
	    "[{\"title\":[\"a\",\"b\"],\"content\":\"c\"}]", 1);
	conf_init();
	is_str(text(CONF_DEFAULT_PROMPT_SUGGESTIONS),
	    "[{\"title\":[\"a\",\"b\"],\"content\":\"c\"}]",
	    "suggestions from the environment");

	env_clear();
	setenv("WEBUI_BANNERS", "[{\"id\":\"1\",\"type\":\"info\","
	    "\"content\":\"hi\",\"dismissible\":\"yes\",\"timestamp\":5,"
	    "\"extra\":1}]", 1);
	conf_init();
	is_str(text(CONF_WEBUI_BANNERS), "[{\"id\":\"1\",\"type\":\"info\","
	    "\"content\":\"hi\",\"title\":null,\"dismissible\":true,"
	    "\"timestamp\":5}]", "a banner is validated and normalized");
	setenv("WEBUI_BANNERS", "[{\"id\":\"1\",\"type\":\"info\"}]", 1);
	is_int(conf_init(), ERR_OK, "an invalid banner is forgiven");
	is_str(text(CONF_WEBUI_BANNERS), "[]", "... and gives no banners");

	env_clear();
	setenv("RAG_FILE_MAX_SIZE", "ten", 1);
	is_int(conf_init(), ERR_INVAL, "an invalid int stops the start");
	env_clear();
	setenv("CORS_ALLOW_ORIGIN", "http://a.example;ftp://b.example", 1);
	is_int(conf_init(), ERR_INVAL, "an invalid CORS origin stops it");
	setenv("CORS_ALLOW_CUSTOM_SCHEME", "ftp", 1);
	is_int(conf_init(), ERR_OK, "... unless its scheme is allowed");
	is_str(conf_str(CONF_CORS_ALLOW_ORIGIN),
	    "http://a.example;ftp://b.example", "origins kept as given");
	setenv("CORS_ALLOW_ORIGIN", "https://", 1);
	is_int(conf_init(), ERR_INVAL, "an origin needs a host");
}

static void
test_persistent(void)
{
	struct arena *a = arena_new();
	struct db *db;

	/* no row: the environment */
	env_clear();
	setenv("DEFAULT_LOCALE", "fr", 1);
	conf_init();
	db = db_new();
	is_int(conf_load_startup(db), ERR_OK, "load with no row");
	is_str(conf_str(CONF_DEFAULT_LOCALE), "fr", "env without a row");
	is_str(json_text(conf_document()), "{\"version\":0,\"ui\":{}}",
	    "the default document");

	/* conf_set inserts a row, and the value applies */
	is_int(conf_set(db, CONF_DEFAULT_LOCALE, json_object_new_string("de")),
	    ERR_OK, "conf_set with no row");
	is_str(conf_str(CONF_DEFAULT_LOCALE), "de", "the set value applies");
	is_str(query1(db, a, "SELECT count(*) || ' ' || version FROM config"),
	    "1 0", "one row, version 0");
	is_str(query1(db, a, "SELECT json_extract(data, '$.ui.default_locale') "
	    "FROM config"), "de", "stored at ui.default_locale");
	ok(strlen(query1(db, a, "SELECT created_at FROM config")) >= 19,
	    "created_at filled");
	is_int(conf_set(db, CONF_WEBUI_NAME, json_object_new_string("x")),
	    ERR_INVAL, "an env-only key cannot be set");
	is_int(conf_refresh(db), ERR_OK, "refresh");
	is_str(conf_str(CONF_DEFAULT_LOCALE), "de", "still set after refresh");
	db_close(db);

	/* a stored value wins at start */
	db = db_new();
	store(db, "{\"version\":0,\"ui\":{\"default_locale\":\"es\","
	    "\"enable_signup\":false,\"default_models\":null}}");
	setenv("DEFAULT_MODELS", "m1", 1);
	conf_init();
	conf_load_startup(db);
	is_str(conf_str(CONF_DEFAULT_LOCALE), "es", "stored beats env");
	ok(!conf_bool(CONF_ENABLE_SIGNUP), "stored false beats default true");
	is_str(conf_str(CONF_DEFAULT_MODELS), "m1", "stored null: env");
	unsetenv("DEFAULT_MODELS");

	/* another worker changes the row: seen on refresh */
	DBQ0(db, a, NULL, "UPDATE config SET data = '{\"version\":0,\"ui\":"
	    "{\"default_locale\":\"it\"}}'");
	conf_refresh(db);
	is_str(conf_str(CONF_DEFAULT_LOCALE), "it", "a stored change is seen");
	ok(conf_bool(CONF_ENABLE_SIGNUP), "a removed value gives env again");

	/* conf_set updates the first row, reads the newest */
	store(db, "{\"ui\":{\"default_locale\":\"pt\"}}");
	conf_refresh(db);
	is_str(conf_str(CONF_DEFAULT_LOCALE), "pt", "the newest row is read");
	conf_set(db, CONF_WEBHOOK_URL, json_object_new_string("http://h"));
	is_str(query1(db, a, "SELECT json_extract(data, '$.webhook_url') "
	    "FROM config ORDER BY id LIMIT 1"), "http://h",
	    "conf_set wrote the first row");
	is_str(query1(db, a, "SELECT json_extract(data, '$.ui.default_locale') "
	    "FROM config ORDER BY id LIMIT 1"), "pt",
	    "... with the document read from the newest");
	ok(strchr(query1(db, a, "SELECT updated_at FROM config ORDER BY id "
	    "LIMIT 1"), '.') != NULL, "updated_at as Python's datetime.now()");
	db_close(db);

	/* ENABLE_PERSISTENT_CONFIG=false: env wins over what was stored at
	 * start, but changes made while running apply */
	db = db_new();
	store(db, "{\"ui\":{\"default_locale\":\"es\"}}");
	setenv("ENABLE_PERSISTENT_CONFIG", "false", 1);
	conf_init();
	conf_load_startup(db);
	is_str(conf_str(CONF_DEFAULT_LOCALE), "fr", "not persistent: env wins");
	conf_refresh(db);
	is_str(conf_str(CONF_DEFAULT_LOCALE), "fr", "... after refresh too");
	conf_set(db, CONF_DEFAULT_LOCALE, json_object_new_string("nl"));
	is_str(conf_str(CONF_DEFAULT_LOCALE), "nl", "a change applies");
	conf_refresh(db);
	is_str(conf_str(CONF_DEFAULT_LOCALE), "nl", "... for every worker");
	conf_init();
	conf_load_startup(db);
	is_str(conf_str(CONF_DEFAULT_LOCALE), "fr", "... until the restart");
	db_close(db);
	unsetenv("ENABLE_PERSISTENT_CONFIG");

	/* RESET_CONFIG_ON_START: rows deleted, this run keeps its values */
	db = db_new();
	store(db, "{\"ui\":{\"default_locale\":\"es\"}}");
	setenv("RESET_CONFIG_ON_START", "true", 1);
	conf_init();
	is_int(conf_load_startup(db), ERR_OK, "load with reset");
	is_str(query1(db, a, "SELECT count(*) FROM config"), "0",
	    "the rows are deleted");
	is_str(conf_str(CONF_DEFAULT_LOCALE), "es", "values loaded first");
	conf_refresh(db);
	is_str(conf_str(CONF_DEFAULT_LOCALE), "es", "... and kept");
	conf_init();
	conf_load_startup(db);
	is_str(conf_str(CONF_DEFAULT_LOCALE), "fr", "gone at the next start");
	db_close(db);

	/* a document that is not an object */
	env_clear();
	conf_init();
	db = db_new();
	store(db, "[1,2]");
	is_int(conf_load_startup(db), ERR_INVAL, "a non-object document");
	db_close(db);
	arena_free(a);
}

int
main(void)
{
	test_defaults();
	test_env_rules();
	test_persistent();
	return done_testing();
}
