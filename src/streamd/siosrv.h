/* siosrv.h: the Socket.IO v5 server over eiosrv.c, as python-socketio 5
 * serves it with always_connect: one namespace "/" (CONNECT answered at
 * once with {"sid"}, other namespaces get CONNECT_ERROR), events and
 * binary events with their attachments, acknowledgements both ways,
 * DISCONNECT. Each connected socket is in the room of its own sid. The
 * Open WebUI event handlers (rtevents.c) sit above. Loop thread only. */
#ifndef CWEBUI_SIOSRV_H
#define CWEBUI_SIOSRV_H

#include <json-c/json.h>

#include "buf.h"
#include "err.h"

struct sio_sock;
struct rooms_sess;

struct siosrv_cb {
	/* k connected to "/"; auth is the CONNECT data (borrowed; NULL when
	 * none). */
	void	(*on_connect)(struct sio_sock *k, json_object *auth);
	/* An event from k: its name, its arguments (the array after the
	 * name, borrowed) and the ack id the client waits on (-1: none). */
	void	(*on_event)(struct sio_sock *k, const char *name,
		    json_object *args, long long id);
	/* k leaves (DISCONNECT or the Engine.IO session ended), before it
	 * leaves its rooms; k is freed soon after. */
	void	(*on_disconnect)(struct sio_sock *k);
};

/* Sets the callbacks and starts the Engine.IO layer (eiosrv_init). */
void	 siosrv_init(const struct siosrv_cb *cb);

/* Returns the connected socket with Socket.IO id sid, or NULL. */
struct sio_sock *siosrv_find(const char *sid);
const char *siosrv_sid(const struct sio_sock *k);
/* The rooms k is in (its rooms_sess owner is k). */
struct rooms_sess *siosrv_rooms(struct sio_sock *k);
/* The pointer the layer above keeps with k (NULL at first). */
void	 siosrv_set_data(struct sio_sock *k, void *data);
void	*siosrv_data(const struct sio_sock *k);

/* An EVENT packet encoded once, to be sent to many sockets. */
struct sio_msg {
	struct buf	 text;
	json_object	*bins;	/* attachments (byte strings), or NULL */
};

/* Encodes [event, data] (data borrowed; NULL: no argument) into m (free
 * it with siosrv_msg_free). Returns ERR_OK, or the error of sio_encode. */
enum err siosrv_msg_event(struct sio_msg *m, const char *event,
	    json_object *data);
void	 siosrv_msg_free(struct sio_msg *m);

/* Sends m to k. Returns 0, or -1 when k cannot take it (gone, or closed
 * because its client does not read). */
int	 siosrv_send(struct sio_sock *k, const struct sio_msg *m);

/* Answers the client's event id with the ack arguments args (an array,
 * borrowed). */
void	 siosrv_ack(struct sio_sock *k, long long id, json_object *args);

/* Emits [event, data] to k with an ack id and calls cb(arg, args) with the
 * client's ack arguments (borrowed), or args NULL after timeout_ms or when
 * k goes first. cb is called exactly once, never from within this call. */
void	 siosrv_call(struct sio_sock *k, const char *event, json_object *data,
	    int timeout_ms, void (*cb)(void *arg, json_object *args),
	    void *arg);

#endif
