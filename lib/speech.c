/* speech.c: text to speech through the OpenAI connection, cached on disk
 * (see speech.h). */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "conf.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "openai.h"
#include "setup.h"
#include "speech.h"

#define SPEECH_URL	"https://api.openai.com/v1"
#define MSG_CONN_ERROR	"Open WebUI: Server Connection Error"

/* The index of the first base URL equal to SPEECH_URL, or -1. */
static int
speech_conn(void)
{
	json_object *urls = conf_get(CONF_OPENAI_API_BASE_URLS);
	size_t i;

	for (i = 0; json_object_is_type(urls, json_type_array) &&
	    i < json_object_array_length(urls); i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(urls, i));

		if (json_object_is_type(json_object_array_get_idx(urls, i),
		    json_type_string) && strcmp(s, SPEECH_URL) == 0)
			return (int)i;
	}
	return -1;
}

/* The lower-case hex SHA-256 of p[0..n-1] into hex (65 bytes). */
static void
speech_sha256(const char *p, size_t n, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
}

/* Reads the regular file path into the arena: ERR_OK, ERR_NOTFOUND when
 * it is not there, ERR_IO. */
static enum err
speech_read(struct arena *a, const char *path, const char **p, size_t *n)
{
	struct buf *b;
	struct stat st;
	char tmp[8192];
	ssize_t r;
	int fd;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return ERR_NOTFOUND;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ERR_IO;
	/* the buffer itself on the arena too: the arena frees its storage
	 * after this frame is gone */
	b = buf_arena(a);
	while ((r = read(fd, tmp, sizeof(tmp))) > 0)
		buf_append(b, tmp, (size_t)r);
	close(fd);
	if (r < 0)
		return ERR_IO;
	*p = buf_str(b);
	*n = b->len;
	return ERR_OK;
}

/* Writes p[0..n-1] to path through a temporary file renamed into place,
 * so a reader never sees half a file. */
static enum err
speech_write(struct arena *a, const char *path, const char *p, size_t n)
{
	const char *tmp = arena_printf(a, "%s.%ld.tmp", path, (long)getpid());
	ssize_t w;
	int fd;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) < 0)
		goto fail;
	while (n > 0 && (w = write(fd, p, n)) > 0) {
		p += w;
		n -= (size_t)w;
	}
	if (n > 0 || close(fd) != 0) {
		if (n > 0)
			close(fd);
		unlink(tmp);
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		goto fail;
	}
	return ERR_OK;
fail:
	log_error("could not write %s: %s", path, strerror(errno));
	return ERR_IO;
}

/* str() of an upstream "error" value. */
static const char *
speech_str(struct arena *a, json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return openai_pyrepr(a, v);
}

static void
speech_detail(struct arena *a, struct speech_answer *out, long status,
    const char *detail)
{
	json_object *o = json_on_arena(a, json_object_new_object());

	json_object_object_add(o, "detail", json_object_new_string(detail));
	out->status = status;
	out->ctype = "application/json";
	out->body = arena_strdup(a, json_text(o));
	out->len = strlen(out->body);
}

/* Python's detail for a failed upstream answer h from url. */
static const char *
speech_error(struct arena *a, const struct http_resp *h, const char *url)
{
	json_object *res, *e;

	if (h->status == 0)
		return MSG_CONN_ERROR;
	res = json_on_arena(a, json_parse(h->body.p != NULL ? h->body.p : "",
	    h->body.len));
	if (res == NULL)
		return arena_printf(a, "External: %ld %s Error: %s for url: %s",
		    h->status, h->status < 500 ? "Client" : "Server",
		    http_reason(h->status), url);
	if (json_object_is_type(res, json_type_object) &&
	    json_object_object_get_ex(res, "error", &e))
		return arena_printf(a, "External: %s", speech_str(a, e));
	return MSG_CONN_ERROR;
}

enum err
speech_answer(struct arena *a, const struct user *u, const char *token,
    const char *data_dir, const char *body, size_t len,
    struct speech_answer *out)
{
	const char *dir, *mp3, *req, *url;
	struct http_req q = { 0 };
	struct openai_conn c;
	struct http_resp h;
	json_object *form;
	char name[65];
	enum err e;
	int idx;

	memset(out, 0, sizeof(*out));
	if ((idx = speech_conn()) < 0)
		return ERR_NOTFOUND;
	speech_sha256(body != NULL ? body : "", len, name);
	dir = arena_printf(a, "%s/cache/audio/speech", data_dir);
	if ((e = setup_mkdirs(dir)) != ERR_OK)
		return e;
	mp3 = arena_printf(a, "%s/%s.mp3", dir, name);
	req = arena_printf(a, "%s/%s.json", dir, name);
	out->status = 200;
	out->ctype = "audio/mpeg";
	if ((e = speech_read(a, mp3, &out->body, &out->len)) != ERR_NOTFOUND)
		return e;
	if ((e = openai_conn_get(a, idx, &c)) != ERR_OK)
		return e;
	url = arena_printf(a, "%s/audio/speech", c.url);
	q.method = "POST";
	q.url = url;
	q.headers = openai_headers(a, &c, u, token, NULL);
	q.body = body;
	q.body_len = len;
	q.timeout_ms = 0;	/* Python's requests call has none */
	q.follow = 1;
	http_do(a, &q, &h);
	if (h.status < 200 || h.status >= 400) {
		speech_detail(a, out, 500, speech_error(a, &h, url));
		return ERR_OK;
	}
	if ((e = speech_write(a, mp3, h.body.p != NULL ? h.body.p : "",
	    h.body.len)) != ERR_OK)
		return e;
	/* the request beside it, as json.dump writes it; a body that is not
	 * JSON fails in Python after the audio was kept */
	form = json_on_arena(a, json_parse(body != NULL ? body : "", len));
	if (form == NULL) {
		speech_detail(a, out, h.status, "External: Expecting value: line 1 "
		    "column 1 (char 0)");
		return ERR_OK;
	}
	if ((e = speech_write(a, req, json_text(form),
	    strlen(json_text(form)))) != ERR_OK)
		return e;
	out->body = h.body.p != NULL ? h.body.p : "";
	out->len = h.body.len;
	return ERR_OK;
}
