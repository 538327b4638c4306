/* cors.c: the CORS decision of an answer (cors.h). */
#include <string.h>

#include "buf.h"
#include "cors.h"

/* Returns 1 when origin is one of the ';'-separated entries of allow. */
static int
cors_listed(const char *allow, const char *origin)
{
	size_t n = strlen(origin), len;
	const char *p;

	for (p = allow; *p != '\0'; p += len + (p[len] == ';')) {
		len = strcspn(p, ";");
		if (len == n && strncmp(p, origin, n) == 0)
			return 1;
	}
	return 0;
}

enum cors_res
cors_headers(struct buf *hdrs, const char *allow, const char *origin,
    const char *method, const char *acrm, const char *acrh)
{
	int options = strcmp(method, "OPTIONS") == 0;

	if (origin == NULL)
		return CORS_PASS;
	if (allow == NULL)
		allow = "*";
	if (cors_listed(allow, origin) && strpbrk(origin, "\r\n") == NULL)
		buf_printf(hdrs, "Access-Control-Allow-Origin: %s\r\n"
		    "Access-Control-Allow-Credentials: true\r\n"
		    "Vary: Origin\r\n", origin);
	else if (strcmp(allow, "*") == 0)
		buf_puts(hdrs, "Access-Control-Allow-Origin: *\r\n");
	else if (options)
		return CORS_REFUSE;
	if (!options || acrm == NULL)
		return CORS_PASS;
	buf_puts(hdrs, "Access-Control-Allow-Methods: "
	    "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT\r\n");
	if (acrh != NULL && strpbrk(acrh, "\r\n") == NULL)
		buf_printf(hdrs, "Access-Control-Allow-Headers: %s\r\n", acrh);
	buf_puts(hdrs, "Access-Control-Max-Age: 600\r\n");
	return CORS_PREFLIGHT;
}
