/* req.c: the FastCGI adapter: reads a request from libfcgi into struct
 * req and writes responses back. The only file that knows FCGX_Request. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <fcgiapp.h>

#include "b64.h"
#include "buf.h"
#include "conf.h"
#include "db.h"
#include "handoff.h"
#include "hosting.h"
#include "ikey.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "req.h"
#include "utf8.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *
req_urldecode(struct arena *a, const char *s, size_t n, int plus)
{
	char *out = arena_alloc(a, n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			*o++ = (char)(hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 2;
		} else if (plus && s[i] == '+')
			*o++ = ' ';
		else
			*o++ = s[i];
	}
	*o = '\0';
	/* as Python's unquote(): bytes that are not UTF-8 read as U+FFFD, so
	 * no database driver ever sees them */
	if (!utf8_check(out, (size_t)(o - out), NULL)) {
		struct buf b = BUF_INIT;

		utf8_check(out, (size_t)(o - out), &b);
		out = arena_strndup(a, b.p, b.len);
		buf_free(&b);
	}
	return out;
}

const char *
req_param(struct req *r, const char *name)
{
	FCGX_Request *fr = r->io;

	return FCGX_GetParam(name, fr->envp);
}

int
req_from_streamd(struct req *r)
{
	if (r->streamd == 0)
		r->streamd = ikey_check(req_param(r, "CWEBUI_STREAMD")) ?
		    1 : -1;
	return r->streamd == 1;
}

int
req_streams(struct req *r)
{
	return hosting_on() || req_from_streamd(r);
}

const char *
req_header(struct req *r, const char *name)
{
	char key[128];
	size_t i, n = strlen(name);

	if (n + 6 >= sizeof(key))
		return NULL;
	memcpy(key, "HTTP_", 5);
	for (i = 0; i < n; i++)
		key[5 + i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	key[5 + n] = '\0';
	if (strcmp(key, "HTTP_CONTENT_TYPE") == 0)
		return req_param(r, "CONTENT_TYPE");
	return req_param(r, key);
}

const char *
req_cookie(struct req *r, const char *name)
{
	const char *h = req_header(r, "Cookie"), *p, *eq, *end;
	size_t n = strlen(name);

	for (p = h; p != NULL && *p != '\0'; p = end + (*end != '\0')) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && (size_t)(eq - p) == n &&
		    memcmp(p, name, n) == 0) {
			const char *v = eq + 1;
			size_t vn = (size_t)(end - v);

			if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
				v++;
				vn -= 2;
			}
			return req_urldecode(r->a, v, vn, 0);
		}
	}
	return NULL;
}

const char *
req_query(struct req *r, const char *name)
{
	const char *p, *eq, *end;
	size_t n = strlen(name);

	for (p = r->query; *p != '\0'; p = end + (*end != '\0')) {
		end = strchr(p, '&');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			eq = end;
		if (strlen(req_urldecode(r->a, p, (size_t)(eq - p), 1)) == n &&
		    strcmp(req_urldecode(r->a, p, (size_t)(eq - p), 1), name) == 0)
			return req_urldecode(r->a, eq + (eq < end),
			    (size_t)(end - eq - (eq < end)), 1);
	}
	return NULL;
}

const char *
req_base_url(struct req *r)
{
	/* the Host the web server accepted, as uvicorn uses it; a client's
	 * X-Forwarded-Host is not trusted (it would steer redirects) */
	const char *host = req_header(r, "Host");
	const char *proto = req_header(r, "X-Forwarded-Proto");

	if (host == NULL)
		host = req_param(r, "SERVER_NAME");
	if (proto == NULL) {
		const char *https = req_param(r, "HTTPS");

		proto = https != NULL && strcasecmp(https, "on") == 0 ?
		    "https" : "http";
	}
	return arena_printf(r->a, "%s://%s", proto, host ? host : "localhost");
}

static int
safe_header(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

void
resp_header(struct req *r, const char *name, const char *value)
{
	if (!safe_header(name) || !safe_header(value)) {
		log_error("[%s] refused a header with a line break", r->id);
		return;
	}
	buf_printf(&r->out_headers, "%s: %s\r\n", name, value);
}

static void
cookie_date(char *out, size_t n, long long when)
{
	time_t t = (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

void
resp_cookie(struct req *r, const char *name, const char *value,
    long long expires, int httponly)
{
	const char *ss = conf_str(CONF_WEBUI_AUTH_COOKIE_SAME_SITE);
	struct buf c = BUF_INIT;
	char date[64];

	buf_printf(&c, "%s=%s", name, value);
	if (expires > 0) {
		cookie_date(date, sizeof(date), expires);
		buf_printf(&c, "; expires=%s", date);
	}
	if (httponly)
		buf_puts(&c, "; HttpOnly");
	buf_puts(&c, "; Path=/");
	buf_printf(&c, "; SameSite=%s", ss != NULL ? ss : "lax");
	if (conf_bool(CONF_WEBUI_AUTH_COOKIE_SECURE))
		buf_puts(&c, "; Secure");
	resp_header(r, "Set-Cookie", buf_str(&c));
	buf_free(&c);
}

void
resp_cookie_delete(struct req *r, const char *name)
{
	resp_header(r, "Set-Cookie", arena_printf(r->a, "%s=\"\"; expires="
	    "Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=lax",
	    name));
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 302: return "Found";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 422: return "Unprocessable Entity";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

int
resp_raw(struct req *r, int status, const char *ctype, const void *body,
    size_t len)
{
	FCGX_Request *fr = r->io;

	/* an error answer that follows a failure of the database itself is
	 * the database's: 503 {"detail"}, whatever the handler made of it */
	if (status >= 400 && status != 503 && r->db != NULL &&
	    db_unavailable(r->db))
		return resp_error(r, 503, MSG_DB_UNAVAILABLE);
	r->status = status;
	FCGX_FPrintF(fr->out, "Status: %d %s\r\n", status, status_text(status));
	if (ctype != NULL)
		FCGX_FPrintF(fr->out, "Content-Type: %s\r\n", ctype);
	FCGX_FPrintF(fr->out, "Content-Length: %lu\r\n", (unsigned long)len);
	/* never let a browser sniff a user-supplied body into HTML or SVG */
	FCGX_PutS("X-Content-Type-Options: nosniff\r\n", fr->out);
	if (r->out_headers.len > 0)
		FCGX_PutStr(r->out_headers.p, (int)r->out_headers.len, fr->out);
	FCGX_PutS("\r\n", fr->out);
	if (len > 0 && strcmp(r->method, "HEAD") != 0)
		FCGX_PutStr(body, (int)len, fr->out);
	return status;
}

int
resp_stream_start(struct req *r, int status, const char *ctype)
{
	FCGX_Request *fr = r->io;

	r->status = status;
	FCGX_FPrintF(fr->out, "Status: %d %s\r\n", status, status_text(status));
	if (ctype != NULL)
		FCGX_FPrintF(fr->out, "Content-Type: %s\r\n", ctype);
	FCGX_PutS("X-Content-Type-Options: nosniff\r\n"
	    "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n", fr->out);
	if (r->out_headers.len > 0)
		FCGX_PutStr(r->out_headers.p, (int)r->out_headers.len, fr->out);
	FCGX_PutS("\r\n", fr->out);
	return FCGX_FFlush(fr->out) == 0 ? 0 : -1;
}

int
resp_stream_write(struct req *r, const void *p, size_t n)
{
	FCGX_Request *fr = r->io;

	if (n > 0 && FCGX_PutStr(p, (int)n, fr->out) != (int)n)
		return -1;
	return FCGX_FFlush(fr->out) == 0 ? 0 : -1;
}

int
resp_handoff(struct req *r, const struct handoff *h)
{
	const char *text;

	if (hosting_on())
		return hosting_answer(r, h);
	text = handoff_text(r->a, h);

	return resp_raw(r, 200, HANDOFF_CTYPE, text, strlen(text));
}

int
resp_json(struct req *r, int status, json_object *obj)
{
	const char *text;

	json_on_arena(r->a, obj);
	text = obj == NULL ? "null" : json_text(obj);
	return resp_raw(r, status, "application/json", text, strlen(text));
}

int
resp_error(struct req *r, int status, const char *detail)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "detail", json_object_new_string(detail));
	return resp_json(r, status, o);
}

int
resp_invalid(struct req *r, const char *field, const char *type,
    const char *msg)
{
	json_object *errs = json_object_new_array();

	json_error_add(errs, type, msg, r->json, "body", field, NULL);
	return resp_errors(r, errs);
}


int
resp_internal(struct req *r, const char *what, enum err e)
{
	static const char text[] = "Internal Server Error";

	if (e != ERR_OK)
		log_error("[%s] %s: %s", r->id, what ? what : r->path, err_str(e));
	return resp_raw(r, 500, "text/plain; charset=utf-8", text,
	    sizeof(text) - 1);
}

int
resp_redirect(struct req *r, int status, const char *location)
{
	resp_header(r, "Location", location);
	return resp_raw(r, status, NULL, "", 0);
}

/* Reads the body up to max bytes. Returns ERR_TOOBIG past it. */
enum err
req_read_body(struct req *r, size_t max)
{
	FCGX_Request *fr = r->io;
	const char *cl = req_param(r, "CONTENT_LENGTH");
	char chunk[16384];
	int n;

	if (cl != NULL && strtoull(cl, NULL, 10) > max)
		return ERR_TOOBIG;
	buf_on_arena(&r->body, r->a);
	buf_reserve(&r->body, 0);
	while ((n = FCGX_GetStr(chunk, sizeof(chunk), fr->in)) > 0) {
		if (r->body.len + (size_t)n > max)
			return ERR_TOOBIG;
		buf_append(&r->body, chunk, (size_t)n);
	}
	return ERR_OK;
}

int
req_parse_int(const char *s, long long def, long long *out)
{
	const char *p, *end;
	unsigned long long v = 0, lim = LLONG_MAX;
	int neg = 0, digits = 0;

	if (s == NULL) {
		*out = def;
		return 0;
	}
	for (p = s; *p == ' ' || (*p >= '\t' && *p <= '\r'); p++)
		;
	for (end = p + strlen(p); end > p && (end[-1] == ' ' ||
	    (end[-1] >= '\t' && end[-1] <= '\r')); end--)
		;
	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	/* LLONG_MIN is one further than LLONG_MAX (found by fuzz_body) */
	if (neg)
		lim = (unsigned long long)LLONG_MAX + 1;
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++)
		v = v > (lim - (unsigned)(*p - '0')) / 10 ? lim :
		    v * 10 + (unsigned)(*p - '0');
	if (p < end && *p == '.' && digits > 0)
		for (p++; p < end && *p == '0'; p++)
			;
	if (digits == 0 || p != end)
		return -1;
	*out = !neg ? (long long)v : v == lim ? LLONG_MIN : -(long long)v;
	return 0;
}

int
resp_image_url(struct req *r, const char *url, const char *fallback)
{
	const char *comma;
	unsigned char *bytes;
	size_t len;
	long n;

	if (url == NULL)
		url = "";
	if (strncmp(url, "http", 4) == 0) {
		if (strpbrk(url, "\r\n") != NULL)
			return resp_internal(r, NULL, ERR_OK);
		return resp_redirect(r, 302, url);
	}
	if (strncmp(url, "data:image", 10) == 0 &&
	    (comma = strchr(url, ',')) != NULL) {
		len = strlen(comma + 1);
		bytes = arena_alloc(r->a, len / 4 * 3 + 3);
		if ((n = b64_decode_lax(comma + 1, len, bytes)) >= 0) {
			resp_header(r, "Content-Disposition",
			    "inline; filename=image.png");
			return resp_raw(r, 200, "image/png", bytes, (size_t)n);
		}
	}
	return resp_redirect(r, 302, fallback);
}

int
resp_errors(struct req *r, json_object *errs)
{
	json_object *o;

	if (json_object_array_length(errs) == 0) {
		json_object_put(errs);
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "detail", errs);
	return resp_json(r, 422, o);
}

int
resp_invalid_param(struct req *r, const char *where, const char *name,
    const char *type, const char *msg, const char *s)
{
	json_object *errs = json_object_new_array();

	json_error_add(errs, type, msg, json_on_arena(r->a,
	    json_object_new_string(s)), where, name, NULL);
	return resp_errors(r, errs);
}

