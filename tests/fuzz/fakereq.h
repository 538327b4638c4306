/* fakereq.h: a FastCGI request of cwebui-fcgi held in memory, for the fuzz
 * targets of src/fcgi/. libfcgi's FCGX_Request is filled by hand: envp
 * from the input, the stdin stream reads the body from memory and the
 * stdout stream collects the response, so req.c, router.c and authn.c run
 * unchanged without a socket.
 *
 * The input format of fakereq_parse(): lines NAME=VALUE (the FastCGI
 * params) up to an empty line, then the body. In a value, @ADMIN@ and
 * @PENDING@ stand for a valid JWT of the admin and of a pending user,
 * @KEY@ for the admin's API key and @IKEY@ for the internal key of
 * cwebui-streamd (fakereq_setup() makes them), so seeds stay valid. */
#ifndef CWEBUI_FUZZ_FAKEREQ_H
#define CWEBUI_FUZZ_FAKEREQ_H

#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>

#include "buf.h"
#include "req.h"

#define FAKEREQ_MAX_ENV	64

struct fakereq {
	FCGX_Request	 fr;
	FCGX_Stream	 in;
	FCGX_Stream	 out;
	unsigned char	 outbuf[256];	/* small: forces emptyBuffProc */
	char		*env[FAKEREQ_MAX_ENV + 1];
	struct buf	 reply;		/* every byte written to stdout */
	struct req	 r;
};

/* Once per process: a private DATA_DIR with an SQLite database (schema
 * created as cwebui-fcgi does at start), the secret, an admin with an API
 * key and a pending user; GLOBAL_LOG_LEVEL=CRITICAL, ENABLE_API_KEY=true.
 * Aborts on failure. Returns the open database. */
struct db *fakereq_setup(void);

/* Starts f as a request with the params of the input (format above; the
 * placeholders replaced) and its body (borrowed). Strings live in arena a,
 * which also frees r.out_headers: f must live until a is reset. r.method
 * is REQUEST_METHOD or "GET", r.a = a, r.db = db (may be NULL). */
void	 fakereq_parse(struct fakereq *f, struct arena *a, struct db *db,
	    const uint8_t *data, size_t size);

/* Starts f with the given params (NULL-ended "NAME=VALUE" strings, copied
 * into a, placeholders replaced) and body. */
void	 fakereq_start(struct fakereq *f, struct arena *a, struct db *db,
	    const char *const *env, const void *body, size_t len);

/* Flushes the stdout stream and checks the response written, if any: a
 * CGI head "Status: NNN text", header lines "Name: value" without stray
 * CR or LF, Content-Length equal to the body's length (0 bytes for HEAD),
 * a status equal to r.status, and a body that parses when the type is
 * application/json. Returns the status written, 0 when none (abort on a
 * broken reply). */
int	 fakereq_finish(struct fakereq *f);

/* The handler stubs that tests/fuzz/run generates from handlers.h call
 * fuzz_stub(r, themselves): it records the handler in fakereq_stub_called
 * (which must be NULL: one handler per request) and answers 200. */
extern int	(*fakereq_stub_called)(struct req *);
int	 fuzz_stub(struct req *r, int (*handler)(struct req *));

/* Frees f's buffers (the arena is the caller's). */
void	 fakereq_free(struct fakereq *f);

#endif
