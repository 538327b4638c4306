/* secret.h: the key that signs session tokens (WEBUI_SECRET_KEY). */
#ifndef CWEBUI_SECRET_H
#define CWEBUI_SECRET_H

#include "err.h"

/* Finds the secret key as Open WebUI's launcher (start.sh) does, first
 * match wins:
 *   1. WEBUI_SECRET_KEY, if set and non-empty;
 *   2. WEBUI_JWT_SECRET_KEY (deprecated), if set and non-empty;
 *   3. the content of the file WEBUI_SECRET_KEY_FILE (a relative name is
 *      taken relative to data_dir; default data_dir/.webui_secret_key),
 *      trailing newlines stripped as shell $(...) strips them. If the file
 *      does not exist it is created, mode 0600, holding the base64 of 12
 *      random bytes (16 characters, no newline). Concurrent starters agree:
 *      the file appears atomically (written aside, then link(2)ed), and
 *      whoever loses the race reads the winner's key.
 * There is no fallback to Python's public default "t0p-s3cr3t".
 *
 * On ERR_OK *out is the malloc'd key. On failure *out is a malloc'd,
 * log-ready reason ("secret key file /d/.webui_secret_key is empty").
 * The caller frees *out in both cases. Returns ERR_INVAL for a NULL
 * data_dir or a file that is empty or holds a NUL byte; ERR_TOOBIG for a
 * file over 64 KiB; ERR_IO when it cannot be read or created; ERR_CRYPTO
 * when no randomness is available. */
enum err secret_load(const char *data_dir, char **out);

/* Returns the path of the key file of step 3 above (WEBUI_SECRET_KEY_FILE
 * or the default, relative to data_dir), malloc'd: the caller frees it. */
char	*secret_path(const char *data_dir);

#endif
