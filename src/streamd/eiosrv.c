/* eiosrv.c: Engine.IO sessions over long-polling and WebSocket.
 *
 * A session queues its outgoing packets; the queue is flushed into the
 * WebSocket (frames) or into the pending long-poll GET (one payload) as
 * soon as either exists. A WebSocket connection (struct wsconn) is either
 * the session's transport or, during an upgrade, its probe. Sessions and
 * WebSocket connections are freed from the loop after they end, so a
 * pointer held during one callback stays valid until it returns. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "b64.h"
#include "buf.h"
#include "cors.h"
#include "eio.h"
#include "eiosrv.h"
#include "httpd.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "rand.h"
#include "smap.h"
#include "ws.h"

#define EIOSRV_MAX_SESSIONS	100000
#define EIOSRV_CLOSE_WAIT	10	/* s to flush a closing WebSocket */
#define CT_PAYLOAD		"text/plain; charset=UTF-8"

struct qpkt {
	struct qpkt	*next;
	enum eio_type	 type;
	int		 binary;
	size_t		 len;
	char		 data[];
};

/* probe: 0 the transport, 1 "2probe" awaited, 2 "5" awaited. */
struct wsconn {
	struct bufferevent	*bev;
	struct ws		*ws;
	struct buf		 out;
	struct eio_sess		*s;	/* NULL once detached */
	int			 probe;
	int			 ending;
};

struct eio_sess {
	char		 sid[21];
	int		 closed;
	int		 doomed;	/* over its queue bound: closing */
	struct hconn	*poll;		/* the pending long-poll GET */
	struct buf	 poll_hdrs;	/* its CORS header lines */
	struct wsconn	*ws;		/* the WebSocket transport */
	struct wsconn	*probe;		/* an upgrade under way */
	struct qpkt	*qhead, **qtail;
	size_t		 qbytes;
	struct event	*ping_ev;
	int		 await_pong;
	void		*data;
};

static struct eiosrv_cb	 eiosrv_cb;
static struct smap	*eiosrv_sessions;
static long		 ping_interval = EIO_PING_INTERVAL;	/* ms */
static long		 ping_timeout = EIO_PING_TIMEOUT;
static const char	*cors_allow;

static void	sess_close(struct eio_sess *s, int abort);
static void	wc_end(struct wsconn *wc);

void
eiosrv_init(const struct eiosrv_cb *cb)
{
	eiosrv_cb = *cb;
	eiosrv_sessions = smap_new();
	ping_interval = eio_env_ms("WEBSOCKET_SERVER_PING_INTERVAL",
	    EIO_PING_INTERVAL);
	ping_timeout = eio_env_ms("WEBSOCKET_SERVER_PING_TIMEOUT",
	    EIO_PING_TIMEOUT);
	cors_allow = getenv("CORS_ALLOW_ORIGIN");
}

void
eiosrv_new_id(char out[21])
{
	unsigned char raw[15];
	struct buf b = BUF_INIT;
	size_t i;

	if (rand_bytes(raw, sizeof(raw)) != ERR_OK)
		abort();
	b64_encode(&b, raw, sizeof(raw));
	for (i = 0; i < 20; i++)
		out[i] = b.p[i] == '+' ? '-' : b.p[i] == '/' ? '_' : b.p[i];
	out[20] = '\0';
	buf_free(&b);
}

const char *
eiosrv_sid(const struct eio_sess *s)
{
	return s->sid;
}

void
eiosrv_set_data(struct eio_sess *s, void *data)
{
	s->data = data;
}

void *
eiosrv_data(const struct eio_sess *s)
{
	return s->data;
}

int
eiosrv_closed(const struct eio_sess *s)
{
	return s->closed || s->doomed;
}

static void
arm(struct event *ev, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

/* Runs fn(arg) from the loop, after the current callbacks. */
static void
later(void (*fn)(evutil_socket_t, short, void *), void *arg)
{
	struct timeval tv = { 0, 0 };

	if (event_base_once(srv_base(), -1, EV_TIMEOUT, fn, arg, &tv) != 0)
		abort();
}

/* ---- WebSocket connections ---- */

static void
wc_free(struct wsconn *wc)
{
	bufferevent_free(wc->bev);
	ws_free(wc->ws);
	buf_free(&wc->out);
	free(wc);
}

static void
wc_free_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	wc_free(arg);
}

/* Moves the frames the codec produced to the socket. */
static void
wc_flush(struct wsconn *wc)
{
	if (wc->out.len > 0) {
		bufferevent_write(wc->bev, wc->out.p, wc->out.len);
		buf_reset(&wc->out);
	}
}

static void
wc_detach(struct wsconn *wc)
{
	struct eio_sess *s = wc->s;

	if (s == NULL)
		return;
	if (s->ws == wc)
		s->ws = NULL;
	if (s->probe == wc)
		s->probe = NULL;
	wc->s = NULL;
}

static void
wc_drained(struct bufferevent *bev, void *arg)
{
	(void)bev;
	wc_free(arg);
}

static void
wc_end_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	wc_free(arg);
}

/* Ends wc: detached from its session, closing frame (if any) flushed,
 * then freed; never frees before the current callback returns. */
static void
wc_end(struct wsconn *wc)
{
	struct timeval tv = { EIOSRV_CLOSE_WAIT, 0 };

	if (wc->ending)
		return;
	wc->ending = 1;
	wc_detach(wc);
	if (wc->ws != NULL && ws_state(wc->ws) == WS_OPEN)
		ws_close(wc->ws, WS_CLOSE_NORMAL, NULL);
	wc_flush(wc);
	bufferevent_disable(wc->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(wc->bev)) == 0) {
		bufferevent_setcb(wc->bev, NULL, NULL, NULL, NULL);
		later(wc_free_cb, wc);
		return;
	}
	bufferevent_set_timeouts(wc->bev, NULL, &tv);
	bufferevent_setcb(wc->bev, NULL, wc_drained, wc_end_event, wc);
}

/* The upgrade steps on the probe connection (python-engineio's
 * _websocket_handler): "2probe" -> "3probe" and a noop to the pending
 * poll; "5" -> the probe becomes the transport. */
static void
wc_probe(struct wsconn *wc, const struct eio_packet *pkt)
{
	struct eio_sess *s = wc->s;
	static const struct eio_packet pong = { EIO_PONG, 0, "probe", 5 };
	struct buf b = BUF_INIT;
	struct qpkt *q;

	if (wc->probe == 1 && pkt->type == EIO_PING && pkt->len == 5 &&
	    memcmp(pkt->data, "probe", 5) == 0) {
		eio_encode(&b, &pong);
		ws_send(wc->ws, WS_TEXT, b.p, b.len);
		buf_free(&b);
		wc->probe = 2;
		if (s->poll != NULL) {
			/* the poll ends with what was queued and a noop; a
			 * later poll gets a noop at once (poll_get) */
			q = xcalloc(1, sizeof(*q));
			q->type = EIO_NOOP;
			*s->qtail = q;
			s->qtail = &q->next;
			struct eio_packet p;
			struct buf pay = BUF_INIT;

			while ((q = s->qhead) != NULL) {
				p.type = q->type;
				p.binary = q->binary;
				p.data = q->data;
				p.len = q->len;
				eio_payload_add(&pay, &p);
				s->qhead = q->next;
				free(q);
			}
			s->qtail = &s->qhead;
			s->qbytes = 0;
			hconn_respond(s->poll, 200, CT_PAYLOAD,
			    buf_str(&s->poll_hdrs), pay.p, pay.len);
			s->poll = NULL;
			buf_free(&pay);
		}
		return;
	}
	if (wc->probe == 2 && pkt->type == EIO_UPGRADE) {
		s->probe = NULL;
		s->ws = wc;
		wc->probe = 0;
		log_debug("%s: upgraded to websocket", s->sid);
		return;
	}
	log_info("%s: failed websocket upgrade (%s packet)", s->sid,
	    eio_type_str(pkt->type));
	wc_end(wc);
}

static void	sess_recv(struct eio_sess *s, const struct eio_packet *pkt);
static void	sess_flush(struct eio_sess *s);

static void
wc_on_message(void *arg, int binary, const void *p, size_t n)
{
	struct wsconn *wc = arg;
	struct eio_sess *s = wc->s;
	struct eio_packet pkt;
	enum err e;

	if (wc->ending || s == NULL || s->closed)
		return;
	e = binary ? eio_decode_binary(p, n, &pkt) : eio_decode(p, n, &pkt);
	if (e != ERR_OK) {
		log_info("%s: bad engine.io packet: %s", s->sid, err_str(e));
		if (wc->probe)
			wc_end(wc);
		else
			sess_close(s, 1);
		return;
	}
	if (wc->probe) {
		wc_probe(wc, &pkt);
		if (s->ws == wc)
			sess_flush(s);
		return;
	}
	sess_recv(s, &pkt);
}

/* The peer is gone (EOF, error) or its close frame arrived. */
static void
wc_lost(struct wsconn *wc)
{
	struct eio_sess *s = wc->s;
	int transport = s != NULL && s->ws == wc;

	wc_detach(wc);
	if (transport)
		sess_close(s, 1);
}

static void
wc_read(struct bufferevent *bev, void *arg)
{
	struct wsconn *wc = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_iovec v;
	enum err e = ERR_OK;

	while (!wc->ending && evbuffer_get_length(in) > 0 &&
	    evbuffer_peek(in, -1, NULL, &v, 1) >= 1) {
		e = ws_feed(wc->ws, v.iov_base, v.iov_len);
		evbuffer_drain(in, v.iov_len);
		if (e != ERR_OK || ws_state(wc->ws) == WS_CLOSED)
			break;
	}
	wc_flush(wc);
	if (!wc->ending && (e != ERR_OK || ws_state(wc->ws) == WS_CLOSED)) {
		wc_lost(wc);
		wc_end(wc);
	}
}

static void
wc_event(struct bufferevent *bev, short what, void *arg)
{
	struct wsconn *wc = arg;

	(void)bev;
	(void)what;
	wc_lost(wc);
	wc->ending = 1;
	wc_free(wc);
}

/* Takes r's connection over as a WebSocket: a new session when s is NULL,
 * else the probe of s's upgrade. */
static void
wc_start(struct hreq *r, struct eio_sess *s, struct eio_sess *(*new)(void))
{
	static const struct ws_cb wscb_tmpl = { wc_on_message, NULL };
	struct ws_handshake h = {
		r->method, hreq_header(r, "Upgrade"),
		hreq_header(r, "Connection"),
		hreq_header(r, "Sec-WebSocket-Key"),
		hreq_header(r, "Sec-WebSocket-Version")
	};
	struct wsconn *wc = xcalloc(1, sizeof(*wc));
	struct ws_cb wscb = wscb_tmpl;
	struct evbuffer *early = NULL;
	enum err e;

	e = ws_handshake(&h, &wc->out);
	wc->bev = hconn_takeover(r->conn, &early);
	wscb.arg = wc;
	wc->ws = ws_new(&wscb, EIO_MAX_PAYLOAD, &wc->out);
	bufferevent_setcb(wc->bev, wc_read, NULL, wc_event, wc);
	bufferevent_set_timeouts(wc->bev, NULL, NULL);
	if (e != ERR_OK) {
		evbuffer_free(early);
		ws_free(wc->ws);
		wc->ws = NULL;
		wc_end(wc);
		return;
	}
	if (s == NULL) {
		s = new();
		s->ws = wc;
	} else {
		s->probe = wc;
		wc->probe = 1;
	}
	wc->s = s;
	sess_flush(s);
	wc_flush(wc);
	if (evbuffer_get_length(early) > 0) {
		evbuffer_add_buffer(bufferevent_get_input(wc->bev), early);
		wc_read(wc->bev, wc);
	}
	evbuffer_free(early);
}

/* ---- sessions ---- */

static void
sess_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct eio_sess *s = arg;

	(void)fd;
	(void)what;
	buf_free(&s->poll_hdrs);
	free(s);
}

static void
q_free(struct eio_sess *s)
{
	struct qpkt *q;

	while ((q = s->qhead) != NULL) {
		s->qhead = q->next;
		free(q);
	}
	s->qtail = &s->qhead;
	s->qbytes = 0;
}

/* Sends the queue: WebSocket frames, or the payload answering the pending
 * poll. */
static void
sess_flush(struct eio_sess *s)
{
	struct buf b = BUF_INIT;
	struct eio_packet p;
	struct qpkt *q;
	struct wsconn *wc = s->ws;

	if (s->qhead == NULL || (wc == NULL && s->poll == NULL))
		return;
	for (q = s->qhead; q != NULL; q = q->next) {
		p.type = q->type;
		p.binary = q->binary;
		p.data = q->data;
		p.len = q->len;
		if (wc == NULL) {
			eio_payload_add(&b, &p);
			continue;
		}
		buf_reset(&b);
		eio_encode(&b, &p);
		ws_send(wc->ws, q->binary ? WS_BINARY : WS_TEXT, b.p, b.len);
	}
	q_free(s);
	if (wc != NULL)
		wc_flush(wc);
	else {
		hconn_respond(s->poll, 200, CT_PAYLOAD, buf_str(&s->poll_hdrs),
		    b.p, b.len);
		s->poll = NULL;
	}
	buf_free(&b);
}

static void
doom_cb(evutil_socket_t fd, short what, void *arg)
{
	char *sid = arg;
	struct eio_sess *s = smap_get(eiosrv_sessions, sid);

	(void)fd;
	(void)what;
	if (s != NULL)
		sess_close(s, 1);
	free(sid);
}

/* Queues one packet and flushes. Returns 0, or -1 when closed or when the
 * client holds more than EIOSRV_MAX_QUEUE bytes (then closed from the
 * loop: nothing is freed under the caller). */
static int
sess_send(struct eio_sess *s, enum eio_type type, int binary,
    const void *p, size_t n)
{
	struct qpkt *q;
	size_t held;

	if (s->closed || s->doomed)
		return -1;
	q = xmalloc(sizeof(*q) + n + 1);
	q->next = NULL;
	q->type = type;
	q->binary = binary;
	q->len = n;
	if (n > 0)
		memcpy(q->data, p, n);
	q->data[n] = '\0';
	*s->qtail = q;
	s->qtail = &q->next;
	s->qbytes += n;
	if (s->probe == NULL || s->probe->probe != 2)
		sess_flush(s);
	held = s->qbytes;
	if (s->ws != NULL)
		held += evbuffer_get_length(bufferevent_get_output(s->ws->bev));
	if (held > EIOSRV_MAX_QUEUE) {
		log_warn("%s: client does not read (%zu bytes held), closing",
		    s->sid, held);
		s->doomed = 1;
		later(doom_cb, xstrdup(s->sid));
		return -1;
	}
	return 0;
}

int
eiosrv_send(struct eio_sess *s, int binary, const void *p, size_t n)
{
	return sess_send(s, EIO_MESSAGE, binary, p, n);
}

static void
ping_fire(evutil_socket_t fd, short what, void *arg)
{
	struct eio_sess *s = arg;

	(void)fd;
	(void)what;
	if (s->await_pong) {
		log_info("%s: client is gone (no pong), closing", s->sid);
		sess_close(s, 0);
		return;
	}
	s->await_pong = 1;
	arm(s->ping_ev, ping_timeout);
	sess_send(s, EIO_PING, 0, NULL, 0);
}

static struct eio_sess *
sess_new_common(int upgrade)
{
	struct eio_sess *s = xcalloc(1, sizeof(*s));
	struct eio_handshake h;
	struct buf b = BUF_INIT;

	do
		eiosrv_new_id(s->sid);
	while (smap_get(eiosrv_sessions, s->sid) != NULL);
	s->qtail = &s->qhead;
	s->ping_ev = evtimer_new(srv_base(), ping_fire, s);
	smap_put(eiosrv_sessions, s->sid, s);
	memset(&h, 0, sizeof(h));
	memcpy(h.sid, s->sid, sizeof(s->sid));
	h.upgrade = upgrade;
	h.ping_interval = ping_interval;
	h.ping_timeout = ping_timeout;
	h.max_payload = EIO_MAX_PAYLOAD;
	eio_handshake_encode(&b, &h);
	sess_send(s, EIO_OPEN, 0, b.p, b.len);
	buf_free(&b);
	arm(s->ping_ev, ping_interval);
	log_debug("%s: engine.io session opened", s->sid);
	return s;
}

static struct eio_sess *
sess_new_ws(void)
{
	return sess_new_common(0);
}

static void
sess_close(struct eio_sess *s, int abort)
{
	static const struct eio_packet close = { EIO_CLOSE, 0, "", 0 };
	struct buf b = BUF_INIT;

	if (s->closed)
		return;
	if (!abort)
		sess_send(s, EIO_CLOSE, 0, NULL, 0);
	s->closed = 1;
	smap_del(eiosrv_sessions, s->sid);
	event_free(s->ping_ev);
	s->ping_ev = NULL;
	eiosrv_cb.on_close(s);
	if (s->poll != NULL) {
		eio_payload_add(&b, &close);
		hconn_respond(s->poll, 200, CT_PAYLOAD,
		    buf_str(&s->poll_hdrs), b.p, b.len);
		s->poll = NULL;
		buf_free(&b);
	}
	if (s->ws != NULL)
		wc_end(s->ws);
	if (s->probe != NULL)
		wc_end(s->probe);
	q_free(s);
	log_debug("%s: engine.io session closed", s->sid);
	later(sess_free_cb, s);
}

void
eiosrv_close(struct eio_sess *s)
{
	sess_close(s, 0);
}

static void
sess_recv(struct eio_sess *s, const struct eio_packet *pkt)
{
	switch (pkt->type) {
	case EIO_PONG:
		if (s->await_pong) {
			s->await_pong = 0;
			arm(s->ping_ev, ping_interval);
		}
		break;
	case EIO_MESSAGE:
		eiosrv_cb.on_message(s, pkt->binary, pkt->data, pkt->len);
		break;
	case EIO_CLOSE:
		sess_close(s, 1);
		break;
	default:	/* python-engineio ignores the others */
		break;
	}
}

/* ---- HTTP ---- */

static void
bad(struct hreq *r, const struct buf *hdrs, const char *msg)
{
	json_object *o = json_object_new_string(msg);
	const char *t = json_text(o);

	hconn_respond(r->conn, 400, "text/plain", buf_str(hdrs), t, strlen(t));
	json_object_put(o);
}

static void
poll_gone(void *arg)
{
	struct eio_sess *s = arg;

	s->poll = NULL;
}

static void
poll_get(struct hreq *r, struct eio_sess *s, const struct buf *hdrs)
{
	static const char noop[] = "6";

	if (s->ws != NULL || (s->probe != NULL && s->probe->probe == 2)) {
		hconn_respond(r->conn, 200, CT_PAYLOAD, buf_str(hdrs),
		    noop, 1);
		return;
	}
	if (s->poll != NULL) {
		log_info("%s: overlapping long-polls, closing", s->sid);
		bad(r, hdrs, "Bad Request");
		sess_close(s, 1);
		return;
	}
	s->poll = r->conn;
	buf_reset(&s->poll_hdrs);
	buf_puts(&s->poll_hdrs, buf_str(hdrs));
	hconn_on_close(r->conn, poll_gone, s);
	sess_flush(s);
}

/* Delivers a polling payload: refused whole (400, session closed) when any
 * packet in it is malformed, as python-engineio drops a bad payload. */
static void
poll_post(struct hreq *r, struct eio_sess *s, const struct buf *hdrs)
{
	struct eio_reader rd;
	struct eio_packet pkt;
	struct buf scratch = BUF_INIT;
	enum err e;

	if ((e = eio_payload_init(&rd, r->body, r->body_len)) != ERR_OK)
		goto fail;
	while ((e = eio_payload_next(&rd, &pkt, &scratch)) == ERR_OK)
		;
	if (e != ERR_NOTFOUND)
		goto fail;
	eio_payload_init(&rd, r->body, r->body_len);
	while (!s->closed && eio_payload_next(&rd, &pkt, &scratch) == ERR_OK)
		sess_recv(s, &pkt);
	buf_free(&scratch);
	hconn_respond(r->conn, 200, "text/plain", buf_str(hdrs), "OK", 2);
	return;
fail:
	log_info("%s: bad polling payload: %s", s->sid, err_str(e));
	buf_free(&scratch);
	bad(r, hdrs, "Bad Request");
	sess_close(s, 1);
}

/* 1 when the comma-separated list holds token (case-insensitive). */
static int
has_token(const char *list, const char *token)
{
	size_t n = strlen(token), len;
	const char *p;

	for (p = list ? list : ""; *p != '\0'; p += len + (p[len] == ',')) {
		p += strspn(p, " \t");
		len = strcspn(p, ",");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == n && strncasecmp(p, token, n) == 0)
			return 1;
		len += strcspn(p + len, ",");
	}
	return 0;
}

static void
eiosrv_get(struct hreq *r, const char *sid, const char *transport,
    const struct buf *hdrs)
{
	const char *upgrade = hreq_header(r, "Upgrade");
	int ws = upgrade != NULL && strcasecmp(upgrade, "websocket") == 0;
	struct eio_sess *s;

	if (sid == NULL) {
		if (smap_count(eiosrv_sessions) >= EIOSRV_MAX_SESSIONS) {
			hconn_respond_detail(r->conn, 503, "Too many sessions");
			return;
		}
		if (strcmp(transport, "polling") == 0)
			poll_get(r, sess_new_common(1), hdrs);
		else if (ws)
			wc_start(r, NULL, sess_new_ws);
		else
			bad(r, hdrs, "Invalid websocket upgrade");
		return;
	}
	if ((s = smap_get(eiosrv_sessions, sid)) == NULL) {
		bad(r, hdrs, "Invalid session");
		return;
	}
	if (ws && has_token(hreq_header(r, "Connection"), "upgrade")) {
		if (s->ws != NULL || s->probe != NULL)
			bad(r, hdrs, "Bad Request");
		else
			wc_start(r, s, NULL);
		return;
	}
	poll_get(r, s, hdrs);
}

void
eiosrv_http(struct hreq *r)
{
	char *sid = hreq_query(r, "sid"), *transport = hreq_query(r,
	    "transport"), *eio = hreq_query(r, "EIO");
	const char *t = transport ? transport : "polling";
	struct buf hdrs = BUF_INIT;
	struct eio_sess *s;

	switch (cors_headers(&hdrs, cors_allow, hreq_header(r, "Origin"),
	    r->method, hreq_header(r, "Access-Control-Request-Method"),
	    hreq_header(r, "Access-Control-Request-Headers"))) {
	case CORS_REFUSE:
		hconn_respond(r->conn, 400, "text/plain", NULL,
		    "Disallowed CORS origin", 22);
		goto done;
	case CORS_PREFLIGHT:
		hconn_respond(r->conn, 200, "text/plain", buf_str(&hdrs),
		    "OK", 2);
		goto done;
	case CORS_PASS:
		break;
	}
	if (strcmp(t, "polling") != 0 && strcmp(t, "websocket") != 0)
		bad(r, &hdrs, "Invalid transport");
	else if (sid == NULL && (eio == NULL || strcmp(eio, "4") != 0))
		bad(r, &hdrs, "The client is using an unsupported version of "
		    "the Socket.IO or Engine.IO protocols");
	else if (strcmp(r->method, "GET") == 0)
		eiosrv_get(r, sid, t, &hdrs);
	else if (strcmp(r->method, "POST") == 0) {
		if (sid == NULL ||
		    (s = smap_get(eiosrv_sessions, sid)) == NULL)
			bad(r, &hdrs, "Invalid session");
		else
			poll_post(r, s, &hdrs);
	} else if (strcmp(r->method, "OPTIONS") == 0)
		hconn_respond(r->conn, 200, "text/plain", buf_str(&hdrs),
		    "OK", 2);
	else
		hconn_respond(r->conn, 405, "text/plain", buf_str(&hdrs),
		    "Method Not Found", 16);
done:
	buf_free(&hdrs);
	free(sid);
	free(transport);
	free(eio);
}
