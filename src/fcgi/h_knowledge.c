/* h_knowledge.c: /api/v1/knowledge/ (routers/knowledge.py). Only the
 * lists are served so far. */
#include <string.h>

#include "access.h"
#include "handlers.h"
#include "json.h"
#include "knowledge.h"
#include "req.h"
#include "user.h"

/* Writes 200 with the knowledge bases the caller owns or may do perm on,
 * or all of them for an admin when BYPASS_ADMIN_ACCESS_CONTROL. */
static int
knowledge_reply(struct req *r, const char *perm)
{
	const char *uid = r->user->id;
	json_object *arr;
	enum err e;

	if (strcmp(r->user->role, "admin") == 0 && access_admin_bypass())
		uid = NULL;
	if ((e = knowledge_list(r->db, r->a, uid, perm, &arr)) != ERR_OK)
		return resp_internal(r, "knowledge", e);
	return resp_json(r, 200, arr);
}

/* Returns 200 with the readable knowledge bases, with owners and files. */
int
h_knowledge_list(struct req *r)
{
	return knowledge_reply(r, "read");
}

/* Returns 200 with the writable knowledge bases, with owners and files. */
int
h_knowledge_list_write(struct req *r)
{
	return knowledge_reply(r, "write");
}
