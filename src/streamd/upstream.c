/* upstream.c: streamed requests to model providers, see upstream.h. The
 * usual libcurl "multi socket" pattern on libevent: curl says which sockets
 * to watch (sock_cb) and when to wake it (timer_set); the loop reports
 * readiness back with curl_multi_socket_action(); finished transfers are
 * collected by check_done(). */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "httpd.h"
#include "log.h"
#include "mem.h"
#include "upstream.h"

#define UP_MAX_HEADERS	256

struct upstream {
	CURL			*easy;
	struct curl_slist	*hdrs;
	struct upstream_cbs	 cb;
	void			*arg;
	int			 head_sent;
	int			 paused;
	int			 in_cb;		/* inside a curl callback */
	int			 aborted;	/* abort asked in a callback */
	char			 errbuf[CURL_ERROR_SIZE];
};

static CURLM		*multi;
static struct event	*multi_timer;

static void	check_done(void);

static void
up_free(struct upstream *u)
{
	curl_multi_remove_handle(multi, u->easy);
	curl_easy_cleanup(u->easy);
	curl_slist_free_all(u->hdrs);
	free(u);
}

static void
sock_event_cb(evutil_socket_t fd, short kind, void *arg)
{
	int running, action = 0;

	if (kind & EV_READ)
		action |= CURL_CSELECT_IN;
	if (kind & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	curl_multi_socket_action(multi, fd, action, &running);
	check_done();
}

static int
sock_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct event *ev = socketp;
	short kind;

	if (what == CURL_POLL_REMOVE) {
		if (ev != NULL)
			event_free(ev);
		curl_multi_assign(multi, s, NULL);
		return 0;
	}
	kind = EV_PERSIST | (what & CURL_POLL_IN ? EV_READ : 0) |
	    (what & CURL_POLL_OUT ? EV_WRITE : 0);
	if (ev != NULL) {
		event_del(ev);
		event_assign(ev, srv_base(), s, kind, sock_event_cb, NULL);
	} else {
		ev = event_new(srv_base(), s, kind, sock_event_cb, NULL);
		if (ev == NULL)
			abort();
		curl_multi_assign(multi, s, ev);
	}
	event_add(ev, NULL);
	return 0;
}

static void
timer_event_cb(evutil_socket_t fd, short kind, void *arg)
{
	int running;

	curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done();
}

static int
timer_set(CURLM *m, long timeout_ms, void *userp)
{
	struct timeval tv;

	if (timeout_ms < 0) {
		evtimer_del(multi_timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = timeout_ms % 1000 * 1000;
	evtimer_add(multi_timer, &tv);
	return 0;
}

/* Sets up the multi handle on the loop the first time. */
static void
multi_init(void)
{
	if (multi != NULL)
		return;
	multi = curl_multi_init();
	multi_timer = evtimer_new(srv_base(), timer_event_cb, NULL);
	if (multi == NULL || multi_timer == NULL)
		abort();
	curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_set);
}

/* Calls on_head once, with the status of the final response. */
static void
send_head(struct upstream *u)
{
	long status = 0;
	char *ctype = NULL;

	if (u->head_sent)
		return;
	u->head_sent = 1;
	curl_easy_getinfo(u->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(u->easy, CURLINFO_CONTENT_TYPE, &ctype);
	u->in_cb++;
	u->cb.on_head(u->arg, status, ctype);
	u->in_cb--;
}

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct upstream *u = arg;
	long status = 0;

	if (u->aborted)
		return 0;
	/* the empty line ending the head of a final (not 1xx) response */
	if (n == 2 && p[0] == '\r' && p[1] == '\n') {
		curl_easy_getinfo(u->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200)
			send_head(u);
	}
	return u->aborted ? 0 : n;
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct upstream *u = arg;

	if (u->aborted)
		return 0;
	if (u->paused)
		return CURL_WRITEFUNC_PAUSE;	/* curl keeps the bytes */
	send_head(u);
	u->in_cb++;
	if (!u->aborted && n > 0)
		u->cb.on_data(u->arg, p, n);
	u->in_cb--;
	return u->aborted ? 0 : n;
}

/* Hands every finished transfer to its owner. */
static void
check_done(void)
{
	struct upstream *u;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&u);
		if (u->aborted) {
			up_free(u);
			continue;
		}
		if (m->data.result == CURLE_OK)
			send_head(u);
		if (!u->aborted)
			u->cb.on_done(u->arg, m->data.result == CURLE_OK,
			    m->data.result == CURLE_OK ? NULL :
			    u->errbuf[0] ? u->errbuf :
			    curl_easy_strerror(m->data.result));
		up_free(u);
	}
}

/* Reads spec into u's easy handle. Returns 0, or -1 (logged). */
static int
setup(struct upstream *u, json_object *spec)
{
	const char *method = json_object_get_string(json_object_object_get(
	    spec, "method"));
	const char *url = json_object_get_string(json_object_object_get(spec,
	    "url"));
	json_object *hdrs = json_object_object_get(spec, "headers");
	json_object *body = json_object_object_get(spec, "body");
	json_object *tmo = json_object_object_get(spec, "timeout_ms");
	const char *h;
	size_t i, n;

	if (url == NULL || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) || strpbrk(url, "\r\n ") != NULL)
		return -1;
	if (method == NULL)
		method = "POST";
	if (hdrs != NULL && !json_object_is_type(hdrs, json_type_array))
		return -1;
	n = hdrs != NULL ? json_object_array_length(hdrs) : 0;
	if (n > UP_MAX_HEADERS)
		return -1;
	for (i = 0; i < n; i++) {
		h = json_object_get_string(json_object_array_get_idx(hdrs, i));
		if (h == NULL || strpbrk(h, "\r\n") != NULL ||
		    strchr(h, ':') == NULL)
			return -1;
		u->hdrs = curl_slist_append(u->hdrs, h);
	}
	u->hdrs = curl_slist_append(u->hdrs, "Expect:");
	if (u->hdrs == NULL)
		abort();
	curl_easy_setopt(u->easy, CURLOPT_URL, url);
	curl_easy_setopt(u->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(u->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(u->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(u->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(u->easy, CURLOPT_HTTPHEADER, u->hdrs);
	curl_easy_setopt(u->easy, CURLOPT_ERRORBUFFER, u->errbuf);
	curl_easy_setopt(u->easy, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(u->easy, CURLOPT_HEADERDATA, u);
	curl_easy_setopt(u->easy, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(u->easy, CURLOPT_WRITEDATA, u);
	curl_easy_setopt(u->easy, CURLOPT_PRIVATE, u);
	if (tmo != NULL && json_object_get_int64(tmo) > 0)
		curl_easy_setopt(u->easy, CURLOPT_TIMEOUT_MS,
		    (long)json_object_get_int64(tmo));
	if (body != NULL && json_object_is_type(body, json_type_string)) {
		curl_easy_setopt(u->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)json_object_get_string_len(body));
		curl_easy_setopt(u->easy, CURLOPT_COPYPOSTFIELDS,
		    json_object_get_string(body));
	} else if (body != NULL)
		return -1;
	if (strcmp(method, body != NULL ? "POST" : "GET") != 0)
		curl_easy_setopt(u->easy, CURLOPT_CUSTOMREQUEST, method);
	return 0;
}

struct upstream *
upstream_start(json_object *spec, const struct upstream_cbs *cb, void *arg)
{
	struct upstream *u;

	if (spec == NULL || !json_object_is_type(spec, json_type_object))
		return NULL;
	multi_init();
	u = xcalloc(1, sizeof(*u));
	u->cb = *cb;
	u->arg = arg;
	if ((u->easy = curl_easy_init()) == NULL)
		abort();
	if (setup(u, spec) != 0) {
		log_error("malformed upstream request in a hand-off");
		goto fail;
	}
	if (curl_multi_add_handle(multi, u->easy) != CURLM_OK) {
		log_error("could not start an upstream request");
		goto fail;
	}
	return u;
fail:
	curl_easy_cleanup(u->easy);
	curl_slist_free_all(u->hdrs);
	free(u);
	return NULL;
}

void
upstream_pause(struct upstream *u, int paused)
{
	if (u->aborted || u->paused == !!paused)
		return;
	u->paused = !!paused;
	if (u->in_cb)
		return;		/* write_cb returns CURL_WRITEFUNC_PAUSE */
	curl_easy_pause(u->easy, paused ? CURLPAUSE_RECV : CURLPAUSE_CONT);
}

void
upstream_abort(struct upstream *u)
{
	if (u == NULL)
		return;
	if (u->in_cb) {
		/* curl is inside this transfer: fail it, free when done */
		u->aborted = 1;
		return;
	}
	up_free(u);
}
