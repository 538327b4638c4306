/* handlers.h: every handler of the route table, by file. */
#ifndef CWEBUI_HANDLERS_H
#define CWEBUI_HANDLERS_H

struct req;

/* h_misc.c: health, version, manifest, opensearch */
#define WEBUI_VERSION	"0.6.32"	/* the Open WebUI release served */
int	h_health(struct req *r);
int	h_health_db(struct req *r);
int	h_version(struct req *r);
int	h_manifest(struct req *r);
int	h_opensearch(struct req *r);

/* h_config.c: /api/config */
int	h_config(struct req *r);

/* h_auths.c: /api/v1/auths/ sessions and accounts */
int	h_auths_session(struct req *r);
int	h_auths_signin(struct req *r);
int	h_auths_signup(struct req *r);
int	h_auths_signout(struct req *r);
int	h_auths_add(struct req *r);
int	h_auths_update_profile(struct req *r);
int	h_auths_update_password(struct req *r);

/* h_auths_admin.c: /api/v1/auths/ admin settings and API keys */
int	h_auths_admin_details(struct req *r);
int	h_auths_admin_config_get(struct req *r);
int	h_auths_admin_config_set(struct req *r);
int	h_auths_api_key_create(struct req *r);
int	h_auths_api_key_get(struct req *r);
int	h_auths_api_key_delete(struct req *r);

/* h_users.c: /api/v1/users/ */
int	h_users_list(struct req *r);
int	h_users_all(struct req *r);
int	h_users_search(struct req *r);
int	h_users_my_groups(struct req *r);
int	h_users_permissions(struct req *r);
int	h_users_default_perms(struct req *r);
int	h_users_default_perms_set(struct req *r);
int	h_users_settings(struct req *r);
int	h_users_settings_set(struct req *r);
int	h_users_info(struct req *r);
int	h_users_info_set(struct req *r);
int	h_users_get(struct req *r);
int	h_users_oauth_sessions(struct req *r);
int	h_users_profile_image(struct req *r);
int	h_users_update(struct req *r);
int	h_users_delete(struct req *r);
int	h_users_groups(struct req *r);

#endif
