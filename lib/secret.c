#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "mem.h"
#include "rand.h"
#include "secret.h"

#define SECRET_FILE_DEFAULT	".webui_secret_key"
#define SECRET_MAX_FILE		65536
#define SECRET_RAND_BYTES	12	/* 16 characters of base64 */

/* Sets *out to a malloc'd reason built from fmt and returns e. */
static enum err
secret_fail(char **out, enum err e, const char *fmt, ...)
{
	struct buf	b = BUF_INIT;
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*out = b.p;
	return e;
}

char *
secret_path(const char *data_dir)
{
	struct buf	 b = BUF_INIT;
	const char	*f = getenv("WEBUI_SECRET_KEY_FILE");

	if (f == NULL || *f == '\0')
		f = SECRET_FILE_DEFAULT;
	if (*f == '/')
		buf_puts(&b, f);
	else
		buf_printf(&b, "%s/%s", data_dir, f);
	return b.p;
}

/* Reads all of fd into b, at most SECRET_MAX_FILE bytes. Returns ERR_OK,
 * ERR_TOOBIG or ERR_IO (errno set). */
static enum err
secret_read_fd(int fd, struct buf *b)
{
	char	chunk[4096];
	ssize_t	n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ERR_IO;
		if (n == 0)
			return ERR_OK;
		if (b->len + (size_t)n > SECRET_MAX_FILE)
			return ERR_TOOBIG;
		buf_append(b, chunk, (size_t)n);
	}
}

/* Reads the key from path into *out (see secret_load() for *out).
 * Returns ERR_NOTFOUND, with *out NULL, when the file does not exist. */
static enum err
secret_read(const char *path, char **out)
{
	struct buf	b = BUF_INIT;
	enum err	e;
	int		fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return ERR_NOTFOUND;
		return secret_fail(out, ERR_IO, "could not open secret key "
		    "file %s: %s", path, strerror(errno));
	}
	e = secret_read_fd(fd, &b);
	saved = errno;
	close(fd);
	if (e != ERR_OK) {
		buf_free(&b);
		return secret_fail(out, e, "could not read secret key file "
		    "%s: %s", path, e == ERR_IO ? strerror(saved) : "too large");
	}
	while (b.len > 0 && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';
	if (b.len == 0 || memchr(b.p, '\0', b.len) != NULL) {
		buf_free(&b);
		return secret_fail(out, ERR_INVAL, "secret key file %s is "
		    "empty or holds a NUL byte", path);
	}
	*out = b.p;
	return ERR_OK;
}

/* Writes the standard base64 of 12 random bytes (16 characters and a NUL)
 * to key. Returns ERR_OK or ERR_CRYPTO. */
static enum err
secret_generate(char key[17])
{
	static const char	b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char		r[SECRET_RAND_BYTES];
	unsigned long		v;
	int			i, k;

	if (rand_bytes(r, sizeof(r)) != ERR_OK)
		return ERR_CRYPTO;
	for (i = 0; i < SECRET_RAND_BYTES / 3; i++) {
		v = (unsigned long)r[3 * i] << 16 |
		    (unsigned long)r[3 * i + 1] << 8 | r[3 * i + 2];
		for (k = 0; k < 4; k++)
			key[4 * i + k] = b64[(v >> (18 - 6 * k)) & 0x3f];
	}
	key[16] = '\0';
	explicit_bzero(r, sizeof(r));
	return ERR_OK;
}

/* Writes all n bytes of p to fd, sets its mode to 0600 and syncs it.
 * Returns 0 or -1 (errno set). */
static int
secret_write_fd(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1)
		return -1;
	return fsync(fd);
}

/* Creates path holding key, straight with O_EXCL (for file systems
 * without hard links). Returns 0, or -1 with errno (EEXIST: someone else
 * created it first). */
static int
secret_create_direct(const char *path, const char *key)
{
	int	fd, r, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    S_IRUSR | S_IWUSR);
	if (fd == -1)
		return -1;
	r = secret_write_fd(fd, key, strlen(key));
	saved = errno;
	if (close(fd) == -1 && r == 0) {
		r = -1;
		saved = errno;
	}
	if (r == -1)
		unlink(path);
	errno = saved;
	return r;
}

/* Creates path holding key atomically: writes a temporary file next to it
 * and link(2)s it into place, so that nobody ever reads a partial file.
 * Returns 0, or -1 with errno (EEXIST: someone else created it first). */
static int
secret_create_linked(const char *path, const char *key)
{
	struct buf	tmp = BUF_INIT;
	int		fd, r = -1, saved;

	buf_printf(&tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp.p)) == -1)
		goto fail;
	r = secret_write_fd(fd, key, strlen(key));
	if (close(fd) == -1)
		r = -1;
	if (r == 0)
		r = link(tmp.p, path);
	if (r == -1 && errno != EEXIST)
		r = secret_create_direct(path, key);
	saved = errno;
	unlink(tmp.p);
	errno = saved;
fail:
	buf_free(&tmp);
	return r;
}

/* Creates the key file at path, or reads it if someone else just did.
 * Same contract as secret_read() except that ERR_NOTFOUND is not
 * returned. */
static enum err
secret_create(const char *path, char **out)
{
	char		key[17];
	enum err	e;
	int		saved;

	if (secret_generate(key) != ERR_OK)
		return secret_fail(out, ERR_CRYPTO, "could not get random "
		    "bytes for secret key file %s", path);
	if (secret_create_linked(path, key) == 0) {
		*out = xstrdup(key);
		explicit_bzero(key, sizeof(key));
		return ERR_OK;
	}
	saved = errno;
	explicit_bzero(key, sizeof(key));
	if (saved != EEXIST)
		return secret_fail(out, ERR_IO, "could not create secret key "
		    "file %s: %s", path, strerror(saved));
	if ((e = secret_read(path, out)) == ERR_NOTFOUND)
		return secret_fail(out, ERR_IO, "secret key file %s "
		    "vanished while it was being created", path);
	return e;
}

enum err
secret_load(const char *data_dir, char **out)
{
	const char	*v;
	char		*path;
	enum err	 e;

	*out = NULL;
	if ((v = getenv("WEBUI_SECRET_KEY")) != NULL && *v != '\0') {
		*out = xstrdup(v);
		return ERR_OK;
	}
	if ((v = getenv("WEBUI_JWT_SECRET_KEY")) != NULL && *v != '\0') {
		*out = xstrdup(v);
		return ERR_OK;
	}
	if (data_dir == NULL)
		return secret_fail(out, ERR_INVAL, "no data directory for "
		    "the secret key file");
	path = secret_path(data_dir);
	if ((e = secret_read(path, out)) == ERR_NOTFOUND)
		e = secret_create(path, out);
	free(path);
	return e;
}
