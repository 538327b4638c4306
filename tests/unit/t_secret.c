/* t_secret.c: where the token secret comes from, and the key file that is
 * created when there is none (run in a fresh mkdtemp directory). */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "secret.h"
#include "tap.h"

#define KEY_FILE	".webui_secret_key"
#define B64		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
			"0123456789+/"

static char	dir[] = "/tmp/t_secret.XXXXXX";

/* Returns a static path under the test directory (one at a time). */
static const char *
at(const char *name)
{
	static char	path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void
put_file(const char *name, const char *content)
{
	FILE	*f;

	if ((f = fopen(at(name), "w")) == NULL)
		bail_out("could not create %s", at(name));
	fputs(content, f);
	fclose(f);
}

/* Runs secret_load(data_dir) and checks the result code and text (the key
 * on ERR_OK; on failure, that want appears in the reason). */
static void
load(const char *data_dir, enum err want_e, const char *want,
    const char *name)
{
	char		*out = NULL;
	enum err	 e;

	e = secret_load(data_dir, &out);
	is_int(e, want_e, "%s: %s", name, err_str(want_e));
	if (want_e == ERR_OK)
		is_str(out, want, "%s: key", name);
	else
		ok(out != NULL && strstr(out, want) != NULL,
		    "%s: reason '%s' mentions '%s'", name, out ? out : "",
		    want);
	free(out);
}

static void
test_env(void)
{
	setenv("WEBUI_SECRET_KEY", "env-key", 1);
	setenv("WEBUI_JWT_SECRET_KEY", "jwt-key", 1);
	put_file(KEY_FILE, "file-key");
	load(dir, ERR_OK, "env-key", "WEBUI_SECRET_KEY first");
	setenv("WEBUI_SECRET_KEY", "", 1);
	load(dir, ERR_OK, "jwt-key", "empty WEBUI_SECRET_KEY skipped");
	unsetenv("WEBUI_SECRET_KEY");
	load(dir, ERR_OK, "jwt-key", "WEBUI_JWT_SECRET_KEY second");
	setenv("WEBUI_JWT_SECRET_KEY", "", 1);
	load(dir, ERR_OK, "file-key", "then the file");
	unsetenv("WEBUI_JWT_SECRET_KEY");
	load(dir, ERR_OK, "file-key", "no variables: the file");
	unlink(at(KEY_FILE));
	load(NULL, ERR_INVAL, "data directory", "NULL data_dir");
}

static void
test_strip(void)
{
	put_file(KEY_FILE, "abc\n\n");
	load(dir, ERR_OK, "abc", "trailing newlines stripped");
	put_file(KEY_FILE, "a b\nc\r\n");
	load(dir, ERR_OK, "a b\nc\r", "only trailing \\n stripped");
	put_file(KEY_FILE, " key ");
	load(dir, ERR_OK, " key ", "spaces kept");
	put_file(KEY_FILE, "");
	load(dir, ERR_INVAL, at(KEY_FILE), "empty file");
	put_file(KEY_FILE, "\n\n");
	load(dir, ERR_INVAL, "empty", "file of newlines");
	unlink(at(KEY_FILE));
}

/* Returns the number of entries in the test directory but . and .. */
static int
count_entries(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void
test_create(void)
{
	char		*k1 = NULL, *k2 = NULL, content[64] = "";
	struct stat	 st;
	FILE		*f;
	mode_t		 old = umask(0);

	is_int(secret_load(dir, &k1), ERR_OK, "missing file: created");
	umask(old);
	ok(k1 != NULL && strlen(k1) == 16 && strspn(k1, B64) == 16,
	    "16 base64 characters: %s", k1 ? k1 : "NULL");
	ok(k1 != NULL && strcmp(k1, "t0p-s3cr3t") != 0, "not the default");
	if (stat(at(KEY_FILE), &st) == -1)
		memset(&st, 0, sizeof(st));
	is_int(st.st_mode & 07777, 0600, "mode 0600 even with umask 0");
	is_int(st.st_size, 16, "16 bytes, no newline");
	if ((f = fopen(at(KEY_FILE), "r")) != NULL) {
		if (fgets(content, sizeof(content), f) == NULL)
			content[0] = '\0';
		fclose(f);
	}
	is_str(content, k1, "the file holds the key");
	is_int(count_entries(), 1, "no temporary file left behind");
	is_int(secret_load(dir, &k2), ERR_OK, "second load");
	is_str(k2, k1, "the key is reused");
	free(k1);
	free(k2);
	unlink(at(KEY_FILE));
}

static void
test_key_file_var(void)
{
	char	*k = NULL;

	mkdir(at("sub"), 0700);
	setenv("WEBUI_SECRET_KEY_FILE", "sub/key", 1);
	is_int(secret_load(dir, &k), ERR_OK, "relative WEBUI_SECRET_KEY_FILE");
	ok(access(at("sub/key"), F_OK) == 0, "created under DATA_DIR");
	free(k);
	setenv("WEBUI_SECRET_KEY_FILE", at("abs-key"), 1);
	put_file("abs-key", "absolute\n");
	load("/nonexistent", ERR_OK, "absolute", "absolute "
	    "WEBUI_SECRET_KEY_FILE ignores DATA_DIR");
	unsetenv("WEBUI_SECRET_KEY_FILE");
	load("/nonexistent/dir", ERR_IO, "/nonexistent/dir/" KEY_FILE,
	    "missing data directory");
	unlink(at("sub/key"));
	rmdir(at("sub"));
	unlink(at("abs-key"));
}

/* Starts n processes that load the key at once from a fresh directory;
 * all must end up with the same key. */
static void
test_race(void)
{
	enum { N = 8 };
	int	 fds[2], i, same = 1, status, all_ok = 1;
	char	 keys[N][17];
	pid_t	 pid;

	if (pipe(fds) == -1)
		bail_out("pipe failed");
	for (i = 0; i < N; i++) {
		if ((pid = fork()) == -1)
			bail_out("fork failed");
		if (pid == 0) {
			char	*k = NULL;

			if (secret_load(dir, &k) != ERR_OK || strlen(k) != 16)
				_exit(1);
			if (write(fds[1], k, 16) != 16)
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	for (i = 0; i < N; i++) {
		keys[i][16] = '\0';
		if (read(fds[0], keys[i], 16) != 16)
			all_ok = 0;
		else if (strcmp(keys[i], keys[0]) != 0)
			same = 0;
	}
	close(fds[0]);
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			all_ok = 0;
	ok(all_ok, "%d concurrent loads succeeded", N);
	ok(all_ok && same, "and agree on one key");
	is_int(count_entries(), 1, "one key file, no leftovers");
	unlink(at(KEY_FILE));
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		bail_out("mkdtemp failed");
	unsetenv("WEBUI_SECRET_KEY_FILE");
	test_env();
	test_strip();
	test_create();
	test_key_file_var();
	test_race();
	ok(rmdir(dir) == 0, "test directory left empty");
	return done_testing();
}
