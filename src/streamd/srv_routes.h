/* srv_routes.h: the one route table of cwebui-streamd (srv_routes.c):
 * method and path pattern -> handler. */
#ifndef CWEBUI_SRV_ROUTES_H
#define CWEBUI_SRV_ROUTES_H

struct hreq;

/* Finds the handler of r (method and decoded path) and calls it; answers
 * 404 {"detail":"Not Found"} for an unknown path and 405
 * {"detail":"Method Not Allowed"} for a known path with another method. */
void	 srv_route(struct hreq *r);

#endif
