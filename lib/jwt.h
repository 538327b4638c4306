/* jwt.h: the session tokens of Open WebUI: HS256 JWTs whose claims are
 * {"id": <user id>} and, when an expiry is configured, an integer "exp".
 *
 * Built on libjwt 1.10, which checks neither "exp" nor that the algorithm is
 * the expected one; jwt_verify() does both itself, following PyJWT 2.x as
 * Open WebUI calls it (algorithms=["HS256"], no leeway, no audience).
 *
 * This header shares its name with libjwt's <jwt.h>. Other files include
 * it as "jwt.h" and never see libjwt's names. Only jwt.c defines
 * CWEBUI_JWT_WITH_LIBJWT and includes <jwt.h> then "jwt.h": when lib/ is on
 * the <> path (-I) that finds this file and the #include_next at the end
 * brings in libjwt's header; otherwise <jwt.h> is libjwt's own. */
#ifndef CWEBUI_JWT_H
#define CWEBUI_JWT_H

#include "err.h"

/* Signs a token for user_id with secret (HS256, header {"alg":"HS256",
 * "typ":"JWT"}); the claims are "id" and, only when exp > 0, "exp" (epoch
 * seconds). On ERR_OK *out is a malloc'd NUL-terminated token the caller
 * frees. Returns ERR_INVAL for a NULL or empty secret or NULL user_id;
 * ERR_CRYPTO if libjwt fails. */
enum err jwt_sign(const char *secret, const char *user_id, long long exp,
	    char **out);

/* Checks token against secret at time now (epoch seconds). On ERR_OK *out
 * (user_id) is the malloc'd "id" claim, which the caller frees; the caller
 * still has to check that this user exists. Returns ERR_DENIED, with
 * *user_id NULL, for: a NULL or malformed token, a header alg other than
 * HS256 (none, HS512, RS256 ... all refused), a bad signature, claims that
 * are not a JSON object, "exp" that is not a finite number or with
 * exp <= now (a token is valid while now < exp), "nbf" > now, "iat" > now,
 * a non-empty "aud" (all as PyJWT), a missing or non-string "id" or one
 * holding a NUL. ERR_INVAL for a NULL or empty secret. */
enum err jwt_verify(const char *secret, const char *token, long long now,
	    char **user_id);

/* Parses a JWT_EXPIRES_IN duration as Open WebUI's parse_duration() does:
 * exactly "-1" or "0" mean no expiry (*never = 1, *secs = 0). Otherwise
 * every <number><unit> found in s is summed, where number is
 * -?[0-9]+(.[0-9]+)? and unit is ms, s, m, h, d or w, and text between
 * pairs is ignored as Python's re.findall ignores it ("1h30m", "1h 30m"
 * and "x1hy" all work). Sets *never = 0 and *secs (may be negative).
 * Returns ERR_OK, or ERR_INVAL when no pair is found (e.g. "", "abc",
 * "5x") or the sum is out of Python's timedelta range. */
enum err jwt_duration(const char *s, double *secs, int *never);

/* Works out the expiry of a new session token from a JWT_EXPIRES_IN value
 * as Python does: *exp is the "exp" claim to sign (at least 1, so a
 * negative duration still gives an expired token) and *expires_at the
 * epoch seconds shown to the client; both 0 when tokens do not expire
 * ("-1", "0" or a zero sum). Returns ERR_OK, or ERR_INVAL (both 0) for a
 * NULL expires_in or one jwt_duration() refuses. */
enum err jwt_expiry(const char *expires_in, long long *exp,
	    long long *expires_at);

/* Returns the "exp" claim of token, an integer or a number truncated
 * toward zero, without checking the signature (the caller has verified
 * the token); 0 when the token has no readable claims or no numeric
 * "exp". */
long long jwt_exp(const char *token);

#endif

#if defined(CWEBUI_JWT_WITH_LIBJWT) && !defined(JWT_H)
#include_next <jwt.h>
#endif
