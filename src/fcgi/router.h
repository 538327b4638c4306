/* router.h: the route table and its flags. routes.c holds the one table;
 * router.c matches a request against it. */
#ifndef CWEBUI_ROUTER_H
#define CWEBUI_ROUTER_H

struct req;

/* Who may call a route; checked once by the router before the handler. */
enum route_auth {
	AUTH_PUBLIC = 0,	/* anyone; no credential is read */
	AUTH_OPTIONAL,		/* a valid JWT (not an API key) sets r->user */
	AUTH_ANY,		/* any signed-in user, pending included */
	AUTH_VERIFIED,		/* role user or admin */
	AUTH_ADMIN		/* role admin */
};

#define R_JSON		0x01	/* body must be JSON: 422 when it is not */
#define R_STREAMD	0x02	/* only for requests from cwebui-streamd
				 * (req_from_streamd); to any other request
				 * the route does not exist (404) */
#define R_HOSTING	0x04	/* only in the shared-hosting mode
				 * (hosting.h); else 404 */

struct route {
	const char	*method;	/* "GET", "POST", "DELETE", ... */
	const char	*pattern;	/* "/api/v1/users/{user_id}" */
	int		(*handler)(struct req *r);
	enum route_auth	 auth;
	int		 flags;
};

extern const struct route routes[];
extern const int routes_len;

/* Matches, authenticates, parses, and calls the handler; writes 404, 405,
 * 401 or 422 itself. Returns the status written. */
int	 router_dispatch(struct req *r);

#endif
