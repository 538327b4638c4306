/* h_streamd_bg.c: the internal route POST /_streamd/chat/background, by
 * which cwebui-streamd has the background tasks of a chat answer run
 * (follow-ups, title, tags: lib/chatbg.c) once the answer is stored. It
 * exists only for requests from streamd (R_STREAMD in the route table). */
#include <string.h>

#include "body.h"
#include "chatbg.h"
#include "handlers.h"
#include "json.h"
#include "mem.h"
#include "req.h"
#include "user.h"

/* Returns 200 {"events": [{"type", "data"}, ...]}: what to emit to the
 * user's chat, in order; no events for an unknown user or chat or a
 * temporary chat; 422 for a bad body. */
int
h_streamd_chat_background(struct req *r)
{
	static const struct body_spec form[] = {
		{ "user_id", BODY_STR, 0, NULL, NULL },
		{ "chat_id", BODY_STR, 0, NULL, NULL },
		{ "message_id", BODY_STR, 0, NULL, NULL },
		{ "model", BODY_STR, BODY_NULL | BODY_ABSENT, NULL, NULL },
		{ "background_tasks", BODY_DICT, BODY_NULL | BODY_ABSENT, NULL,
		    NULL },
	};
	json_object *v[5], *events = NULL, *o;
	const char *chat_id;
	struct user *u;
	enum err e;
	int st;

	if ((st = body_read(r, form, 5, v)) != 0)
		return st;
	chat_id = json_object_get_string(v[1]);
	e = user_get(r->db, r->a, json_object_get_string(v[0]), &u);
	if (e == ERR_OK && strcmp(chat_id, "local") != 0 &&
	    strncmp(chat_id, "local:", 6) != 0)
		e = chatbg_run(r->db, r->a, u, NULL, chat_id,
		    json_object_get_string(v[2]), v[3] != NULL ?
		    json_object_get_string(v[3]) : NULL, v[4], &events);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return resp_internal(r, "streamd background", e);
	o = json_object_new_object();
	json_object_object_add(o, "events", events != NULL ?
	    json_object_get(events) : json_object_new_array());
	return resp_json(r, 200, o);
}
