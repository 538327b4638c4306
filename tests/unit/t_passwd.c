/* t_passwd.c: bcrypt hashes made by Python's bcrypt (the module passlib
 * uses) verify here, and ours have the format Python expects. */
#include <string.h>

#include "err.h"
#include "passwd.h"
#include "tap.h"

/* Made with /usr/bin/python3 (bcrypt 3.2.2): bcrypt.hashpw(pw,
 * bcrypt.gensalt(12, prefix=b"2b")), and prefix b"2a" / a "$2y$04$" salt
 * for the last two. */
#define PY_ASCII_PW	"correct horse battery staple"
#define PY_ASCII_HASH	"$2b$12$OWoOoQglIDPeMTaYzRRSJOkDm.Yi4N./hx/Qz3upv7TmK6URpH3.6"
#define PY_UTF8_PW	"p\xc3\xa4ssw\xc3\xb6rd-\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e-\xf0\x9f\x94\x91" /* pässwörd-日本語-🔑 */
#define PY_UTF8_HASH	"$2b$12$2odNL/NP/8BWET/Z0HS8kOxyjfkcdyTjpmHS32/2mQvST4S9kZevC"
/* 97 bytes: 71 x, then é (bytes 72 and 73), then a tail. */
#define X71		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define PY_LONG_PW	X71 "\xc3\xa9-and-then-some-more-text"
#define PY_LONG_HASH	"$2b$12$VSg6RCcqcksAMTlBvb6DyO/Uwykyk9k7cflIkee.znl2PEBFeHJ8u"
#define PY_2A_PW	"Tr0ub4dor&3"
#define PY_2A_HASH	"$2a$10$qQamHfZLeD/t4vIrrh34ReF5sy8zsdLVgrUhxFergaPQ6GPxYMSxW"
#define PY_2Y_HASH	"$2y$04$Uxc98pvrMPp1v.SnKSKPh.YF40hruH93Y4BAGRSs/ea2f0nWF7Aem"

static void
test_python_hashes(void)
{
	ok(passwd_verify(PY_ASCII_PW, PY_ASCII_HASH) == 1, "python $2b$ ascii");
	ok(passwd_verify(PY_UTF8_PW, PY_UTF8_HASH) == 1, "python $2b$ utf-8");
	ok(passwd_verify(PY_LONG_PW, PY_LONG_HASH) == 1, "python $2b$ long");
	ok(passwd_verify(X71 "\xc3\xa9" "something else", PY_LONG_HASH) == 1,
	    "long: only the first 72 bytes count");
	ok(passwd_verify(X71 "\xc3", PY_LONG_HASH) == 1,
	    "long: the 72-byte cut may split a UTF-8 character");
	ok(passwd_verify(X71, PY_LONG_HASH) == 0, "long: 71 bytes do not match");
	ok(passwd_verify(PY_2A_PW, PY_2A_HASH) == 1, "python $2a$ cost 10");
	ok(passwd_verify(PY_2A_PW, PY_2Y_HASH) == 1, "python $2y$ cost 4");
}

static void
test_wrong_passwords(void)
{
	ok(passwd_verify("correct horse battery stapl", PY_ASCII_HASH) == 0,
	    "wrong password refused");
	ok(passwd_verify("Correct horse battery staple", PY_ASCII_HASH) == 0,
	    "case matters");
	ok(passwd_verify("pa\xcc\x88ssw\xc3\xb6rd-\xe6\x97\xa5\xe6\x9c\xac"
	    "\xe8\xaa\x9e-\xf0\x9f\x94\x91", PY_UTF8_HASH) == 0,
	    "utf-8: decomposed a-umlaut is another password");
	ok(passwd_verify("", PY_ASCII_HASH) == 0, "empty password refused");
	ok(passwd_verify(NULL, PY_ASCII_HASH) == 0, "NULL password refused");
	ok(passwd_verify("tr0ub4dor&3", PY_2A_HASH) == 0, "$2a$ wrong refused");
}

static void
test_not_bcrypt(void)
{
	static const char *const bad[] = {
		"",
		"3f1c2a0e-8d4b-4c6e-9a1f-2b3c4d5e6f70",	/* LDAP users */
		"*0",
		"$2x$12$OWoOoQglIDPeMTaYzRRSJOkDm.Yi4N./hx/Qz3upv7TmK6URpH3.6",
		"$2b$03$OWoOoQglIDPeMTaYzRRSJOkDm.Yi4N./hx/Qz3upv7TmK6URpH3.6",
		"$2b$32$OWoOoQglIDPeMTaYzRRSJOkDm.Yi4N./hx/Qz3upv7TmK6URpH3.6",
		"$2b$12$OWoOoQglIDPeMTaYzRRSJOkDm.Yi4N./hx/Qz3upv7TmK6URpH3.",
		"$2b$12$OWoOoQglIDPeMTaYzRRSJOkDm.Yi4N./hx/Qz3upv7TmK6URpH3.6x",
		"$2b$12$OWoOoQglIDPeMTaYzRRSJOkDm.Yi4N./hx/Qz3upv7TmK6URpH3!6",
		"$2b$1a$OWoOoQglIDPeMTaYzRRSJOkDm.Yi4N./hx/Qz3upv7TmK6URpH3.6",
		"$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/",
		PY_ASCII_PW,
	};
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(passwd_verify(PY_ASCII_PW, bad[i]) == 0,
		    "not a bcrypt hash: '%s'", bad[i]);
	ok(passwd_verify(PY_ASCII_PW, NULL) == 0, "NULL hash refused");
}

/* Returns 1 if h is "$2b$12$" and 53 characters of bcrypt's base64. */
static int
is_b2_12(const char *h)
{
	const char	*alpha = "./ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";

	return strlen(h) == 60 && strncmp(h, "$2b$12$", 7) == 0 &&
	    strspn(h + 7, alpha) == 53;
}

static void
test_our_hashes(void)
{
	char	h1[64], h2[64];

	is_int(passwd_hash("hunter2", h1), ERR_OK, "passwd_hash");
	ok(is_b2_12(h1), "format $2b$12$ + 53: %s", h1);
	ok(passwd_verify("hunter2", h1) == 1, "own hash verifies");
	ok(passwd_verify("hunter3", h1) == 0, "own hash: wrong refused");
	is_int(passwd_hash("hunter2", h2), ERR_OK, "passwd_hash again");
	ok(strcmp(h1, h2) != 0, "salts differ");
	is_int(passwd_hash(PY_LONG_PW, h1), ERR_OK, "passwd_hash long");
	ok(passwd_verify(X71 "\xc3", h1) == 1, "own long hash: 72 bytes");
	is_int(passwd_hash(PY_UTF8_PW, h1), ERR_OK, "passwd_hash utf-8");
	ok(is_b2_12(h1) && passwd_verify(PY_UTF8_PW, h1) == 1,
	    "own utf-8 hash verifies");
	is_int(passwd_hash("", h1), ERR_OK, "passwd_hash empty password");
	ok(passwd_verify("", h1) == 1, "empty password matches its hash");
	is_int(passwd_hash(NULL, h1), ERR_INVAL, "passwd_hash NULL");
}

int
main(void)
{
	test_python_hashes();
	test_wrong_passwords();
	test_not_bcrypt();
	test_our_hashes();
	return done_testing();
}
