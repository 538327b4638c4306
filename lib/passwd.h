/* passwd.h: bcrypt password hashes compatible with Open WebUI (passlib's
 * bcrypt scheme: "$2b$12$" + 22 salt + 31 digest characters).
 *
 * Like passlib, only the first 72 BYTES of a password count: longer ones are
 * cut before hashing and before verifying, so any password sharing those 72
 * bytes matches. Passwords are C strings, so a password with a NUL byte
 * inside (possible in JSON as \u0000) cannot reach these functions intact;
 * passlib refuses such passwords with an error (the Python backend then
 * answers 500), so callers holding a length should refuse them first. */
#ifndef CWEBUI_PASSWD_H
#define CWEBUI_PASSWD_H

#include "err.h"

/* Length of a bcrypt hash string, without the NUL. */
#define PASSWD_HASH_LEN	60

/* Hashes pw with bcrypt, ident $2b$, cost 12 and a fresh random salt, and
 * writes the 60-character hash plus a NUL to out. Takes about a quarter of
 * a second of CPU. Returns ERR_OK; ERR_INVAL if pw is NULL; ERR_CRYPTO if
 * no randomness or crypt_r failed. */
enum err passwd_hash(const char *pw, char out[64]);

/* Returns 1 if pw matches the stored bcrypt hash ($2a$, $2b$ or $2y$, any
 * cost 04-31), 0 otherwise: also 0 for a NULL pw, a NULL or empty hash and
 * for stored values that are not bcrypt strings (e.g. the random uuid that LDAP
 * users get), without running bcrypt on them. An empty pw is hashed like
 * any other, as passlib does. The comparison of the
 * computed hash is constant-time. */
int	 passwd_verify(const char *pw, const char *hash);

#endif
