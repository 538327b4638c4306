/* perm.h: user permissions, as Python's utils/access_control.py computes
 * them and routers/users.py validates them.
 *
 * A permissions document is {workspace, sharing, chat, features}, each an
 * object of boolean flags. The configured document is USER_PERMISSIONS
 * (conf); groups grant more through their own "permissions" documents. */
#ifndef CWEBUI_PERM_H
#define CWEBUI_PERM_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;

/* Validates doc as the UserPermissions model of routers/users.py: absent
 * flags take the model's defaults (note: sharing.* default to true there),
 * unknown keys are dropped, flags accept what pydantic's lax bool accepts.
 * When sections_required is 0 an absent or null section counts as {}.
 * Returns NULL and the canonical document in *out (new reference), or a
 * new JSON array of FastAPI error items whose loc starts with loc0 (e.g.
 * "body"), *out untouched. */
json_object *perm_validate(json_object *doc, int sections_required,
	    const char *loc0, json_object **out);

/* Returns in *out the user's effective permissions: a copy of
 * USER_PERMISSIONS OR-merged (true wins) with the permissions of every
 * group holding the user, then completed from USER_PERMISSIONS. New
 * reference. ERR_OK or ERR_DB. */
enum err perm_of_user(struct db *db, struct arena *a, const char *user_id,
	    json_object **out);

/* Sets *yes to 1 when any of the user's groups grants the dotted key
 * ("features.direct_tool_servers"), else to the value of the key in
 * USER_PERMISSIONS completed from the USER_PERMISSIONS_* defaults
 * (conf_default()); a missing key is 0.
 * Values count as Python truth values. ERR_OK or ERR_DB. */
enum err perm_has(struct db *db, struct arena *a, const char *user_id,
	    const char *key, int *yes);

#endif
