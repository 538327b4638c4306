/* cors.h: CORS of cwebui-fcgi's answers and of those streamd writes itself
 * (Engine.IO): Starlette's CORSMiddleware, but never '*' with credentials: with CORS_ALLOW_ORIGIN "*" (the default) any
 * origin may read without cookies; a listed origin (';'-separated) gets
 * itself back with credentials allowed. */
#ifndef CWEBUI_CORS_H
#define CWEBUI_CORS_H

struct buf;

enum cors_res {
	CORS_PASS = 0,	/* go on; add the header lines to the answer */
	CORS_PREFLIGHT,	/* answer 200 "OK" (text/plain) with the lines */
	CORS_REFUSE	/* answer 400 "Disallowed CORS origin" (text/plain) */
};

/* Appends the CORS header lines ("Name: value\r\n") for a request to hdrs.
 * allow is CORS_ALLOW_ORIGIN (NULL: "*"), origin the Origin header (NULL
 * when absent), method the request method, acrm and acrh the
 * Access-Control-Request-Method/-Headers headers (NULL when absent). A
 * value holding a line break is never echoed. */
enum cors_res cors_headers(struct buf *hdrs, const char *allow,
	    const char *origin, const char *method, const char *acrm,
	    const char *acrh);

#endif
