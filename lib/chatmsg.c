/* chatmsg.c: writes into one message of a chat document (see chatmsg.h). */
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "chatmsg.h"
#include "json.h"
#include "mem.h"

/* The chat's document (arena) and its title as update_chat_by_id stores
 * it. ERR_NOTFOUND, ERR_DB, or ERR_INVAL for a document that is not an
 * object. */
static enum err
chatmsg_load(struct db *db, struct arena *a, const char *chat_id,
    json_object **doc)
{
	struct chat *c;
	enum err e;

	if ((e = chat_get(db, a, chat_id, &c)) != ERR_OK)
		return e;
	*doc = json_on_arena(a, json_parse_col(c->chat));
	return json_object_is_type(*doc, json_type_object) ? ERR_OK : ERR_INVAL;
}

/* Stores doc as chat_id's document; *title as chatmsg.h says. */
static enum err
chatmsg_store(struct db *db, struct arena *a, const char *chat_id,
    json_object *doc, const char **title)
{
	json_object *t;

	*title = "New Chat";
	if (json_object_object_get_ex(doc, "title", &t)) {
		if (!json_object_is_type(t, json_type_string))
			return ERR_INVAL;
		*title = arena_strdup(a, json_object_get_string(t));
	}
	return chat_update(db, a, chat_id, json_text(doc), *title, NULL);
}

/* history.messages of doc, or NULL when either is not an object. */
static json_object *
chatmsg_messages(json_object *doc, json_object **hist)
{
	json_object *msgs;

	*hist = json_get(doc, "history");
	msgs = json_get(*hist, "messages");
	return json_object_is_type(msgs, json_type_object) ? msgs : NULL;
}

/* A copy of the string v without its NUL characters. New reference. */
static json_object *
chatmsg_no_nul(json_object *v)
{
	const char *s = json_object_get_string(v);
	int n = json_object_get_string_len(v), i, k;
	char *t = xmalloc((size_t)n + 1);
	json_object *o;

	for (i = k = 0; i < n; i++)
		if (s[i] != '\0')
			t[k++] = s[i];
	o = json_object_new_string_len(t, k);
	free(t);
	return o;
}

enum err
chatmsg_upsert(struct db *db, struct arena *a, const char *chat_id,
    const char *message_id, json_object *message, const char **title,
    json_object **merged)
{
	json_object *doc, *hist, *msgs, *old;
	enum err e;

	*title = NULL;
	if (merged != NULL)
		*merged = NULL;
	if (!json_object_is_type(message, json_type_object))
		return ERR_INVAL;
	if ((e = chatmsg_load(db, a, chat_id, &doc)) != ERR_OK)
		return e;
	if ((msgs = chatmsg_messages(doc, &hist)) == NULL)
		return ERR_INVAL;
	if (!json_object_object_get_ex(msgs, message_id, &old)) {
		old = json_object_new_object();
		json_object_object_add(msgs, message_id, old);
	} else if (!json_object_is_type(old, json_type_object))
		return ERR_INVAL;
	json_object_object_foreach(message, k, v) {
		if (strcmp(k, "content") == 0 &&
		    json_object_is_type(v, json_type_string))
			json_object_object_add(old, k, chatmsg_no_nul(v));
		else
			json_object_object_add(old, k, json_object_get(v));
	}
	json_object_object_add(hist, "currentId",
	    json_object_new_string(message_id));
	if ((e = chatmsg_store(db, a, chat_id, doc, title)) == ERR_OK &&
	    merged != NULL)
		*merged = old;
	return e;
}

enum err
chatmsg_add_status(struct db *db, struct arena *a, const char *chat_id,
    const char *message_id, json_object *status, const char **title)
{
	json_object *doc, *hist, *msgs, *msg, *list;
	enum err e;

	*title = NULL;
	if ((e = chatmsg_load(db, a, chat_id, &doc)) != ERR_OK)
		return e;
	if (!json_object_object_get_ex(doc, "history", NULL))
		json_object_object_add(doc, "history",
		    json_object_new_object());
	msgs = chatmsg_messages(doc, &hist);
	if (!json_object_is_type(hist, json_type_object))
		return ERR_INVAL;
	if (msgs != NULL && json_object_object_get_ex(msgs, message_id,
	    &msg)) {
		if (!json_object_is_type(msg, json_type_object))
			return ERR_INVAL;
		if (!json_object_object_get_ex(msg, "statusHistory", &list)) {
			list = json_object_new_array();
			json_object_object_add(msg, "statusHistory", list);
		} else if (!json_object_is_type(list, json_type_array))
			return ERR_INVAL;
		json_object_array_add(list, json_object_get(status));
	}
	return chatmsg_store(db, a, chat_id, doc, title);
}
