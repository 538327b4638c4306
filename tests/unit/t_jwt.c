/* t_jwt.c: tokens made by PyJWT verify here as Open WebUI verifies them,
 * forged and broken ones are refused, and JWT_EXPIRES_IN parses as
 * upstream's parse_duration(). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "jwt.h"
#include "tap.h"

#define SECRET	"s3cret"
#define NOW	1750000000LL	/* 2025-06-15, the fixed "now" */
#define HS256_HDR	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."

/* Made with /usr/bin/python3 (PyJWT 2.6.0): jwt.encode(claims, "s3cret",
 * algorithm=...). */
#define PY_PLAIN	HS256_HDR "eyJpZCI6InUxIn0." \
	"ER2pFHISyMkhF89lqdiUdo7A7OV8tvmZRiN4VP7NZKo"	/* {"id":"u1"} */
#define PY_FUTURE	HS256_HDR "eyJpZCI6InUxIiwiZXhwIjo0MTAyNDQ0ODAwfQ." \
	"JIWoSguqN61mlp58fQ235NP_8uuWiwIOjhyTmMHgGik"	/* exp 4102444800 */
#define PY_EXPIRED	HS256_HDR "eyJpZCI6InUxIiwiZXhwIjoxNzAwMDAwMDAwfQ." \
	"AtWEVOnr5fzkyBJ_JGUc1bMkLeVklAiZS0-Ff8PSBZ0"	/* exp 1700000000 */
#define PY_EXP_FLOAT	HS256_HDR "eyJpZCI6InUxIiwiZXhwIjoxNzAwMDAwMDAwLjV9." \
	"n2Lfr7qga3fn8qeiIfHfCv8PYncyulBLgyV0BKjaOv0"	/* 1700000000.5 */
#define PY_HS512	"eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJpZCI6InUxIn0." \
	"38113wJwx_3tS0dlLuAIezKgCCWnLaHuir0kug4pcPNFoqHw6x1tbadPl7uqPTJvrH3" \
	"wJIBKZx6t2rjTlhZhiQ"
#define PY_NONE		"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpZCI6InUxIn0."
#define PY_NO_ID	HS256_HDR "eyJzdWIiOiJ1MSJ9." \
	"-xNElA-59Bd9S-vDdFzoe6LFANKRrlGX8dvXVYV-l18"	/* {"sub":"u1"} */
#define PY_INT_ID	HS256_HDR "eyJpZCI6NDJ9." \
	"XrVlzap3oK7Z7aNdor8I7PGPKGLk1_E9Wcraiednxrs"	/* {"id":42} */
#define PY_EXP_STR	HS256_HDR "eyJpZCI6InUxIiwiZXhwIjoiNDEwMjQ0NDgwMCJ9." \
	"hOLmfSwiIjyd23JyE0CncfnpmDYuIcewxdcRMD9z1FU"	/* "4102444800" */
#define PY_NBF		HS256_HDR "eyJpZCI6InUxIiwibmJmIjoxODAwMDAwMDAwfQ." \
	"O_2M0stneB254_6-eJV5q9Lw9u58gs6VLCJoV1BOJXs"	/* nbf 1800000000 */
#define PY_AUD		HS256_HDR "eyJpZCI6InUxIiwiYXVkIjoieCJ9." \
	"3UeVN0o5L8G-KuSt8iVpSWBmULKXPPit7zK097Lb0MU"	/* aud "x" */
#define PY_UUID		HS256_HDR "eyJpZCI6IjNmMWMyYTBlLThkNGItNGM2ZS05YTFm" \
	"LTJiM2M0ZDVlNmY3MCJ9.JCtVf06FAeiRswcnU95gLGPOCatCK2JNzQT2GqXPhqM"
#define UUID_SECRET	"t0p-s3cr3t-other"
#define UUID_ID		"3f1c2a0e-8d4b-4c6e-9a1f-2b3c4d5e6f70"

/* Hand-made with Python's hmac over the exact header and payload, all
 * with the right HS256 signature for "s3cret" over what they carry. */
#define HM_LOWER	"eyJhbGciOiJoczI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6InUxIn0." \
	"ggswRPpCnz49YfNNf9nmMT5J_pM9eWfV2BQAXAo1qOk"	/* alg "hs256" */
#define HM_RS256	"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpZCI6InUxIn0." \
	"4aeoYFf_PGjsR7ku4sc492jNNJegfJs3l6MU6c8yJw8"
#define HM_NONE		"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpZCI6InUxIn0." \
	"F8q6Neep_OGz45hg7RhUeh35zhoCfXA8JRTMQ1kFZfY"
#define HM_NO_ALG	"eyJ0eXAiOiJKV1QifQ.eyJpZCI6InUxIn0." \
	"07JmaS4FK-JD2pqXzezDQy3G7JBCRFtvFvW2abLVovw"
#define HM_ARRAY	HS256_HDR "WyJ1MSJd." \
	"2bri80wVMoajHC3oaNMmfzvWbK34jkMLQ4k0P6EQ1_4"	/* ["u1"] */
#define HM_EXP_NULL	HS256_HDR "eyJpZCI6InUxIiwiZXhwIjpudWxsfQ." \
	"KSg6JUNsQJkMmG-t1r9ufDtlRWmmDqnZywpqYePUTbk"
#define HM_EMPTY_AUD	HS256_HDR "eyJpZCI6InUxIiwiYXVkIjoiIn0." \
	"nhi29rmTfH4xpaRVOmdiHGIxtbVqecjP53Wat9bTORM"
/* PY_PLAIN's signature on the payload {"id":"admin"}. */
#define TAMPERED	HS256_HDR "eyJpZCI6ImFkbWluIn0." \
	"ER2pFHISyMkhF89lqdiUdo7A7OV8tvmZRiN4VP7NZKo"

/* Checks that token verifies at now with secret and yields want. */
static void
accepts(const char *secret, const char *token, long long now,
    const char *want, const char *name)
{
	char		*id = NULL;
	enum err	 e;

	e = jwt_verify(secret, token, now, &id);
	is_int(e, ERR_OK, "%s: accepted", name);
	is_str(id, want, "%s: id", name);
	free(id);
}

/* Checks that token is refused with ERR_DENIED and no id. */
static void
refuses(const char *secret, const char *token, long long now,
    const char *name)
{
	char		*id = (char *)"sentinel";
	enum err	 e;

	e = jwt_verify(secret, token, now, &id);
	ok(e == ERR_DENIED && id == NULL, "%s: refused", name);
	if (e == ERR_OK)
		free(id);
}

static void
test_python_tokens(void)
{
	accepts(SECRET, PY_PLAIN, NOW, "u1", "pyjwt no exp");
	accepts(SECRET, PY_FUTURE, NOW, "u1", "pyjwt exp 2100");
	accepts(SECRET, PY_FUTURE, 4102444799LL, "u1", "exp - 1 s");
	refuses(SECRET, PY_FUTURE, 4102444800LL, "now == exp");
	refuses(SECRET, PY_EXPIRED, NOW, "pyjwt expired");
	accepts(SECRET, PY_EXPIRED, 1699999999LL, "u1", "expired: earlier");
	refuses(SECRET, PY_EXP_FLOAT, 1700000000LL, "exp 1700000000.5 at "
	    "1700000000 (int() truncates)");
	accepts(SECRET, PY_EXP_FLOAT, 1699999999LL, "u1", "exp float before");
	accepts(UUID_SECRET, PY_UUID, NOW, UUID_ID, "pyjwt uuid id");
	refuses(SECRET, PY_UUID, NOW, "wrong secret");
	refuses("s3cret2", PY_PLAIN, NOW, "another wrong secret");
}

static void
test_forged_algs(void)
{
	refuses(SECRET, PY_HS512, NOW, "HS512 with the same secret");
	refuses(SECRET, PY_NONE, NOW, "alg none, empty signature");
	refuses(SECRET, HM_NONE, NOW, "alg none with a signature");
	refuses(SECRET, HM_LOWER, NOW, "alg hs256 in lower case");
	refuses(SECRET, HM_RS256, NOW, "alg RS256, HMAC-signed");
	refuses(SECRET, HM_NO_ALG, NOW, "no alg");
	refuses(SECRET, TAMPERED, NOW, "tampered payload");
}

static void
test_claims(void)
{
	refuses(SECRET, PY_NO_ID, NOW, "no id claim");
	refuses(SECRET, PY_INT_ID, NOW, "id not a string");
	refuses(SECRET, PY_EXP_STR, NOW, "exp a string");
	refuses(SECRET, HM_EXP_NULL, NOW, "exp null");
	refuses(SECRET, HM_ARRAY, NOW, "claims not an object");
	refuses(SECRET, PY_NBF, NOW, "nbf in the future");
	accepts(SECRET, PY_NBF, 1800000000LL, "u1", "nbf reached");
	refuses(SECRET, PY_AUD, NOW, "aud present");
	accepts(SECRET, HM_EMPTY_AUD, NOW, "u1", "empty aud ignored");
}

static void
test_malformed(void)
{
	char	*big;

	refuses(SECRET, NULL, NOW, "NULL token");
	refuses(SECRET, "", NOW, "empty token");
	refuses(SECRET, "abc", NOW, "no dots");
	refuses(SECRET, "a.b.c", NOW, "garbage parts");
	refuses(SECRET, PY_PLAIN ".x", NOW, "four parts");
	refuses(SECRET, " " PY_PLAIN, NOW, "leading space");
	refuses(SECRET, HS256_HDR "eyJpZCI6InUxIn0.", NOW, "no signature");
	refuses(SECRET, HS256_HDR "eyJpZCI6InUxIn0.ER2pFHISyMkhF89lqdiUdo7A7O"
	    "V8tvmZRiN4VP7NZK", NOW, "signature cut short");
	refuses(SECRET, HS256_HDR "eyJpZCI6InUxIn0=.ER2pFHISyMkhF89lqdiUdo7A"
	    "7OV8tvmZRiN4VP7NZKo", NOW, "padding character");
	big = malloc(20000);
	memset(big, 'A', 19999);
	big[19999] = '\0';
	big[10] = big[20] = '.';
	refuses(SECRET, big, NOW, "20000-byte token");
	free(big);
}

static void
test_sign(void)
{
	char		*tok = NULL, *id = NULL;
	const char	*odd = "u/1 \"q\" \xc3\xa9\\";

	is_int(jwt_sign(SECRET, "u1", 0, &tok), ERR_OK, "sign, no exp");
	is_str(tok, PY_PLAIN, "byte for byte what PyJWT makes");
	free(tok);
	tok = NULL;
	is_int(jwt_sign(SECRET, "u1", NOW + 60, &tok), ERR_OK, "sign, exp");
	accepts(SECRET, tok, NOW + 59, "u1", "own token before exp");
	refuses(SECRET, tok, NOW + 60, "own token at exp");
	refuses("other", tok, NOW, "own token, wrong secret");
	free(tok);
	tok = NULL;
	is_int(jwt_sign(SECRET, odd, 0, &tok), ERR_OK, "sign odd id");
	accepts(SECRET, tok, NOW, odd, "odd id round trip");
	free(tok);
	tok = NULL;
	tok = (char *)"sentinel";
	is_int(jwt_sign("", "u1", 0, &tok), ERR_INVAL, "sign, empty secret");
	ok(tok == NULL, "no token on failure");
	is_int(jwt_sign(SECRET, NULL, 0, &tok), ERR_INVAL, "sign, NULL id");
	is_int(jwt_verify("", PY_PLAIN, NOW, &id), ERR_INVAL,
	    "verify, empty secret");
	ok(id == NULL, "no id on failure");
}

/* Checks jwt_duration(s): ERR_OK with secs/never, or ERR_INVAL. */
static void
duration(const char *s, enum err want, double secs, int never)
{
	double		got_secs = -12345;
	int		got_never = -1;
	enum err	e;

	e = jwt_duration(s, &got_secs, &got_never);
	if (want != ERR_OK) {
		is_int(e, want, "duration '%s' is invalid", s ? s : "NULL");
		return;
	}
	ok(e == ERR_OK && got_never == never && fabs(got_secs - secs) < 1e-9,
	    "duration '%s' = %g s, never %d (got %s, %g, %d)", s, secs,
	    never, err_str(e), got_secs, got_never);
}

/* Expected values printed by upstream's parse_duration() in Python. */
static void
test_duration(void)
{
	duration("-1", ERR_OK, 0, 1);
	duration("0", ERR_OK, 0, 1);
	duration("4w", ERR_OK, 2419200, 0);
	duration("1h30m", ERR_OK, 5400, 0);
	duration("1.5h", ERR_OK, 5400, 0);
	duration("-2s", ERR_OK, -2, 0);
	duration("10ms", ERR_OK, 0.01, 0);
	duration("10m", ERR_OK, 600, 0);
	duration("2d", ERR_OK, 172800, 0);
	duration("1h 30m", ERR_OK, 5400, 0);
	duration("1w2d3h4m5s6ms", ERR_OK, 788645.006, 0);
	duration("x1hy", ERR_OK, 3600, 0);	/* findall skips the rest */
	duration("1e3s", ERR_OK, 3, 0);
	duration(".5h", ERR_OK, 18000, 0);
	duration("--5s", ERR_OK, -5, 0);
	duration("abc", ERR_INVAL, 0, 0);
	duration("", ERR_INVAL, 0, 0);
	duration("5x", ERR_INVAL, 0, 0);
	duration("00", ERR_INVAL, 0, 0);
	duration("-0", ERR_INVAL, 0, 0);
	duration("1.h", ERR_INVAL, 0, 0);
	duration("99999999999w", ERR_INVAL, 0, 0);	/* OverflowError */
	duration(NULL, ERR_INVAL, 0, 0);
}

int
main(void)
{
	test_python_tokens();
	test_forged_algs();
	test_claims();
	test_malformed();
	test_sign();
	test_duration();
	return done_testing();
}
