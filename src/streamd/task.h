/* task.h: chat tasks in cwebui-streamd: the generation that a chat
 * completion request with session_id, chat_id and id starts (Python's
 * create_task(process_chat(...))), its chat-events, the saving of the answer
 * into the chat, stop, and the /api/tasks and /api/usage routes. */
#ifndef CWEBUI_TASK_H
#define CWEBUI_TASK_H

#include <json-c/json.h>

struct hconn;
struct hreq;

/* Starts the task of a hand-off that has a "task" object (handoff is
 * borrowed; what is kept is copied) and answers c with
 * {"status": true, "task_id": ...}, or with an error. */
void	 task_start(struct hconn *c, json_object *handoff);

/* The handlers (taskhttp.c) of GET /api/tasks, GET
 * /api/tasks/chat/{chat_id}, POST /api/tasks/stop/{task_id}, GET /api/usage
 * and the session presence of users.py: GET /api/v1/users/active, GET
 * /api/v1/users/{user_id}/active. */
void	 task_list_http(struct hreq *r);
void	 task_chat_http(struct hreq *r);
void	 task_stop_http(struct hreq *r);
void	 task_usage_http(struct hreq *r);
void	 task_users_active_http(struct hreq *r);
void	 task_user_active_http(struct hreq *r);

#endif
