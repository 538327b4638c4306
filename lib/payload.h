/* payload.h: what Python's utils/payload.py and utils/task.py do to a chat
 * request body before it goes to a provider: a workspace model's params and
 * system prompt applied, and the OpenAI body converted to Ollama's.
 *
 * Functions change the json_object they are given in place; nothing is
 * allocated that the caller must free unless said (new references). */
#ifndef CWEBUI_PAYLOAD_H
#define CWEBUI_PAYLOAD_H

#include <json-c/json.h>

#include "err.h"

struct user;

/* utils/task.py prompt_template: {{CURRENT_DATE}}, {{USER_NAME}} ...
 * replaced (u may be NULL). Returns a new malloc'd string. */
char	*payload_prompt_template(const char *tmpl, const struct user *u);

/* apply_system_prompt_to_body: when system is not empty, fills metadata's
 * "variables" and the prompt template into it and puts it first in
 * payload's messages (prepended to an existing first system message). */
void	 payload_apply_system(const char *system, json_object *payload,
	    json_object *metadata, const struct user *u);

/* apply_model_params_to_body_ollama / _openai: params (a model's params
 * object, changed: Open WebUI keys and custom_params removed) applied to
 * payload with the casts Python makes. ERR_INVAL when a cast fails (Python
 * raises: the route answers 500). */
enum err payload_params_ollama(json_object *params, json_object *payload);
enum err payload_params_openai(json_object *params, json_object *payload);

/* convert_payload_openai_to_ollama: a new Ollama /api/chat body from an
 * OpenAI chat body (not changed). ERR_INVAL where Python raises (a tool
 * call whose arguments are not JSON). *out is a new reference. */
enum err payload_openai_to_ollama(json_object *openai, json_object **out);

#endif
