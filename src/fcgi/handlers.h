/* handlers.h: every handler of the route table, by file. */
#ifndef CWEBUI_HANDLERS_H
#define CWEBUI_HANDLERS_H

struct req;

/* h_misc.c: health, version, webhook, manifest, opensearch */
#define WEBUI_VERSION	"0.6.32"	/* the Open WebUI release served */
int	h_health(struct req *r);
int	h_health_db(struct req *r);
int	h_version(struct req *r);
int	h_version_updates(struct req *r);
int	h_webhook_get(struct req *r);
int	h_webhook_set(struct req *r);
int	h_manifest(struct req *r);
int	h_opensearch(struct req *r);

/* h_main_models.c: main.py /api/models and /api/chat/completions */
int	h_main_models_list(struct req *r);
int	h_main_models_base(struct req *r);
int	h_main_chat_completions(struct req *r);
int	h_main_embeddings(struct req *r);

/* h_chat_done.c: main.py /api/chat/completed and /api/chat/actions/ */
int	h_chat_completed(struct req *r);
int	h_chat_action(struct req *r);

/* h_streamd.c: /_streamd/ internal routes for cwebui-streamd */
int	h_streamd_auth(struct req *r);
int	h_streamd_chat_message(struct req *r);
int	h_streamd_chat_status(struct req *r);
int	h_streamd_chat_notify(struct req *r);

/* h_streamd_bg.c: /_streamd/chat/background (cwebui-streamd only) */
int	h_streamd_chat_background(struct req *r);

/* h_hosting.c: Socket.IO polling and the task routes, in the
 * shared-hosting mode only (hosting.h) */
int	h_hosting_sio(struct req *r);
int	h_hosting_tasks(struct req *r);
int	h_hosting_tasks_chat(struct req *r);
int	h_hosting_tasks_stop(struct req *r);
int	h_hosting_usage(struct req *r);
int	h_hosting_users_active(struct req *r);
int	h_hosting_user_active(struct req *r);

/* h_tasks.c: /api/v1/tasks/ */
int	h_tasks_config(struct req *r);
int	h_tasks_config_update(struct req *r);
int	h_tasks_title(struct req *r);
int	h_tasks_follow_up(struct req *r);
int	h_tasks_tags(struct req *r);
int	h_tasks_image_prompt(struct req *r);
int	h_tasks_queries(struct req *r);
int	h_tasks_auto(struct req *r);
int	h_tasks_emoji(struct req *r);
int	h_tasks_moa(struct req *r);

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

/* h_auths_admin.c: /api/v1/auths/ admin and LDAP settings, API keys */
int	h_auths_admin_details(struct req *r);
int	h_auths_admin_config_get(struct req *r);
int	h_auths_admin_config_set(struct req *r);
int	h_auths_ldap_server_get(struct req *r);
int	h_auths_ldap_server_set(struct req *r);
int	h_auths_ldap_config_get(struct req *r);
int	h_auths_ldap_config_set(struct req *r);
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

/* h_channels.c: /api/v1/channels/ (the lists) */
int	h_channels_list(struct req *r);
int	h_channels_list_all(struct req *r);

/* h_notes.c: /api/v1/notes/ (the lists) */
int	h_notes_list(struct req *r);
int	h_notes_list_titles(struct req *r);

/* h_knowledge.c: /api/v1/knowledge/ (the lists) */
int	h_knowledge_list(struct req *r);
int	h_knowledge_list_write(struct req *r);

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

/* h_groups.c: /api/v1/groups/ */
int	h_groups_list(struct req *r);
int	h_groups_create(struct req *r);
int	h_groups_get(struct req *r);
int	h_groups_update(struct req *r);
int	h_groups_users_add(struct req *r);
int	h_groups_users_remove(struct req *r);
int	h_groups_delete(struct req *r);

/* h_models.c: /api/v1/models/ (workspace models) */
int	h_models_list(struct req *r);
int	h_models_base(struct req *r);
int	h_models_create(struct req *r);
int	h_models_export(struct req *r);
int	h_models_import(struct req *r);
int	h_models_sync(struct req *r);
int	h_models_get(struct req *r);
int	h_models_image(struct req *r);
int	h_models_toggle(struct req *r);
int	h_models_update(struct req *r);
int	h_models_delete(struct req *r);
int	h_models_delete_all(struct req *r);

/* h_tools.c, h_functions.c: the lists of /api/v1/tools/, /functions/ */
int	h_tools_list(struct req *r);
int	h_functions_list(struct req *r);

/* h_configs.c: /api/v1/configs/ */
int	h_configs_import(struct req *r);
int	h_configs_export(struct req *r);
int	h_configs_connections(struct req *r);
int	h_configs_connections_set(struct req *r);
int	h_configs_oauth_register(struct req *r);
int	h_configs_tool_servers(struct req *r);
int	h_configs_tool_servers_set(struct req *r);
int	h_configs_tool_servers_verify(struct req *r);
int	h_configs_code_execution(struct req *r);
int	h_configs_code_execution_set(struct req *r);
int	h_configs_models(struct req *r);
int	h_configs_models_set(struct req *r);
int	h_configs_suggestions_set(struct req *r);
int	h_configs_banners_set(struct req *r);
int	h_configs_banners(struct req *r);

/* h_ollama.c: /ollama/ */
int	h_ollama_status(struct req *r);
int	h_ollama_verify(struct req *r);
int	h_ollama_config_get(struct req *r);
int	h_ollama_config_update(struct req *r);
int	h_ollama_tags(struct req *r);
int	h_ollama_ps(struct req *r);
int	h_ollama_version(struct req *r);
int	h_ollama_unload(struct req *r);
int	h_ollama_pull(struct req *r);
int	h_ollama_push(struct req *r);
int	h_ollama_create(struct req *r);
int	h_ollama_copy(struct req *r);
int	h_ollama_delete(struct req *r);
int	h_ollama_show(struct req *r);
int	h_ollama_embed(struct req *r);
int	h_ollama_embeddings(struct req *r);
int	h_ollama_generate(struct req *r);
int	h_ollama_chat(struct req *r);
int	h_ollama_v1_completions(struct req *r);
int	h_ollama_v1_chat(struct req *r);
int	h_ollama_v1_models(struct req *r);

/* h_openai.c: /openai/ */
int	h_openai_config_get(struct req *r);
int	h_openai_config_update(struct req *r);
int	h_openai_models(struct req *r);
int	h_openai_models_idx(struct req *r);
int	h_openai_verify(struct req *r);
int	h_openai_chat(struct req *r);
int	h_openai_proxy(struct req *r);
int	h_openai_speech(struct req *r);

#endif
