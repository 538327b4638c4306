/* hstream.c: the hand-offs of the shared-hosting mode (hosting.h), carried
 * out by the worker instead of cwebui-streamd: a stream relayed to the
 * client as it comes, or a chat task run by a detached child process. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "chatbg.h"
#include "chatmsg.h"
#include "chatproc.h"
#include "clock.h"
#include "db.h"
#include "handoff.h"
#include "hosting.h"
#include "hrt.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "ollama.h"
#include "rand.h"
#include "req.h"
#include "sse.h"
#include "user.h"
#include "webhook.h"

#define HSTREAM_MAX_LINE	(16L * 1024 * 1024)
#define HSTREAM_MAX_ERROR	(1024L * 1024)	/* an error answer read whole */
#define HSTREAM_STOP_CHECK	0.25	/* s between looks at the stop flag */

static int	 hosting_mode = -1;
static char	*hosting_db_url;
static char	 hosting_exe[4096];	/* this program, for task processes */

int
hosting_on(void)
{
	const char *v;

	if (hosting_mode < 0) {
		v = getenv("CWEBUI_NO_STREAMD");
		hosting_mode = v != NULL && strcmp(v, "1") == 0;
	}
	return hosting_mode;
}

void
hosting_init(const char *data_dir, const char *database_url)
{
	ssize_t n;

	hrt_init(data_dir);
	free(hosting_db_url);
	hosting_db_url = xstrdup(database_url);
	n = readlink("/proc/self/exe", hosting_exe, sizeof(hosting_exe) - 1);
	hosting_exe[n > 0 ? n : 0] = '\0';
}

/* CWEBUI_HOSTING_MAX_TASKS, HOSTING_MAX_TASKS by default. */
static int
hosting_max_tasks(void)
{
	const char *v = getenv("CWEBUI_HOSTING_MAX_TASKS");
	long n = v != NULL ? strtol(v, NULL, 10) : 0;

	return n > 0 && n <= 100000 ? (int)n : HOSTING_MAX_TASKS;
}

/* ---- relay: the upstream body to the client as it comes ---- */

enum hs_mode { HS_BYTES, HS_SSE, HS_NDJSON };

struct relay {
	struct req		*r;
	const struct handoff	*h;
	int			 started;	/* the head is out */
	int			 convert;	/* Ollama NDJSON -> OpenAI SSE */
	int			 gone;		/* the client left */
	long			 error_status;	/* an Ollama error being read */
	enum hs_mode		 mode;
	struct sse_lines	 lines;
	struct buf		 out;
};

static void
relay_line(void *arg, const char *p, size_t n)
{
	struct relay *rl = arg;

	chatproc_relay_line(&rl->out, rl->convert, p, n);
}

/* Writes what rl->out holds: 0, or -1 when the client left. */
static int
relay_flush(struct relay *rl)
{
	int rc = 0;

	if (rl->out.len > 0 && !rl->gone)
		rc = resp_stream_write(rl->r, rl->out.p, rl->out.len);
	buf_reset(&rl->out);
	if (rc != 0)
		rl->gone = 1;
	return rc;
}

static void
relay_head(void *arg, long status, const char *ctype)
{
	struct relay *rl = arg;
	int ok = status >= 200 && status < 400;

	if (!ok && rl->h->ollama_errors) {
		rl->error_status = status;	/* read whole, answered after */
		return;
	}
	if (ok && rl->h->content_type != NULL)
		ctype = rl->h->content_type;
	rl->convert = ok && rl->h->relay == HANDOFF_OLLAMA_OPENAI;
	if (rl->convert)
		rl->mode = HS_NDJSON;
	else if (ctype != NULL && strncasecmp(ctype, "text/event-stream",
	    17) == 0)
		rl->mode = HS_SSE;
	else if (ctype != NULL && strncasecmp(ctype, "application/x-ndjson",
	    20) == 0)
		rl->mode = HS_NDJSON;
	if (rl->mode != HS_BYTES)
		sse_lines_init(&rl->lines, rl->mode == HS_SSE ?
		    SSE_LINES_SSE : SSE_LINES_NDJSON, HSTREAM_MAX_LINE,
		    relay_line, rl);
	rl->started = 1;
	if (resp_stream_start(rl->r, (int)status, ctype) != 0)
		rl->gone = 1;
	else if (ok && rl->h->prelude != NULL)
		buf_puts(&rl->out, rl->h->prelude);
}

static int
relay_data(void *arg, const char *p, size_t n)
{
	struct relay *rl = arg;

	if (rl->error_status != 0) {
		if (rl->out.len + n <= (size_t)HSTREAM_MAX_ERROR)
			buf_append(&rl->out, p, n);
		return 0;
	}
	if (rl->mode == HS_BYTES)
		buf_append(&rl->out, p, n);
	else if (sse_lines_feed(&rl->lines, p, n) != ERR_OK) {
		log_error("upstream line over %ld bytes: stream cut",
		    HSTREAM_MAX_LINE);
		return -1;
	}
	return relay_flush(rl);
}

/* The answer when the provider could not be reached before its head. */
static int
relay_conn_error(struct relay *rl)
{
	const char *body = rl->h->conn_error_body;

	if (rl->h->conn_error_status == 0 || body == NULL)
		return resp_error(rl->r, 500, HANDOFF_CONN_ERROR);
	return resp_raw(rl->r, rl->h->conn_error_status, "application/json",
	    body, strlen(body));
}

/* The provider's error answer, read whole, as Ollama's send_post_request
 * raises it (ollama.h). */
static int
relay_ollama_error(struct relay *rl)
{
	/* on the arena, as its body is registered there */
	struct http_resp *hr = arena_alloc(rl->r->a, sizeof(*hr));
	const char *detail = "";
	long status = rl->error_status;

	memset(hr, 0, sizeof(*hr));
	hr->status = rl->error_status;
	buf_on_arena(&hr->body, rl->r->a);
	buf_append(&hr->body, buf_str(&rl->out), rl->out.len);
	ollama_post_error(rl->r->a, hr, rl->h->upstream.url, &status,
	    &detail);
	return resp_error(rl->r, (int)status, detail);
}

/* Relays the upstream answer of h to the client of r. */
static int
hstream_relay(struct req *r, const struct handoff *h)
{
	static const struct http_stream_cb cb = {
		relay_head, relay_data, NULL
	};
	struct relay rl = { .r = r, .h = h };
	const char *error;
	enum err e;
	int st;

	e = http_stream(r->a, &h->upstream, &cb, &rl, &error);
	if (e == ERR_IO || e == ERR_INVAL)
		log_error("upstream request failed: %s", error);
	if (rl.error_status != 0)
		st = relay_ollama_error(&rl);
	else if (!rl.started)
		st = relay_conn_error(&rl);
	else {
		if (rl.mode != HS_BYTES && sse_lines_finish(&rl.lines) ==
		    ERR_OK && e == ERR_OK && rl.convert)
			buf_puts(&rl.out, "data: [DONE]\n\n");
		relay_flush(&rl);
		st = r->status;
	}
	if (rl.mode != HS_BYTES && rl.started)
		sse_lines_free(&rl.lines);
	buf_free(&rl.out);
	return st;
}

/* ---- chat tasks ---- */

struct htask {
	struct chatproc	 cp;
	struct db	*db;
	struct arena	*a;		/* the task's */
	struct arena	*ca;		/* one internal call's */
	char		 id[37];
	char		*room;		/* user:<user id> */
	double		 checked;	/* when the stop flag was read */
	int		 stopped;
};

static void
htask_emit(struct chatproc *cp, json_object *o)
{
	struct htask *t = cp->arg;

	hrt_emit(t->room, "chat-events", o);
}

static int
htask_local(const char *chat_id)
{
	return strcmp(chat_id, "local") == 0 ||
	    strncmp(chat_id, "local:", 6) == 0;
}

/* The internal calls of chatproc.h, made at once on the task's own
 * connection (what src/fcgi/h_streamd*.c do for cwebui-streamd). */
static void
htask_call(struct chatproc *cp, const char *uri, json_object *body,
    chatproc_done_fn *done)
{
	struct htask *t = cp->arg;
	json_object *reply = json_object_new_object(), *merged = NULL, *ev;
	const char *title = NULL;
	struct user *u = NULL;
	enum err e = ERR_OK;

	arena_reset(t->ca);
	if (strcmp(uri, "/_streamd/chat/message") == 0) {
		if (!htask_local(cp->chat_id))
			e = chatmsg_upsert(t->db, t->ca, cp->chat_id,
			    cp->message_id, json_get(body, "message"), &title,
			    &merged);
		json_object_object_add(reply, "title", e == ERR_OK ?
		    json_str_or_null(title) : NULL);
		if (merged != NULL)
			json_object_object_add(reply, "message",
			    json_object_get(merged));
	} else if (strcmp(uri, "/_streamd/chat/background") == 0) {
		ev = NULL;
		if (!htask_local(cp->chat_id) && (e = user_get(t->db, t->ca,
		    cp->user_id, &u)) == ERR_OK)
			e = chatbg_run(t->db, t->ca, u, NULL, cp->chat_id,
			    cp->message_id, json_get_str(body, "model"),
			    json_get(body, "background_tasks"), &ev);
		json_object_object_add(reply, "events", ev != NULL ?
		    json_object_get(ev) : json_object_new_array());
	} else if (strcmp(uri, "/_streamd/chat/notify") == 0) {
		if ((e = user_get(t->db, t->ca, cp->user_id, &u)) == ERR_OK)
			e = webhook_chat(t->ca, u, cp->chat_id,
			    json_get_str(body, "title"),
			    json_get_str(body, "content"));
	}
	if (e != ERR_OK && e != ERR_NOTFOUND && e != ERR_INVAL)
		log_warn("task %s: %s failed: %s", t->id, uri, err_str(e));
	if (done != NULL)
		done(cp, e == ERR_OK || e == ERR_NOTFOUND || e == ERR_INVAL ?
		    reply : NULL);
	json_object_put(reply);
}

static int
htask_busy(struct chatproc *cp)
{
	(void)cp;
	return 0;
}

static int
htask_user_active(struct chatproc *cp)
{
	return hrt_user_active(cp->user_id);
}

static void
htask_started(struct chatproc *cp)
{
	(void)cp;	/* htask_run() goes on when chatproc_begin returns */
}

static const struct chatproc_ops htask_ops = {
	htask_emit, htask_call, htask_busy, htask_user_active, htask_started
};

static void
htask_head(void *arg, long status, const char *ctype)
{
	struct htask *t = arg;

	chatproc_head(&t->cp, status, ctype);
}

static int
htask_data(void *arg, const char *p, size_t n)
{
	struct htask *t = arg;

	chatproc_data(&t->cp, p, n);
	return 0;
}

/* Looks at the stop flag now and then: nonzero stops the upstream. */
static int
htask_tick(void *arg)
{
	struct htask *t = arg;
	double now = clock_mono();

	if (now - t->checked < HSTREAM_STOP_CHECK)
		return 0;
	t->checked = now;
	return t->stopped = hrt_task_stopped(t->id);
}

/* The upstream request of the hand-off ho (its "upstream" object), its
 * strings borrowed from ho or on a. */
static void
htask_upstream(struct arena *a, json_object *ho, struct http_req *q)
{
	json_object *up = json_get(ho, "upstream"), *h = json_get(up, "headers");
	json_object *body = json_get(up, "body");
	const char **hv;
	size_t i, n;

	memset(q, 0, sizeof(*q));
	q->method = json_get_str(up, "method");
	q->url = json_get_str(up, "url");
	n = json_object_is_type(h, json_type_array) ?
	    json_object_array_length(h) : 0;
	hv = arena_alloc(a, (n + 1) * sizeof(*hv));
	for (i = 0; i < n; i++)
		hv[i] = json_object_get_string(json_object_array_get_idx(h, i));
	hv[n] = NULL;
	q->headers = hv;
	if (json_object_is_type(body, json_type_string)) {
		q->body = json_object_get_string(body);
		q->body_len = (size_t)json_object_get_string_len(body);
	}
	q->timeout_ms = (long)json_object_get_int64(json_get(up,
	    "timeout_ms"));
}

/* Generates the answer of the hand-off ho as streamd's chatflow.c does. */
static void
htask_run(struct htask *t, json_object *ho)
{
	static const struct http_stream_cb cb = {
		htask_head, htask_data, htask_tick
	};
	json_object *spec = json_get(ho, "task");
	const char *relay = json_get_str(ho, "relay"), *error;
	struct http_req q;
	enum err e;

	if (db_open(hosting_db_url, &t->db) != ERR_OK) {
		log_error("task %s: could not open the database", t->id);
		return;
	}
	htask_upstream(t->a, ho, &q);
	chatproc_init(&t->cp, &htask_ops, t, spec, relay != NULL &&
	    strcmp(relay, "ollama-openai") == 0);
	t->cp.task_id = t->id;
	t->cp.user_id = json_get_str(spec, "user_id");
	t->cp.chat_id = json_get_str(spec, "chat_id");
	t->cp.message_id = json_get_str(spec, "message_id");
	t->room = xstrdup(arena_printf(t->a, "user:%s", t->cp.user_id));
	chatproc_begin(&t->cp);
	if (!t->cp.ended && q.url == NULL)
		chatproc_fail(&t->cp, "Direct connections are not available "
		    "on this server", 1);
	if (!t->cp.ended) {
		e = http_stream(t->a, &q, &cb, t, &error);
		if (t->stopped)
			chatproc_stop(&t->cp);
		else if (e != ERR_OK && t->cp.status == 0) {
			log_warn("task %s: upstream failed: %s", t->id,
			    error != NULL ? error : "?");
			chatproc_fail(&t->cp,
			    "500: Open WebUI: Server Connection Error", 1);
		} else
			chatproc_end(&t->cp);
	}
	chatproc_free(&t->cp);
	db_close(t->db);
	free(t->room);
}

int
hosting_task_main(const char *task_id)
{
	struct htask t;
	json_object *ho = NULL;
	const char *spec;

	memset(&t, 0, sizeof(t));
	snprintf(t.id, sizeof(t.id), "%s", task_id);
	t.a = arena_new();
	t.ca = arena_new();
	hrt_task_own(t.id);
	spec = hrt_task_spec(t.a, t.id);
	if (spec == NULL || (ho = json_parse(spec, strlen(spec))) == NULL ||
	    json_get_str(json_get(ho, "task"), "user_id") == NULL ||
	    json_get_str(json_get(ho, "task"), "chat_id") == NULL ||
	    json_get_str(json_get(ho, "task"), "message_id") == NULL)
		log_error("task %s: no hand-off to run", t.id);
	else
		htask_run(&t, ho);
	hrt_task_remove(t.id);
	json_object_put(ho);
	arena_free(t.ca);
	arena_free(t.a);
	return 0;
}

/* In the child: lets go of what belongs to the worker (the FastCGI
 * sockets, the database connections: only stderr is kept) and of the web
 * server (a new session, so it is not killed with the worker's process
 * group). */
static void
htask_detach(void)
{
	long fd, max = sysconf(_SC_OPEN_MAX);
	int null;

	setsid();
	for (fd = 3; fd < (max > 0 && max < 65536 ? max : 1024); fd++)
		close((int)fd);
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
}

/* Answers {"status": true, "task_id"}; the task runs in a new process
 * (cwebui-fcgi --hosting-task ID, a grandchild owned by init, so this
 * worker goes back to its requests at once). It is a fresh program, not
 * just a fork: a database connection cannot cross a fork. */
static int
hstream_task(struct req *r, const struct handoff *h)
{
	char id[37], *argv[4];
	json_object *o;
	pid_t pid;
	int status;

	rand_uuid4(id);
	if (hrt_task_count() >= hosting_max_tasks()) {
		log_warn("too many chat tasks running (%d)",
		    hosting_max_tasks());
		return resp_error(r, 503, "Too many chats are being answered; "
		    "try again in a moment");
	}
	if (hrt_task_add(id, h->task->user->id, h->task->chat_id,
	    handoff_text(r->a, h)) != ERR_OK)
		return resp_internal(r, "task", ERR_DB);
	if ((pid = fork()) < 0) {
		hrt_task_remove(id);
		log_error("fork: %s", strerror(errno));
		return resp_internal(r, "task", ERR_IO);
	}
	if (pid == 0) {
		htask_detach();
		if (fork() != 0)
			_exit(0);
		argv[0] = "cwebui-fcgi";
		argv[1] = "--hosting-task";
		argv[2] = id;
		argv[3] = NULL;
		execv(hosting_exe, argv);
		log_error("could not run %s: %s", hosting_exe, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_boolean(1));
	json_object_object_add(o, "task_id", json_object_new_string(id));
	return resp_json(r, 200, o);
}

int
hosting_answer(struct req *r, const struct handoff *h)
{
	if (h->task != NULL)
		return hstream_task(r, h);
	return hstream_relay(r, h);
}
