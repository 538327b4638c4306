/* rt.c: the real-time side of streamd (rt.h) over the Socket.IO server
 * (siosrv.c), its rooms (rooms.c) and its event handlers (rtevents.c).
 * Emission is encoded once per call and sent to each member of the room;
 * rt_emit is where the emission also goes to the other instances (bus.c,
 * Redis) once that is linked: bus_emit(room, event, data) after the local
 * delivery. */
#include <stdlib.h>

#include <event2/event.h>

#include "bus.h"
#include "eiosrv.h"
#include "httpd.h"
#include "log.h"
#include "mem.h"
#include "rooms.h"
#include "rt.h"
#include "rtevents.h"
#include "siosrv.h"

static void
rt_init(void)
{
	static int done;

	if (!done) {
		done = 1;
		rtevents_init();
	}
}

void
rt_http(struct hreq *r)
{
	rt_init();
	eiosrv_http(r);
}

void
rt_emit_local(const char *room, const char *event, json_object *data)
{
	struct sio_msg m;
	void **k;
	size_t i, n;
	enum err e;

	if ((k = rooms_members(room, &n)) == NULL)
		return;
	if ((e = siosrv_msg_event(&m, event, data)) != ERR_OK)
		log_error("could not encode event %s: %s", event, err_str(e));
	else
		for (i = 0; i < n; i++)
			siosrv_send(k[i], &m);
	siosrv_msg_free(&m);
	free(k);
}

void
rt_emit(const char *room, const char *event, json_object *data)
{
	rt_emit_local(room, event, data);
	bus_emit(room, event, data);
}

struct rt_noack {
	void	(*cb)(void *, json_object *);
	void	*arg;
};

static void
rt_noack_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rt_noack *x = arg;

	(void)fd;
	(void)what;
	x->cb(x->arg, NULL);
	free(x);
}

void
rt_emit_ack(const char *sid, const char *event, json_object *data,
    int timeout_ms, void (*cb)(void *arg, json_object *ack), void *arg)
{
	struct sio_sock *k;
	struct rt_noack *x;
	struct timeval tv = { 0, 0 };

	rt_init();
	if ((k = siosrv_find(sid)) != NULL) {
		siosrv_call(k, event, data, timeout_ms, cb, arg);
		return;
	}
	x = xmalloc(sizeof(*x));
	x->cb = cb;
	x->arg = arg;
	if (event_base_once(srv_base(), -1, EV_TIMEOUT, rt_noack_cb, x,
	    &tv) != 0)
		abort();
}
