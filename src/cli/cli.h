/* cli.h: what the subcommands of cwebui share. Each subcommand is one
 * cmd_*() in its own file; main.c dispatches to them. A subcommand returns
 * the exit status (0 success, 1 failure, 2 unusable arguments, told), or
 * CLI_USAGE for wrong arguments: main prints the usage and exits 2. */
#ifndef CWEBUI_CLI_H
#define CWEBUI_CLI_H

#include <stddef.h>

struct db;

#define CLI_USAGE	(-1)

/* The settings file (systemd EnvironmentFile syntax) and what became of it. */
enum envfile_state {
	ENVFILE_NONE = 0,	/* none named and the default is absent */
	ENVFILE_READ,		/* read; nvars variables in it */
	ENVFILE_MISSING,	/* named (-e, CWEBUI_ENV_FILE) but absent */
	ENVFILE_UNREADABLE	/* exists but cannot be read (errnum) */
};

struct envfile {
	const char		*path;		/* static or argv storage */
	enum envfile_state	 state;
	int			 nvars;
	int			 errnum;
	int			 bad_line;	/* first line that is not
						   NAME=value, or 0 */
};

/* The default settings file, SYSCONFDIR/cwebui/cwebui.env. */
#define ENVFILE_DEFAULT	SYSCONFDIR "/cwebui/cwebui.env"

/* Reads the settings file path (NULL: $CWEBUI_ENV_FILE, else
 * ENVFILE_DEFAULT) and sets each variable it assigns that the environment
 * does not already hold, so `NAME=value cwebui ...` overrides the file.
 * Fills *ef (path borrowed from the argument, the environment or static
 * storage). */
void	 envfile_load(const char *path, struct envfile *ef);

/* The result of envfile_load() in main.c, for doctor. */
extern struct envfile cli_envfile;

/* Opens the configured database after setup (schema created or checked);
 * NULL when that failed (the cause is logged). Close with db_close(). */
struct db *cli_db(void);

/* Writes url to buf (size n, truncated to fit) with the password of a
 * URL (user:password@ and a password=... parameter) replaced by "***",
 * for messages. */
void	 cli_url_safe(const char *url, char *buf, size_t n);

int	 cmd_migrate(int argc, char **argv);
int	 cmd_create_admin(int argc, char **argv);
int	 cmd_reset_password(int argc, char **argv);
int	 cmd_copy_db(int argc, char **argv);
int	 cmd_doctor(int argc, char **argv);

#endif
