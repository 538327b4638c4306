/* t_siosrv.c: Engine.IO sessions (eiosrv.c) and the Socket.IO server
 * (siosrv.c) over long-polling, driven through a stand-in of httpd.h:
 * handshake, CONNECT, acknowledgements the server asks for (answered,
 * timed out, cut by a disconnect), binary events both ways, the bound on
 * what a client that never reads may hold, and bad session ids. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "buf.h"
#include "eiosrv.h"
#include "httpd.h"
#include "json.h"
#include "sio.h"
#include "siosrv.h"
#include "tap.h"

/* ---- a stand-in for httpd.c ---- */

struct hconn {
	int		 status;	/* 0 until answered */
	struct buf	 body;
	void		(*on_close)(void *);
	void		*arg;
};

static struct event_base *base;

struct event_base *
srv_base(void)
{
	return base;
}

const char *
hreq_header(const struct hreq *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

char *
hreq_query(const struct hreq *r, const char *name)
{
	const char *p = r->query;
	size_t n = strlen(name);

	while (*p != '\0') {
		size_t len = strcspn(p, "&");

		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return strndup(p + n + 1, len - n - 1);
		p += len + (p[len] == '&');
	}
	return NULL;
}

void
hconn_respond(struct hconn *c, int status, const char *ctype,
    const char *extra, const void *body, size_t len)
{
	(void)ctype;
	(void)extra;
	c->status = status;
	buf_reset(&c->body);
	buf_append(&c->body, body, len);
}

void
hconn_respond_detail(struct hconn *c, int status, const char *detail)
{
	hconn_respond(c, status, NULL, NULL, detail, strlen(detail));
}

void
hconn_on_close(struct hconn *c, void (*fn)(void *), void *arg)
{
	c->on_close = fn;
	c->arg = arg;
}

struct bufferevent *
hconn_takeover(struct hconn *c, struct evbuffer **early)
{
	(void)c;
	(void)early;
	abort();	/* no WebSocket here */
}

/* Sends one request; returns its connection (answered or pending). */
static struct hconn *
req(const char *method, const char *query, const char *body)
{
	static struct hconn conns[64];
	static int next;
	struct hconn *c = &conns[next++ % 64];
	struct hreq r;

	buf_free(&c->body);
	memset(c, 0, sizeof(*c));
	memset(&r, 0, sizeof(r));
	r.conn = c;
	r.method = method;
	r.path = "/ws/socket.io/";
	r.query = query;
	r.body = body ? body : "";
	r.body_len = strlen(r.body);
	eiosrv_http(&r);
	return c;
}

static char sid[32], q[128];

static const char *
get(void)
{
	struct hconn *c = req("GET", q, NULL);
	int i;

	for (i = 0; i < 100 && c->status == 0; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	return c->status != 0 ? buf_str(&c->body) : "(pending)";
}

static int
post(const char *payload)
{
	return req("POST", q, payload)->status;
}

/* ---- the layer above ---- */

static struct sio_sock	*sock;
static json_object	*last_args;
static char		 last_event[64];
static int		 disconnects;

static void
on_connect(struct sio_sock *k, json_object *auth)
{
	(void)auth;
	sock = k;
}

static void
on_event(struct sio_sock *k, const char *name, json_object *args,
    long long id)
{
	json_object *a = json_object_new_array();

	snprintf(last_event, sizeof(last_event), "%s", name);
	json_object_put(last_args);
	last_args = json_object_get(args);
	if (id >= 0) {
		json_object_array_add(a, json_object_new_string("ok"));
		siosrv_ack(k, id, a);
	}
	json_object_put(a);
}

static void
on_disconnect(struct sio_sock *k)
{
	(void)k;
	sock = NULL;
	disconnects++;
}

static int		 acked;
static json_object	*ack_args;

static void
ack_cb(void *arg, json_object *args)
{
	(void)arg;
	acked++;
	json_object_put(ack_args);
	ack_args = json_object_get(args);
}

static void
open_session(void)
{
	const char *t;
	json_object *h;

	strcpy(q, "EIO=4&transport=polling");
	t = get();
	ok(t[0] == '0', "handshake: open packet");
	h = json_parse(t + 1, strlen(t + 1));
	snprintf(sid, sizeof(sid), "%s", json_get_str(h, "sid"));
	json_object_put(h);
	is_int(strlen(sid), 20, "sid of 20 characters");
	snprintf(q, sizeof(q), "EIO=4&transport=polling&sid=%s", sid);
	is_int(post("40"), 200, "CONNECT posted");
	t = get();
	ok(strncmp(t, "40{\"sid\":\"", 10) == 0, "CONNECT answered: %s", t);
	ok(sock != NULL && strcmp(siosrv_sid(sock), sid) != 0,
	    "connected with a Socket.IO sid of its own");
	ok(siosrv_find(siosrv_sid(sock)) == sock, "found by sid");
}

int
main(void)
{
	static const struct siosrv_cb cb = { on_connect, on_event,
	    on_disconnect };
	struct sio_msg m;
	json_object *d, *bytes;
	const char *p;
	size_t n;
	int i, r = 0;

	setenv("WEBSOCKET_SERVER_PING_INTERVAL", "60", 1);
	base = event_base_new();
	siosrv_init(&cb);
	open_session();

	/* an event with an ack id: the handler's ack goes back */
	is_int(post("427[\"hello\",{\"a\":1}]"), 200, "event posted");
	is_str(get(), "437[\"ok\"]", "the handler's ack");
	is_str(last_event, "hello", "event name");
	is_str(json_text(last_args), "[{\"a\":1}]", "event arguments");

	/* the server asks, the client answers */
	d = json_object_new_object();
	json_object_object_add(d, "q", json_object_new_int(1));
	siosrv_call(sock, "ask", d, 5000, ack_cb, NULL);
	is_str(get(), "421[\"ask\",{\"q\":1}]", "server event with ack id 1");
	is_int(post("431[\"yes\",2]"), 200, "ack posted");
	ok(acked == 1 && ack_args != NULL &&
	    strcmp(json_text(ack_args), "[\"yes\",2]") == 0,
	    "callback with the ack arguments");
	is_int(post("431[\"again\"]"), 200, "a second ack for the id");
	is_int(acked, 1, "is ignored");

	/* unanswered: NULL after the timeout */
	siosrv_call(sock, "ask", d, 30, ack_cb, NULL);
	get();
	for (i = 0; i < 1000 && acked < 2; i++)
		event_base_loop(base, EVLOOP_ONCE);
	ok(acked == 2 && ack_args == NULL, "timeout: callback with NULL");

	/* binary out: placeholder and base64 attachment */
	bytes = json_object_new_object();
	json_object_object_add(bytes, "b", sio_bytes_new("\x00\x01\xff", 3));
	ok(siosrv_msg_event(&m, "bin", bytes) == ERR_OK, "binary encoded");
	is_int(siosrv_send(sock, &m), 0, "binary sent");
	siosrv_msg_free(&m);
	is_str(get(), "451-[\"bin\",{\"b\":{\"_placeholder\":true,\"num\":0}}]"
	    "\x1e" "bAAH/", "binary event in a polling payload");

	/* binary in: the attachment replaces the placeholder */
	is_int(post("451-[\"up\",{\"_placeholder\":true,\"num\":0}]\x1e"
	    "bAAH/"), 200, "binary event posted");
	ok(strcmp(last_event, "up") == 0 &&
	    sio_bytes_get(json_object_array_get_idx(last_args, 0), &p, &n) &&
	    n == 3 && memcmp(p, "\x00\x01\xff", 3) == 0,
	    "binary argument as a byte string");

	/* a pending call ends with NULL when the client leaves */
	siosrv_call(sock, "ask", d, 0, ack_cb, NULL);
	get();
	is_int(post("1"), 200, "close posted");
	ok(acked == 3 && ack_args == NULL && disconnects == 1 && sock == NULL,
	    "disconnect: pending call NULL, on_disconnect");
	ok(strstr(get(), "Invalid session") != NULL, "the session is gone");
	for (i = 0; i < 10; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);

	/* a client that never polls is closed past EIOSRV_MAX_QUEUE */
	open_session();
	{
		char *big = calloc(1, 1024 * 1024 + 1);

		memset(big, 'x', 1024 * 1024);
		json_object_put(bytes);
		bytes = json_object_new_string(big);
		free(big);
	}
	siosrv_msg_event(&m, "big", bytes);
	for (i = 0; i < 20 && r == 0; i++)
		r = siosrv_send(sock, &m);
	siosrv_msg_free(&m);
	ok(r == -1 && i > 7 && i < 10, "refused past 8 MiB (after %d)", i);
	for (i = 0; i < 10; i++)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	is_int(disconnects, 2, "and disconnected");

	/* errors */
	strcpy(q, "EIO=4&transport=polling&sid=nope");
	is_int(req("GET", q, NULL)->status, 400, "unknown sid: 400");
	strcpy(q, "EIO=4&transport=smoke");
	is_int(req("GET", q, NULL)->status, 400, "unknown transport: 400");

	json_object_put(d);
	json_object_put(bytes);
	json_object_put(last_args);
	json_object_put(ack_args);
	return done_testing();
}
