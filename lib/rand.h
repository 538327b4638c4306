/* rand.h: random bytes from the kernel (getrandom(2)) and the random
 * identifiers Open WebUI makes from them: uuid4 text and API keys. */
#ifndef CWEBUI_RAND_H
#define CWEBUI_RAND_H

#include <stddef.h>

#include "err.h"

/* Fills p with n random bytes from getrandom(2), retrying on EINTR and short
 * reads (blocks only until the kernel pool is first initialised). Returns
 * ERR_OK, or ERR_CRYPTO if the kernel refuses (errno is kept). */
enum err rand_bytes(void *p, size_t n);

/* Writes a random (version 4) UUID as 36 lower-case characters with dashes
 * plus a NUL, like Python's str(uuid.uuid4()). Aborts the process if no
 * randomness can be had: nothing sensible can continue without it. */
void	 rand_uuid4(char out[37]);

/* Writes a new API key: "sk-" and the 32 lower-case hex digits of a uuid4
 * (Python's uuid4().hex), 35 characters plus a NUL. Aborts like
 * rand_uuid4(). */
void	 rand_api_key(char out[36]);

#endif
