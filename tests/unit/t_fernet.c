/* t_fernet.c: tokens made by Python's cryptography Fernet decrypt here,
 * tokens made here are byte-identical to Python's for the same time and
 * IV, and Open WebUI's key setting turns into the same key. */
#include <string.h>

#include "buf.h"
#include "err.h"
#include "fernet.h"
#include "tap.h"

#define NOW	1750000000LL

/* Made with /usr/bin/python3 (cryptography 38.0.4): key =
 * urlsafe_b64encode(sha256(b"t0p-s3cr3t")), as utils/oauth.py derives it;
 * Fernet(key)._encrypt_from_parts(msg, 1750000000, bytes(range(16))). */
#define PY_KEY		"EDp1DbQrIWg0QwQWlrWQNCJRuls7Xj-BGjm8TsEL7TI="
#define PY_TOK1		"gAAAAABoTuGAAAECAwQFBgcICQoLDA0OD1w05X1SE-AAgHkrZzXbV" \
	"6EWL-rxtjS9h_MCt2uzDMnivfr0YnbqyTdu2PUCcoG3BJxuxpAmKA-yW6NTcMnC_f4="
#define PY_MSG1		"{\"client_id\": \"abc\"}"
#define PY_EMPTY	"gAAAAABoTuGAAAECAwQFBgcICQoLDA0OD1QfitUnaDHMfHPicCmCM" \
	"_o9CX0t1PMSVK85zHQCd0Pukovh0tJWbqromZ9zGWhhDw=="
#define PY_TOK16	"gAAAAABoTuGAAAECAwQFBgcICQoLDA0OD865Y_os4E2ZMZc8VqedT" \
	"w8d5qvakbb31xun-o_l0UxNbdkCGp20CoQfhT51nvdRbeIcQjoCl0LxNd4syj_tey8="
#define PY_MSG16	"0123456789abcdef"
/* Fernet(key).encrypt(b"hello fernet"): random IV, time of making */
#define PY_RANDOM	"gAAAAABrCBeTfoYY2PyfYpoIe04oA7zRVttAoC3rK-fEn8RYstTIw" \
	"B54WZ4jVZWeODNpRGA2-WfbHzAJPc2jxI81editFgBwsA=="
/* a 44-character setting is the key itself */
#define DIRECT_KEY	"cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
#define PY_DIRECT	"gAAAAABoTuGAAAECAwQFBgcICQoLDA0ODyT01ziqtqwDvE1SRIb1b" \
	"2qmuGM4pMggSVGUSEwWL5DP7zK9Q1s38KrzawnsyB6Evg=="

static const unsigned char IV[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	11, 12, 13, 14, 15 };

/* Checks that tok decrypts with key to want. */
static void
decrypts(const unsigned char *key, const char *tok, const char *want,
    const char *name)
{
	struct buf b = BUF_INIT;

	ok(fernet_decrypt(key, tok, strlen(tok), &b) == ERR_OK,
	    "%s: decrypts", name);
	ok(b.len == strlen(want) && (b.len == 0 || memcmp(b.p, want,
	    b.len) == 0), "%s: plaintext", name);
	buf_free(&b);
}

/* Checks that encrypting msg at NOW with IV gives Python's token. */
static void
encrypts(const unsigned char *key, const char *msg, const char *want,
    const char *name)
{
	struct buf b = BUF_INIT;

	ok(fernet_encrypt(key, msg, strlen(msg), NOW, IV, &b) == ERR_OK,
	    "%s: encrypts", name);
	is_str(b.p ? b.p : "", want, "%s: token as Python's", name);
	buf_free(&b);
}

/* Checks that tok is refused and nothing is written. */
static void
refused(const unsigned char *key, const char *tok, const char *name)
{
	struct buf b = BUF_INIT;

	ok(fernet_decrypt(key, tok, strlen(tok), &b) == ERR_INVAL &&
	    b.len == 0, "%s: refused", name);
	buf_free(&b);
}

int
main(void)
{
	unsigned char key[FERNET_KEY_LEN], key2[FERNET_KEY_LEN];
	unsigned char direct[FERNET_KEY_LEN];
	struct buf b = BUF_INIT, d = BUF_INIT;
	char tampered[sizeof(PY_TOK1)];

	ok(fernet_key_derive("t0p-s3cr3t", key) == ERR_OK, "derive");
	ok(fernet_key_decode(PY_KEY, key2) == ERR_OK, "decode");
	ok(memcmp(key, key2, sizeof(key)) == 0,
	    "hashed setting gives Python's key");
	ok(fernet_key_derive(DIRECT_KEY, direct) == ERR_OK,
	    "44 characters: the key itself");
	ok(fernet_key_decode("c2hvcnQ=", key2) == ERR_INVAL,
	    "a short key is refused");
	ok(fernet_key_derive("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
	    key2) == ERR_INVAL, "44 characters that are no key are refused");

	decrypts(key, PY_TOK1, PY_MSG1, "python token");
	decrypts(key, PY_EMPTY, "", "empty message");
	decrypts(key, PY_TOK16, PY_MSG16, "one full block");
	decrypts(key, PY_RANDOM, "hello fernet", "random IV");
	decrypts(direct, PY_DIRECT, "direct key", "direct key");

	encrypts(key, PY_MSG1, PY_TOK1, "json");
	encrypts(key, "", PY_EMPTY, "empty");
	encrypts(key, PY_MSG16, PY_TOK16, "full block");
	encrypts(direct, "direct key", PY_DIRECT, "direct key");

	ok(fernet_encrypt(key, "round trip", 10, NOW, NULL, &b) == ERR_OK,
	    "random IV encrypts");
	ok(fernet_encrypt(key, "round trip", 10, NOW, NULL, &d) == ERR_OK &&
	    strcmp(b.p, d.p) != 0, "two tokens differ (random IV)");
	decrypts(key, b.p, "round trip", "round trip");
	buf_free(&b);
	buf_free(&d);

	refused(direct, PY_TOK1, "other key");
	memcpy(tampered, PY_TOK1, sizeof(tampered));
	tampered[40] = tampered[40] == 'A' ? 'B' : 'A';
	refused(key, tampered, "changed ciphertext");
	memcpy(tampered, PY_TOK1, sizeof(tampered));
	tampered[0] = 'A';		/* version 0x00 */
	refused(key, tampered, "other version");
	refused(key, "gAAAAABoTuGA", "truncated");
	refused(key, "", "empty token");
	refused(key, "not base64 at all \xff", "garbage");
	return done_testing();
}
