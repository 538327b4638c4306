#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

/*
 * Our jwt.h and libjwt's <jwt.h> share a name. With lib/ on the <> path
 * the first line finds ours, whose #include_next brings in libjwt's; else
 * it finds libjwt's and the second line adds ours. See jwt.h.
 */
#define CWEBUI_JWT_WITH_LIBJWT
#include <jwt.h>
#include "jwt.h"
#include "mem.h"

#define JWT_MAX_TOKEN	16384		/* longer tokens are refused */
#define JWT_MAX_SECS	86400e9		/* about Python's timedelta.max */

/* Adds the claims: "id" and, when exp > 0, "exp". Returns ERR_OK or
 * ERR_CRYPTO. */
static enum err
jwt_add_claims(jwt_t *j, const char *user_id, long long exp)
{
	char	js[64];

	if (jwt_add_grant(j, "id", user_id) != 0)
		return ERR_CRYPTO;
	if (exp <= 0)
		return ERR_OK;
	snprintf(js, sizeof(js), "{\"exp\":%lld}", exp);
	if (jwt_add_grants_json(j, js) != 0)
		return ERR_CRYPTO;
	return ERR_OK;
}

enum err
jwt_sign(const char *secret, const char *user_id, long long exp, char **out)
{
	jwt_t		*j = NULL;
	char		*s;
	enum err	 e = ERR_CRYPTO;

	*out = NULL;
	if (secret == NULL || *secret == '\0' || user_id == NULL)
		return ERR_INVAL;
	if (jwt_new(&j) != 0)
		return ERR_CRYPTO;
	if ((e = jwt_add_claims(j, user_id, exp)) != ERR_OK)
		goto fail;
	e = ERR_CRYPTO;
	if (jwt_set_alg(j, JWT_ALG_HS256, (const unsigned char *)secret,
	    (int)strlen(secret)) != 0)
		goto fail;
	if ((s = jwt_encode_str(j)) == NULL)
		goto fail;
	*out = xstrdup(s);
	free(s);
	e = ERR_OK;
fail:
	jwt_free(j);
	return e;
}

/* Returns 1 if token has the shape of a compact JWS: three non-empty
 * base64url parts joined by two dots, at most JWT_MAX_TOKEN bytes. */
static int
jwt_well_formed(const char *token)
{
	size_t	 len, dots = 0, part = 0;
	const char *p;

	len = strnlen(token, JWT_MAX_TOKEN + 1);
	if (len > JWT_MAX_TOKEN)
		return 0;
	for (p = token; *p != '\0'; p++) {
		if (*p == '.') {
			if (part == 0 || ++dots > 2)
				return 0;
			part = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
		    *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '_')
			part++;
		else
			return 0;
	}
	return dots == 2 && part > 0;
}

/* Reads the time claim name of claims into *t as PyJWT's int() does
 * (doubles are truncated toward zero). Returns 0 if absent, 1 if present
 * and a finite number, -1 if present and anything else. */
static int
jwt_claim_time(struct json_object *claims, const char *name, double *t)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(claims, name, &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*t = (double)json_object_get_int64(v);
		return 1;
	}
	if (!json_object_is_type(v, json_type_double))
		return -1;
	*t = trunc(json_object_get_double(v));
	return isfinite(*t) ? 1 : -1;
}

/* Applies PyJWT's registered-claim checks at time now: exp, nbf, iat, aud.
 * Returns ERR_OK or ERR_DENIED. */
static enum err
jwt_check_times(struct json_object *claims, long long now)
{
	struct json_object	*aud;
	double			 t, n = (double)now;
	int			 r;

	if ((r = jwt_claim_time(claims, "exp", &t)) < 0 || (r && t <= n))
		return ERR_DENIED;
	if ((r = jwt_claim_time(claims, "nbf", &t)) < 0 || (r && t > n))
		return ERR_DENIED;
	if ((r = jwt_claim_time(claims, "iat", &t)) < 0 || (r && t > n))
		return ERR_DENIED;
	if (json_object_object_get_ex(claims, "aud", &aud) && json_truthy(aud))
		return ERR_DENIED;
	return ERR_OK;
}

/* Checks the claims (a JSON text) at time now and, on ERR_OK, sets
 * *user_id to a malloc'd copy of the "id" claim. Returns ERR_OK or
 * ERR_DENIED. */
static enum err
jwt_check_claims(const char *text, long long now, char **user_id)
{
	struct json_object	*claims, *id;
	enum err		 e = ERR_DENIED;
	const char		*s;

	if ((claims = json_tokener_parse(text)) == NULL)
		return ERR_DENIED;
	if (!json_object_is_type(claims, json_type_object))
		goto fail;
	if ((e = jwt_check_times(claims, now)) != ERR_OK)
		goto fail;
	e = ERR_DENIED;
	if (!json_object_object_get_ex(claims, "id", &id) ||
	    !json_object_is_type(id, json_type_string))
		goto fail;
	s = json_object_get_string(id);
	if (strlen(s) != (size_t)json_object_get_string_len(id))
		goto fail;
	*user_id = xstrdup(s);
	e = ERR_OK;
fail:
	json_object_put(claims);
	return e;
}

/* Returns 1 if the header's "alg" is exactly the string "HS256". */
static int
jwt_header_is_hs256(jwt_t *j)
{
	const char	*alg = jwt_get_header(j, "alg");

	return alg != NULL && strcmp(alg, "HS256") == 0;
}

enum err
jwt_verify(const char *secret, const char *token, long long now,
    char **user_id)
{
	jwt_t		*j = NULL;
	char		*claims = NULL;
	enum err	 e = ERR_DENIED;

	*user_id = NULL;
	if (secret == NULL || *secret == '\0')
		return ERR_INVAL;
	if (token == NULL || !jwt_well_formed(token))
		return ERR_DENIED;
	if (jwt_decode(&j, token, (const unsigned char *)secret,
	    (int)strlen(secret)) != 0)
		return ERR_DENIED;
	/*
	 * libjwt verified with whatever alg the header names (HS512 with
	 * our secret passes, "none" may pass) and reads that name without
	 * regard to case: only the exact "HS256" is ours.
	 */
	if (jwt_get_alg(j) != JWT_ALG_HS256 || !jwt_header_is_hs256(j))
		goto fail;
	if ((claims = jwt_get_grants_json(j, NULL)) == NULL)
		goto fail;
	e = jwt_check_claims(claims, now, user_id);
fail:
	free(claims);
	jwt_free(j);
	return e;
}

/* Multipliers of the duration units, in seconds; "ms" before "m" as in the
 * upstream pattern's alternation. */
static const struct jwt_unit {
	const char	*name;
	double		 secs;
} jwt_units[] = {
	{ "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 },
	{ "d", 86400 }, { "w", 604800 },
};

/* Matches -?[0-9]+(\.[0-9]+)?(ms|s|m|h|d|w) at p. On a match sets *secs
 * and returns the length matched; returns 0 otherwise. */
static size_t
jwt_pair(const char *p, double *secs)
{
	const char	*q = p, *num;
	size_t		 i, n;

	if (*q == '-')
		q++;
	if (*q < '0' || *q > '9')
		return 0;
	while (*q >= '0' && *q <= '9')
		q++;
	if (q[0] == '.' && q[1] >= '0' && q[1] <= '9')
		for (q++; *q >= '0' && *q <= '9'; q++)
			;
	num = q;
	for (i = 0; i < sizeof(jwt_units) / sizeof(jwt_units[0]); i++) {
		n = strlen(jwt_units[i].name);
		if (strncmp(num, jwt_units[i].name, n) != 0)
			continue;
		/* strtod reads the same text (LC_NUMERIC is left "C") */
		*secs = strtod(p, NULL) * jwt_units[i].secs;
		return (size_t)(num - p) + n;
	}
	return 0;
}

enum err
jwt_duration(const char *s, double *secs, int *never)
{
	double	 sum = 0, one;
	size_t	 n;
	int	 found = 0;

	*secs = 0;
	*never = 0;
	if (s == NULL)
		return ERR_INVAL;
	if (strcmp(s, "-1") == 0 || strcmp(s, "0") == 0) {
		*never = 1;
		return ERR_OK;
	}
	while (*s != '\0') {
		if ((n = jwt_pair(s, &one)) == 0) {
			s++;
			continue;
		}
		sum += one;
		found = 1;
		s += n;
	}
	if (!found || !isfinite(sum) || fabs(sum) > JWT_MAX_SECS)
		return ERR_INVAL;
	*secs = sum;
	return ERR_OK;
}

enum err
jwt_expiry(const char *expires_in, long long *exp, long long *expires_at)
{
	struct timespec	 ts;
	double		 secs;
	int		 never;

	*exp = *expires_at = 0;
	if (expires_in == NULL || jwt_duration(expires_in, &secs, &never) !=
	    ERR_OK)
		return ERR_INVAL;
	if (never || secs == 0)
		return ERR_OK;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* a duration past long long's range ("1e30d") is as good as never */
	if (!json_double_ll(floor((double)ts.tv_sec + ts.tv_nsec / 1e9 + secs),
	    exp) || !json_double_ll((double)ts.tv_sec + trunc(secs),
	    expires_at)) {
		*exp = *expires_at = 0;
		return ERR_OK;
	}
	/* jwt_sign leaves "exp" out for 0: keep a token from the past
	 * expired, as PyJWT writes a negative exp. */
	if (*exp <= 0)
		*exp = 1;
	return ERR_OK;
}

/* Returns the value of the base64url digit c, or -1. */
static int
jwt_b64url_digit(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long long
jwt_exp(const char *token)
{
	const char		*p, *q;
	unsigned char		*raw;
	size_t			 n = 0, i;
	unsigned int		 acc = 0;
	int			 bits = 0, d;
	struct json_object	*claims, *v;
	long long		 exp = 0;

	if ((p = strchr(token, '.')) == NULL ||
	    (q = strchr(++p, '.')) == NULL)
		return 0;
	raw = xmalloc((size_t)(q - p) + 1);
	for (i = 0; p + i < q && (d = jwt_b64url_digit(p[i])) >= 0; i++) {
		acc = (acc << 6) | (unsigned int)d;
		if ((bits += 6) >= 8) {
			bits -= 8;
			raw[n++] = (unsigned char)(acc >> bits);
		}
	}
	claims = json_parse((const char *)raw, n);
	free(raw);
	if ((v = json_get(claims, "exp")) != NULL) {
		if (json_object_is_type(v, json_type_int))
			exp = json_object_get_int64(v);
		else if (json_object_is_type(v, json_type_double) &&
		    !json_double_ll(json_object_get_double(v), &exp))
			exp = json_object_get_double(v) > 0 ? LLONG_MAX :
			    LLONG_MIN;
	}
	json_object_put(claims);
	return exp;
}
