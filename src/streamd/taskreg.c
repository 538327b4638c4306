/* taskreg.c: the list of running tasks. A few at a time per user: a list
 * scanned from the start is enough. */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "mem.h"
#include "rand.h"
#include "taskreg.h"

static struct taskreg_entry *head;

void
taskreg_init(struct taskreg_entry *e, const char *user_id,
    const char *chat_id, void (*stop)(struct taskreg_entry *))
{
	memset(e, 0, sizeof(*e));
	rand_uuid4(e->id);
	e->user_id = xstrdup(user_id);
	e->chat_id = xstrdup(chat_id);
	e->stop = stop;
}

void
taskreg_add(struct taskreg_entry *e)
{
	if (e->listed)
		return;
	e->prev = NULL;
	e->next = head;
	if (head != NULL)
		head->prev = e;
	head = e;
	e->listed = 1;
	bus_task_add(e);
}

void
taskreg_remove(struct taskreg_entry *e)
{
	if (!e->listed)
		return;
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	e->prev = e->next = NULL;
	e->listed = 0;
	bus_task_remove(e);
}

void
taskreg_clear(struct taskreg_entry *e)
{
	taskreg_remove(e);
	free(e->user_id);
	free(e->chat_id);
	e->user_id = e->chat_id = NULL;
}

void
taskreg_each(void (*fn)(const struct taskreg_entry *))
{
	struct taskreg_entry *e;

	for (e = head; e != NULL; e = e->next)
		fn(e);
}

struct taskreg_entry *
taskreg_find(const char *id)
{
	struct taskreg_entry *e;

	for (e = head; e != NULL; e = e->next)
		if (strcmp(e->id, id) == 0)
			return e;
	return NULL;
}

json_object *
taskreg_list(void)
{
	json_object *a = json_object_new_array(), *o;
	struct taskreg_entry *e;

	/* oldest first, as Python's dict keeps insertion order */
	for (e = head; e != NULL && e->next != NULL; e = e->next)
		;
	for (; e != NULL; e = e->prev) {
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(e->id));
		json_object_object_add(o, "user_id",
		    json_object_new_string(e->user_id));
		json_object_object_add(o, "chat_id",
		    json_object_new_string(e->chat_id));
		json_object_array_add(a, o);
	}
	return a;
}
