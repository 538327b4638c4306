/* siosrv.c: Socket.IO sockets on Engine.IO sessions. A socket is made
 * with the session's first message (it holds a binary packet waiting for
 * its attachments) and is connected to "/" once CONNECT arrives; it is
 * freed from the loop after its session ends. */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "buf.h"
#include "eiosrv.h"
#include "httpd.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "rooms.h"
#include "sio.h"
#include "siosrv.h"
#include "smap.h"

struct sio_call {
	struct sio_call	*next;
	struct sio_sock	*k;
	long long	 id;
	struct event	*timer;
	void		(*cb)(void *, json_object *);
	void		*arg;
};

struct sio_sock {
	struct eio_sess		*s;	/* NULL once the session ended */
	char			 sid[21];
	int			 connected;
	struct sio_packet	 pending;	/* a binary packet being read */
	struct rooms_sess	 rooms;
	struct sio_call		*calls;
	long long		 next_id;
	void			*data;
};

static struct siosrv_cb	 siosrv_cb;
static struct smap	*siosrv_socks;	/* connected sockets by sid */

struct sio_sock *
siosrv_find(const char *sid)
{
	return siosrv_socks ? smap_get(siosrv_socks, sid) : NULL;
}

const char *
siosrv_sid(const struct sio_sock *k)
{
	return k->sid;
}

struct rooms_sess *
siosrv_rooms(struct sio_sock *k)
{
	return &k->rooms;
}

void
siosrv_set_data(struct sio_sock *k, void *data)
{
	k->data = data;
}

void *
siosrv_data(const struct sio_sock *k)
{
	return k->data;
}

void
siosrv_msg_free(struct sio_msg *m)
{
	buf_free(&m->text);
	json_object_put(m->bins);
	m->bins = NULL;
}

/* Encodes pkt into m. */
static enum err
msg_encode(struct sio_msg *m, const struct sio_packet *pkt)
{
	memset(m, 0, sizeof(*m));
	return sio_encode(&m->text, pkt, &m->bins);
}

/* Returns [event, data] (data borrowed, left out when NULL); new. */
static json_object *
event_array(const char *event, json_object *data)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_string(event));
	if (data != NULL)
		json_object_array_add(a, json_object_get(data));
	return a;
}

enum err
siosrv_msg_event(struct sio_msg *m, const char *event, json_object *data)
{
	struct sio_packet pkt;
	enum err e;

	memset(&pkt, 0, sizeof(pkt));
	sio_packet_clear(&pkt);
	pkt.type = SIO_EVENT;
	pkt.data = event_array(event, data);
	e = msg_encode(m, &pkt);
	sio_packet_clear(&pkt);
	return e;
}

int
siosrv_send(struct sio_sock *k, const struct sio_msg *m)
{
	size_t i, n, len;
	const char *p;

	if (k->s == NULL || !k->connected ||
	    eiosrv_send(k->s, 0, m->text.p, m->text.len) != 0)
		return -1;
	n = m->bins ? json_object_array_length(m->bins) : 0;
	for (i = 0; i < n; i++) {
		if (!sio_bytes_get(json_object_array_get_idx(m->bins, i), &p,
		    &len) || eiosrv_send(k->s, 1, p, len) != 0)
			return -1;
	}
	return 0;
}

/* Encodes and sends one packet to k (a socket or a bare session). */
static void
send_pkt(struct eio_sess *s, struct sio_sock *k, const struct sio_packet *pkt)
{
	struct sio_msg m;
	enum err e;

	if ((e = msg_encode(&m, pkt)) != ERR_OK) {
		log_error("could not encode socket.io %s: %s",
		    sio_type_str(pkt->type), err_str(e));
		siosrv_msg_free(&m);
		return;
	}
	if (k != NULL)
		siosrv_send(k, &m);
	else
		eiosrv_send(s, 0, m.text.p, m.text.len);
	siosrv_msg_free(&m);
}

void
siosrv_ack(struct sio_sock *k, long long id, json_object *args)
{
	struct sio_packet pkt;

	memset(&pkt, 0, sizeof(pkt));
	sio_packet_clear(&pkt);
	pkt.type = SIO_ACK;
	pkt.id = id;
	pkt.data = json_object_get(args);
	send_pkt(k->s, k, &pkt);
	sio_packet_clear(&pkt);
}

/* Takes call c off k's list; returns it. */
static struct sio_call *
call_unlink(struct sio_sock *k, struct sio_call *c)
{
	struct sio_call **pc;

	for (pc = &k->calls; *pc != NULL; pc = &(*pc)->next)
		if (*pc == c) {
			*pc = c->next;
			break;
		}
	return c;
}

/* Ends call c (off any list) with args: calls back, frees. */
static void
call_end(struct sio_call *c, json_object *args)
{
	if (c->timer != NULL)
		event_free(c->timer);
	c->cb(c->arg, args);
	free(c);
}

static void
call_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct sio_call *c = arg;

	(void)fd;
	(void)what;
	if (c->k != NULL)
		call_unlink(c->k, c);
	call_end(c, NULL);
}

void
siosrv_call(struct sio_sock *k, const char *event, json_object *data,
    int timeout_ms, void (*cb)(void *arg, json_object *args), void *arg)
{
	struct sio_call *c = xcalloc(1, sizeof(*c));
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	struct sio_packet pkt;
	struct sio_msg m;

	c->cb = cb;
	c->arg = arg;
	c->timer = evtimer_new(srv_base(), call_timeout, c);
	memset(&pkt, 0, sizeof(pkt));
	sio_packet_clear(&pkt);
	pkt.type = SIO_EVENT;
	pkt.id = c->id = ++k->next_id;
	pkt.data = event_array(event, data);
	if (msg_encode(&m, &pkt) != ERR_OK || siosrv_send(k, &m) != 0) {
		tv.tv_sec = tv.tv_usec = 0;	/* fails from the loop */
	} else {
		c->k = k;
		c->next = k->calls;
		k->calls = c;
	}
	if (timeout_ms > 0 || c->k == NULL)
		evtimer_add(c->timer, &tv);
	siosrv_msg_free(&m);
	sio_packet_clear(&pkt);
}

/* An ACK from the client: the call waiting on its id ends. */
static void
got_ack(struct sio_sock *k, const struct sio_packet *pkt)
{
	struct sio_call *c;

	for (c = k->calls; c != NULL && c->id != pkt->id; c = c->next)
		;
	if (c == NULL)
		return;
	call_end(call_unlink(k, c), pkt->data);
}

static void
got_connect(struct sio_sock *k, const struct sio_packet *pkt)
{
	struct sio_packet ans;

	memset(&ans, 0, sizeof(ans));
	sio_packet_clear(&ans);
	if (strcmp(pkt->nsp, "/") != 0) {
		ans.type = SIO_CONNECT_ERROR;
		memcpy(ans.nsp, pkt->nsp, sizeof(ans.nsp));
		ans.data = json_object_new_object();
		json_object_object_add(ans.data, "message",
		    json_object_new_string("Unable to connect"));
		send_pkt(k->s, NULL, &ans);
		sio_packet_clear(&ans);
		return;
	}
	if (k->connected) {
		log_info("%s: connected to / already", k->sid);
		return;
	}
	do
		eiosrv_new_id(k->sid);
	while (smap_get(siosrv_socks, k->sid) != NULL);
	k->connected = 1;
	smap_put(siosrv_socks, k->sid, k);
	rooms_join(&k->rooms, k->sid);
	ans.data = json_object_new_object();
	json_object_object_add(ans.data, "sid", json_object_new_string(k->sid));
	send_pkt(k->s, k, &ans);
	sio_packet_clear(&ans);
	siosrv_cb.on_connect(k, pkt->data);
}

static void
sock_disconnect(struct sio_sock *k)
{
	struct sio_call *c;

	if (!k->connected)
		return;
	siosrv_cb.on_disconnect(k);
	k->connected = 0;
	rooms_leave_prefix(&k->rooms, "");
	smap_del(siosrv_socks, k->sid);
	while ((c = k->calls) != NULL) {
		k->calls = c->next;
		c->k = NULL;
		call_end(c, NULL);
	}
}

static void
got_event(struct sio_sock *k, const struct sio_packet *pkt)
{
	json_object *args = json_object_new_array();
	size_t i, n = json_object_array_length(pkt->data);

	for (i = 1; i < n; i++)
		json_object_array_add(args,
		    json_object_get(json_object_array_get_idx(pkt->data, i)));
	siosrv_cb.on_event(k, json_object_get_string(
	    json_object_array_get_idx(pkt->data, 0)), args, pkt->id);
	json_object_put(args);
}

static void
dispatch(struct sio_sock *k, const struct sio_packet *pkt)
{
	if (pkt->type == SIO_CONNECT) {
		got_connect(k, pkt);
		return;
	}
	if (!k->connected || strcmp(pkt->nsp, "/") != 0)
		return;		/* python-socketio: not connected, ignored */
	switch (pkt->type) {
	case SIO_DISCONNECT:
		sock_disconnect(k);
		break;
	case SIO_EVENT:
	case SIO_BINARY_EVENT:
		got_event(k, pkt);
		break;
	case SIO_ACK:
	case SIO_BINARY_ACK:
		got_ack(k, pkt);
		break;
	default:
		break;
	}
}

static void
on_message(struct eio_sess *s, int binary, const char *p, size_t n)
{
	struct sio_sock *k = eiosrv_data(s);
	enum err e;
	int done = 0;

	if (k == NULL) {
		k = xcalloc(1, sizeof(*k));
		k->s = s;
		k->rooms.owner = k;
		sio_packet_clear(&k->pending);
		eiosrv_set_data(s, k);
	}
	if (binary) {
		if (!sio_pending(&k->pending)) {
			log_info("%s: unexpected binary message", eiosrv_sid(s));
			return;
		}
		if ((e = sio_attach(&k->pending, p, n, &done)) != ERR_OK) {
			log_info("%s: bad attachment: %s", eiosrv_sid(s),
			    err_str(e));
			sio_packet_clear(&k->pending);
			return;
		}
	} else {
		if (sio_pending(&k->pending))
			log_info("%s: text while attachments were awaited",
			    eiosrv_sid(s));
		if ((e = sio_decode(&k->pending, p, n)) != ERR_OK) {
			log_info("%s: bad socket.io packet: %s", eiosrv_sid(s),
			    err_str(e));
			return;
		}
		done = !sio_pending(&k->pending);
	}
	if (done) {
		dispatch(k, &k->pending);
		sio_packet_clear(&k->pending);
	}
}

static void
sock_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sio_sock *k = arg;

	(void)fd;
	(void)what;
	sio_packet_clear(&k->pending);
	free(k);
}

static void
on_close(struct eio_sess *s)
{
	struct sio_sock *k = eiosrv_data(s);
	struct timeval tv = { 0, 0 };

	if (k == NULL)
		return;
	sock_disconnect(k);
	k->s = NULL;
	eiosrv_set_data(s, NULL);
	if (event_base_once(srv_base(), -1, EV_TIMEOUT, sock_free_cb, k,
	    &tv) != 0)
		abort();
}

void
siosrv_init(const struct siosrv_cb *cb)
{
	static const struct eiosrv_cb ecb = { on_message, on_close };

	siosrv_cb = *cb;
	siosrv_socks = smap_new();
	eiosrv_init(&ecb);
}
