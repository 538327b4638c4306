/* access.h: who may read or write a shared resource (model, tool,
 * function, knowledge ...), as Python's utils/access_control.py decides.
 *
 * An access_control document is what Python stores in the column:
 *   SQL NULL or JSON null  public: everyone may read, only the owner and
 *                          admins may write (has_access(strict=True));
 *   {}                     private to the owner;
 *   {"read":  {"group_ids": [...], "user_ids": [...]},
 *    "write": {"group_ids": [...], "user_ids": [...]}}
 * Owner and admin checks are the caller's, as in Python's routers. */
#ifndef CWEBUI_ACCESS_H
#define CWEBUI_ACCESS_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;
struct user;

/* The ids of the groups a user belongs to (Groups.get_groups_by_member_id),
 * read once and reused for many checks. Arena-owned. */
struct access_groups {
	const char	**ids;
	int		  n;
};

/* Fills *out with the groups of user_id. ERR_OK or ERR_DB. */
enum err access_groups_of(struct db *db, struct arena *a,
	    const char *user_id, struct access_groups *out);

/* Returns 1 when user_id may do type ("read" or "write") under the parsed
 * document ac (NULL = public: 1 for "read" only), being a member of the
 * groups g; else 0. A document whose shape Python could not read (e.g.
 * "read": null) gives 0. */
int	 access_check(const char *user_id, const char *type, json_object *ac,
	    const struct access_groups *g);

/* The same for the access_control JSON text of a column (NULL, "null" =
 * public); text that is not JSON gives 0, as Python cannot read it. */
int	 access_check_text(const char *user_id, const char *type,
	    const char *access_control_json, const struct access_groups *g);

/* Returns 1 when u may do type under the access_control JSON text
 * (NULL, "null" = public), looking up u's groups; else 0 (also when the
 * database fails: the cause is logged). */
int	 access_has(struct db *db, struct arena *a, const struct user *u,
	    const char *type, const char *access_control_json);

/* Returns 1 when BYPASS_ADMIN_ACCESS_CONTROL (falling back to
 * ENABLE_ADMIN_WORKSPACE_CONTENT_ACCESS, default "True") is "true" in any
 * case: admins then see every workspace item, as in Python. */
int	 access_admin_bypass(void);

#endif
