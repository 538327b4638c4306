/* fernet.h: Fernet tokens, as the Python cryptography package writes and
 * reads them: version byte 0x80, 8-byte big-endian timestamp, 16-byte IV,
 * AES-128-CBC ciphertext (PKCS#7), HMAC-SHA256 over all of that, the
 * whole in padded URL-safe base64. Open WebUI keeps OAuth client
 * information encrypted this way (utils/oauth.py encrypt_data). */
#ifndef CWEBUI_FERNET_H
#define CWEBUI_FERNET_H

#include <stddef.h>

#include "err.h"

struct buf;

/* A key: the signing half first, then the encryption half. */
#define FERNET_KEY_LEN	32

/* Decodes a Fernet key (URL-safe base64 of 32 bytes). Returns ERR_OK, or
 * ERR_INVAL when s is not one. */
enum err fernet_key_decode(const char *s, unsigned char key[FERNET_KEY_LEN]);

/* Turns an Open WebUI *_ENCRYPTION_KEY setting into a key as Python does:
 * a text of exactly 44 characters is a Fernet key itself, any other text
 * is hashed (the key is SHA-256 of its bytes). Returns ERR_OK, or
 * ERR_INVAL for 44 characters that are not a key (Python refuses to
 * start with such a setting). */
enum err fernet_key_derive(const char *s, unsigned char key[FERNET_KEY_LEN]);

/* Appends the token of the n bytes at msg, made at time now (epoch
 * seconds) with the IV iv, or a random one when iv is NULL, to out.
 * Returns ERR_OK, or ERR_CRYPTO when randomness or OpenSSL failed. */
enum err fernet_encrypt(const unsigned char key[FERNET_KEY_LEN],
	    const void *msg, size_t n, long long now,
	    const unsigned char *iv, struct buf *out);

/* Appends the plaintext of the token tok (n bytes) to out, without age
 * check (as Fernet.decrypt without ttl). Returns ERR_OK, or ERR_INVAL for
 * a token that is malformed, of another version, forged or made with
 * another key (out is then unchanged). */
enum err fernet_decrypt(const unsigned char key[FERNET_KEY_LEN],
	    const char *tok, size_t n, struct buf *out);

#endif
