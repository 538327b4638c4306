/* tool.h: the "tool" table (workspace tools: Python source, specs, valves).
 * Only the list is served so far. Everything returned lives in the arena
 * passed in. */
#ifndef CWEBUI_TOOL_H
#define CWEBUI_TOOL_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

struct tool {
	char		*id;
	char		*user_id;
	char		*name;
	char		*content;		/* Python source */
	char		*specs;			/* JSON text */
	char		*meta;			/* JSON text */
	char		*access_control;	/* JSON text or NULL (public) */
	long long	 updated_at;
	long long	 created_at;
};

/* Every tool, newest updated_at first (Tools.get_tools): *out is an array
 * of *n tools. ERR_OK or ERR_DB. */
enum err tool_list(struct db *db, struct arena *a, struct tool **out,
	    int *n);

/* Returns the tool as Python's ToolModel JSON (specs parsed, meta as
 * ToolMeta: description and manifest only). New reference. */
json_object *tool_json(const struct tool *t);

/* Returns 1 when the tool's source defines a UserValves class (what
 * Python learns by loading the module), else 0. */
int	 tool_has_user_valves(const struct tool *t);

#endif
