/* req.h: one FastCGI request as handlers see it, and the response writers.
 *
 * The adapter (req.c) fills struct req, the router (router.c) matches the
 * route table, authenticates once according to the route's flags, parses a
 * JSON body when asked, then calls the handler. Everything hanging off a
 * request lives in r->a, reset after the response. A handler returns the
 * value of the resp_*() call that wrote its response. */
#ifndef CWEBUI_REQ_H
#define CWEBUI_REQ_H

#include <stddef.h>

#include <json-c/json.h>

#include "buf.h"
#include "err.h"

struct arena;
struct db;
struct handoff;
struct user;

#define REQ_MAX_PARAMS	4

struct req {
	struct arena	*a;
	struct db	*db;
	void		*io;		/* FCGX_Request, for req.c only */
	const char	*method;
	const char	*path;		/* decoded path, no query */
	const char	*query;		/* raw query string, "" when none */
	const char	*params[REQ_MAX_PARAMS];	/* {name} captures */
	struct buf	 body;
	json_object	*json;		/* parsed body (routes with R_JSON) */
	struct user	*user;		/* signed-in user, or NULL */
	const char	*token;		/* the credential that signed in */
	int		 api_key;	/* 1 when the credential was an sk- key */
	int		 streamd;	/* see req_from_streamd(); 0 = not read */
	char		 id[17];	/* request id for logs */
	int		 status;	/* status written, for the access log */
	struct buf	 out_headers;	/* extra response headers, CRLF-ended */
};

/* Returns the request header (e.g. "Authorization", "Cookie"), or NULL. */
const char *req_header(struct req *r, const char *name);
/* Returns the FastCGI parameter (e.g. "REMOTE_ADDR"), or NULL. */
const char *req_param(struct req *r, const char *name);
/* Returns 1 when the request comes from cwebui-streamd: its param
 * CWEBUI_STREAMD holds the internal key (ikey.h; a web server cannot send
 * it for a client). Checked once per request, then cached in r. */
int	 req_from_streamd(struct req *r);
/* Returns 1 when an answer that streams may be given to r: a hand-off
 * (resp_handoff) for cwebui-streamd, or in the shared-hosting mode
 * (hosting.h) the stream itself. */
int	 req_streams(struct req *r);
/* Returns the decoded value of a cookie, or NULL. Arena-owned. */
const char *req_cookie(struct req *r, const char *name);
/* Returns the decoded value of a query parameter, or NULL. Arena-owned. */
const char *req_query(struct req *r, const char *name);
/* Parses a query parameter's value s as pydantic's lax int: surrounding
 * white space, a sign, digits, optionally a fraction of zeros. Returns 0
 * with *out (def when s is NULL), or -1. Values past the range saturate. */
int	 req_parse_int(const char *s, long long def, long long *out);
/* Returns the scheme://host of the request as the browser sent it. */
const char *req_base_url(struct req *r);

/* The JWT signing secret of this process. */
const char *fcgi_secret(void);
/* Decodes %XX (and '+' when plus) of s[0..n) into an arena string, with
 * each maximal run of bytes that is not UTF-8 replaced by U+FFFD. */
char	*req_urldecode(struct arena *a, const char *s, size_t n, int plus);

/* Adds a response header. name and value must not contain CR or LF. */
void	 resp_header(struct req *r, const char *name, const char *value);
/* Sets the token-style cookie: Path=/, SameSite and Secure from the
 * WEBUI_AUTH_COOKIE_* settings; expires is epoch seconds, 0 = session. */
void	 resp_cookie(struct req *r, const char *name, const char *value,
	    long long expires, int httponly);
/* Deletes a cookie (empty value, expired, Path=/). */
void	 resp_cookie_delete(struct req *r, const char *name);

/* Writes status + JSON body; takes the reference to obj. Returns status. */
int	 resp_json(struct req *r, int status, json_object *obj);
/* Writes status + {"detail": detail}. Returns status. */
int	 resp_error(struct req *r, int status, const char *detail);
/* Writes FastAPI's 422 for a missing or mistyped body field. */
int	 resp_invalid(struct req *r, const char *field, const char *type,
	    const char *msg);
/* Writes Starlette's plain-text 500 for an error the Python handler would
 * not have caught; logs "what: cause" with the request id when e is set. */
int	 resp_internal(struct req *r, const char *what, enum err e);
/* Writes a body of the given type. Returns status. An error status (400 or
 * more) written after the database itself failed during this request
 * (db_unavailable()) is written as 503 {"detail": MSG_DB_UNAVAILABLE}. */
int	 resp_raw(struct req *r, int status, const char *ctype,
	    const void *body, size_t len);
/* Writes 200 with the hand-off h for cwebui-streamd (handoff.h), or, in
 * the shared-hosting mode (hosting.h), carries it out here. Returns the
 * status written. */
int	 resp_handoff(struct req *r, const struct handoff *h);
/* Starts a streamed answer (no Content-Length) and flushes it: 0, or -1
 * when the client is gone. Then resp_stream_write() for each piece (each
 * flushed at once), same return. */
int	 resp_stream_start(struct req *r, int status, const char *ctype);
int	 resp_stream_write(struct req *r, const void *p, size_t n);
/* Writes a redirect (307, 302, ...) to location. Returns status. */
int	 resp_redirect(struct req *r, int status, const char *location);

/* Writes FastAPI's 422 {"detail": errs} when the array errs is not empty
 * and returns 422; else returns 0. Takes errs either way. */
int	 resp_errors(struct req *r, json_object *errs);
/* Writes FastAPI's 422 for the text s of a parameter at [where, name]
 * (where: "query" or "path"). Returns 422. */
int	 resp_invalid_param(struct req *r, const char *where, const char *name,
	    const char *type, const char *msg, const char *s);
/* pydantic's int_parsing message, for resp_invalid_param(). */
#define MSG_INT_PARSING	"Input should be a valid integer, unable to parse " \
	"string as an integer"


/* Answers with the image a profile_image_url names, as Python's profile
 * image routes do: 302 to an http(s) URL, the decoded bytes of a
 * data:image URL (always as image/png with Content-Disposition inline),
 * else 302 to fallback. NULL url is the fallback. Returns status. */
int	 resp_image_url(struct req *r, const char *url, const char *fallback);

/* For the worker loop: reads the body, ERR_TOOBIG past max bytes. */
enum err req_read_body(struct req *r, size_t max);

/* The Python backend's common error texts (constants.py ERROR_MESSAGES). */
#define MSG_NOT_FOUND		"We could not find what you're looking for :/"
#define MSG_ACCESS_PROHIBITED	"You do not have permission to access this resource. Please contact your administrator for assistance."
#define MSG_UNAUTHORIZED	"401 Unauthorized"
#define MSG_INVALID_TOKEN	"Your session has expired or the token is invalid. Please sign in again."
#define MSG_NOT_AUTHENTICATED	"Not authenticated"
#define MSG_DEFAULT		"Something went wrong :/"
/* Python has no answer of its own for this (SQLAlchemy's error is a 500) */
#define MSG_DB_UNAVAILABLE	"The database is unavailable. Please try again later."

#endif
