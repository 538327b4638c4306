/* ikey.h: the key that marks an internal request from cwebui-streamd to
 * cwebui-fcgi. streamd sends it as the FastCGI param CWEBUI_STREAMD; a web
 * server never can (clients only control HTTP_* params). It is the lowercase
 * hex of HMAC-SHA256(key = the WEBUI_SECRET_KEY bytes,
 * message = "cwebui-streamd"), so both programs derive it from the secret
 * they already share and it never travels to a browser. */
#ifndef CWEBUI_IKEY_H
#define CWEBUI_IKEY_H

#include "err.h"

#define IKEY_LEN	64	/* hex characters */

/* Computes the key from secret (NUL-terminated, not kept). Call it once at
 * start, before ikey_value() or ikey_check(). Returns ERR_OK, ERR_INVAL for
 * a NULL or empty secret, ERR_CRYPTO if HMAC failed. */
enum err ikey_init(const char *secret);

/* Returns the key (IKEY_LEN hex characters, static), or "" before a
 * successful ikey_init(). */
const char *ikey_value(void);

/* Returns 1 when given is exactly the key, compared in constant time; 0
 * otherwise, and always 0 for NULL or before ikey_init(). */
int	 ikey_check(const char *given);

#endif
