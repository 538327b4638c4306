/* oauthreg.c: OAuth dynamic client registration (see oauthreg.h). */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "fernet.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "oauthreg.h"

/* aiohttp's defaults for a ClientSession without timeout settings */
#define OR_TIMEOUT_MS		300000
#define OR_CONNECT_MS		30000

int
oauthreg_discovery_urls(struct arena *a, const char *url, const char *u[4])
{
	const char *p = url, *s, *netloc = "", *base = NULL;
	char *path, *t;
	size_t i;
	int n = 0;

	/* urlparse(): scheme (lower-cased), //netloc, path without the
	 * ;params of its last segment, ?query, #fragment */
	for (s = p; isalnum((unsigned char)*s) || *s == '+' || *s == '-' ||
	    *s == '.'; s++)
		;
	if (*s == ':' && s > p && isalpha((unsigned char)*p)) {
		char *scheme = arena_strndup(a, p, (size_t)(s - p));

		for (i = 0; scheme[i] != '\0'; i++)
			scheme[i] = (char)tolower((unsigned char)scheme[i]);
		p = s + 1;
		if (p[0] == '/' && p[1] == '/') {
			s = p + 2 + strcspn(p + 2, "/?#");
			netloc = arena_strndup(a, p + 2, (size_t)(s - p - 2));
			p = s;
		}
		if (*netloc != '\0')
			base = arena_printf(a, "%s://%s", scheme, netloc);
	} else if (p[0] == '/' && p[1] == '/')
		p += 2 + strcspn(p + 2, "/?#");
	path = arena_strndup(a, p, strcspn(p, "?#"));
	if ((t = strchr(strrchr(path, '/') ? strrchr(path, '/') : path,
	    ';')) != NULL)
		*t = '\0';
	/* urljoin() onto a base without scheme or host gives a bare path,
	 * which no HTTP client can fetch: NULL */
	u[n++] = base ? arena_printf(a, "%s/.well-known/oauth-authorization-"
	    "server", base) : NULL;
	u[n++] = base ? arena_printf(a, "%s/.well-known/openid-configuration",
	    base) : NULL;
	if (*path != '\0' && strcmp(path, "/") != 0) {
		for (i = strlen(path); i > 0 && path[i - 1] == '/'; i--)
			path[i - 1] = '\0';
		u[n++] = base ? arena_printf(a, "%s/.well-known/oauth-"
		    "authorization-server%s", base, path) : NULL;
		u[n++] = base ? arena_printf(a, "%s/.well-known/openid-"
		    "configuration%s", base, path) : NULL;
	}
	return n;
}

/* Appends s[0..n) to b with the bytes WHATWG encodes in that part
 * percent-encoded: what is below 0x21 or above 0x7e, and the bytes of
 * set. */
static void
url_put(struct buf *b, const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch >= 0x7f || strchr(set, ch) != NULL)
			buf_printf(b, "%%%02X", ch);
		else
			buf_putc(b, (char)ch);
	}
}

/* Appends the path p[0..n) of a special URL with "." and ".." segments
 * resolved and '\' read as '/'. */
static void
url_path(struct buf *b, const char *p, size_t n)
{
	size_t start = b->len, i = 0, j, k;

	while (i < n) {
		const char *seg;
		size_t sl;

		i++;				/* the '/' */
		for (j = i; j < n && p[j] != '/' && p[j] != '\\'; j++)
			;
		seg = p + i;
		sl = j - i;
		if ((sl == 1 && seg[0] == '.') || (sl == 3 &&
		    strncasecmp(seg, "%2e", 3) == 0)) {
			if (j >= n)
				buf_putc(b, '/');
		} else if ((sl == 2 && strncmp(seg, "..", 2) == 0) ||
		    (sl == 4 && (strncasecmp(seg, ".%2e", 4) == 0 ||
		    strncasecmp(seg, "%2e.", 4) == 0)) || (sl == 6 &&
		    strncasecmp(seg, "%2e%2e", 6) == 0)) {
			for (k = b->len; k > start && b->p[k - 1] != '/'; k--)
				;
			if (k > start)
				k--;
			b->len = k;
			b->p[k] = '\0';
			if (j >= n)
				buf_putc(b, '/');
		} else {
			buf_putc(b, '/');
			url_put(b, seg, sl, "\"<>`{}");
		}
		i = j;
	}
	if (b->len == start)
		buf_putc(b, '/');
}

/* Returns the port p[0..end) (p NULL: none): -1 for none or empty,
 * -2 when it is not a port. */
static long
url_port(const char *p, const char *end)
{
	long pn = 0;

	if (p == NULL || p >= end)
		return -1;
	for (; p < end; p++)
		if (!isdigit((unsigned char)*p) ||
		    (pn = pn * 10 + (*p - '0')) > 65535)
			return -2;
	return pn;
}

/* Reads one part of a WHATWG IPv4 address (decimal, 0x hex, 0 octal)
 * into *v; returns -1 when it is not a number. */
static int
ipv4_part(const char *p, size_t n, unsigned long long *v)
{
	int base = 10;
	size_t i;

	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2, n -= 2;
	else if (n >= 2 && p[0] == '0')
		base = 8, p++, n--;
	*v = 0;
	for (i = 0; i < n; i++) {
		int d = isdigit((unsigned char)p[i]) ? p[i] - '0' :
		    isxdigit((unsigned char)p[i]) ? tolower((unsigned char)
		    p[i]) - 'a' + 10 : 99;

		if (d >= base)
			return -1;
		if (*v > 0xffffffffULL)
			continue;	/* too large: stays so */
		*v = *v * (unsigned)base + (unsigned)d;
	}
	return 0;
}

/* Appends the host h[0..n) of a special URL: percent-decoded and
 * lower-cased, an IPv4 address in any WHATWG form written dotted. Returns
 * 0, or -1 when it is no host. */
static int
url_host(struct buf *b, const char *h, size_t n)
{
	char *t = xmalloc(n + 1), *p, *dot;
	unsigned long long part[4], v;
	size_t i, m = 0, np = 0, ln;
	int ret = -1;

	for (i = 0; i < n; i++) {
		if (h[i] == '%' && i + 2 < n &&
		    isxdigit((unsigned char)h[i + 1]) &&
		    isxdigit((unsigned char)h[i + 2])) {
			char hex[3] = { h[i + 1], h[i + 2], 0 };

			t[m++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			t[m++] = h[i];
	}
	t[m] = '\0';
	if (m == 0)
		goto done;
	if (t[0] == '[') {
		if (t[m - 1] != ']')
			goto done;
		for (i = 0; i < m; i++)
			buf_putc(b, (char)tolower((unsigned char)t[i]));
		ret = 0;
		goto done;
	}
	for (i = 0; i < m; i++) {
		unsigned char ch = (unsigned char)t[i];

		if (ch <= 0x20 || ch >= 0x7f ||
		    strchr("#%/:<>?@[\\]^|", ch) != NULL)
			goto done;
		t[i] = (char)tolower(ch);
	}
	/* the last label (a final dot aside) decides whether it is IPv4 */
	ln = m;
	if (t[ln - 1] == '.' && ln > 1)
		ln--;
	for (p = t + ln; p > t && p[-1] != '.'; p--)
		;
	if (ipv4_part(p, (size_t)(t + ln - p), &v) != 0 || p == t + ln) {
		buf_puts(b, t);
		ret = 0;
		goto done;
	}
	for (p = t; p < t + ln; p = dot + 1) {
		if ((dot = memchr(p, '.', (size_t)(t + ln - p))) == NULL)
			dot = t + ln;
		if (np == 4 || dot == p ||
		    ipv4_part(p, (size_t)(dot - p), &part[np]) != 0)
			goto done;
		np++;
		if (dot == t + ln)
			break;
	}
	for (i = 0; i + 1 < np; i++)
		if (part[i] > 255)
			goto done;
	if (part[np - 1] >= (1ULL << (8 * (5 - np))))
		goto done;
	for (v = part[np - 1], i = 0; i + 1 < np; i++)
		v += part[i] << (8 * (3 - i));
	buf_printf(b, "%llu.%llu.%llu.%llu", v >> 24, (v >> 16) & 255,
	    (v >> 8) & 255, v & 255);
	ret = 0;
done:
	free(t);
	return ret;
}

const char *
oauthreg_url(struct arena *a, json_object *v, int http_only)
{
	static const struct {
		const char	*scheme;
		long		 port;
	} special[] = {
		{ "http", 80 }, { "https", 443 }, { "ws", 80 }, { "wss", 443 },
		{ "ftp", 21 }, { "file", -1 },
	};
	struct buf b = BUF_INIT, in = BUF_INIT;
	const char *s, *e, *host, *hend, *port, *q;
	long dport = -2, pn;
	size_t i, hl;
	char *out = NULL;

	if (!json_object_is_type(v, json_type_string))
		return NULL;
	/* leading and trailing C0 and spaces go, tabs and newlines too */
	s = json_object_get_string(v);
	e = s + json_object_get_string_len(v);
	while (s < e && (unsigned char)*s <= 0x20)
		s++;
	while (e > s && (unsigned char)e[-1] <= 0x20)
		e--;
	for (; s < e; s++)
		if (*s != '\t' && *s != '\n' && *s != '\r')
			buf_putc(&in, *s);
	if (in.len == 0 || memchr(in.p, '\0', in.len) != NULL)
		goto done;
	s = in.p;
	if (!isalpha((unsigned char)*s))
		goto done;
	for (q = s; isalnum((unsigned char)*q) || *q == '+' || *q == '-' ||
	    *q == '.'; q++)
		;
	if (*q != ':')
		goto done;
	for (; s < q; s++)
		buf_putc(&b, (char)tolower((unsigned char)*s));
	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (strcmp(b.p, special[i].scheme) == 0)
			dport = special[i].port;
	if (http_only && dport != 80 && dport != 443)
		goto done;
	if (http_only && strcmp(b.p, "ws") == 0)
		goto done;
	buf_putc(&b, ':');
	s = q + 1;
	if (dport != -2 && dport != -1) {
		/* special: any number of slashes, then the authority */
		while (*s == '/' || *s == '\\')
			s++;
		buf_puts(&b, "//");
		host = s;
		hend = s + strcspn(s, "/\\?#");
		for (q = hend; q > host && q[-1] != '@'; q--)
			;
		/* the user info, its inner '@' encoded */
		if (q > host) {
			url_put(&b, host, (size_t)(q - host - 1),
			    "\"<>`{}@;=[]^|");
			buf_putc(&b, '@');
		}
		host = q;
		port = NULL;
		for (q = hend; q > host && q[-1] != ':' && q[-1] != ']'; q--)
			;
		if (q > host && q[-1] == ':')
			port = q;
		hl = (size_t)((port ? port - 1 : hend) - host);
		if (url_host(&b, host, hl) != 0 ||
		    (pn = url_port(port, hend)) == -2)
			goto done;
		if (pn >= 0 && pn != dport)
			buf_printf(&b, ":%ld", pn);
		s = hend;
		q = s + strcspn(s, "?#");
		url_path(&b, s, (size_t)(q - s));
		s = q;
	} else {
		/* file: and other schemes: the rest as written (a port in
		 * an authority must be one) */
		if (s[0] == '/' && s[1] == '/') {
			hend = s + 2 + strcspn(s + 2, "/?#");
			for (q = hend; q > s + 2 && q[-1] != ':' &&
			    q[-1] != ']' && q[-1] != '@'; q--)
				;
			if (q > s + 2 && q[-1] == ':' &&
			    url_port(q, hend) == -2)
				goto done;
		}
		q = s + strcspn(s, "?#");
		url_put(&b, s, (size_t)(q - s), "\"<>`{}");
		s = q;
	}
	if (*s == '?') {
		q = s + strcspn(s, "#");
		url_put(&b, s, (size_t)(q - s), dport >= 0 ? "\"#<>'" :
		    "\"#<>");
		s = q;
	}
	if (*s == '#')
		url_put(&b, s, strlen(s), "\"<>`");
	out = arena_strdup(a, buf_str(&b));
done:
	buf_free(&b);
	buf_free(&in);
	return out;
}

int
oauthreg_json_ctype(const char *ct)
{
	size_t n, i;
	const char *slash;

	/* aiohttp matches (?:application/|[\w.-]+/[\w.+-]+?\+)json$ on the
	 * media type without its parameters */
	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	n = strcspn(ct, ";");
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	if ((slash = memchr(ct, '/', n)) == NULL || slash == ct ||
	    n < 5 || strncasecmp(ct + n - 5, "+json", 5) != 0 ||
	    ct + n - 5 == slash + 1)
		return 0;
	for (i = 0; ct + i < ct + n - 5; i++) {
		unsigned char ch = (unsigned char)ct[i];

		if (ct + i == slash)
			continue;
		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-' &&
		    (ct + i < slash || ch != '+'))
			return 0;
	}
	return 1;
}

/* Returns 1 when v is a JSON array of strings. */
static int
list_str(json_object *v)
{
	size_t i;

	if (!json_object_is_type(v, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(v); i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i),
		    json_type_string))
			return 0;
	return 1;
}

/* Returns 1 when v is an array whose items are all one of the strings
 * in allowed (NULL-terminated): a list of Literal values. */
static int
list_literal(json_object *v, const char *const *allowed)
{
	size_t i, j;

	if (!list_str(v))
		return 0;
	for (i = 0; i < json_object_array_length(v); i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(v, i));

		for (j = 0; allowed[j] != NULL && strcmp(s, allowed[j]); j++)
			;
		if (allowed[j] == NULL)
			return 0;
	}
	return 1;
}

/* Returns the new list of the normalized URLs of v (list[AnyUrl]), or
 * NULL. */
static json_object *
list_url(struct arena *a, json_object *v)
{
	json_object *o;
	const char *u;
	size_t i;

	if (!json_object_is_type(v, json_type_array))
		return NULL;
	o = json_object_new_array();
	for (i = 0; i < json_object_array_length(v); i++) {
		if ((u = oauthreg_url(a, json_object_array_get_idx(v, i),
		    0)) == NULL) {
			json_object_put(o);
			return NULL;
		}
		json_object_array_add(o, json_object_new_string(u));
	}
	return o;
}

/* pydantic's lax int: ints, integral floats, bools, and strings of an
 * integer (white space around, a fraction of zeros). Returns a new
 * integer, or NULL. */
static json_object *
lax_int(json_object *v)
{
	const char *s, *p;
	long long n;
	double d;
	int neg;

	switch (json_object_get_type(v)) {
	case json_type_int:
		return json_object_get(v);
	case json_type_boolean:
		return json_object_new_int64(json_object_get_boolean(v));
	case json_type_double:
		d = json_object_get_double(v);
		if (!isfinite(d) || d != floor(d) || fabs(d) > 9.2e18)
			return NULL;
		return json_object_new_int64((long long)d);
	case json_type_string:
		/* digits with single '_' between them, a fraction of zeros */
		s = json_object_get_string(v);
		while (isspace((unsigned char)*s))
			s++;
		neg = *s == '-';
		if (*s == '-' || *s == '+')
			s++;
		if (!isdigit((unsigned char)*s))
			return NULL;
		for (n = 0, p = s; isdigit((unsigned char)*p) || (*p == '_' &&
		    isdigit((unsigned char)p[1]) && p[-1] != '_'); p++)
			if (*p != '_')
				n = n > (LLONG_MAX - 9) / 10 ? LLONG_MAX :
				    n * 10 + (*p - '0');
		if (*p == '.' && p[1] == '0')
			for (p++; *p == '0'; p++)
				;
		while (isspace((unsigned char)*p))
			p++;
		return *p == '\0' ? json_object_new_int64(neg ? -n : n) :
		    NULL;
	default:
		return NULL;
	}
}

/* Field kinds of the pydantic models read here. */
enum or_kind {
	OR_HTTPURL,		/* AnyHttpUrl */
	OR_LIST_STR,		/* list[str] */
	OR_LIST_URL,		/* list[AnyUrl] */
	OR_LIST_GRANT,		/* list[Literal[authorization_code, ...]] */
	OR_LIST_CODE,		/* list[Literal["code"]] */
	OR_AUTH_METHOD,		/* Literal["none", "client_secret_post"] */
	OR_STR,			/* str */
	OR_INT,			/* int (lax) */
	OR_ANY			/* Any */
};

#define OR_REQUIRED	0x01	/* no default */
#define OR_NULLABLE	0x02	/* ... | None */

struct or_field {
	const char	*key;
	enum or_kind	 kind;
	int		 flags;
	const char	*def;	/* JSON text of the default, NULL: null */
};

/* Reads d as the model fields[0..n) and returns its model_dump(mode=
 * "json") (new reference), or NULL when pydantic would refuse it. */
static json_object *
or_model(struct arena *a, json_object *d, const struct or_field *f, size_t n)
{
	static const char *const grants[] = { "authorization_code",
		"refresh_token", NULL };
	static const char *const codes[] = { "code", NULL };
	json_object *o, *v, *nv;
	const char *u, *s;
	size_t i;

	if (!json_object_is_type(d, json_type_object))
		return NULL;
	o = json_object_new_object();
	for (i = 0; i < n; i++) {
		int has = json_object_object_get_ex(d, f[i].key, &v);

		nv = NULL;
		if (!has) {
			if (f[i].flags & OR_REQUIRED)
				goto fail;
			if (f[i].def != NULL)
				nv = json_tokener_parse(f[i].def);
		} else if (v == NULL) {
			if (!(f[i].flags & OR_NULLABLE) && f[i].kind != OR_ANY)
				goto fail;
		} else switch (f[i].kind) {
		case OR_HTTPURL:
			if ((u = oauthreg_url(a, v, 1)) == NULL)
				goto fail;
			nv = json_object_new_string(u);
			break;
		case OR_LIST_URL:
			if ((nv = list_url(a, v)) == NULL ||
			    json_object_array_length(nv) == 0) {
				json_object_put(nv);
				goto fail;
			}
			break;
		case OR_LIST_STR:
		case OR_LIST_GRANT:
		case OR_LIST_CODE:
			if (!(f[i].kind == OR_LIST_STR ? list_str(v) :
			    list_literal(v, f[i].kind == OR_LIST_GRANT ?
			    grants : codes)))
				goto fail;
			nv = json_object_get(v);
			break;
		case OR_AUTH_METHOD:
			s = json_object_get_string(v);
			if (!json_object_is_type(v, json_type_string) ||
			    (strcmp(s, "none") != 0 &&
			    strcmp(s, "client_secret_post") != 0))
				goto fail;
			nv = json_object_get(v);
			break;
		case OR_STR:
			if (!json_object_is_type(v, json_type_string))
				goto fail;
			nv = json_object_get(v);
			break;
		case OR_INT:
			if ((nv = lax_int(v)) == NULL)
				goto fail;
			break;
		case OR_ANY:
			nv = json_object_get(v);
			break;
		}
		json_object_object_add(o, f[i].key, nv);
	}
	return o;
fail:
	json_object_put(o);
	return NULL;
}

#define NUL	(OR_NULLABLE)
/* mcp.shared.auth.OAuthMetadata (mcp 1.14.1) */
static const struct or_field metadata_fields[] = {
	{ "issuer", OR_HTTPURL, OR_REQUIRED, NULL },
	{ "authorization_endpoint", OR_HTTPURL, OR_REQUIRED, NULL },
	{ "token_endpoint", OR_HTTPURL, OR_REQUIRED, NULL },
	{ "registration_endpoint", OR_HTTPURL, NUL, NULL },
	{ "scopes_supported", OR_LIST_STR, NUL, NULL },
	{ "response_types_supported", OR_LIST_STR, 0, "[\"code\"]" },
	{ "response_modes_supported", OR_LIST_STR, NUL, NULL },
	{ "grant_types_supported", OR_LIST_STR, NUL, NULL },
	{ "token_endpoint_auth_methods_supported", OR_LIST_STR, NUL, NULL },
	{ "token_endpoint_auth_signing_alg_values_supported", OR_LIST_STR,
	    NUL, NULL },
	{ "service_documentation", OR_HTTPURL, NUL, NULL },
	{ "ui_locales_supported", OR_LIST_STR, NUL, NULL },
	{ "op_policy_uri", OR_HTTPURL, NUL, NULL },
	{ "op_tos_uri", OR_HTTPURL, NUL, NULL },
	{ "revocation_endpoint", OR_HTTPURL, NUL, NULL },
	{ "revocation_endpoint_auth_methods_supported", OR_LIST_STR, NUL,
	    NULL },
	{ "revocation_endpoint_auth_signing_alg_values_supported",
	    OR_LIST_STR, NUL, NULL },
	{ "introspection_endpoint", OR_HTTPURL, NUL, NULL },
	{ "introspection_endpoint_auth_methods_supported", OR_LIST_STR, NUL,
	    NULL },
	{ "introspection_endpoint_auth_signing_alg_values_supported",
	    OR_LIST_STR, NUL, NULL },
	{ "code_challenge_methods_supported", OR_LIST_STR, NUL, NULL },
};

/* mcp's OAuthClientMetadata fields, Open WebUI's issuer, then those of
 * OAuthClientInformationFull, in the order model_dump() writes them */
static const struct or_field client_fields[] = {
	{ "redirect_uris", OR_LIST_URL, OR_REQUIRED, NULL },
	{ "token_endpoint_auth_method", OR_AUTH_METHOD, 0,
	    "\"client_secret_post\"" },
	{ "grant_types", OR_LIST_GRANT, 0,
	    "[\"authorization_code\", \"refresh_token\"]" },
	{ "response_types", OR_LIST_CODE, 0, "[\"code\"]" },
	{ "scope", OR_STR, NUL, NULL },
	{ "client_name", OR_STR, NUL, NULL },
	{ "client_uri", OR_HTTPURL, NUL, NULL },
	{ "logo_uri", OR_HTTPURL, NUL, NULL },
	{ "contacts", OR_LIST_STR, NUL, NULL },
	{ "tos_uri", OR_HTTPURL, NUL, NULL },
	{ "policy_uri", OR_HTTPURL, NUL, NULL },
	{ "jwks_uri", OR_HTTPURL, NUL, NULL },
	{ "jwks", OR_ANY, NUL, NULL },
	{ "software_id", OR_STR, NUL, NULL },
	{ "software_version", OR_STR, NUL, NULL },
	{ "issuer", OR_STR, NUL, NULL },
	{ "client_id", OR_STR, OR_REQUIRED, NULL },
	{ "client_secret", OR_STR, NUL, NULL },
	{ "client_id_issued_at", OR_INT, NUL, NULL },
	{ "client_secret_expires_at", OR_INT, NUL, NULL },
};
#undef NUL

#define NELEM(x)	(sizeof(x) / sizeof((x)[0]))

json_object *
oauthreg_metadata(struct arena *a, json_object *d)
{
	return or_model(a, d, metadata_fields, NELEM(metadata_fields));
}

/* Parses a response body as aiohttp's json() does; NULL when it refuses
 * the content type or the text, or the body is blank (None). New
 * reference. */
static json_object *
or_json(const struct http_resp *rs)
{
	const char *p = rs->body.p ? rs->body.p : "";
	size_t n = rs->body.len;

	if (!oauthreg_json_ctype(rs->content_type))
		return NULL;
	while (n > 0 && isspace((unsigned char)*p))
		p++, n--;
	return n == 0 ? NULL : json_parse(p, n);
}

/* Finds the server metadata: ERR_OK with *md and *md_url, or with both
 * NULL when no address gave a usable document; ERR_IO/ERR_INVAL when a
 * request could not be made. */
static enum err
or_discover(struct arena *a, const char *server_url, json_object **md,
    const char **md_url)
{
	struct http_req q = { 0 };
	struct http_resp rs;
	const char *u[4];
	json_object *doc;
	enum err e;
	int i, n;

	*md = NULL;
	*md_url = NULL;
	n = oauthreg_discovery_urls(a, server_url, u);
	for (i = 0; i < n; i++) {
		if (u[i] == NULL) {
			log_info("oauth discovery of %s: no scheme or host",
			    server_url);
			return ERR_INVAL;
		}
		q.url = u[i];
		q.follow = 1;
		q.timeout_ms = OR_TIMEOUT_MS;
		q.connect_timeout_ms = OR_CONNECT_MS;
		if ((e = http_do(a, &q, &rs)) != ERR_OK) {
			log_info("oauth discovery %s: %s", u[i],
			    rs.error ? rs.error : err_str(e));
			return e == ERR_TOOBIG ? ERR_IO : e;
		}
		if (rs.status != 200)
			continue;
		doc = or_json(&rs);
		*md = oauthreg_metadata(a, doc);
		json_object_put(doc);
		if (*md != NULL) {
			*md_url = u[i];
			return ERR_OK;
		}
		log_info("oauth discovery %s: not OAuth server metadata", u[i]);
	}
	return ERR_OK;
}

/* Returns OAuthClientMetadata(...).model_dump(exclude_none) of the
 * client as Python registers it, with the normalized redirect URI u and
 * the scopes of the metadata md (may be NULL). New reference. */
static json_object *
or_client(const char *u, json_object *md)
{
	json_object *o, *l;
	json_object *scopes = md ? json_get(md, "scopes_supported") : NULL;
	size_t i;

	o = json_object_new_object();
	l = json_object_new_array();
	json_object_array_add(l, json_object_new_string(u));
	json_object_object_add(o, "redirect_uris", l);
	json_object_object_add(o, "token_endpoint_auth_method",
	    json_object_new_string("client_secret_post"));
	l = json_object_new_array();
	json_object_array_add(l, json_object_new_string("authorization_code"));
	json_object_array_add(l, json_object_new_string("refresh_token"));
	json_object_object_add(o, "grant_types", l);
	l = json_object_new_array();
	json_object_array_add(l, json_object_new_string("code"));
	json_object_object_add(o, "response_types", l);
	if (scopes != NULL) {
		struct buf b = BUF_INIT;

		for (i = 0; i < json_object_array_length(scopes); i++) {
			if (i > 0)
				buf_putc(&b, ' ');
			buf_puts(&b, json_object_get_string(
			    json_object_array_get_idx(scopes, i)));
		}
		json_object_object_add(o, "scope",
		    json_object_new_string(buf_str(&b)));
		buf_free(&b);
	}
	json_object_object_add(o, "client_name",
	    json_object_new_string("Open WebUI"));
	return o;
}

enum err
oauthreg_register(struct arena *a, const char *server_url,
    const char *redirect_uri, json_object **info)
{
	static const char *const hdr[] = { "Content-Type: application/json",
		NULL };
	struct http_req q = { 0 };
	struct http_resp rs;
	json_object *md = NULL, *client, *ans, *ru;
	const char *md_url, *reg, *body, *ep, *uri;
	enum err e;

	*info = NULL;
	/* the redirect URI is checked before anything is asked */
	ru = json_on_arena(a, json_object_new_string(redirect_uri));
	if ((uri = oauthreg_url(a, ru, 0)) == NULL) {
		log_info("oauth registration: bad redirect uri %s",
		    redirect_uri);
		return ERR_INVAL;
	}
	if ((e = or_discover(a, server_url, &md, &md_url)) != ERR_OK)
		return e;
	json_on_arena(a, md);
	client = json_on_arena(a, or_client(uri, md));
	if (md != NULL && (ep = json_get_str(md, "registration_endpoint")) !=
	    NULL)
		reg = ep;
	else {
		const char *u[4];

		/* urljoin(scheme://netloc, "/register") */
		oauthreg_discovery_urls(a, server_url, u);
		if (u[0] == NULL)
			return ERR_INVAL;
		reg = arena_printf(a, "%.*s/register", (int)(strstr(u[0],
		    "/.well-known/") - u[0]), u[0]);
	}
	body = json_text(client);
	q.method = "POST";
	q.url = reg;
	q.headers = hdr;
	q.body = body;
	q.body_len = strlen(body);
	q.follow = 1;
	q.timeout_ms = OR_TIMEOUT_MS;
	q.connect_timeout_ms = OR_CONNECT_MS;
	if ((e = http_do(a, &q, &rs)) != ERR_OK) {
		log_info("oauth registration at %s: %s", reg,
		    rs.error ? rs.error : err_str(e));
		return e == ERR_TOOBIG ? ERR_IO : e;
	}
	ans = json_on_arena(a, or_json(&rs));
	if (json_object_is_type(ans, json_type_object)) {
		json_object_object_add(ans, "issuer",
		    json_str_or_null(md_url));
		*info = or_model(a, ans, client_fields, NELEM(client_fields));
	}
	if (*info == NULL) {
		log_info("dynamic client registration failed at %s: %ld - %s",
		    reg, rs.status, buf_str(&rs.body));
		return ERR_INVAL;
	}
	log_info("dynamic client registration successful at %s, client_id: "
	    "%s", reg, json_get_str(*info, "client_id"));
	return ERR_OK;
}

enum err
oauthreg_encrypt(struct arena *a, const char *secret, json_object *v,
    char **out)
{
	unsigned char key[FERNET_KEY_LEN];
	const char *setting = getenv("OAUTH_CLIENT_INFO_ENCRYPTION_KEY");
	const char *text = json_text(v);
	struct buf b = BUF_INIT;
	enum err e;

	*out = NULL;
	if (setting == NULL)
		setting = secret;
	if (setting == NULL || fernet_key_derive(setting, key) != ERR_OK) {
		log_error("OAUTH_CLIENT_INFO_ENCRYPTION_KEY is not a Fernet "
		    "key");
		return ERR_INVAL;
	}
	e = fernet_encrypt(key, text, strlen(text), (long long)time(NULL),
	    NULL, &b);
	if (e == ERR_OK)
		*out = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	return e;
}
