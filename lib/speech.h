/* speech.h: POST /openai/audio/speech of routers/openai.py, text to speech
 * through the OpenAI connection whose URL is https://api.openai.com/v1,
 * with every answer kept in DATA_DIR/cache/audio/speech/<sha256 of the
 * request body>.mp3 (and the request beside it as .json) and served from
 * there when asked again. */
#ifndef CWEBUI_SPEECH_H
#define CWEBUI_SPEECH_H

#include <stddef.h>

#include "err.h"

struct arena;
struct user;

/* What to answer. */
struct speech_answer {
	long		 status;
	const char	*ctype;		/* "audio/mpeg" or "application/json" */
	const char	*body;		/* arena */
	size_t		 len;
};

/* Answers the request body (len bytes, any bytes) of u, whose credential
 * is token (for auth_type "session"; may be NULL): the cached file, or the
 * upstream audio, stored first. An upstream failure is answered as Python
 * does (500 with {"detail": "External: ..."} or "Open WebUI: Server
 * Connection Error"). ERR_NOTFOUND when no connection has the OpenAI URL
 * (Python then fails with an uncaught error: a plain 500); ERR_IO when the
 * cache cannot be written (logged). Strings live in a. */
enum err speech_answer(struct arena *a, const struct user *u,
	    const char *token, const char *data_dir, const char *body,
	    size_t len, struct speech_answer *out);

#endif
