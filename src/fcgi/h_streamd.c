/* h_streamd.c: the internal routes /_streamd/ that cwebui-streamd calls for
 * what needs the database: who a Socket.IO token or forwarded credential
 * is, and the writes of the chat flow into a chat's messages. They exist
 * only for requests from streamd (R_STREAMD: any other request gets the
 * router's 404, as for a path that is not registered). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authn.h"
#include "channel.h"
#include "chatmsg.h"
#include "handlers.h"
#include "json.h"
#include "jwt.h"
#include "log.h"
#include "mem.h"
#include "req.h"
#include "router.h"
#include "user.h"
#include "webhook.h"

/* Writes 200 with the user (UserResponse) and the ids of the channels
 * the user may read, for the outcome e of authn_socket_*(); 401 for a
 * bad token or an unknown user. */
static int
streamd_user_reply(struct req *r, enum err e, json_object *o)
{
	if (e == ERR_DENIED || e == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_INVALID_TOKEN);
	if (e != ERR_OK)
		return resp_internal(r, "streamd auth", e);
	return resp_json(r, 200, o);
}

/* Returns 200 with the user a Socket.IO token names (decode_token, then
 * the user by id, any role), or with {} or {"path": the client's path} the
 * user of the forwarded credential as a verified-user route of that path
 * reads it (API keys and their endpoint restrictions included);
 * 401 for a bad, expired or unknown token, the route's 401/403 else. */
int
h_streamd_auth(struct req *r)
{
	json_object *tok, *o = NULL;
	enum err e;
	int st;

	if (!json_object_object_get_ex(r->json, "token", &tok)) {
		/* the client's path, for the API key endpoint restrictions */
		if (json_get_str(r->json, "path") != NULL)
			r->path = json_get_str(r->json, "path");
		if ((st = authn_check(r, AUTH_VERIFIED)) != 0)
			return st;
		e = authn_socket_json(r->db, r->a, r->user->id, &o);
	} else if (!json_object_is_type(tok, json_type_string))
		e = ERR_DENIED;
	else
		e = authn_socket_token(r->db, r->a,
		    json_object_get_string(tok), &o);
	return streamd_user_reply(r, e, o);
}

/* Reads the string members chat_id and message_id: 0, or the 422 written. */
static int
streamd_ids(struct req *r, const char **chat_id, const char **message_id)
{
	*chat_id = json_get_str(r->json, "chat_id");
	*message_id = json_get_str(r->json, "message_id");
	if (*chat_id == NULL)
		return resp_invalid(r, "chat_id", "string_type",
		    "Input should be a valid string");
	if (*message_id == NULL)
		return resp_invalid(r, "message_id", "string_type",
		    "Input should be a valid string");
	return 0;
}

/* Writes 200 {"title": title, "message": msg} for the outcome e of a chat
 * write (a chat that does not exist or a document Python fails on: nothing
 * written, title null); "message" (the message as stored, borrowed) only
 * when msg is not NULL. */
static int
streamd_chat_reply(struct req *r, enum err e, const char *title,
    json_object *msg)
{
	json_object *o;

	if (e != ERR_OK && e != ERR_NOTFOUND && e != ERR_INVAL)
		return resp_internal(r, "streamd chat", e);
	if (e == ERR_INVAL)
		log_warn("[%s] chat %s: not written (a document Python fails "
		    "on)", r->id, json_get_str(r->json, "chat_id"));
	o = json_object_new_object();
	json_object_object_add(o, "title", e == ERR_OK ?
	    json_str_or_null(title) : NULL);
	if (msg != NULL)
		json_object_object_add(o, "message", json_object_get(msg));
	return resp_json(r, 200, o);
}

/* 1 for the temporary chat ids ("local", "local:..."): nothing stored. */
static int
streamd_local(const char *chat_id)
{
	return strcmp(chat_id, "local") == 0 ||
	    strncmp(chat_id, "local:", 6) == 0;
}

/* Returns 200 {"title", "message"} after merging "message" into the chat's
 * message (Chats.upsert_message_to_chat_by_id_and_message_id); title null
 * and no "message" when nothing was written (no such chat, a temporary
 * chat). */
int
h_streamd_chat_message(struct req *r)
{
	const char *chat_id, *message_id, *title = NULL;
	json_object *msg = json_get(r->json, "message"), *merged = NULL;
	enum err e;
	int st;

	if ((st = streamd_ids(r, &chat_id, &message_id)) != 0)
		return st;
	if (!json_object_is_type(msg, json_type_object))
		return resp_invalid(r, "message", "dict_type",
		    "Input should be a valid dictionary");
	if (streamd_local(chat_id))
		return streamd_chat_reply(r, ERR_NOTFOUND, NULL, NULL);
	e = chatmsg_upsert(r->db, r->a, chat_id, message_id, msg, &title,
	    &merged);
	return streamd_chat_reply(r, e, title, merged);
}

/* Returns 200 {"title"} after appending "status" to the message's
 * statusHistory, as the event emitter of a "status" event does. */
int
h_streamd_chat_status(struct req *r)
{
	const char *chat_id, *message_id, *title = NULL;
	json_object *status;
	enum err e;
	int st;

	if ((st = streamd_ids(r, &chat_id, &message_id)) != 0)
		return st;
	if (!json_object_object_get_ex(r->json, "status", &status))
		status = json_on_arena(r->a, json_object_new_object());
	if (streamd_local(chat_id))
		return streamd_chat_reply(r, ERR_NOTFOUND, NULL, NULL);
	e = chatmsg_add_status(r->db, r->a, chat_id, message_id, status,
	    &title);
	return streamd_chat_reply(r, e, title, NULL);
}

/* Sends the chat notification webhook of the user, who has no live
 * session (utils/middleware.py): body {"user_id", "chat_id", "title",
 * "content"}. Answers 200 {"status": bool} (whether a webhook answered). */
int
h_streamd_chat_notify(struct req *r)
{
	const char *uid = json_get_str(r->json, "user_id");
	const char *chat_id = json_get_str(r->json, "chat_id");
	const char *content = json_get_str(r->json, "content");
	json_object *o;
	struct user *u;
	enum err e;

	if (uid == NULL || chat_id == NULL || content == NULL)
		return resp_invalid(r, uid == NULL ? "user_id" : chat_id ==
		    NULL ? "chat_id" : "content", "string_type",
		    "Input should be a valid string");
	e = user_get(r->db, r->a, uid, &u);
	if (e == ERR_OK)
		e = webhook_chat(r->a, u, chat_id, json_get_str(r->json,
		    "title"), content);
	else if (e != ERR_NOTFOUND)
		return resp_internal(r, "streamd notify", e);
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_boolean(e ==
	    ERR_OK));
	return resp_json(r, 200, o);
}
