/* authn.h: who is calling. Mirrors the Python get_current_user chain:
 * Bearer header, else the `token` cookie; "sk-" values are API keys. */
#ifndef CWEBUI_AUTHN_H
#define CWEBUI_AUTHN_H

#include <json-c/json.h>

#include "err.h"
#include "router.h"

struct arena;
struct db;
struct req;

/* Sets the process-wide JWT secret (called once at start). */
void	 authn_set_secret(const char *secret);
const char *authn_secret(void);

/* Authenticates r for the route's auth level. Returns 0 when the handler
 * may run (r->user set where a user is needed or optional), otherwise the
 * status of the error response it wrote. */
int	 authn_check(struct req *r, enum route_auth level);

/* The user user_id as a socket session knows it: UserResponse plus
 * "channel_ids", the channels the user may read. ERR_OK with *out (new
 * reference), ERR_NOTFOUND when the user does not exist, else the error. */
enum err authn_socket_json(struct db *db, struct arena *a,
	    const char *user_id, json_object **out);
/* The same for the user a Socket.IO token names (Python's decode_token,
 * then the user by id, any role): ERR_DENIED for a bad or expired token,
 * ERR_NOTFOUND for an unknown user. */
enum err authn_socket_token(struct db *db, struct arena *a,
	    const char *token, json_object **out);

#endif
