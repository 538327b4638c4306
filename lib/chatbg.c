/* chatbg.c: the background tasks of a chat answer (see chatbg.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "chat.h"
#include "chatbg.h"
#include "chatmsg.h"
#include "chattask.h"
#include "json.h"
#include "mem.h"
#include "tag.h"
#include "user.h"

/* Where "<details ...>...</details>" (any case) starting at p ends, or
 * NULL when none starts there. */
static const char *
details_end(const char *p)
{
	const char *q;
	unsigned char c;

	if (strncasecmp(p, "<details", 8) != 0)
		return NULL;
	c = (unsigned char)p[8];
	if (isalnum(c) || c == '_' || c >= 0x80)	/* \b */
		return NULL;
	if ((q = strchr(p + 8, '>')) == NULL ||
	    (q = strcasestr(q + 1, "</details>")) == NULL)
		return NULL;
	return q + 10;
}

/* Where a markdown image "![...](...)" starting at p ends, or NULL. */
static const char *
image_end(const char *p)
{
	const char *q;

	if (p[0] != '!' || p[1] != '[' || (q = strstr(p + 2, "](")) == NULL ||
	    (q = strchr(q + 2, ')')) == NULL)
		return NULL;
	return q + 1;
}

/* Python's str.isspace() for the ASCII range. */
static int
py_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* The text s without <details> blocks and images, stripped (the
 * background handler's re.sub(...).strip()). Owned by a. */
static const char *
clean_text(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1), *o = out;
	const char *end;

	while (*s != '\0') {
		if ((end = details_end(s)) != NULL ||
		    (end = image_end(s)) != NULL)
			s = end;
		else
			*o++ = *s++;
	}
	while (o > out && py_space((unsigned char)o[-1]))
		o--;
	*o = '\0';
	for (o = out; py_space((unsigned char)*o); o++)
		;
	return o;
}

/* A copy of message m for the task prompts: "role" (default
 * "assistant") and "content" (the first text part of a list; a string
 * cleaned). New reference. */
static json_object *
clean_message(struct arena *a, json_object *m)
{
	json_object *o = json_object_new_object(), *c = NULL, *item, *role;
	size_t i;

	json_object_object_foreach(m, k, v)
		json_object_object_add(o, k, json_object_get(v));
	if (!json_object_object_get_ex(m, "content", &c))
		c = json_object_new_string("");
	else if (json_object_is_type(c, json_type_array)) {
		for (i = 0; i < json_object_array_length(c); i++) {
			item = json_object_array_get_idx(c, i);
			if (json_get_str(item, "type") != NULL &&
			    strcmp(json_get_str(item, "type"), "text") == 0) {
				c = json_get(item, "text");
				break;
			}
		}
		c = json_object_get(c);
	} else
		c = json_object_get(c);
	if (json_object_is_type(c, json_type_string)) {
		item = json_object_new_string(clean_text(a,
		    json_object_get_string(c)));
		json_object_put(c);
		c = item;
	}
	json_object_object_add(o, "content", c);
	if (!json_object_object_get_ex(m, "role", &role))
		json_object_object_add(o, "role",
		    json_object_new_string("assistant"));
	return o;
}

/* get_message_list: the messages from the root to message_id, following
 * parentId (a cycle ends the walk), cleaned; *last is the stored message
 * message_id itself. Arena-owned array; empty when there is no such
 * message. */
static json_object *
conversation(struct arena *a, json_object *map, const char *message_id,
    json_object **last)
{
	json_object *list = json_on_arena(a, json_object_new_array()), *m;
	json_object *walk = json_on_arena(a, json_object_new_array());
	const char *parent;
	size_t i, n;

	*last = NULL;
	if (!json_object_is_type(map, json_type_object))
		return list;
	n = (size_t)json_object_object_length(map);
	*last = m = json_get(map, message_id);
	while (json_object_is_type(m, json_type_object) &&
	    json_object_array_length(walk) <= n) {
		json_object_array_add(walk, json_object_get(m));
		parent = json_get_str(m, "parentId");
		m = parent != NULL && *parent != '\0' ? json_get(map, parent) :
		    NULL;
	}
	for (i = json_object_array_length(walk); i > 0; i--)
		json_object_array_add(list, clean_message(a,
		    json_object_array_get_idx(walk, i - 1)));
	return list;
}

/* Appends {"type": type, "data": data (taken)} to events. */
static void
event_add(json_object *events, const char *type, json_object *data)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "data", data);
	json_object_array_add(events, o);
}

/* Runs task k with {"model", "messages", "chat_id"(, "message_id")}: *res
 * is the answer object (NULL when it is not one). ERR_OK, ERR_INVAL when
 * the route raised (the run stops), or an error of chattask_run(). */
static enum err
run_task(struct db *db, struct arena *a, const struct user *u,
    const char *token, enum chattask_kind k, json_object *form,
    json_object **res)
{
	struct chattask_answer *ans = arena_alloc(a, sizeof(*ans));
	enum err e;

	memset(ans, 0, sizeof(*ans));
	*res = NULL;
	if ((e = chattask_run(db, a, u, token, k, form, NULL, ans)) != ERR_OK)
		return e;
	if (ans->raised)
		return ERR_INVAL;
	*res = chattask_answer_object(a, ans);
	return ERR_OK;
}

/* Chats.update_chat_title_by_id: the document's "title" and the title
 * column (a title that is not a string is stored as its JSON text). */
static enum err
set_title(struct db *db, struct arena *a, const char *chat_id,
    json_object *title)
{
	json_object *doc;
	struct chat *c;
	enum err e;

	if ((e = chat_get(db, a, chat_id, &c)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	doc = json_on_arena(a, json_parse_col(c->chat));
	if (!json_object_is_type(doc, json_type_object) || title == NULL)
		return ERR_OK;	/* Python's update fails and is ignored */
	json_object_object_add(doc, "title", json_object_get(title));
	return chat_update(db, a, chat_id, json_text(doc),
	    json_object_is_type(title, json_type_string) ?
	    json_object_get_string(title) : json_text(title), NULL);
}

/* Chats.update_chat_tags_by_id: the chat's tags replaced by tags (names;
 * "none" skipped), the user's tags no chat uses any more deleted.
 * ERR_INVAL, with the tags before the bad one stored, for an item that is
 * not a string (Python raises). */
static enum err
set_tags(struct db *db, struct arena *a, const struct user *u,
    const char *chat_id, json_object *tags)
{
	json_object *meta, *old, *t;
	struct chat *c;
	enum err e;
	size_t i;

	if (!json_object_is_type(tags, json_type_array))
		return ERR_INVAL;
	if ((e = chat_get(db, a, chat_id, &c)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	old = tag_chat_tags(a, c, &meta);
	if ((e = tag_chat_clear(db, a, c)) != ERR_OK)
		return e;
	for (i = 0; old != NULL && i < json_object_array_length(old); i++) {
		t = json_object_array_get_idx(old, i);
		if (json_object_is_type(t, json_type_string) &&
		    (e = tag_prune(db, a, json_object_get_string(t), u->id)) !=
		    ERR_OK)
			return e;
	}
	for (i = 0; i < json_object_array_length(tags); i++) {
		t = json_object_array_get_idx(tags, i);
		if (!json_object_is_type(t, json_type_string))
			return ERR_INVAL;
		if (strcasecmp(json_object_get_string(t), "none") == 0)
			continue;
		if ((e = chat_get(db, a, chat_id, &c)) != ERR_OK ||
		    (e = tag_chat_add(db, a, c, json_object_get_string(t))) !=
		    ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* A task's form: model, messages, chat_id and, when set, message_id. */
static json_object *
task_form(struct arena *a, const char *model, json_object *msgs,
    const char *chat_id, const char *message_id)
{
	json_object *f = json_on_arena(a, json_object_new_object());

	json_object_object_add(f, "model", json_str_or_null(model));
	json_object_object_add(f, "messages", json_object_get(msgs));
	if (message_id != NULL)
		json_object_object_add(f, "message_id",
		    json_object_new_string(message_id));
	json_object_object_add(f, "chat_id", json_object_new_string(chat_id));
	return f;
}

/* Runs task k and reads member key of the JSON object its answer holds:
 * *v is that value ([] when the object has no key; arena-owned), or NULL
 * when there is no answer or no object in it. ERR_INVAL when the route
 * raised. */
static enum err
task_value(struct db *db, struct arena *a, const struct user *u,
    const char *token, enum chattask_kind k, json_object *form,
    const char *key, json_object **v)
{
	json_object *res, *o;
	enum err e;

	*v = NULL;
	if ((e = run_task(db, a, u, token, k, form, &res)) != ERR_OK ||
	    res == NULL ||
	    (o = chattask_parse_object(a, chattask_content(res, ""))) == NULL)
		return e;
	if (!json_object_object_get_ex(o, key, v))
		*v = json_on_arena(a, json_object_new_array());
	return ERR_OK;
}

/* The follow-ups task: stored in the message's followUps. */
static enum err
follow_ups(struct db *db, struct arena *a, const struct user *u,
    const char *token, json_object *form, const char *chat_id,
    const char *message_id, json_object *events)
{
	json_object *fu, *fields, *data;
	const char *title;
	enum err e;

	if ((e = task_value(db, a, u, token, CHATTASK_FOLLOW_UP, form,
	    "follow_ups", &fu)) != ERR_OK || fu == NULL)
		return e;
	fields = json_on_arena(a, json_object_new_object());
	json_object_object_add(fields, "followUps", json_object_get(fu));
	e = chatmsg_upsert(db, a, chat_id, message_id, fields, &title,
	    NULL);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e == ERR_INVAL ? ERR_OK : e;
	data = json_object_new_object();
	json_object_object_add(data, "follow_ups", json_object_get(fu));
	event_add(events, "chat:message:follow_ups", data);
	return ERR_OK;
}

/* The user's last message, cut to 100 characters and "..." (NULL:
 * None). Owned by a. */
static json_object *
user_message(struct arena *a, json_object *msgs)
{
	json_object *m, *c = NULL;
	const char *s, *role;
	size_t i, n, cut;

	for (i = json_object_array_length(msgs); i > 0 && c == NULL; i--) {
		m = json_object_array_get_idx(msgs, i - 1);
		role = json_get_str(m, "role");
		if (role != NULL && strcmp(role, "user") == 0) {
			c = json_get(m, "content");
			break;
		}
	}
	if (!json_object_is_type(c, json_type_string))
		return json_object_is_type(c, json_type_array) ? NULL : c;
	s = json_object_get_string(c);
	for (n = 0, cut = 0, i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == 100)
			cut = i;
	if (n <= 100)
		return c;
	return json_on_arena(a, json_object_new_string(arena_printf(a,
	    "%.*s...", (int)cut, s)));
}

/* The title task (or, when it is off and the chat has two messages, the
 * first message as the title). */
static enum err
title(struct db *db, struct arena *a, const struct user *u,
    const char *token, json_object *form, json_object *tasks,
    json_object *last, const char *chat_id, json_object *events)
{
	json_object *msgs = json_get(form, "messages"), *res, *o, *t, *um;
	json_object *first, *dflt;
	const char *def;
	enum err e;

	um = user_message(a, msgs);
	first = json_get(json_object_array_get_idx(msgs, 0), "content");
	if (!json_truthy(json_get(tasks, "title_generation"))) {
		if (json_object_array_length(msgs) != 2)
			return ERR_OK;
		if ((e = set_title(db, a, chat_id, first)) != ERR_OK)
			return e;
		if (!json_object_object_get_ex(last, "content", &dflt))
			dflt = um;
		event_add(events, "chat:title", json_object_get(dflt));
		return ERR_OK;
	}
	if ((e = run_task(db, a, u, token, CHATTASK_TITLE, form, &res)) !=
	    ERR_OK || res == NULL)
		return e;
	if (!json_object_object_get_ex(last, "content", &dflt))
		dflt = um;
	def = json_object_is_type(dflt, json_type_string) ?
	    json_object_get_string(dflt) : "";
	t = json_on_arena(a, json_object_new_string(""));
	if ((o = chattask_parse_object(a, chattask_content(res, def))) !=
	    NULL && !json_object_object_get_ex(o, "title", &t))
		t = um;
	if (!json_truthy(t))
		t = first;
	if ((e = set_title(db, a, chat_id, t)) != ERR_OK)
		return e;
	event_add(events, "chat:title", json_object_get(t));
	return ERR_OK;
}

/* The tags task: the chat's tags replaced. */
static enum err
tags(struct db *db, struct arena *a, const struct user *u, const char *token,
    json_object *form, const char *chat_id, json_object *events)
{
	json_object *list;
	enum err e;

	if ((e = task_value(db, a, u, token, CHATTASK_TAGS, form, "tags",
	    &list)) != ERR_OK || list == NULL)
		return e;
	if ((e = set_tags(db, a, u, chat_id, list)) != ERR_OK)
		return e == ERR_INVAL ? ERR_OK : e;
	event_add(events, "chat:tags", json_object_get(list));
	return ERR_OK;
}

enum err
chatbg_run(struct db *db, struct arena *a, const struct user *u,
    const char *token, const char *chat_id, const char *message_id,
    const char *model, json_object *tasks, json_object **events)
{
	json_object *doc, *msgs, *last, *form;
	struct chat *c;
	const char *m;
	enum err e;

	*events = json_on_arena(a, json_object_new_array());
	if ((e = chat_get(db, a, chat_id, &c)) != ERR_OK)
		return e == ERR_NOTFOUND ? ERR_OK : e;
	doc = json_on_arena(a, json_parse_col(c->chat));
	msgs = conversation(a, json_get_path(doc, "history.messages"),
	    message_id, &last);
	if (!json_truthy(tasks) || json_object_array_length(msgs) == 0)
		return ERR_OK;
	m = json_get_str(last, "model");
	if (m == NULL)
		m = model;
	if (json_truthy(json_get(tasks, "follow_up_generation"))) {
		form = task_form(a, m, msgs, chat_id, message_id);
		if ((e = follow_ups(db, a, u, token, form, chat_id,
		    message_id, *events)) != ERR_OK)
			return e == ERR_INVAL ? ERR_OK : e;
	}
	form = task_form(a, m, msgs, chat_id, NULL);
	if (json_object_object_get_ex(tasks, "title_generation", NULL) &&
	    (e = title(db, a, u, token, form, tasks, last, chat_id,
	    *events)) != ERR_OK)
		return e == ERR_INVAL ? ERR_OK : e;
	if (json_truthy(json_get(tasks, "tags_generation")) &&
	    (e = tags(db, a, u, token, form, chat_id, *events)) != ERR_OK)
		return e == ERR_INVAL ? ERR_OK : e;
	return ERR_OK;
}
