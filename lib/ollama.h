/* ollama.h: the Ollama connections of routers/ollama.py (settings
 * ENABLE_OLLAMA_API, OLLAMA_BASE_URLS, OLLAMA_API_CONFIGS).
 *
 * Connections are numbered by their position in OLLAMA_BASE_URLS (url_idx);
 * each has an optional entry in OLLAMA_API_CONFIGS under its index as a
 * string (or, legacy, under its URL) with enable, key, prefix_id, tags,
 * model_ids, connection_type. Every json_object returned is a new reference
 * the caller owns unless said otherwise; strings live in the arena. */
#ifndef CWEBUI_OLLAMA_H
#define CWEBUI_OLLAMA_H

#include <json-c/json.h>

#include "buf.h"
#include "err.h"
#include "http.h"

struct arena;
struct db;
struct user;

/* The merged model list, exactly as Python's ollama.get_all_models(...)
 * ["models"]: each enabled connection's /api/tags asked in parallel (model
 * list timeout), model_ids filter, prefix_id, tags, connection_type applied,
 * models present on several connections merged with "urls": [idx, ...], and
 * "expires_at" (epoch seconds) from /api/ps. An empty array when
 * ENABLE_OLLAMA_API is off or no connection answers. Not filtered by access
 * (the caller does that). refresh is accepted for the contract; every call
 * asks the connections. *out is a new reference. */
enum err ollama_models(struct db *db, struct arena *a, const struct user *u,
	    int refresh, json_object **out);

/* ollama_models in two steps, so that a caller can send its requests in
 * one parallel round with others (lib/models.c sends them with the OpenAI
 * ones): prepare fills *f, whose q[0..nq-1] (arena) are to be sent, the
 * /api/tags and /api/ps of every enabled connection; finish takes their
 * answers rs[0..nq-1] and returns what ollama_models gives (new
 * reference). */
struct ollama_fetch {
	struct http_req	*q;
	int		 nq;
	/* the module's own */
	int		 on, n, ntags;
	int		*which;
};
void	 ollama_models_prepare(struct arena *a, const struct user *u,
	    struct ollama_fetch *f);
json_object *ollama_models_finish(struct arena *a,
	    const struct ollama_fetch *f, const struct http_resp *rs);

/* What Python's generate_chat_completion does for an Ollama model on
 * /api/chat/completions (stream false): converts the OpenAI chat payload to
 * an Ollama /api/chat body (utils/payload.py
 * convert_payload_openai_to_ollama), posts it to connection url_idx (-1:
 * a random connection that has the model, as Python picks), and converts the
 * answer to an OpenAI chat.completion object (utils/response.py
 * convert_response_ollama_to_openai). On ERR_OK, *status is the HTTP status
 * to answer and openai_body holds JSON: the converted completion on 200, or
 * {"detail": "..."} as Python would answer (400 when the model is not on
 * any connection, 403 "Model not found" when u may not use it).
 * openai_payload is borrowed and not changed; its "model" is the id the
 * request named (a workspace model id is resolved here, as Python's
 * ollama.generate_chat_completion does: base model, params, system prompt
 * and the access check, so the caller applies none of them). The answer
 * is appended to openai_body, which the caller owns. */
enum err ollama_chat_openai(struct db *db, struct arena *a,
	    const struct user *u, int url_idx, json_object *openai_payload,
	    long *status, struct buf *openai_body);

/* ollama_chat_openai up to the request, prepared and not sent: on ERR_OK
 * with *status 0, *q is the /api/chat request (strings in a) and *stream
 * whether it streams (for a hand-off to cwebui-streamd, whose relay
 * converts the NDJSON to OpenAI chunks); with *status set, openai_body
 * holds the answer as ollama_chat_openai gives it. */
enum err ollama_chat_openai_prepare(struct db *db, struct arena *a,
	    const struct user *u, int url_idx, json_object *openai_payload,
	    long *status, struct buf *openai_body, struct http_req *q,
	    int *stream);

/* The part of the API the routes of src/fcgi/h_ollama.c use. */

/* One connection as a request sees it. */
struct ollama_conn {
	int		 idx;
	const char	*url;		/* base URL: "http://host:11434" */
	json_object	*config;	/* borrowed; {} when none */
	const char	*key;		/* Python's get_api_key; NULL when none */
	const char	*prefix_id;	/* NULL when none */
};

/* The number of configured base URLs. */
int	 ollama_conn_count(void);
/* Fills *c with connection idx. ERR_NOTFOUND when idx is out of range.
 * Strings are borrowed from the settings or live in a. */
enum err ollama_conn_get(struct arena *a, int idx, struct ollama_conn *c);

/* Sends method {c->url}{path} with body (NULL: none; borrowed) as JSON,
 * the connection's key and, under ENABLE_FORWARD_USER_INFO_HEADERS, u's
 * X-OpenWebUI-User-* headers (and -Chat-Id when chat_id is not NULL).
 * Fills *out as http_do does; timeout_ms as http_req's. */
enum err ollama_send(struct arena *a, const struct ollama_conn *c,
	    const char *method, const char *path, const struct user *u,
	    const char *chat_id, json_object *body, long timeout_ms,
	    struct http_resp *out);

/* The request ollama_send sends, prepared into *q and not sent (strings
 * in a). */
void	 ollama_prepare(struct arena *a, const struct ollama_conn *c,
	    const char *method, const char *path, const struct user *u,
	    const char *chat_id, json_object *body, long timeout_ms,
	    struct http_req *q);

/* The status and {"detail"} Python answers for a failed exchange made with
 * `requests` (show, embed, copy, delete, tags/{idx} ...): upstream
 * {"error": e} gives "Ollama: e"; url is the one asked, for the text of
 * a non-JSON error. Returns 1 and sets both when h is a
 * failure (transport or non-2xx), else 0. *detail lives in a. */
int	 ollama_requests_error(struct arena *a, const struct http_resp *h,
	    const char *url, long *status, const char **detail);
/* The same for send_post_request (aiohttp: generate, chat, pull ...):
 * upstream {"error": e} gives e with the upstream status. */
int	 ollama_post_error(struct arena *a, const struct http_resp *h,
	    const char *url, long *status, const char **detail);

/* Python's get_ollama_loaded_models: /api/ps of every enabled connection,
 * prefix_id applied, merged with "urls". [] when the API is off. */
enum err ollama_loaded(struct arena *a, const struct user *u,
	    json_object **out);

/* The model called name in the list of ollama_models() (borrowed), or
 * NULL. */
json_object *ollama_find(json_object *models, const char *name);
/* A random entry of model's "urls" (Python's random.choice), or -1. */
int	 ollama_pick(json_object *model);

/* The connection for model name, as Python picks it: url_idx when given
 * (>= 0), else a random one of the connections that have the model. A
 * user who is not an admin may only name a connection that has the model
 * (GHSA-9rpj-v7hf-vv2w). ERR_OK with *idx; ERR_NOTFOUND when the model is
 * not served (there). */
enum err ollama_resolve(struct db *db, struct arena *a, const struct user *u,
	    const char *name, int url_idx, int *idx);

/* The models of list (borrowed) that u may read: a workspace model row
 * with the id at key idkey ("model" or "id") that u owns or may read
 * (Python's get_filtered_models). New reference. */
enum err ollama_filter(struct db *db, struct arena *a, const struct user *u,
	    json_object *list, const char *idkey, json_object **out);

/* Python's generate_chat_completion of routers/ollama.py for the body
 * form (changed): validation (400 with pydantic's text), the workspace
 * model's base model, params and system prompt, the access check (unless
 * bypass or BYPASS_MODEL_ACCESS_CONTROL), the connection (url_idx, or -1:
 * one that has the model), prefix_id, then POST /api/chat. Streaming is
 * refused (400): a hand-off (ollama_chat_prepare) serves it. On ERR_OK
 * *status and *out (new reference) are the answer: the upstream JSON on
 * 200, else {"detail": ...}. */
enum err ollama_chat(struct db *db, struct arena *a, const struct user *u,
	    int url_idx, json_object *form, int bypass, long *status,
	    json_object **out);

/* ollama_chat in two steps. prepare: everything up to the request; on
 * ERR_OK with *status 0, *q is the POST /api/chat to send (strings in a;
 * form's "stream" tells whether it streams), else *status and *out (new
 * reference) are the answer. send: performs q and fills *status and *out
 * as ollama_chat does (url in error texts: q->url). */
enum err ollama_chat_prepare(struct db *db, struct arena *a,
	    const struct user *u, int url_idx, json_object *form, int bypass,
	    long *status, json_object **out, struct http_req *q);
enum err ollama_chat_send(struct arena *a, const struct http_req *q,
	    long *status, json_object **out);

/* payload["model"].replace(f"{prefix}.", ""): every "prefix." removed
 * from o's "model" (nothing when prefix is NULL). */
void	 ollama_strip_prefix(struct arena *a, json_object *o,
	    const char *prefix);
/* Removes o's null members (model_dump(exclude_none=True), top level). */
void	 ollama_drop_nulls(json_object *o);

/* One line of an Ollama chat stream (NDJSON, parsed) as an OpenAI
 * chat.completion.chunk, as Python's
 * convert_streaming_response_ollama_to_openai makes it: the delta holds the
 * content, reasoning_content (Ollama's thinking) and tool_calls that are
 * set; with none of them finish_reason is "stop"; a line with "done" true
 * adds the usage. model stands in when the line has none (NULL: "ollama").
 * New reference. */
json_object *ollama_chunk_to_openai(json_object *data, const char *model);

/* The detail of the 400 a stream request gets when it does not come
 * from cwebui-streamd. */
#define OLLAMA_MSG_NO_STREAM	"Streaming responses are not available " \
	"yet in this server: send \"stream\": false"

#endif
