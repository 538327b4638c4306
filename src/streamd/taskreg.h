/* taskreg.h: the running tasks of this streamd instance, by id, user and
 * chat (Python's tasks and item_tasks dictionaries). A task embeds a
 * struct taskreg_entry as its first member. */
#ifndef CWEBUI_TASKREG_H
#define CWEBUI_TASKREG_H

#include <json-c/json.h>

struct taskreg_entry {
	char			 id[37];	/* uuid4 */
	char			*user_id;
	char			*chat_id;
	void			(*stop)(struct taskreg_entry *);
	int			 listed;
	struct taskreg_entry	*prev, *next;
};

/* Fills e with a new id and copies of user_id and chat_id; stop is what
 * POST /api/tasks/stop calls. Not yet listed. */
void	 taskreg_init(struct taskreg_entry *e, const char *user_id,
	    const char *chat_id, void (*stop)(struct taskreg_entry *));
void	 taskreg_add(struct taskreg_entry *e);
/* Unlists e (harmless when not listed). */
void	 taskreg_remove(struct taskreg_entry *e);
/* Frees what taskreg_init allocated. */
void	 taskreg_clear(struct taskreg_entry *e);

/* Calls fn(e) for every listed task. */
void	 taskreg_each(void (*fn)(const struct taskreg_entry *));

/* The listed task with that id, or NULL. */
struct taskreg_entry *taskreg_find(const char *id);

/* The listed tasks, oldest first, as a new JSON array of {"id",
 * "user_id", "chat_id"} (the shape bus_task_list() gives for every
 * instance). */
json_object *taskreg_list(void);

#endif
