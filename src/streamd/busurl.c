/* busurl.c: REDIS_URL as redis-py reads it (the part bus.c needs). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bus.h"
#include "http1.h"
#include "mem.h"

/* s[0..n) with %XX escapes decoded, malloc'd; NULL when it would hold a
 * NUL byte. */
static char *
pct_decode(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	char *o = NULL;

	if (http1_pct_decode(s, n, &b) == 0)
		o = xstrdup(buf_str(&b));
	buf_free(&b);
	return o;
}

void
bus_url_free(struct bus_url *u)
{
	free(u->host);
	free(u->path);
	free(u->user);
	free(u->password);
	memset(u, 0, sizeof(*u));
}

int
bus_url_parse(const char *url, struct bus_url *u)
{
	const char *p, *at, *slash, *q, *colon, *hostend;
	char *end;

	memset(u, 0, sizeof(*u));
	u->port = 6379;
	if (strncmp(url, "unix://", 7) == 0) {
		p = url + 7;
		q = strchr(p, '?');
		if (q == NULL)
			q = p + strlen(p);
		if (q == p || *p != '/')
			return -1;
		if ((u->path = pct_decode(p, (size_t)(q - p))) == NULL)
			goto fail;
		if (*q == '?' && strncmp(q + 1, "db=", 3) == 0) {
			u->db = (int)strtol(q + 4, &end, 10);
			if (*end != '\0' && *end != '&')
				goto fail;
		}
		return 0;
	}
	if (strncmp(url, "redis://", 8) != 0)
		return -1;
	p = url + 8;
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	at = memchr(p, '@', (size_t)(slash - p));
	if (at != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon != NULL) {
			if (colon > p)
				u->user = pct_decode(p, (size_t)(colon - p));
			u->password = pct_decode(colon + 1,
			    (size_t)(at - colon - 1));
		} else
			u->password = pct_decode(p, (size_t)(at - p));
		if (u->password == NULL)
			goto fail;
		p = at + 1;
	}
	hostend = memchr(p, ':', (size_t)(slash - p));
	if (hostend != NULL) {
		u->port = (int)strtol(hostend + 1, &end, 10);
		if (end != slash || u->port <= 0 || u->port > 65535)
			goto fail;
	} else
		hostend = slash;
	u->host = hostend > p ? xstrndup(p, (size_t)(hostend - p)) :
	    xstrdup("localhost");
	if (*slash == '/' && slash[1] != '\0') {
		u->db = (int)strtol(slash + 1, &end, 10);
		if (*end != '\0' && *end != '?')
			goto fail;
	}
	return 0;
fail:
	bus_url_free(u);
	return -1;
}

