/* models.h: the merged model list of the Python backend (main.py
 * get_models, utils/models.py get_all_models and get_all_base_models) and
 * the non-streaming chat completion of main.py chat_completion over it.
 *
 * Base models come from the OpenAI connections (openai.h) and the Ollama
 * connections (ollama.h), plus function "pipe" models (none until functions
 * run); then arena models (ENABLE_EVALUATION_ARENA_MODELS,
 * EVALUATION_ARENA_MODELS) and the workspace models of the "model" table
 * (model.h) are applied. GET /api/models then merges tags, orders by
 * MODEL_ORDER_LIST and filters by access (access.h).
 *
 * Caching is per worker process, as Python's is per process (app.state):
 * the base list is reused while ENABLE_BASE_MODELS_CACHE is on until a
 * refresh, and otherwise for MODELS_CACHE_TTL seconds for the same user
 * (Python's per-user TTL cache of the connection lists); the last merged
 * list is what a chat completion resolves its model in, and it is rebuilt
 * when older than MODELS_CACHE_TTL or when the model asked for is not in it
 * (another worker may have seen a newer workspace model; Python refetches
 * the connection's list on each completion under the same TTL). The cache
 * lives until the process exits. */
#ifndef CWEBUI_MODELS_H
#define CWEBUI_MODELS_H

#include <json-c/json.h>

#include "buf.h"
#include "err.h"

struct arena;
struct db;
struct handoff;
struct user;

/* Python's get_all_base_models: function models + OpenAI models + Ollama
 * models converted to the OpenAI shape (owned_by "ollama", the upstream
 * object under "ollama", connection_type, tags). Not filtered by access.
 * *out is a new reference. ERR_OK, or the error of a connection module. */
enum err models_base(struct db *db, struct arena *a, const struct user *u,
	    json_object **out);

/* Python's get_all_models: the base list (cached as described above;
 * refresh skips the ENABLE_BASE_MODELS_CACHE copy) with arena and workspace
 * models applied, every model with "actions" and "filters". An empty base
 * list gives []. Not filtered by access. *out is a new reference. */
enum err models_all(struct db *db, struct arena *a, const struct user *u,
	    int refresh, json_object **out);

/* The "data" of GET /api/models for u: models_all without filter
 * pipelines, tags merged from info.meta.tags and tags, ordered by
 * MODEL_ORDER_LIST, and only the models u may read unless
 * BYPASS_MODEL_ACCESS_CONTROL (or u is an admin under
 * BYPASS_ADMIN_ACCESS_CONTROL). *out is a new reference. */
enum err models_list(struct db *db, struct arena *a, const struct user *u,
	    int refresh, json_object **out);

/* Python's request.app.state.MODELS[id]: the model id of the merged list
 * (rebuilt when it is older than MODELS_CACHE_TTL or lacks id) in *m
 * (arena), NULL when there is none. Not filtered by access. */
enum err models_get(struct db *db, struct arena *a, const struct user *u,
	    const char *id, json_object **m);

/* POST /api/chat/completions with "stream" not true: resolves form's
 * model in the merged list, checks u's access, applies the request's
 * params and the workspace model's params and system prompt, picks one
 * model of an arena model, and sends the completion to the model's OpenAI
 * or Ollama connection. form is the request body (changed). On ERR_OK
 * *status and body hold the answer to write: JSON text (text/plain only
 * when an upstream error was not JSON). body must be empty and live as
 * long as a (e.g. arena_alloc'd): its storage is registered on a.
 * ERR_INVAL when the request asks for what is not served here (streaming
 * and background tasks: see models_chat_ex; tools, files, features):
 * *status 400 and body hold the error. A direct connection
 * (model_item.direct) without a session_id is answered 200 null, as
 * Python's failing sio.call leaves it (the error saved into the chat
 * message when chat_id and id are set). */
enum err models_chat(struct db *db, struct arena *a, const struct user *u,
	    json_object *form, long *status, struct buf *body);

/* models_chat for a caller that may hand the request to cwebui-streamd:
 * token is the caller's credential (auth_type "session" connections; may
 * be NULL). With ho not NULL, a request that streams or carries
 * session_id, chat_id and id (Python's socket flow, which runs as a task)
 * is prepared and not sent: on ERR_OK ho->upstream.url is set and *ho is
 * the hand-off to answer (relay "raw" for an OpenAI connection, whose
 * Content-Type the client gets; "ollama-openai" for an Ollama model;
 * the selected_model_id prelude for an arena model that streams; the
 * task for the socket flow). A direct connection in the socket flow is
 * not sent anywhere: ho->task carries the model_item and the processed
 * form for the browser (direct_model, direct_form; no upstream). Anything
 * else is answered as models_chat answers it (handoff_ready(ho) 0). With
 * ho NULL, models_chat. */
enum err models_chat_ex(struct db *db, struct arena *a,
	    const struct user *u, const char *token, json_object *form,
	    struct handoff *ho, long *status, struct buf *body);

/* POST /api/embeddings (main.py embeddings, utils/embeddings.py
 * generate_embeddings): form's "model" resolved in the merged list, the
 * access check for role "user" (unless BYPASS_MODEL_ACCESS_CONTROL), then
 * an Ollama model goes to its connection's /api/embeddings (converted both
 * ways, as Python's embedding payload and response converters do) and any
 * other to the OpenAI connection that lists it (else the first). token is
 * the caller's credential (for auth_type "session"; may be NULL). On
 * ERR_OK *status, *ctype (NULL: JSON) and body hold the answer to write;
 * body is handled as models_chat's. ERR_NOTFOUND when the model is not in
 * the list or u may not read it, ERR_INVAL when the converted form does
 * not validate or no OpenAI connection exists: Python fails there with an
 * uncaught exception (a plain 500). */
enum err models_embeddings(struct db *db, struct arena *a,
	    const struct user *u, const char *token, json_object *form,
	    long *status, const char **ctype, struct buf *body);

#endif
