/* openai.h: the OpenAI-compatible connections of routers/openai.py.
 *
 * A connection is one entry of OPENAI_API_BASE_URLS with the key at the
 * same index of OPENAI_API_KEYS and its settings in OPENAI_API_CONFIGS
 * under the index as a string (or, legacy, under the URL): enable,
 * prefix_id, model_ids, tags, connection_type, auth_type, azure,
 * api_version. Everything returned lives in the arena passed in, or is a
 * new json-c reference where said. */
#ifndef CWEBUI_OPENAI_H
#define CWEBUI_OPENAI_H

#include <json-c/json.h>

#include "buf.h"
#include "err.h"
#include "http.h"

struct arena;
struct db;
struct user;

/* One connection as the request sees it. */
struct openai_conn {
	int		 idx;
	const char	*url;		/* base URL, e.g. "https://api.openai.com/v1" */
	const char	*key;		/* "" when none */
	json_object	*config;	/* borrowed; an empty object when none */
};

/* The number of configured base URLs. */
int	 openai_conn_count(void);
/* Fills *c with connection idx (its key padded to "" as Python aligns
 * them). Returns ERR_NOTFOUND when idx is out of range. Strings borrowed
 * from the settings: valid until the next conf_refresh()/conf_set(). */
enum err openai_conn_get(struct arena *a, int idx, struct openai_conn *c);

/* The request headers Python's get_headers_and_cookies sends to a
 * connection: Content-Type, OpenRouter's referer, X-OpenWebUI-User-* (and
 * -Chat-Id when chat_id is not NULL) when ENABLE_FORWARD_USER_INFO_HEADERS,
 * Authorization by the connection's auth_type (token is the caller's own
 * credential for auth_type "session", may be NULL). A NULL-terminated
 * array of "Name: value" strings, arena-owned, with room for two more. */
const char **openai_headers(struct arena *a, const struct openai_conn *c,
	    const struct user *u, const char *token, const char *chat_id);

/* The merged model list of all enabled connections, fetched in parallel
 * with the model-list timeout; a connection that fails or hangs adds no
 * models. A new reference: the JSON array exactly as Python's
 * openai.get_all_models(...)["data"] (prefix ids, tags, model id filters,
 * connection_type, urlIdx, "openai" holding the upstream object). No
 * access filtering. [] when ENABLE_OPENAI_API is off. refresh is accepted
 * for the contract; every call asks the connections again. */
enum err openai_models(struct db *db, struct arena *a, const struct user *u,
	    int refresh, json_object **out);

/* openai_models in two steps, so that a caller can send its requests in
 * one parallel round with others (lib/models.c sends them with the Ollama
 * ones): prepare fills *f, whose q[0..nq-1] (arena) are to be sent; finish
 * takes their answers rs[0..nq-1] and returns what openai_models gives
 * (new reference). */
struct openai_fetch {
	struct http_req	*q;
	int		 nq;
	/* the module's own */
	int		 n;
	struct openai_conn *c;
	int		*qidx;
	json_object	**lists;
};
void	 openai_models_prepare(struct db *db, struct arena *a,
	    const struct user *u, struct openai_fetch *f);
json_object *openai_models_finish(struct arena *a,
	    const struct openai_fetch *f, const struct http_resp *rs);

/* Returns the model whose "id" is id in the list from openai_models (the
 * last one, as Python's dict keeps), or NULL. Borrowed. */
json_object *openai_model_find(json_object *models, const char *id);

/* aiohttp's json(): the body parsed when the content type is JSON
 * (application/json or application/...+json), else NULL (also for JSON
 * null and for a transport failure). New reference. */
json_object *openai_resp_json(const struct http_resp *r);

/* Removes OpenAI's non-chat models (babbage, dall-e, davinci, embedding,
 * tts, whisper) from the "data" list of a /models answer. */
void	 openai_drop_non_chat(json_object *resp);

/* Python's repr() of a JSON value (dicts as {'k': 'v'}), for the error
 * texts that embed one. Arena-owned. */
const char *openai_pyrepr(struct arena *a, json_object *v);

/* convert_to_azure_payload: keeps only the parameters Azure takes for
 * api_version (reasoning models: max_tokens renamed, temperature other
 * than 1 dropped) in p and returns "{url}/openai/deployments/{model}".
 * Arena-owned. */
const char *openai_azure_payload(struct arena *a, const char *url,
	    json_object *p, const char *api_version);

/* The access part of the resolution below: a workspace model with
 * payload's "model" id replaces it by its base_model_id, applies its
 * params and system prompt (ERR_INVAL where Python fails) and, for role
 * "user" unless bypass (or BYPASS_MODEL_ACCESS_CONTROL), needs the owner
 * or read access; a model not in the workspace is for admins only (unless
 * bypass). ERR_OK, ERR_DENIED (Python's 403 "Model not found"), ERR_DB. */
enum err openai_model_access(struct db *db, struct arena *a,
	    const struct user *u, json_object *payload, int bypass);

/* Python's model resolution in generate_chat_completion: a workspace model
 * with this id replaces payload's "model" by its base_model_id and, for
 * role "user" unless bypass (BYPASS_MODEL_ACCESS_CONTROL), needs the
 * owner or read access; a model not in the workspace is for admins only
 * (unless bypass). Then the connection owning the model: *idx and *model
 * (borrowed from *models, a new reference the caller puts). ERR_DENIED
 * for Python's 403 "Model not found", ERR_NOTFOUND for its 404, ERR_DB. */
enum err openai_resolve(struct db *db, struct arena *a, const struct user *u,
	    json_object *payload, int bypass, json_object **models, int *idx,
	    json_object **model);

/* Prepares the chat completion for connection url_idx as Python's
 * generate_chat_completion does once the model is resolved: pops
 * "metadata" from payload (its chat_id goes into the forwarded headers),
 * strips the connection's prefix_id from "model", adapts reasoning-model
 * and max_tokens fields, converts logit_bias, applies Azure settings, and
 * fills *q (strings in a) with the POST {url}/chat/completions and the
 * request timeout, for http_do() or a hand-off to cwebui-streamd (token:
 * the caller's credential for auth_type "session", may be NULL). payload
 * is modified. The caller has checked the user's access to the model.
 * ERR_NOTFOUND when url_idx is out of range. */
enum err openai_chat_prepare(struct arena *a, const struct user *u,
	    const char *token, int url_idx, json_object *payload,
	    struct http_req *q);

/* openai_chat_prepare, then sends the request and fills *out (the whole
 * upstream answer, as http_do). */
enum err openai_chat_send(struct arena *a, const struct user *u,
	    const char *token, int url_idx, json_object *payload,
	    struct http_resp *out);

/* Python's openai.embeddings(): the connection owning payload's "model"
 * (else the first), POST {url}/embeddings with form as is and no timeout. */
enum err openai_embeddings(struct db *db, struct arena *a,
	    const struct user *u, const char *token, json_object *form,
	    struct http_resp *out);

#endif
