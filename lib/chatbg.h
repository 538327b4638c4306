/* chatbg.h: the background tasks that follow a chat answer in the socket
 * flow (utils/middleware.py background_tasks_handler of Open WebUI 0.6.32):
 * follow-up suggestions, the chat title and the chat tags, each generated
 * by its task route (chattask.h) from the stored conversation, written into
 * the chat as Python writes them, and reported as the events the chat's
 * owner receives. cwebui-streamd asks for them through the internal route
 * POST /_streamd/chat/background once the answer is stored. */
#ifndef CWEBUI_CHATBG_H
#define CWEBUI_CHATBG_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;
struct user;

/* Runs the tasks of the object tasks ("follow_up_generation",
 * "title_generation", "tags_generation"; borrowed) for message message_id
 * of chat chat_id as u (token: u's credential for "session" connections,
 * may be NULL). The conversation is the chain of stored messages ending at
 * message_id, <details> blocks and images removed; model is used when the
 * stored message names none. *events (a new array owned by a) receives the
 * {"type", "data"} events in Python's order: chat:message:follow_ups,
 * chat:title, chat:tags; a task whose answer does not parse adds none, and
 * a task whose route raises (model not found) ends the run, as in Python.
 * No chat or no such message: no events. ERR_OK, or the error of the
 * database or the model list. */
enum err chatbg_run(struct db *db, struct arena *a, const struct user *u,
	    const char *token, const char *chat_id, const char *message_id,
	    const char *model, json_object *tasks, json_object **events);

#endif
