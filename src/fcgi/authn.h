/* authn.h: who is calling. Mirrors the Python get_current_user chain:
 * Bearer header, else the `token` cookie; "sk-" values are API keys. */
#ifndef CWEBUI_AUTHN_H
#define CWEBUI_AUTHN_H

#include "router.h"

struct req;

/* Sets the process-wide JWT secret (called once at start). */
void	 authn_set_secret(const char *secret);
const char *authn_secret(void);

/* Authenticates r for the route's auth level. Returns 0 when the handler
 * may run (r->user set where a user is needed or optional), otherwise the
 * status of the error response it wrote. */
int	 authn_check(struct req *r, enum route_auth level);

#endif
