/* conf_items.c: every setting's environment variable, config path, kind and
 * default, as env.py and config.py of Open WebUI 0.6.32 define them.
 *
 * Defaults are JSON text. Rules that a single default cannot express (a
 * default taken from another variable, a suffix, a document built from
 * several variables) are applied by conf_init() in conf.c. The flags of
 * the USER_PERMISSIONS document, with their USER_PERMISSIONS_* variables,
 * are listed in conf_perms at the end. */
#include <stddef.h>

#include "conf.h"

#define ENV(k, var, kind, def)		[k] = { var, NULL, kind, def }
#define PERSIST(k, var, path, kind, def) [k] = { var, path, kind, def }

/* The six suggestions the chat page shows when nothing else is set. */
#define PROMPT_SUGGESTIONS "["						\
	"{\"title\": [\"Help me study\", \"vocabulary for a college "	\
	"entrance exam\"], \"content\": \"Help me study vocabulary: "	\
	"write a sentence for me to fill in the blank, and I'll try to "	\
	"pick the correct option.\"},"					\
	"{\"title\": [\"Give me ideas\", \"for what to do with my kids' "	\
	"art\"], \"content\": \"What are 5 creative things I could do "	\
	"with my kids' art? I don't want to throw them away, but it's "	\
	"also so much clutter.\"},"					\
	"{\"title\": [\"Tell me a fun fact\", \"about the Roman "	\
	"Empire\"], \"content\": \"Tell me a random fun fact about the "	\
	"Roman Empire\"},"						\
	"{\"title\": [\"Show me a code snippet\", \"of a website's "	\
	"sticky header\"], \"content\": \"Show me a code snippet of a "	\
	"website's sticky header in CSS and JavaScript.\"},"		\
	"{\"title\": [\"Explain options trading\", \"if I'm familiar "	\
	"with buying and selling stocks\"], \"content\": \"Explain "	\
	"options trading in simple terms if I'm familiar with buying "	\
	"and selling stocks.\"},"					\
	"{\"title\": [\"Overcome procrastination\", \"give me tips\"], "	\
	"\"content\": \"Could you start by asking me about instances "	\
	"when I procrastinate the most and then give me some "		\
	"suggestions to overcome it?\"}"				\
	"]"

const struct conf_item conf_items[CONF__MAX] = {
	/* env.py */
	ENV(CONF_WEBUI_AUTH, "WEBUI_AUTH", CONF_BOOL, "true"),
	ENV(CONF_WEBUI_NAME, "WEBUI_NAME", CONF_STR, "\"Open WebUI\""),
	ENV(CONF_ENABLE_SIGNUP_PASSWORD_CONFIRMATION,
	    "ENABLE_SIGNUP_PASSWORD_CONFIRMATION", CONF_BOOL, "false"),
	ENV(CONF_ENABLE_INITIAL_ADMIN_SIGNUP, "ENABLE_INITIAL_ADMIN_SIGNUP",
	    CONF_BOOL, "false"),
	ENV(CONF_ENABLE_WEBSOCKET_SUPPORT, "ENABLE_WEBSOCKET_SUPPORT",
	    CONF_BOOL, "true"),
	ENV(CONF_ENABLE_VERSION_UPDATE_CHECK, "ENABLE_VERSION_UPDATE_CHECK",
	    CONF_BOOL, "true"),
	ENV(CONF_ENABLE_ADMIN_EXPORT, "ENABLE_ADMIN_EXPORT", CONF_BOOL,
	    "true"),
	ENV(CONF_ENABLE_ADMIN_CHAT_ACCESS, "ENABLE_ADMIN_CHAT_ACCESS",
	    CONF_BOOL, "true"),
	ENV(CONF_ENABLE_PERSISTENT_CONFIG, "ENABLE_PERSISTENT_CONFIG",
	    CONF_BOOL, "true"),
	ENV(CONF_ENABLE_OAUTH_PERSISTENT_CONFIG,
	    "ENABLE_OAUTH_PERSISTENT_CONFIG", CONF_BOOL, "false"),
	/* default: WEBUI_SESSION_COOKIE_SAME_SITE (conf.c) */
	ENV(CONF_WEBUI_AUTH_COOKIE_SAME_SITE, "WEBUI_AUTH_COOKIE_SAME_SITE",
	    CONF_STR, "\"lax\""),
	/* default: WEBUI_SESSION_COOKIE_SECURE (conf.c) */
	ENV(CONF_WEBUI_AUTH_COOKIE_SECURE, "WEBUI_AUTH_COOKIE_SECURE",
	    CONF_BOOL, "false"),
	ENV(CONF_WEBUI_AUTH_TRUSTED_EMAIL_HEADER,
	    "WEBUI_AUTH_TRUSTED_EMAIL_HEADER", CONF_STR, NULL),
	ENV(CONF_WEBUI_AUTH_TRUSTED_NAME_HEADER,
	    "WEBUI_AUTH_TRUSTED_NAME_HEADER", CONF_STR, NULL),
	ENV(CONF_WEBUI_AUTH_SIGNOUT_REDIRECT_URL,
	    "WEBUI_AUTH_SIGNOUT_REDIRECT_URL", CONF_STR, NULL),
	/* semicolon-separated origins, checked by conf_init() */
	ENV(CONF_CORS_ALLOW_ORIGIN, "CORS_ALLOW_ORIGIN", CONF_STR, "\"*\""),
	/* seconds; an unparsable value gives 0.0 (conf.c) */
	ENV(CONF_DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL,
	    "DATABASE_USER_ACTIVE_STATUS_UPDATE_INTERVAL", CONF_FLOAT, NULL),
	ENV(CONF_ENABLE_ONEDRIVE_PERSONAL, "ENABLE_ONEDRIVE_PERSONAL",
	    CONF_BOOL, "true"),
	ENV(CONF_ENABLE_ONEDRIVE_BUSINESS, "ENABLE_ONEDRIVE_BUSINESS",
	    CONF_BOOL, "true"),
	/* default: ONEDRIVE_CLIENT_ID (conf.c) */
	ENV(CONF_ONEDRIVE_CLIENT_ID_PERSONAL, "ONEDRIVE_CLIENT_ID_PERSONAL",
	    CONF_STR, "\"\""),
	ENV(CONF_ONEDRIVE_CLIENT_ID_BUSINESS, "ONEDRIVE_CLIENT_ID_BUSINESS",
	    CONF_STR, "\"\""),
	/* a constant in env.py, not read from the environment */
	ENV(CONF_WEBUI_FAVICON_URL, NULL, CONF_STR,
	    "\"https://openwebui.com/favicon.png\""),

	/* config.py PersistentConfig */
	PERSIST(CONF_WEBUI_URL, "WEBUI_URL", "webui.url", CONF_STR, "\"\""),
	/* false whenever WEBUI_AUTH is false (conf.c) */
	PERSIST(CONF_ENABLE_SIGNUP, "ENABLE_SIGNUP", "ui.enable_signup",
	    CONF_BOOL, "true"),
	PERSIST(CONF_ENABLE_LOGIN_FORM, "ENABLE_LOGIN_FORM",
	    "ui.ENABLE_LOGIN_FORM", CONF_BOOL, "true"),
	PERSIST(CONF_DEFAULT_USER_ROLE, "DEFAULT_USER_ROLE",
	    "ui.default_user_role", CONF_STR, "\"pending\""),
	PERSIST(CONF_DEFAULT_LOCALE, "DEFAULT_LOCALE", "ui.default_locale",
	    CONF_STR, "\"\""),
	PERSIST(CONF_DEFAULT_MODELS, "DEFAULT_MODELS", "ui.default_models",
	    CONF_STR, NULL),
	/* invalid JSON or [] in the environment gives the default (conf.c) */
	PERSIST(CONF_DEFAULT_PROMPT_SUGGESTIONS, "DEFAULT_PROMPT_SUGGESTIONS",
	    "ui.prompt_suggestions", CONF_JSON, PROMPT_SUGGESTIONS),
	/* a list of banners; any invalid one gives [] (conf.c) */
	PERSIST(CONF_WEBUI_BANNERS, "WEBUI_BANNERS", "ui.banners", CONF_JSON,
	    "[]"),
	PERSIST(CONF_PENDING_USER_OVERLAY_TITLE, "PENDING_USER_OVERLAY_TITLE",
	    "ui.pending_user_overlay_title", CONF_STR, "\"\""),
	PERSIST(CONF_PENDING_USER_OVERLAY_CONTENT,
	    "PENDING_USER_OVERLAY_CONTENT", "ui.pending_user_overlay_content",
	    CONF_STR, "\"\""),
	PERSIST(CONF_RESPONSE_WATERMARK, "RESPONSE_WATERMARK", "ui.watermark",
	    CONF_STR, "\"\""),
	PERSIST(CONF_ENABLE_COMMUNITY_SHARING, "ENABLE_COMMUNITY_SHARING",
	    "ui.enable_community_sharing", CONF_BOOL, "true"),
	PERSIST(CONF_ENABLE_MESSAGE_RATING, "ENABLE_MESSAGE_RATING",
	    "ui.enable_message_rating", CONF_BOOL, "true"),
	PERSIST(CONF_ENABLE_USER_WEBHOOKS, "ENABLE_USER_WEBHOOKS",
	    "ui.enable_user_webhooks", CONF_BOOL, "true"),
	PERSIST(CONF_JWT_EXPIRES_IN, "JWT_EXPIRES_IN", "auth.jwt_expiry",
	    CONF_STR, "\"-1\""),
	PERSIST(CONF_ENABLE_API_KEY, "ENABLE_API_KEY", "auth.api_key.enable",
	    CONF_BOOL, "true"),
	PERSIST(CONF_ENABLE_API_KEY_ENDPOINT_RESTRICTIONS,
	    "ENABLE_API_KEY_ENDPOINT_RESTRICTIONS",
	    "auth.api_key.endpoint_restrictions", CONF_BOOL, "false"),
	PERSIST(CONF_API_KEY_ALLOWED_ENDPOINTS, "API_KEY_ALLOWED_ENDPOINTS",
	    "auth.api_key.allowed_endpoints", CONF_STR, "\"\""),
	PERSIST(CONF_SHOW_ADMIN_DETAILS, "SHOW_ADMIN_DETAILS",
	    "auth.admin.show", CONF_BOOL, "true"),
	PERSIST(CONF_ADMIN_EMAIL, "ADMIN_EMAIL", "auth.admin.email", CONF_STR,
	    NULL),
	PERSIST(CONF_ENABLE_CHANNELS, "ENABLE_CHANNELS", "channels.enable",
	    CONF_BOOL, "false"),
	PERSIST(CONF_ENABLE_NOTES, "ENABLE_NOTES", "notes.enable", CONF_BOOL,
	    "true"),
	PERSIST(CONF_ENABLE_DIRECT_CONNECTIONS, "ENABLE_DIRECT_CONNECTIONS",
	    "direct.enable", CONF_BOOL, "false"),
	PERSIST(CONF_ENABLE_WEB_SEARCH, "ENABLE_WEB_SEARCH",
	    "rag.web.search.enable", CONF_BOOL, "false"),
	PERSIST(CONF_ENABLE_CODE_EXECUTION, "ENABLE_CODE_EXECUTION",
	    "code_execution.enable", CONF_BOOL, "true"),
	PERSIST(CONF_CODE_EXECUTION_ENGINE, "CODE_EXECUTION_ENGINE",
	    "code_execution.engine", CONF_STR, "\"pyodide\""),
	PERSIST(CONF_ENABLE_CODE_INTERPRETER, "ENABLE_CODE_INTERPRETER",
	    "code_interpreter.enable", CONF_BOOL, "true"),
	PERSIST(CONF_ENABLE_IMAGE_GENERATION, "ENABLE_IMAGE_GENERATION",
	    "image_generation.enable", CONF_BOOL, "false"),
	PERSIST(CONF_ENABLE_AUTOCOMPLETE_GENERATION,
	    "ENABLE_AUTOCOMPLETE_GENERATION", "task.autocomplete.enable",
	    CONF_BOOL, "false"),
	PERSIST(CONF_ENABLE_GOOGLE_DRIVE_INTEGRATION,
	    "ENABLE_GOOGLE_DRIVE_INTEGRATION", "google_drive.enable",
	    CONF_BOOL, "false"),
	PERSIST(CONF_GOOGLE_DRIVE_CLIENT_ID, "GOOGLE_DRIVE_CLIENT_ID",
	    "google_drive.client_id", CONF_STR, "\"\""),
	PERSIST(CONF_GOOGLE_DRIVE_API_KEY, "GOOGLE_DRIVE_API_KEY",
	    "google_drive.api_key", CONF_STR, "\"\""),
	PERSIST(CONF_ENABLE_ONEDRIVE_INTEGRATION,
	    "ENABLE_ONEDRIVE_INTEGRATION", "onedrive.enable", CONF_BOOL,
	    "false"),
	PERSIST(CONF_ONEDRIVE_SHAREPOINT_URL, "ONEDRIVE_SHAREPOINT_URL",
	    "onedrive.sharepoint_url", CONF_STR, "\"\""),
	PERSIST(CONF_ONEDRIVE_SHAREPOINT_TENANT_ID,
	    "ONEDRIVE_SHAREPOINT_TENANT_ID", "onedrive.sharepoint_tenant_id",
	    CONF_STR, "\"\""),
	PERSIST(CONF_TTS_ENGINE, "AUDIO_TTS_ENGINE", "audio.tts.engine",
	    CONF_STR, "\"\""),
	PERSIST(CONF_TTS_VOICE, "AUDIO_TTS_VOICE", "audio.tts.voice",
	    CONF_STR, "\"alloy\""),
	PERSIST(CONF_TTS_SPLIT_ON, "AUDIO_TTS_SPLIT_ON", "audio.tts.split_on",
	    CONF_STR, "\"punctuation\""),
	PERSIST(CONF_STT_ENGINE, "AUDIO_STT_ENGINE", "audio.stt.engine",
	    CONF_STR, "\"\""),
	PERSIST(CONF_FILE_MAX_SIZE, "RAG_FILE_MAX_SIZE", "rag.file.max_size",
	    CONF_INT, NULL),
	PERSIST(CONF_FILE_MAX_COUNT, "RAG_FILE_MAX_COUNT",
	    "rag.file.max_count", CONF_INT, NULL),
	PERSIST(CONF_FILE_IMAGE_COMPRESSION_WIDTH,
	    "FILE_IMAGE_COMPRESSION_WIDTH", "file.image_compression_width",
	    CONF_INT, NULL),
	PERSIST(CONF_FILE_IMAGE_COMPRESSION_HEIGHT,
	    "FILE_IMAGE_COMPRESSION_HEIGHT", "file.image_compression_height",
	    CONF_INT, NULL),
	/* not read from USER_PERMISSIONS: built from USER_PERMISSIONS_*
	 * (conf.c) */
	PERSIST(CONF_USER_PERMISSIONS, "USER_PERMISSIONS", "user.permissions",
	    CONF_JSON, NULL),
	PERSIST(CONF_ENABLE_LDAP, "ENABLE_LDAP", "ldap.enable", CONF_BOOL,
	    "false"),
	PERSIST(CONF_WEBHOOK_URL, "WEBHOOK_URL", "webhook_url", CONF_STR,
	    "\"\""),

	/* env.py and config.py, env only */
	ENV(CONF_WEBUI_SESSION_COOKIE_SAME_SITE,
	    "WEBUI_SESSION_COOKIE_SAME_SITE", CONF_STR, "\"lax\""),
	ENV(CONF_WEBUI_SESSION_COOKIE_SECURE, "WEBUI_SESSION_COOKIE_SECURE",
	    CONF_BOOL, "false"),
	ENV(CONF_WEBUI_AUTH_TRUSTED_GROUPS_HEADER,
	    "WEBUI_AUTH_TRUSTED_GROUPS_HEADER", CONF_STR, NULL),
	/* also forces ENABLE_VERSION_UPDATE_CHECK off (conf.c) */
	ENV(CONF_OFFLINE_MODE, "OFFLINE_MODE", CONF_BOOL, "false"),
	ENV(CONF_RESET_CONFIG_ON_START, "RESET_CONFIG_ON_START", CONF_BOOL,
	    "false"),
	ENV(CONF_EXTERNAL_PWA_MANIFEST_URL, "EXTERNAL_PWA_MANIFEST_URL",
	    CONF_STR, NULL),
	ENV(CONF_ONEDRIVE_CLIENT_ID, "ONEDRIVE_CLIENT_ID", CONF_STR, "\"\""),
	/* semicolon-separated */
	ENV(CONF_CORS_ALLOW_CUSTOM_SCHEME, "CORS_ALLOW_CUSTOM_SCHEME",
	    CONF_STR, "\"\""),

	/* config.py, Ollama connections; OLLAMA_BASE_URLS is derived from
	 * OLLAMA_BASE_URL(S), OLLAMA_API_BASE_URL, ENV, K8S_FLAG and
	 * USE_OLLAMA_DOCKER (conf.c); OLLAMA_API_CONFIGS has no variable */
	PERSIST(CONF_ENABLE_OLLAMA_API, "ENABLE_OLLAMA_API", "ollama.enable",
	    CONF_BOOL, "true"),
	PERSIST(CONF_OLLAMA_BASE_URLS, "OLLAMA_BASE_URLS", "ollama.base_urls",
	    CONF_JSON, "[\"http://localhost:11434\"]"),
	PERSIST(CONF_OLLAMA_API_CONFIGS, NULL, "ollama.api_configs", CONF_JSON,
	    "{}"),

	/* config.py and env.py, the merged model list (lib/models.c);
	 * MODEL_ORDER_LIST and EVALUATION_ARENA_MODELS have no variable */
	PERSIST(CONF_ENABLE_BASE_MODELS_CACHE, "ENABLE_BASE_MODELS_CACHE",
	    "models.base_models_cache", CONF_BOOL, "false"),
	PERSIST(CONF_MODEL_ORDER_LIST, NULL, "ui.model_order_list", CONF_JSON,
	    "[]"),
	PERSIST(CONF_ENABLE_EVALUATION_ARENA_MODELS,
	    "ENABLE_EVALUATION_ARENA_MODELS", "evaluation.arena.enable",
	    CONF_BOOL, "true"),
	PERSIST(CONF_EVALUATION_ARENA_MODELS, NULL, "evaluation.arena.models",
	    CONF_JSON, "[]"),
	ENV(CONF_BYPASS_MODEL_ACCESS_CONTROL, "BYPASS_MODEL_ACCESS_CONTROL",
	    CONF_BOOL, "false"),

	/* config.py, OpenAI connections; OPENAI_API_BASE_URLS and
	 * OPENAI_API_KEYS are derived from OPENAI_API_BASE_URL(S) and
	 * OPENAI_API_KEY(S) (conf.c); OPENAI_API_CONFIGS has no variable */
	PERSIST(CONF_ENABLE_OPENAI_API, "ENABLE_OPENAI_API", "openai.enable",
	    CONF_BOOL, "true"),
	PERSIST(CONF_OPENAI_API_BASE_URLS, "OPENAI_API_BASE_URLS",
	    "openai.api_base_urls", CONF_JSON, "[\"https://api.openai.com/v1\"]"),
	PERSIST(CONF_OPENAI_API_KEYS, "OPENAI_API_KEYS", "openai.api_keys",
	    CONF_JSON, "[\"\"]"),
	PERSIST(CONF_OPENAI_API_CONFIGS, NULL, "openai.api_configs", CONF_JSON,
	    "{}"),
	/* invalid JSON in the environment gives [] (conf.c) */
	PERSIST(CONF_TOOL_SERVER_CONNECTIONS, "TOOL_SERVER_CONNECTIONS",
	    "tool_server.connections", CONF_JSON, "[]"),
	PERSIST(CONF_CODE_EXECUTION_JUPYTER_URL, "CODE_EXECUTION_JUPYTER_URL",
	    "code_execution.jupyter.url", CONF_STR, "\"\""),
	PERSIST(CONF_CODE_EXECUTION_JUPYTER_AUTH, "CODE_EXECUTION_JUPYTER_AUTH",
	    "code_execution.jupyter.auth", CONF_STR, "\"\""),
	PERSIST(CONF_CODE_EXECUTION_JUPYTER_AUTH_TOKEN,
	    "CODE_EXECUTION_JUPYTER_AUTH_TOKEN",
	    "code_execution.jupyter.auth_token", CONF_STR, "\"\""),
	PERSIST(CONF_CODE_EXECUTION_JUPYTER_AUTH_PASSWORD,
	    "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD",
	    "code_execution.jupyter.auth_password", CONF_STR, "\"\""),
	PERSIST(CONF_CODE_EXECUTION_JUPYTER_TIMEOUT,
	    "CODE_EXECUTION_JUPYTER_TIMEOUT", "code_execution.jupyter.timeout",
	    CONF_INT, "60"),
	PERSIST(CONF_CODE_INTERPRETER_ENGINE, "CODE_INTERPRETER_ENGINE",
	    "code_interpreter.engine", CONF_STR, "\"pyodide\""),
	PERSIST(CONF_CODE_INTERPRETER_PROMPT_TEMPLATE,
	    "CODE_INTERPRETER_PROMPT_TEMPLATE",
	    "code_interpreter.prompt_template", CONF_STR, "\"\""),
	/* the five CODE_INTERPRETER_JUPYTER_* default to the matching
	 * CODE_EXECUTION_JUPYTER_* variable (conf.c) */
	PERSIST(CONF_CODE_INTERPRETER_JUPYTER_URL,
	    "CODE_INTERPRETER_JUPYTER_URL", "code_interpreter.jupyter.url",
	    CONF_STR, "\"\""),
	PERSIST(CONF_CODE_INTERPRETER_JUPYTER_AUTH,
	    "CODE_INTERPRETER_JUPYTER_AUTH", "code_interpreter.jupyter.auth",
	    CONF_STR, "\"\""),
	PERSIST(CONF_CODE_INTERPRETER_JUPYTER_AUTH_TOKEN,
	    "CODE_INTERPRETER_JUPYTER_AUTH_TOKEN",
	    "code_interpreter.jupyter.auth_token", CONF_STR, "\"\""),
	PERSIST(CONF_CODE_INTERPRETER_JUPYTER_AUTH_PASSWORD,
	    "CODE_INTERPRETER_JUPYTER_AUTH_PASSWORD",
	    "code_interpreter.jupyter.auth_password", CONF_STR, "\"\""),
	PERSIST(CONF_CODE_INTERPRETER_JUPYTER_TIMEOUT,
	    "CODE_INTERPRETER_JUPYTER_TIMEOUT",
	    "code_interpreter.jupyter.timeout", CONF_INT, "60"),
	ENV(CONF_ENABLE_FORWARD_USER_INFO_HEADERS,
	    "ENABLE_FORWARD_USER_INFO_HEADERS", CONF_BOOL, "false"),
	/* config.py, LDAP */
	PERSIST(CONF_LDAP_SERVER_LABEL, "LDAP_SERVER_LABEL",
	    "ldap.server.label", CONF_STR, "\"LDAP Server\""),
	PERSIST(CONF_LDAP_SERVER_HOST, "LDAP_SERVER_HOST", "ldap.server.host",
	    CONF_STR, "\"localhost\""),
	PERSIST(CONF_LDAP_SERVER_PORT, "LDAP_SERVER_PORT", "ldap.server.port",
	    CONF_INT, "389"),
	PERSIST(CONF_LDAP_ATTRIBUTE_FOR_MAIL, "LDAP_ATTRIBUTE_FOR_MAIL",
	    "ldap.server.attribute_for_mail", CONF_STR, "\"mail\""),
	PERSIST(CONF_LDAP_ATTRIBUTE_FOR_USERNAME, "LDAP_ATTRIBUTE_FOR_USERNAME",
	    "ldap.server.attribute_for_username", CONF_STR, "\"uid\""),
	PERSIST(CONF_LDAP_APP_DN, "LDAP_APP_DN", "ldap.server.app_dn",
	    CONF_STR, "\"\""),
	PERSIST(CONF_LDAP_APP_PASSWORD, "LDAP_APP_PASSWORD",
	    "ldap.server.app_password", CONF_STR, "\"\""),
	PERSIST(CONF_LDAP_SEARCH_BASE, "LDAP_SEARCH_BASE",
	    "ldap.server.users_dn", CONF_STR, "\"\""),
	/* default: LDAP_SEARCH_FILTERS (conf.c) */
	PERSIST(CONF_LDAP_SEARCH_FILTERS, "LDAP_SEARCH_FILTER",
	    "ldap.server.search_filter", CONF_STR, "\"\""),
	PERSIST(CONF_LDAP_USE_TLS, "LDAP_USE_TLS", "ldap.server.use_tls",
	    CONF_BOOL, "true"),
	PERSIST(CONF_LDAP_CA_CERT_FILE, "LDAP_CA_CERT_FILE",
	    "ldap.server.ca_cert_file", CONF_STR, "\"\""),
	PERSIST(CONF_LDAP_VALIDATE_CERT, "LDAP_VALIDATE_CERT",
	    "ldap.server.validate_cert", CONF_BOOL, "true"),
	PERSIST(CONF_LDAP_CIPHERS, "LDAP_CIPHERS", "ldap.server.ciphers",
	    CONF_STR, "\"ALL\""),
	/* config.py, TASKS; an empty template means the DEFAULT_* one
	 * (lib/chattask.c) */
	PERSIST(CONF_TASK_MODEL, "TASK_MODEL", "task.model.default", CONF_STR,
	    "\"\""),
	PERSIST(CONF_TASK_MODEL_EXTERNAL, "TASK_MODEL_EXTERNAL",
	    "task.model.external", CONF_STR, "\"\""),
	PERSIST(CONF_TITLE_GENERATION_PROMPT_TEMPLATE,
	    "TITLE_GENERATION_PROMPT_TEMPLATE", "task.title.prompt_template",
	    CONF_STR, "\"\""),
	PERSIST(CONF_TAGS_GENERATION_PROMPT_TEMPLATE,
	    "TAGS_GENERATION_PROMPT_TEMPLATE", "task.tags.prompt_template",
	    CONF_STR, "\"\""),
	PERSIST(CONF_IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE,
	    "IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE",
	    "task.image.prompt_template", CONF_STR, "\"\""),
	PERSIST(CONF_FOLLOW_UP_GENERATION_PROMPT_TEMPLATE,
	    "FOLLOW_UP_GENERATION_PROMPT_TEMPLATE",
	    "task.follow_up.prompt_template", CONF_STR, "\"\""),
	PERSIST(CONF_ENABLE_FOLLOW_UP_GENERATION,
	    "ENABLE_FOLLOW_UP_GENERATION", "task.follow_up.enable", CONF_BOOL,
	    "true"),
	PERSIST(CONF_ENABLE_TAGS_GENERATION, "ENABLE_TAGS_GENERATION",
	    "task.tags.enable", CONF_BOOL, "true"),
	PERSIST(CONF_ENABLE_TITLE_GENERATION, "ENABLE_TITLE_GENERATION",
	    "task.title.enable", CONF_BOOL, "true"),
	PERSIST(CONF_ENABLE_SEARCH_QUERY_GENERATION,
	    "ENABLE_SEARCH_QUERY_GENERATION", "task.query.search.enable",
	    CONF_BOOL, "true"),
	PERSIST(CONF_ENABLE_RETRIEVAL_QUERY_GENERATION,
	    "ENABLE_RETRIEVAL_QUERY_GENERATION", "task.query.retrieval.enable",
	    CONF_BOOL, "true"),
	PERSIST(CONF_QUERY_GENERATION_PROMPT_TEMPLATE,
	    "QUERY_GENERATION_PROMPT_TEMPLATE", "task.query.prompt_template",
	    CONF_STR, "\"\""),
	PERSIST(CONF_AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH,
	    "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH",
	    "task.autocomplete.input_max_length", CONF_INT, "-1"),
	PERSIST(CONF_AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE,
	    "AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE",
	    "task.autocomplete.prompt_template", CONF_STR, "\"\""),
	PERSIST(CONF_TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE,
	    "TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE",
	    "task.tools.prompt_template", CONF_STR, "\"\""),
};

#define PE(s)	"USER_PERMISSIONS_" s
const struct conf_perm conf_perms[] = {
	{ "workspace", "models", PE("WORKSPACE_MODELS_ACCESS"), 0, 0 },
	{ "workspace", "knowledge", PE("WORKSPACE_KNOWLEDGE_ACCESS"), 0, 0 },
	{ "workspace", "prompts", PE("WORKSPACE_PROMPTS_ACCESS"), 0, 0 },
	{ "workspace", "tools", PE("WORKSPACE_TOOLS_ACCESS"), 0, 0 },
	{ "sharing", "public_models",
	    PE("WORKSPACE_MODELS_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "sharing", "public_knowledge",
	    PE("WORKSPACE_KNOWLEDGE_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "sharing", "public_prompts",
	    PE("WORKSPACE_PROMPTS_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "sharing", "public_tools",
	    PE("WORKSPACE_TOOLS_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "sharing", "public_notes", PE("NOTES_ALLOW_PUBLIC_SHARING"), 0, 1 },
	{ "chat", "controls", PE("CHAT_CONTROLS"), 1, 1 },
	{ "chat", "valves", PE("CHAT_VALVES"), 1, 1 },
	{ "chat", "system_prompt", PE("CHAT_SYSTEM_PROMPT"), 1, 1 },
	{ "chat", "params", PE("CHAT_PARAMS"), 1, 1 },
	{ "chat", "file_upload", PE("CHAT_FILE_UPLOAD"), 1, 1 },
	{ "chat", "delete", PE("CHAT_DELETE"), 1, 1 },
	{ "chat", "delete_message", PE("CHAT_DELETE_MESSAGE"), 1, 1 },
	{ "chat", "continue_response", PE("CHAT_CONTINUE_RESPONSE"), 1, 1 },
	{ "chat", "regenerate_response", PE("CHAT_REGENERATE_RESPONSE"),
	    1, 1 },
	{ "chat", "rate_response", PE("CHAT_RATE_RESPONSE"), 1, 1 },
	{ "chat", "edit", PE("CHAT_EDIT"), 1, 1 },
	{ "chat", "share", PE("CHAT_SHARE"), 1, 1 },
	{ "chat", "export", PE("CHAT_EXPORT"), 1, 1 },
	{ "chat", "stt", PE("CHAT_STT"), 1, 1 },
	{ "chat", "tts", PE("CHAT_TTS"), 1, 1 },
	{ "chat", "call", PE("CHAT_CALL"), 1, 1 },
	{ "chat", "multiple_models", PE("CHAT_MULTIPLE_MODELS"), 1, 1 },
	{ "chat", "temporary", PE("CHAT_TEMPORARY"), 1, 1 },
	{ "chat", "temporary_enforced", PE("CHAT_TEMPORARY_ENFORCED"), 0, 0 },
	{ "features", "direct_tool_servers",
	    PE("FEATURES_DIRECT_TOOL_SERVERS"), 0, 0 },
	{ "features", "web_search", PE("FEATURES_WEB_SEARCH"), 1, 1 },
	{ "features", "image_generation", PE("FEATURES_IMAGE_GENERATION"),
	    1, 1 },
	{ "features", "code_interpreter", PE("FEATURES_CODE_INTERPRETER"),
	    1, 1 },
	{ "features", "notes", PE("FEATURES_NOTES"), 1, 1 },
	{ NULL, NULL, NULL, 0, 0 }
};
#undef PE
