/* handoff.h: the hand-off cwebui-fcgi answers cwebui-streamd with when an
 * answer must stream (or, for the chat socket flow, run as a task).
 *
 * A request forwarded by streamd (FastCGI param CWEBUI_STREAMD, see ikey.h)
 * whose answer would stream is prepared here exactly as the blocking path
 * prepares it (the same struct http_req), but instead of being sent it is
 * described to streamd as JSON with the content type HANDOFF_CTYPE:
 *
 *   {"upstream": {"method", "url", "headers": ["Name: value", ...],
 *                 "body", "timeout_ms"},      timeout_ms 0: no limit
 *    "relay": "raw" | "ollama-openai",
 *    "content_type": "text/event-stream" | null,   null: the upstream's
 *    "prelude": "data: {...}\n\n",                 only when set
 *    "errors": "ollama",            only when set: see ollama_errors
 *    "conn_error": {"status", "body"}, only when set: see conn_error_*
 *    "task": {"user_id", "chat_id", "message_id", "session_id", "model",
 *             "stream", "background_tasks", "messages", "user", "params",
 *             "selected_model_id" (an arena's pick, when set),
 *             "direct": {"model", "form_data"} (a direct connection)}}
 *                                                  when set
 *
 * streamd performs the upstream request itself; with "task" it answers the
 * client {"status": true, "task_id"} and runs the chat flow. A task with
 * "direct" has no "upstream": the user's browser session runs the
 * completion (Python's generate_direct_chat_completion); "model" is the
 * request's model_item and "form_data" the form after the payload
 * processing, without "metadata". */
#ifndef CWEBUI_HANDOFF_H
#define CWEBUI_HANDOFF_H

#include <json-c/json.h>

#include "http.h"

struct arena;
struct user;

#define HANDOFF_CTYPE	"application/x-cwebui-handoff"
#define HANDOFF_CONN_ERROR	"Open WebUI: Server Connection Error"

enum handoff_relay {
	HANDOFF_RAW = 0,	/* upstream bytes to the client as they come */
	HANDOFF_OLLAMA_OPENAI,	/* Ollama NDJSON converted to OpenAI SSE */
	HANDOFF__MAX
};

/* The chat socket flow (session_id, chat_id and id in the request). */
struct handoff_task {
	const char	*chat_id;
	const char	*message_id;
	const char	*session_id;
	const char	*model;		/* the model id as requested */
	int		 stream;
	json_object	*background_tasks;	/* borrowed; NULL: null */
	json_object	*messages;	/* borrowed; the request's messages */
	const char	*selected_model_id;	/* arena pick, or NULL */
	/* {"stream_delta_chunk_size", "reasoning_tags"}: the chat's params,
	 * the model's winning (Python's metadata["params"]); borrowed */
	json_object	*params;
	const struct user *user;
	/* A direct connection (model_item.direct): the model_item and the
	 * form for the browser, borrowed; NULL for a provider model. */
	json_object	*direct_model;
	json_object	*direct_form;
};

struct handoff {
	struct http_req	 upstream;	/* url NULL: no hand-off prepared */
	enum handoff_relay relay;
	const char	*content_type;	/* NULL: copy the upstream's */
	const char	*prelude;	/* NULL: none */
	/* An error status of the provider is answered as the Ollama router's
	 * send_post_request raises it (ollama.h ollama_post_error()), not
	 * passed through: "errors": "ollama". */
	int		 ollama_errors;
	/* The answer when the provider cannot be reached at all, as the
	 * route shows a connection error: status and JSON body (0: 500
	 * {"detail": HANDOFF_CONN_ERROR}, the proxies' answer). */
	int		 conn_error_status;
	const char	*conn_error_body;
	const struct handoff_task *task; /* NULL: relay to the client */
};

/* 1 when h is a hand-off to answer: an upstream request prepared, or a
 * task of a direct connection (which has none). */
int	 handoff_ready(const struct handoff *h);

/* Returns the hand-off JSON of h (see above) as a new reference. Nothing of
 * h is kept. */
json_object *handoff_json(const struct handoff *h);

/* The same as text, arena-owned (NUL-terminated). */
const char *handoff_text(struct arena *a, const struct handoff *h);

#endif
