/* t_http.c: lib/http.c against a small HTTP/1.1 server in threads of this
 * process on 127.0.0.1 (one thread per connection, keep-alive):
 *   /hello        200 "hello" (text/plain)
 *   /echo         200 with the method, the request headers and the body
 *   /status/NNN   that status with body "status NNN"
 *   /redirect     302 to /hello
 *   /together     waits until three /together requests are in the server
 *                 at once (or 5 s pass), then answers the most it saw
 *   /hang         never answers
 *   /big          a chunked body one byte larger than HTTP_MAX_BODY
 *   /biglen       Content-Length larger than HTTP_MAX_BODY, no body
 * The server counts the connections it accepted, to see reuse. */
#define _GNU_SOURCE	/* strcasestr */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "mem.h"
#include "tap.h"

#define TOGETHER	3

static pthread_mutex_t	mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	cv = PTHREAD_COND_INITIALIZER;
static int		accepted;	/* connections accepted */
static int		together_in;	/* /together requests inside now */
static int		together_max;	/* most of them inside at once */
static int		stopping;
static int		port;

static void
send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
reply(int fd, int status, const char *extra, const char *body)
{
	char head[512];

	snprintf(head, sizeof(head), "HTTP/1.1 %d X\r\nContent-Type: "
	    "text/plain\r\nContent-Length: %zu\r\n%s\r\n", status,
	    strlen(body), extra);
	send_all(fd, head, strlen(head));
	send_all(fd, body, strlen(body));
}

/* Waits on the condition until pred is true, stopping is set, or secs
 * pass. Called with mu held. */
static void
wait_for(int *value, int want, int secs)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	while (!stopping && (want < 0 || *value < want))
		if (pthread_cond_timedwait(&cv, &mu, &ts) == ETIMEDOUT)
			break;
}

static void
serve_big(int fd)
{
	static char chunk[1 << 20];
	const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n";
	char line[32];
	long left = HTTP_MAX_BODY + 1;

	memset(chunk, 'x', sizeof(chunk));
	send_all(fd, head, strlen(head));
	while (left > 0) {
		size_t n = left > (long)sizeof(chunk) ? sizeof(chunk) :
		    (size_t)left;

		snprintf(line, sizeof(line), "%zx\r\n", n);
		if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0)
			return;
		send_all(fd, chunk, n);
		send_all(fd, "\r\n", 2);
		left -= (long)n;
	}
	send_all(fd, "0\r\n\r\n", 5);
}

/* Serves one request whose head is head (NUL-terminated) and body body. */
static void
serve(int fd, const char *head, const char *body, size_t body_len)
{
	char path[256] = "", method[16] = "";
	struct buf b = BUF_INIT;

	sscanf(head, "%15s %255s", method, path);
	if (strcmp(path, "/hello") == 0)
		reply(fd, 200, "", "hello");
	else if (strcmp(path, "/echo") == 0) {
		buf_printf(&b, "%s\n%s", method, head);
		buf_append(&b, body, body_len);
		reply(fd, 200, "", buf_str(&b));
		buf_free(&b);
	} else if (strncmp(path, "/status/", 8) == 0) {
		buf_printf(&b, "status %s", path + 8);
		reply(fd, atoi(path + 8), "", buf_str(&b));
		buf_free(&b);
	} else if (strcmp(path, "/redirect") == 0)
		reply(fd, 302, "Location: /hello\r\n", "moved");
	else if (strcmp(path, "/together") == 0) {
		int seen;

		pthread_mutex_lock(&mu);
		together_in++;
		if (together_in > together_max)
			together_max = together_in;
		pthread_cond_broadcast(&cv);
		wait_for(&together_max, TOGETHER, 5);
		seen = together_max;
		together_in--;
		pthread_mutex_unlock(&mu);
		buf_printf(&b, "%d", seen);
		reply(fd, 200, "", buf_str(&b));
		buf_free(&b);
	} else if (strcmp(path, "/hang") == 0) {
		pthread_mutex_lock(&mu);
		wait_for(&stopping, 1, 30);
		pthread_mutex_unlock(&mu);
	} else if (strcmp(path, "/big") == 0)
		serve_big(fd);
	else if (strcmp(path, "/biglen") == 0) {
		buf_printf(&b, "HTTP/1.1 200 OK\r\nContent-Length: %ld\r\n\r\n",
		    HTTP_MAX_BODY + 1);
		send_all(fd, b.p, b.len);
		buf_free(&b);
	} else
		reply(fd, 404, "", "not found");
}

static void *
conn_main(void *arg)
{
	int fd = (int)(long)arg;
	struct buf in = BUF_INIT;
	char tmp[4096];
	ssize_t r;

	for (;;) {
		char *end = in.p ? strstr(in.p, "\r\n\r\n") : NULL;
		char *cl;
		size_t head_len, body_len = 0;

		if (end == NULL) {
			if ((r = recv(fd, tmp, sizeof(tmp), 0)) <= 0)
				break;
			buf_append(&in, tmp, (size_t)r);
			continue;
		}
		head_len = (size_t)(end - in.p) + 4;
		if ((cl = strcasestr(in.p, "\r\nContent-Length:")) != NULL &&
		    cl < end)
			body_len = strtoul(cl + 17, NULL, 10);
		while (in.len < head_len + body_len) {
			if ((r = recv(fd, tmp, sizeof(tmp), 0)) <= 0)
				goto out;
			buf_append(&in, tmp, (size_t)r);
		}
		in.p[head_len - 2] = '\0';
		serve(fd, in.p, in.p + head_len, body_len);
		memmove(in.p, in.p + head_len + body_len,
		    in.len - head_len - body_len);
		in.len -= head_len + body_len;
		in.p[in.len] = '\0';
	}
out:
	buf_free(&in);
	close(fd);
	return NULL;
}

static void *
accept_main(void *arg)
{
	int lfd = (int)(long)arg, fd;
	pthread_t t;

	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		pthread_mutex_lock(&mu);
		accepted++;
		pthread_mutex_unlock(&mu);
		if (pthread_create(&t, NULL, conn_main, (void *)(long)fd) != 0)
			bail_out("could not start a server thread");
		pthread_detach(t);
	}
	return NULL;
}

static void
server_start(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	pthread_t t;
	int lfd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(lfd, 16) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &len) != 0)
		bail_out("could not listen on 127.0.0.1: %s", strerror(errno));
	port = ntohs(sa.sin_port);
	if (pthread_create(&t, NULL, accept_main, (void *)(long)lfd) != 0)
		bail_out("could not start the server");
	pthread_detach(t);
}

static int
accepted_now(void)
{
	int n;

	pthread_mutex_lock(&mu);
	n = accepted;
	pthread_mutex_unlock(&mu);
	return n;
}

static const char *
url(struct arena *a, const char *path)
{
	return arena_printf(a, "http://127.0.0.1:%d%s", port, path);
}

static void
test_basic(struct arena *a)
{
	struct http_req q = { .url = url(a, "/hello") };
	struct http_resp r;
	int before;

	before = accepted_now();
	is_int(http_do(a, &q, &r), ERR_OK, "GET /hello");
	is_int(r.status, 200, "GET /hello: status");
	is_str(buf_str(&r.body), "hello", "GET /hello: body");
	is_int(r.body.len, 5, "GET /hello: length");
	is_str(r.content_type, "text/plain", "GET /hello: content type");
	ok(r.error == NULL, "GET /hello: no error");
	is_int(http_do(a, &q, &r), ERR_OK, "GET /hello again");
	is_int(accepted_now() - before, 1,
	    "the second request reused the connection");

	q.url = url(a, "/status/503");
	is_int(http_do(a, &q, &r), ERR_OK, "an error status is a response");
	is_int(r.status, 503, "status 503 passed through");
	is_str(buf_str(&r.body), "status 503", "error body passed through");

	q.url = url(a, "/nothing-here");
	is_int(http_do(a, &q, &r), ERR_OK, "404 is a response");
	is_int(r.status, 404, "404 passed through");
}

static void
test_post(struct arena *a)
{
	const char *hdrs[] = { "Authorization: Bearer sk-1",
	    "Content-Type: application/json", NULL };
	const char *body = "{\"model\":\"m\",\"x\":\"\\u0000\"}";
	struct http_req q = { .method = "POST", .url = url(a, "/echo"),
	    .headers = hdrs, .body = body, .body_len = strlen(body) };
	struct http_resp r;
	const char *got;

	is_int(http_do(a, &q, &r), ERR_OK, "POST /echo");
	got = buf_str(&r.body);
	ok(strncmp(got, "POST\n", 5) == 0, "POST sent as POST");
	ok(strstr(got, "\r\nAuthorization: Bearer sk-1\r\n") != NULL,
	    "header sent");
	ok(strstr(got, "\r\nContent-Type: application/json\r\n") != NULL,
	    "content type sent");
	ok(strstr(got, "Expect:") == NULL, "no Expect header");
	ok(r.body.len > strlen(body) &&
	    strcmp(got + r.body.len - strlen(body), body) == 0,
	    "body sent unchanged");

	q.method = "DELETE";
	q.body = NULL;
	q.body_len = 0;
	is_int(http_do(a, &q, &r), ERR_OK, "DELETE /echo");
	ok(strncmp(buf_str(&r.body), "DELETE\n", 7) == 0,
	    "DELETE sent as DELETE");

	q.method = "POST";
	is_int(http_do(a, &q, &r), ERR_OK, "POST without a body");
	ok(strstr(buf_str(&r.body), "Content-Length: 0\r\n") != NULL,
	    "POST without a body sends Content-Length: 0");
}

static void
test_redirect(struct arena *a)
{
	struct http_req q = { .url = url(a, "/redirect") };
	struct http_resp r;

	is_int(http_do(a, &q, &r), ERR_OK, "GET /redirect");
	is_int(r.status, 302, "redirect not followed by default");
	is_str(buf_str(&r.body), "moved", "redirect body returned");
	q.follow = 1;
	is_int(http_do(a, &q, &r), ERR_OK, "GET /redirect with follow");
	is_int(r.status, 200, "redirect followed when asked");
	is_str(buf_str(&r.body), "hello", "followed to /hello");
}

static void
test_failures(struct arena *a)
{
	struct http_req q = { .url = "ftp://127.0.0.1/x" };
	struct http_resp r;
	int fd;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	is_int(http_do(a, &q, &r), ERR_INVAL, "ftp:// refused");
	is_int(r.status, 0, "ftp:// status 0");
	ok(r.error != NULL, "ftp:// has an error");
	ok(r.body.p != NULL && r.body.len == 0, "failure body is empty");
	q.url = "file:///etc/passwd";
	is_int(http_do(a, &q, &r), ERR_INVAL, "file:// refused");
	q.url = NULL;
	is_int(http_do(a, &q, &r), ERR_INVAL, "no URL refused");

	/* a port nobody listens on: bind one, note it, close it */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		bail_out("could not bind a port");
	close(fd);
	q.url = arena_printf(a, "http://127.0.0.1:%d/", ntohs(sa.sin_port));
	is_int(http_do(a, &q, &r), ERR_IO, "connection refused is ERR_IO");
	is_int(r.status, 0, "connection refused: status 0");
	ok(r.error != NULL && *r.error != '\0', "connection refused: error "
	    "'%s'", r.error ? r.error : "");

	q.url = url(a, "/hang");
	q.timeout_ms = 200;
	is_int(http_do(a, &q, &r), ERR_IO, "a hanging server times out");
	is_int(r.status, 0, "timeout: status 0");
	ok(r.error != NULL && strstr(r.error, "timed out") != NULL,
	    "timeout: error says so ('%s')", r.error ? r.error : "");

	q.timeout_ms = 0;
	q.url = url(a, "/biglen");
	is_int(http_do(a, &q, &r), ERR_TOOBIG, "too large Content-Length");
	is_int(r.status, 0, "too large Content-Length: status 0");
	q.url = url(a, "/big");
	is_int(http_do(a, &q, &r), ERR_TOOBIG, "too large chunked body");
	is_int(r.status, 0, "too large chunked body: status 0");
	ok(r.body.len == 0, "too large: no partial body");

	q.url = url(a, "/hello");
	is_int(http_do(a, &q, &r), ERR_OK, "a request after failures");
	is_str(buf_str(&r.body), "hello", "works");
}

static void
test_many(struct arena *a)
{
	struct http_req q[TOGETHER + 2];
	struct http_resp r[TOGETHER + 2];
	int i;

	memset(q, 0, sizeof(q));
	for (i = 0; i < TOGETHER; i++)
		q[i].url = url(a, "/together");
	q[TOGETHER].url = url(a, "/status/404");
	q[TOGETHER + 1].url = "gopher://127.0.0.1/";
	is_int(http_do_many(a, q, r, TOGETHER + 2), ERR_OK, "http_do_many");
	for (i = 0; i < TOGETHER; i++) {
		is_int(r[i].status, 200, "request %d answered", i);
		is_str(buf_str(&r[i].body), "3",
		    "request %d: the server had all three at once", i);
	}
	is_int(r[TOGETHER].status, 404, "a 404 among them");
	is_int(r[TOGETHER + 1].status, 0, "a refused URL among them");
	ok(r[TOGETHER + 1].error != NULL, "with an error");
	is_int(http_do_many(a, q, r, 0), ERR_OK, "zero requests");
	is_int(http_do_many(a, q, r, -1), ERR_INVAL, "negative count");
}

/* Runs fn in a child whose environment has name=value (value NULL:
 * unset), and returns what it printed. */
static long
in_child(long (*fn)(void), const char *name, const char *value,
    const char *name2, const char *value2)
{
	int fds[2], status;
	long got = -2;
	pid_t pid;

	if (pipe(fds) != 0 || (pid = fork()) < 0)
		bail_out("could not fork");
	if (pid == 0) {
		long v;

		close(fds[0]);
		unsetenv("AIOHTTP_CLIENT_TIMEOUT");
		unsetenv("AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST");
		unsetenv("AIOHTTP_CLIENT_TIMEOUT_OPENAI_MODEL_LIST");
		if (name != NULL && value != NULL)
			setenv(name, value, 1);
		if (name2 != NULL && value2 != NULL)
			setenv(name2, value2, 1);
		v = fn();
		if (write(fds[1], &v, sizeof(v)) != sizeof(v))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &got, sizeof(got)) != sizeof(got))
		got = -3;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return got;
}

static void
test_timeouts(void)
{
	const char *T = "AIOHTTP_CLIENT_TIMEOUT";
	const char *M = "AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST";
	const char *O = "AIOHTTP_CLIENT_TIMEOUT_OPENAI_MODEL_LIST";

	is_int(in_child(http_timeout_ms, NULL, NULL, NULL, NULL), 0,
	    "AIOHTTP_CLIENT_TIMEOUT unset: no limit");
	is_int(in_child(http_timeout_ms, T, "", NULL, NULL), 0,
	    "AIOHTTP_CLIENT_TIMEOUT empty: no limit");
	is_int(in_child(http_timeout_ms, T, "42", NULL, NULL), 42000,
	    "AIOHTTP_CLIENT_TIMEOUT=42");
	is_int(in_child(http_timeout_ms, T, " 7 ", NULL, NULL), 7000,
	    "AIOHTTP_CLIENT_TIMEOUT with blanks, as int()");
	is_int(in_child(http_timeout_ms, T, "soon", NULL, NULL), 300000,
	    "AIOHTTP_CLIENT_TIMEOUT not a number: 300 s");
	is_int(in_child(http_timeout_ms, T, "1.5", NULL, NULL), 300000,
	    "AIOHTTP_CLIENT_TIMEOUT=1.5: 300 s, as int() fails");
	is_int(in_child(http_timeout_model_list_ms, NULL, NULL, NULL, NULL),
	    10000, "model list timeout unset: 10 s");
	is_int(in_child(http_timeout_model_list_ms, M, "3", NULL, NULL),
	    3000, "AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST=3");
	is_int(in_child(http_timeout_model_list_ms, M, "", NULL, NULL), 0,
	    "AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST empty: no limit");
	is_int(in_child(http_timeout_model_list_ms, M, "x", NULL, NULL),
	    10000, "AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST not a number: 10 s");
	is_int(in_child(http_timeout_model_list_ms, O, "5", NULL, NULL),
	    5000, "the older OPENAI_MODEL_LIST name is read");
	is_int(in_child(http_timeout_model_list_ms, O, "5", M, "6"), 6000,
	    "the newer name wins");
}

/* A forked child makes requests on its own handle, and so does the
 * parent afterwards. */
static void
test_fork(struct arena *a)
{
	struct http_req q = { .url = url(a, "/hello") };
	struct http_resp r;
	int status = -1;
	pid_t pid;

	is_int(http_do(a, &q, &r), ERR_OK, "parent before fork");
	if ((pid = fork()) < 0)
		bail_out("could not fork");
	if (pid == 0) {
		struct arena *ca = arena_new();

		_exit(http_do(ca, &q, &r) == ERR_OK && r.status == 200 &&
		    strcmp(buf_str(&r.body), "hello") == 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "a forked child gets answers");
	is_int(http_do(a, &q, &r), ERR_OK, "parent after fork");
	is_str(buf_str(&r.body), "hello", "parent after fork: body");
}

int
main(void)
{
	struct arena *a = arena_new();

	signal(SIGPIPE, SIG_IGN);
	test_timeouts();
	server_start();
	test_basic(a);
	test_post(a);
	test_redirect(a);
	test_many(a);
	test_failures(a);
	test_fork(a);
	arena_free(a);

	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return done_testing();
}
