/* fernet.c: Fernet tokens on OpenSSL's libcrypto (see fernet.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "b64.h"
#include "buf.h"
#include "fernet.h"
#include "rand.h"

#define F_VERSION	0x80
#define F_HEAD		(1 + 8 + 16)	/* version, timestamp, IV */
#define F_MAC		32
#define F_BLOCK		16

/* Decodes URL-safe base64 as Python's urlsafe_b64decode does (the
 * standard alphabet is taken too, other bytes skipped); returns the length written to out (room for n), or -1. */
static long
b64url_decode(const char *s, size_t n, unsigned char *out)
{
	char *t = malloc(n + 1);
	long len;
	size_t i;

	if (t == NULL)
		abort();
	for (i = 0; i < n; i++)
		t[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	len = b64_decode_lax(t, n, out);
	free(t);
	return len;
}

enum err
fernet_key_decode(const char *s, unsigned char key[FERNET_KEY_LEN])
{
	size_t n = strlen(s);
	unsigned char *raw = malloc(n + 4);
	long len;

	if (raw == NULL)
		abort();
	len = b64url_decode(s, n, raw);
	if (len == FERNET_KEY_LEN)
		memcpy(key, raw, FERNET_KEY_LEN);
	OPENSSL_cleanse(raw, n + 4);
	free(raw);
	return len == FERNET_KEY_LEN ? ERR_OK : ERR_INVAL;
}

enum err
fernet_key_derive(const char *s, unsigned char key[FERNET_KEY_LEN])
{
	/* Python counts characters, not bytes */
	size_t chars = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p & 0xc0) != 0x80)
			chars++;
	if (chars == 44)
		return fernet_key_decode(s, key);
	SHA256((const unsigned char *)s, strlen(s), key);
	return ERR_OK;
}

enum err
fernet_encrypt(const unsigned char key[FERNET_KEY_LEN], const void *msg,
    size_t n, long long now, const unsigned char *iv, struct buf *out)
{
	size_t cap = F_HEAD + n + F_BLOCK + F_MAC;
	unsigned char *tok = malloc(cap);
	EVP_CIPHER_CTX *c = NULL;
	unsigned int maclen = 0;
	size_t i, o;
	enum err e = ERR_CRYPTO;
	int l1, l2;

	if (tok == NULL)
		abort();
	tok[0] = F_VERSION;
	for (i = 0; i < 8; i++)
		tok[1 + i] = (unsigned char)((uint64_t)now >> (56 - 8 * i));
	if (iv != NULL)
		memcpy(tok + 9, iv, 16);
	else if (rand_bytes(tok + 9, 16) != ERR_OK)
		goto fail;
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), NULL, key + 16,
	    tok + 9) != 1 ||
	    EVP_EncryptUpdate(c, tok + F_HEAD, &l1, msg, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(c, tok + F_HEAD + l1, &l2) != 1)
		goto fail;
	o = F_HEAD + (size_t)l1 + (size_t)l2;
	if (HMAC(EVP_sha256(), key, 16, tok, o, tok + o, &maclen) == NULL ||
	    maclen != F_MAC)
		goto fail;
	o += F_MAC;
	{
		struct buf b = BUF_INIT;

		b64_encode(&b, tok, o);
		for (i = 0; i < b.len; i++)
			if (b.p[i] == '+')
				b.p[i] = '-';
			else if (b.p[i] == '/')
				b.p[i] = '_';
		buf_append(out, b.p, b.len);
		buf_free(&b);
	}
	e = ERR_OK;
fail:
	EVP_CIPHER_CTX_free(c);
	free(tok);
	return e;
}

enum err
fernet_decrypt(const unsigned char key[FERNET_KEY_LEN], const char *tok,
    size_t n, struct buf *out)
{
	unsigned char *raw = malloc(n + 4), *plain = NULL;
	unsigned char mac[F_MAC];
	unsigned int maclen = 0;
	EVP_CIPHER_CTX *c = NULL;
	enum err e = ERR_INVAL;
	long len;
	size_t clen;
	int l1, l2;

	if (raw == NULL)
		abort();
	len = b64url_decode(tok, n, raw);
	if (len < F_HEAD + F_BLOCK + F_MAC || raw[0] != F_VERSION ||
	    (len - F_HEAD - F_MAC) % F_BLOCK != 0)
		goto fail;
	clen = (size_t)len - F_HEAD - F_MAC;
	if (HMAC(EVP_sha256(), key, 16, raw, (size_t)len - F_MAC, mac,
	    &maclen) == NULL || maclen != F_MAC ||
	    CRYPTO_memcmp(mac, raw + len - F_MAC, F_MAC) != 0)
		goto fail;
	if ((plain = malloc(clen + F_BLOCK)) == NULL)
		abort();
	if ((c = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(c, EVP_aes_128_cbc(), NULL, key + 16,
	    raw + 9) != 1 ||
	    EVP_DecryptUpdate(c, plain, &l1, raw + F_HEAD, (int)clen) != 1 ||
	    EVP_DecryptFinal_ex(c, plain + l1, &l2) != 1)
		goto fail;
	buf_append(out, plain, (size_t)l1 + (size_t)l2);
	e = ERR_OK;
fail:
	EVP_CIPHER_CTX_free(c);
	free(plain);
	free(raw);
	return e;
}
