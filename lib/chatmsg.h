/* chatmsg.h: writes into one message of a chat document, as the Python
 * backend's Chats.upsert_message_to_chat_by_id_and_message_id and
 * Chats.add_message_status_to_chat_by_id_and_message_id do for the chat
 * flow (cwebui-streamd asks cwebui-fcgi for them, see handoff.h).
 *
 * Both read the chat, change its document (column chat) and store it with
 * update_chat_by_id's title rule ("title" of the document, "New Chat"
 * without one) and updated_at now. Concurrent writers of one chat are not
 * serialized: the last write wins, as in Python. Strings returned live in
 * the arena passed in. */
#ifndef CWEBUI_CHATMSG_H
#define CWEBUI_CHATMSG_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

/* Merges the members of message (an object; borrowed) into
 * history.messages[message_id] (created when absent), a string "content"
 * without its NUL characters, and makes it history.currentId. *title is the
 * chat's title afterwards; *merged (when merged is not NULL) the message as
 * stored now, owned by the arena. ERR_OK; ERR_NOTFOUND when there is no such chat;
 * ERR_INVAL, nothing written, where Python fails (a document without
 * history.messages, a message that is not an object, a title that is not a
 * string); ERR_DB. */
enum err chatmsg_upsert(struct db *db, struct arena *a, const char *chat_id,
	    const char *message_id, json_object *message, const char **title,
	    json_object **merged);

/* Appends status (borrowed) to the statusHistory of message message_id
 * when the message exists ("history": {} is added to a document without
 * one, as Python does) and stores the document. *title as above. Errors as
 * chatmsg_upsert(). */
enum err chatmsg_add_status(struct db *db, struct arena *a,
	    const char *chat_id, const char *message_id, json_object *status,
	    const char **title);

#endif
