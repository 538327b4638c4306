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

/* h_chats.c: /api/v1/chats/ lists, documents, sharing */
int	h_chats_list(struct req *r);
int	h_chats_delete_all(struct req *r);
int	h_chats_list_user(struct req *r);
int	h_chats_new(struct req *r);
int	h_chats_import(struct req *r);
int	h_chats_pinned(struct req *r);
int	h_chats_all(struct req *r);
int	h_chats_all_archived(struct req *r);
int	h_chats_all_db(struct req *r);
int	h_chats_archived(struct req *r);
int	h_chats_archive_all(struct req *r);
int	h_chats_unarchive_all(struct req *r);
int	h_chats_shared(struct req *r);
int	h_chats_get(struct req *r);
int	h_chats_update(struct req *r);
int	h_chats_message(struct req *r);
int	h_chats_delete(struct req *r);
int	h_chats_pinned_get(struct req *r);
int	h_chats_pin(struct req *r);
int	h_chats_clone(struct req *r);
int	h_chats_clone_shared(struct req *r);
int	h_chats_archive(struct req *r);
int	h_chats_share(struct req *r);
int	h_chats_unshare(struct req *r);

/* h_chats_tags.c: /api/v1/chats/ search and tags */
int	h_chats_search(struct req *r);
int	h_chats_all_tags(struct req *r);
int	h_chats_by_tag(struct req *r);
int	h_chats_tags_get(struct req *r);
int	h_chats_tags_add(struct req *r);
int	h_chats_tags_delete(struct req *r);
int	h_chats_tags_clear(struct req *r);

/* h_folders.c: /api/v1/folders/ and the folder routes of /api/v1/chats/ */
int	h_folders_list(struct req *r);
int	h_folders_create(struct req *r);
int	h_folders_get(struct req *r);
int	h_folders_update(struct req *r);
int	h_folders_set_parent(struct req *r);
int	h_folders_set_expanded(struct req *r);
int	h_folders_delete(struct req *r);
int	h_chats_by_folder(struct req *r);
int	h_chats_by_folder_list(struct req *r);
int	h_chats_set_folder(struct req *r);

#endif
