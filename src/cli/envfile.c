/* envfile.c: the settings file the service units read (EnvironmentFile=),
 * so that `cwebui` run from a shell sees the settings the services see. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"

/* Returns 1 when s[0..n) is a shell variable name. */
static int
envfile_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* Decodes the value at v as systemd does for one line: "..." with
 * backslash escapes, '...' literally, otherwise up to trailing blanks. */
static void
envfile_value(const char *v, struct buf *out)
{
	size_t n;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '"') {
		for (v++; *v != '\0' && *v != '"'; v++) {
			if (*v == '\\' && v[1] != '\0')
				v++;
			buf_putc(out, *v);
		}
		return;
	}
	if (*v == '\'') {
		n = strcspn(v + 1, "'");
		buf_append(out, v + 1, n);
		return;
	}
	n = strlen(v);
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	buf_append(out, v, n);
}

/* Applies one line; returns 0, or -1 when it is neither a comment, blank,
 * nor NAME=value. */
static int
envfile_line(char *line, struct envfile *ef)
{
	struct buf name = BUF_INIT, val = BUF_INIT;
	char *eq;
	size_t n;

	line[strcspn(line, "\r\n")] = '\0';
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0' || *line == '#' || *line == ';')
		return 0;
	if ((eq = strchr(line, '=')) == NULL)
		return -1;
	n = (size_t)(eq - line);
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	if (!envfile_name_ok(line, n))
		return -1;
	buf_append(&name, line, n);
	envfile_value(eq + 1, &val);
	setenv(buf_str(&name), buf_str(&val), 0);
	ef->nvars++;
	buf_free(&name);
	buf_free(&val);
	return 0;
}

void
envfile_load(const char *path, struct envfile *ef)
{
	char *line = NULL;
	size_t cap = 0;
	int named = 1, lineno = 0;
	FILE *f;

	memset(ef, 0, sizeof(*ef));
	if (path == NULL && (path = getenv("CWEBUI_ENV_FILE")) == NULL) {
		path = ENVFILE_DEFAULT;
		named = 0;
	}
	ef->path = path;
	if ((f = fopen(path, "r")) == NULL) {
		ef->errnum = errno;
		if (errno != ENOENT)
			ef->state = ENVFILE_UNREADABLE;
		else
			ef->state = named ? ENVFILE_MISSING : ENVFILE_NONE;
		return;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		if (envfile_line(line, ef) != 0 && ef->bad_line == 0)
			ef->bad_line = lineno;
	}
	if (ferror(f)) {
		ef->errnum = errno;
		ef->state = ENVFILE_UNREADABLE;
	} else
		ef->state = ENVFILE_READ;
	free(line);
	fclose(f);
}
