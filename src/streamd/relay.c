/* relay.c: the streaming-capable endpoints, see relay.h.
 *
 *	client request -> fcgic_forward() -> cwebui-fcgi
 *	    plain answer		-> to the client as it is
 *	    hand-off with a task	-> task_start()
 *	    hand-off			-> upstream_start(), and the provider's
 *					   body streamed to the client
 *
 * Streamed bodies are cut into whole lines (sse.c) for text/event-stream
 * and NDJSON, so that no line is split between two writes to the client
 * and UTF-8 stays whole; anything else is copied as it comes. The client
 * leaving aborts the upstream request at once; a client that reads slowly
 * pauses it (RELAY_MAX_PENDING). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "chatproc.h"
#include "fcgic.h"
#include "handoff.h"
#include "httpd.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "ollama.h"
#include "relay.h"
#include "sse.h"
#include "task.h"
#include "upstream.h"

#define RELAY_MAX_LINE	(16L * 1024 * 1024)
#define RELAY_MAX_ERROR	(1024L * 1024)	/* an error answer read whole */
#define MSG_CONN_ERROR	HANDOFF_CONN_ERROR

enum relay_mode { MODE_BYTES, MODE_SSE, MODE_NDJSON };

struct relay {
	struct hconn		*conn;
	struct fcgic_call	*call;
	struct upstream		*up;
	json_object		*handoff;
	int			 ollama;	/* relay "ollama-openai" */
	int			 started;	/* the response head is out */
	int			 convert;	/* ollama and a success status */
	long			 error_status;	/* an Ollama error being read */
	enum relay_mode		 mode;
	struct sse_lines	 lines;
	struct buf		 out;		/* what one on_data writes */
};

static void
relay_free(struct relay *rl)
{
	if (rl->mode != MODE_BYTES)
		sse_lines_free(&rl->lines);
	json_object_put(rl->handoff);
	buf_free(&rl->out);
	free(rl);
}

/* The client went away: stop whatever is running. */
static void
on_close(void *arg)
{
	struct relay *rl = arg;

	fcgic_cancel(rl->call);
	upstream_abort(rl->up);
	relay_free(rl);
}

/* Ends the exchange: the response (when the head is not out yet, an error
 * with detail) and the relay. */
static void
relay_end(struct relay *rl, int status, const char *detail)
{
	struct hconn *c = rl->conn;

	hconn_on_close(c, NULL, NULL);
	hconn_on_drain(c, NULL, NULL);
	if (rl->started)
		hconn_stream_end(c);
	else
		hconn_respond_detail(c, status, detail);
	relay_free(rl);
}

/* One whole line of the upstream body. */
/* Answers a failure to reach the provider before its head came as the
 * hand-off says the route shows it ("conn_error"), by default as the
 * proxies raise it (500). */
static void
conn_error(struct relay *rl)
{
	json_object *ce = json_get(rl->handoff, "conn_error");
	const char *body = json_get_str(ce, "body");
	struct hconn *c = rl->conn;

	if (rl->started || ce == NULL || body == NULL) {
		relay_end(rl, 500, MSG_CONN_ERROR);
		return;
	}
	hconn_on_close(c, NULL, NULL);
	hconn_respond(c, json_object_get_int(json_get(ce, "status")),
	    "application/json", NULL, body, strlen(body));
	relay_free(rl);
}

static void
on_line(void *arg, const char *p, size_t n)
{
	struct relay *rl = arg;

	chatproc_relay_line(&rl->out, rl->convert, p, n);
}

static void
on_drain(void *arg)
{
	struct relay *rl = arg;

	hconn_on_drain(rl->conn, NULL, NULL);
	upstream_pause(rl->up, 0);
}

/* Writes what rl->out holds; pauses the upstream on a full queue. */
static void
flush_out(struct relay *rl)
{
	if (rl->out.len == 0)
		return;
	hconn_stream_write(rl->conn, rl->out.p, rl->out.len);
	buf_reset(&rl->out);
	if (hconn_pending(rl->conn) > RELAY_MAX_PENDING) {
		upstream_pause(rl->up, 1);
		hconn_on_drain(rl->conn, on_drain, rl);
	}
}

static void
up_head(void *arg, long status, const char *ctype)
{
	struct relay *rl = arg;
	const char *want = json_get_str(rl->handoff, "content_type");
	const char *prelude = json_get_str(rl->handoff, "prelude");
	int ok = status >= 200 && status < 400;

	if (!ok && json_get_str(rl->handoff, "errors") != NULL) {
		/* read whole, answered in up_done as the router raises it */
		rl->error_status = status;
		return;
	}
	if (ok && want != NULL)
		ctype = want;
	rl->convert = ok && rl->ollama;
	if (rl->convert)
		rl->mode = MODE_NDJSON;
	else if (ctype != NULL && strncasecmp(ctype, "text/event-stream",
	    17) == 0)
		rl->mode = MODE_SSE;
	else if (ctype != NULL && strncasecmp(ctype, "application/x-ndjson",
	    20) == 0)
		rl->mode = MODE_NDJSON;
	if (rl->mode != MODE_BYTES)
		sse_lines_init(&rl->lines, rl->mode == MODE_SSE ?
		    SSE_LINES_SSE : SSE_LINES_NDJSON, RELAY_MAX_LINE, on_line,
		    rl);
	hconn_stream_start(rl->conn, (int)status, ctype, NULL);
	rl->started = 1;
	if (ok && prelude != NULL)
		hconn_stream_write(rl->conn, prelude, strlen(prelude));
}

static void
up_data(void *arg, const char *p, size_t n)
{
	struct relay *rl = arg;

	if (rl->error_status != 0) {
		if (rl->out.len + n <= RELAY_MAX_ERROR)
			buf_append(&rl->out, p, n);
		return;
	}
	if (rl->mode == MODE_BYTES)
		buf_append(&rl->out, p, n);
	else if (sse_lines_feed(&rl->lines, p, n) != ERR_OK) {
		log_error("upstream line over %ld bytes: stream cut",
		    RELAY_MAX_LINE);
		upstream_abort(rl->up);
		rl->up = NULL;
		flush_out(rl);
		relay_end(rl, 500, MSG_CONN_ERROR);
		return;
	}
	flush_out(rl);
}

/* The provider's error answer, read whole, as Ollama's send_post_request
 * raises it (ollama.h). */
static void
ollama_error(struct relay *rl)
{
	struct arena *a = arena_new();
	struct http_resp h = { 0 };
	const char *detail = "";
	long status = rl->error_status;

	h.status = rl->error_status;
	buf_on_arena(&h.body, a);
	buf_append(&h.body, buf_str(&rl->out), rl->out.len);
	ollama_post_error(a, &h, json_get_str(json_get(rl->handoff,
	    "upstream"), "url"), &status, &detail);
	relay_end(rl, (int)status, detail);
	arena_free(a);
}

static void
up_done(void *arg, int ok, const char *error)
{
	struct relay *rl = arg;

	rl->up = NULL;	/* freed by upstream.c after this returns */
	if (!ok)
		log_error("upstream request failed: %s", error);
	if (rl->error_status != 0) {
		ollama_error(rl);
		return;
	}
	if (rl->started && rl->mode != MODE_BYTES &&
	    sse_lines_finish(&rl->lines) == ERR_OK && ok && rl->convert)
		buf_puts(&rl->out, "data: [DONE]\n\n");
	if (rl->started)
		flush_out(rl);
	conn_error(rl);
}

static const struct upstream_cbs up_cbs = { up_head, up_data, up_done };

/* Carries out a hand-off (body of the cwebui-fcgi answer). */
static void
handoff(struct relay *rl, const char *body, size_t len)
{
	struct hconn *c = rl->conn;
	const char *kind;

	if ((rl->handoff = json_parse(body, len)) == NULL ||
	    !json_object_is_type(rl->handoff, json_type_object)) {
		log_error("cwebui-fcgi sent a malformed hand-off");
		relay_end(rl, 500, "Internal Server Error");
		return;
	}
	if (json_get(rl->handoff, "task") != NULL) {
		hconn_on_close(c, NULL, NULL);
		task_start(c, rl->handoff);
		relay_free(rl);
		return;
	}
	kind = json_get_str(rl->handoff, "relay");
	rl->ollama = kind != NULL && strcmp(kind, "ollama-openai") == 0;
	rl->up = upstream_start(json_get(rl->handoff, "upstream"), &up_cbs, rl);
	if (rl->up == NULL)
		conn_error(rl);
}

static void
on_fcgi(void *arg, const struct fcgic_resp *r)
{
	struct relay *rl = arg;

	rl->call = NULL;
	if (r == NULL) {
		relay_end(rl, 500, "Internal Server Error");
		return;
	}
	if (r->content_type != NULL &&
	    strcasecmp(r->content_type, RELAY_HANDOFF_TYPE) == 0) {
		handoff(rl, r->body, r->body_len);
		return;
	}
	hconn_on_close(rl->conn, NULL, NULL);
	hconn_respond(rl->conn, r->status, r->content_type, r->headers,
	    r->body, r->body_len);
	relay_free(rl);
}

void
relay_http(struct hreq *r)
{
	struct relay *rl = xcalloc(1, sizeof(*rl));

	rl->conn = r->conn;
	rl->call = fcgic_forward(r, on_fcgi, rl);
	if (rl->call == NULL) {
		relay_end(rl, 500, "Internal Server Error");
		return;
	}
	hconn_on_close(r->conn, on_close, rl);
}

json_object *
relay_ollama_chunk(json_object *line, const char *model)
{
	return ollama_chunk_to_openai(line, model);
}
