/* routes.c: the one route table of cwebui-fcgi. A route that is not here
 * answers FastAPI's 404 {"detail":"Not Found"}. Paths and trailing slashes
 * are exactly those of the Python backend 0.6.32. */
#include "handlers.h"
#include "router.h"

const struct route routes[] = {
	/* main.py */
	{ "GET", "/health", h_health, AUTH_PUBLIC, 0 },
	{ "GET", "/health/db", h_health_db, AUTH_PUBLIC, 0 },
	{ "GET", "/api/version", h_version, AUTH_PUBLIC, 0 },
	{ "GET", "/api/config", h_config, AUTH_OPTIONAL, 0 },
	{ "GET", "/manifest.json", h_manifest, AUTH_PUBLIC, 0 },
	{ "GET", "/opensearch.xml", h_opensearch, AUTH_PUBLIC, 0 },

	/* routers/auths.py */
	{ "GET", "/api/v1/auths/", h_auths_session, AUTH_ANY, 0 },
	{ "POST", "/api/v1/auths/update/profile", h_auths_update_profile,
	    AUTH_VERIFIED, R_JSON },
	{ "POST", "/api/v1/auths/update/password", h_auths_update_password,
	    AUTH_ANY, R_JSON },
	{ "POST", "/api/v1/auths/signin", h_auths_signin, AUTH_PUBLIC, R_JSON },
	{ "POST", "/api/v1/auths/signup", h_auths_signup, AUTH_PUBLIC, R_JSON },
	{ "GET", "/api/v1/auths/signout", h_auths_signout, AUTH_PUBLIC, 0 },
	{ "POST", "/api/v1/auths/add", h_auths_add, AUTH_ADMIN, R_JSON },
	{ "GET", "/api/v1/auths/admin/details", h_auths_admin_details, AUTH_ANY,
	    0 },
	{ "GET", "/api/v1/auths/admin/config", h_auths_admin_config_get,
	    AUTH_ADMIN, 0 },
	{ "POST", "/api/v1/auths/admin/config", h_auths_admin_config_set,
	    AUTH_ADMIN, R_JSON },
	{ "POST", "/api/v1/auths/api_key", h_auths_api_key_create, AUTH_ANY, 0 },
	{ "DELETE", "/api/v1/auths/api_key", h_auths_api_key_delete, AUTH_ANY,
	    0 },
	{ "GET", "/api/v1/auths/api_key", h_auths_api_key_get, AUTH_ANY, 0 },

	/* routers/users.py (not served: /active, /{user_id}/active) */
	{ "GET", "/api/v1/users/", h_users_list, AUTH_ADMIN, 0 },
	{ "GET", "/api/v1/users/all", h_users_all, AUTH_ADMIN, 0 },
	{ "GET", "/api/v1/users/search", h_users_search, AUTH_VERIFIED, 0 },
	{ "GET", "/api/v1/users/groups", h_users_my_groups, AUTH_VERIFIED, 0 },
	{ "GET", "/api/v1/users/permissions", h_users_permissions,
	    AUTH_VERIFIED, 0 },
	{ "GET", "/api/v1/users/default/permissions", h_users_default_perms,
	    AUTH_ADMIN, 0 },
	{ "POST", "/api/v1/users/default/permissions",
	    h_users_default_perms_set, AUTH_ADMIN, R_JSON },
	{ "GET", "/api/v1/users/user/settings", h_users_settings,
	    AUTH_VERIFIED, 0 },
	{ "POST", "/api/v1/users/user/settings/update", h_users_settings_set,
	    AUTH_VERIFIED, R_JSON },
	{ "GET", "/api/v1/users/user/info", h_users_info, AUTH_VERIFIED, 0 },
	{ "POST", "/api/v1/users/user/info/update", h_users_info_set,
	    AUTH_VERIFIED, 0 },
	{ "GET", "/api/v1/users/{user_id}", h_users_get, AUTH_VERIFIED, 0 },
	{ "GET", "/api/v1/users/{user_id}/oauth/sessions",
	    h_users_oauth_sessions, AUTH_ADMIN, 0 },
	{ "GET", "/api/v1/users/{user_id}/profile/image",
	    h_users_profile_image, AUTH_VERIFIED, 0 },
	{ "POST", "/api/v1/users/{user_id}/update", h_users_update, AUTH_ADMIN,
	    R_JSON },
	{ "DELETE", "/api/v1/users/{user_id}", h_users_delete, AUTH_ADMIN, 0 },
	{ "GET", "/api/v1/users/{user_id}/groups", h_users_groups, AUTH_ADMIN,
	    0 },
};

const int routes_len = (int)(sizeof(routes) / sizeof(routes[0]));
