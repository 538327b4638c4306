/* relay.h: the streaming-capable endpoints of cwebui-streamd (chat
 * completions, the OpenAI and Ollama proxies): the request is forwarded to
 * cwebui-fcgi; a plain answer goes back to the client as it is, a hand-off
 * (Content-Type application/x-cwebui-handoff) is carried out here: the
 * upstream request is made and its body streamed to the client (relay
 * "raw", or Ollama NDJSON turned into OpenAI SSE: "ollama-openai"), or a
 * chat task is started (task.h). */
#ifndef CWEBUI_RELAY_H
#define CWEBUI_RELAY_H

#include <json-c/json.h>

struct hreq;

#define RELAY_HANDOFF_TYPE	"application/x-cwebui-handoff"
#define RELAY_MAX_PENDING	(1024 * 1024)	/* queued client bytes that
						   pause the upstream */

/* The handler of those routes (srv_routes.c). */
void	 relay_http(struct hreq *r);

/* One parsed line of an Ollama NDJSON chat stream as an OpenAI
 * chat.completion.chunk (the "ollama-openai" relay; ollama.h
 * ollama_chunk_to_openai()); model stands in when the line names none.
 * New reference. */
json_object *relay_ollama_chunk(json_object *line, const char *model);

#endif
