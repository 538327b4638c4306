/* h_config.c: GET /api/config (main.py get_app_config), what the frontend
 * reads before anything else: the instance name, the sign-in options and,
 * for a signed-in caller, the feature flags and defaults.
 *
 * The router has set r->user from a valid JWT (Bearer or cookie); an API
 * key, a bad or an expired token leave it NULL and the caller anonymous. */
#include <string.h>

#include "conf.h"
#include "handlers.h"
#include "hosting.h"
#include "json.h"
#include "log.h"
#include "req.h"
#include "user.h"

/* Adds conf's value of k under name (a new reference to it). */
static void
add_conf(json_object *o, const char *name, enum conf_key k)
{
	json_object_object_add(o, name, json_object_get(conf_get(k)));
}

static void
add_bool(json_object *o, const char *name, int v)
{
	json_object_object_add(o, name, json_object_new_boolean(v));
}

/* Python's str() of a setting: None, True and False are spelled out. */
static json_object *
py_str(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return json_object_new_string("None");
	case json_type_boolean:
		return json_object_new_string(json_object_get_boolean(v) ?
		    "True" : "False");
	case json_type_string:
		return json_object_get(v);
	default:
		return json_object_new_string(json_text(v));
	}
}

/* The feature flags; the second half only for a signed-in caller. */
static json_object *
config_features(int signed_in)
{
	json_object *f = json_object_new_object();

	add_conf(f, "auth", CONF_WEBUI_AUTH);
	add_bool(f, "auth_trusted_header",
	    conf_bool(CONF_WEBUI_AUTH_TRUSTED_EMAIL_HEADER));
	add_conf(f, "enable_signup_password_confirmation",
	    CONF_ENABLE_SIGNUP_PASSWORD_CONFIRMATION);
	add_conf(f, "enable_ldap", CONF_ENABLE_LDAP);
	add_conf(f, "enable_api_key", CONF_ENABLE_API_KEY);
	add_conf(f, "enable_signup", CONF_ENABLE_SIGNUP);
	add_conf(f, "enable_login_form", CONF_ENABLE_LOGIN_FORM);
	if (hosting_on())	/* Socket.IO by long-polling only */
		json_object_object_add(f, "enable_websocket",
		    json_object_new_boolean(0));
	else
		add_conf(f, "enable_websocket", CONF_ENABLE_WEBSOCKET_SUPPORT);
	add_conf(f, "enable_version_update_check",
	    CONF_ENABLE_VERSION_UPDATE_CHECK);
	if (!signed_in)
		return f;
	add_conf(f, "enable_direct_connections",
	    CONF_ENABLE_DIRECT_CONNECTIONS);
	add_conf(f, "enable_channels", CONF_ENABLE_CHANNELS);
	add_conf(f, "enable_notes", CONF_ENABLE_NOTES);
	add_conf(f, "enable_web_search", CONF_ENABLE_WEB_SEARCH);
	add_conf(f, "enable_code_execution", CONF_ENABLE_CODE_EXECUTION);
	add_conf(f, "enable_code_interpreter", CONF_ENABLE_CODE_INTERPRETER);
	add_conf(f, "enable_image_generation", CONF_ENABLE_IMAGE_GENERATION);
	add_conf(f, "enable_autocomplete_generation",
	    CONF_ENABLE_AUTOCOMPLETE_GENERATION);
	add_conf(f, "enable_community_sharing", CONF_ENABLE_COMMUNITY_SHARING);
	add_conf(f, "enable_message_rating", CONF_ENABLE_MESSAGE_RATING);
	add_conf(f, "enable_user_webhooks", CONF_ENABLE_USER_WEBHOOKS);
	add_conf(f, "enable_admin_export", CONF_ENABLE_ADMIN_EXPORT);
	add_conf(f, "enable_admin_chat_access", CONF_ENABLE_ADMIN_CHAT_ACCESS);
	add_conf(f, "enable_google_drive_integration",
	    CONF_ENABLE_GOOGLE_DRIVE_INTEGRATION);
	add_conf(f, "enable_onedrive_integration",
	    CONF_ENABLE_ONEDRIVE_INTEGRATION);
	if (conf_bool(CONF_ENABLE_ONEDRIVE_INTEGRATION)) {
		add_conf(f, "enable_onedrive_personal",
		    CONF_ENABLE_ONEDRIVE_PERSONAL);
		add_conf(f, "enable_onedrive_business",
		    CONF_ENABLE_ONEDRIVE_BUSINESS);
	}
	return f;
}

/* The pending-user overlay texts (plus the watermark for members). */
static json_object *
config_ui(int member)
{
	json_object *ui = json_object_new_object();

	add_conf(ui, "pending_user_overlay_title",
	    CONF_PENDING_USER_OVERLAY_TITLE);
	add_conf(ui, "pending_user_overlay_content",
	    CONF_PENDING_USER_OVERLAY_CONTENT);
	if (member)
		add_conf(ui, "response_watermark", CONF_RESPONSE_WATERMARK);
	return ui;
}

/* What only role user and admin see. */
static void
config_member(json_object *o, const struct user *u, long long users)
{
	json_object *code, *audio, *tts, *stt, *file, *img, *gd, *od, *perm;

	add_conf(o, "default_models", CONF_DEFAULT_MODELS);
	add_conf(o, "default_prompt_suggestions",
	    CONF_DEFAULT_PROMPT_SUGGESTIONS);
	json_object_object_add(o, "user_count", json_object_new_int64(users));

	code = json_object_new_object();
	add_conf(code, "engine", CONF_CODE_EXECUTION_ENGINE);
	json_object_object_add(o, "code", code);

	audio = json_object_new_object();
	tts = json_object_new_object();
	add_conf(tts, "engine", CONF_TTS_ENGINE);
	add_conf(tts, "voice", CONF_TTS_VOICE);
	add_conf(tts, "split_on", CONF_TTS_SPLIT_ON);
	json_object_object_add(audio, "tts", tts);
	stt = json_object_new_object();
	add_conf(stt, "engine", CONF_STT_ENGINE);
	json_object_object_add(audio, "stt", stt);
	json_object_object_add(o, "audio", audio);

	file = json_object_new_object();
	add_conf(file, "max_size", CONF_FILE_MAX_SIZE);
	add_conf(file, "max_count", CONF_FILE_MAX_COUNT);
	img = json_object_new_object();
	add_conf(img, "width", CONF_FILE_IMAGE_COMPRESSION_WIDTH);
	add_conf(img, "height", CONF_FILE_IMAGE_COMPRESSION_HEIGHT);
	json_object_object_add(file, "image_compression", img);
	json_object_object_add(o, "file", file);

	/* a copy: the stored default document, not the caller's own */
	perm = NULL;
	if (conf_get(CONF_USER_PERMISSIONS) != NULL)
		json_object_deep_copy(conf_get(CONF_USER_PERMISSIONS), &perm,
		    NULL);
	json_object_object_add(o, "permissions",
	    perm != NULL ? perm : json_object_new_object());

	gd = json_object_new_object();
	add_conf(gd, "client_id", CONF_GOOGLE_DRIVE_CLIENT_ID);
	add_conf(gd, "api_key", CONF_GOOGLE_DRIVE_API_KEY);
	json_object_object_add(o, "google_drive", gd);

	od = json_object_new_object();
	add_conf(od, "client_id_personal", CONF_ONEDRIVE_CLIENT_ID_PERSONAL);
	add_conf(od, "client_id_business", CONF_ONEDRIVE_CLIENT_ID_BUSINESS);
	add_conf(od, "sharepoint_url", CONF_ONEDRIVE_SHAREPOINT_URL);
	add_conf(od, "sharepoint_tenant_id",
	    CONF_ONEDRIVE_SHAREPOINT_TENANT_ID);
	json_object_object_add(o, "onedrive", od);

	json_object_object_add(o, "ui", config_ui(1));
	/* no license: no metadata and no seat count */
	json_object_object_add(o, "license_metadata", NULL);
	if (strcmp(u->role, "admin") == 0)
		json_object_object_add(o, "active_entries", NULL);
}

/* Returns 200 with the instance settings; more of them for a signed-in
 * caller, and onboarding:true to an anonymous caller while no user exists. */
int
h_config(struct req *r)
{
	const struct user *u = r->user;
	json_object *o, *oauth;
	long long users;

	if (user_count(r->db, r->a, &users) != ERR_OK)
		return resp_internal(r, "config", ERR_DB);
	o = json_object_new_object();
	if (u == NULL && users == 0)
		add_bool(o, "onboarding", 1);
	add_bool(o, "status", 1);
	add_conf(o, "name", CONF_WEBUI_NAME);
	json_object_object_add(o, "version",
	    json_object_new_string(WEBUI_VERSION));
	json_object_object_add(o, "default_locale",
	    py_str(conf_get(CONF_DEFAULT_LOCALE)));
	/* OAuth sign-in is not served yet: no provider is offered */
	oauth = json_object_new_object();
	json_object_object_add(oauth, "providers", json_object_new_object());
	json_object_object_add(o, "oauth", oauth);
	json_object_object_add(o, "features", config_features(u != NULL));
	if (u != NULL && (strcmp(u->role, "admin") == 0 ||
	    strcmp(u->role, "user") == 0))
		config_member(o, u, users);
	else if (u != NULL && strcmp(u->role, "pending") == 0)
		json_object_object_add(o, "ui", config_ui(0));
	return resp_json(r, 200, o);
}
