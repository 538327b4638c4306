/* cwebui: the admin command. Each subcommand is one function in the table
 * below (admin.c, copydb.c, doctor.c); all of them use the same settings as
 * cwebui-fcgi: the settings file (-e, CWEBUI_ENV_FILE or
 * SYSCONFDIR/cwebui/cwebui.env), under the process environment. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"

struct cmd {
	const char	*name;
	const char	*usage;
	int		(*fn)(int argc, char **argv);
};

struct envfile cli_envfile;

static const struct cmd cmds[] = {
	{ "migrate", "", cmd_migrate },
	{ "create-admin", "EMAIL PASSWORD [NAME]", cmd_create_admin },
	{ "reset-password", "EMAIL PASSWORD", cmd_reset_password },
	{ "copy-db", "[--force] SOURCE_URL DESTINATION_URL", cmd_copy_db },
	{ "doctor", "[--url URL] [--user USER] [--web-group GROUP]",
	    cmd_doctor },
};

static int
usage(void)
{
	size_t i;

	fprintf(stderr, "usage:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  cwebui [-e ENV_FILE] %s %s\n", cmds[i].name,
		    cmds[i].usage);
	return 2;
}

int
main(int argc, char **argv)
{
	const char *env_path = NULL;
	size_t i;
	int c, rc;

	log_open("cwebui", 0);
	while ((c = getopt(argc, argv, "+e:")) != -1) {
		if (c != 'e')
			return usage();
		env_path = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	envfile_load(env_path, &cli_envfile);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[0], cmds[i].name) != 0)
			continue;
		if (strcmp(argv[0], "doctor") != 0 &&
		    (cli_envfile.state == ENVFILE_MISSING ||
		    cli_envfile.state == ENVFILE_UNREADABLE)) {
			fprintf(stderr, "cwebui: could not read the settings "
			    "file %s: %s\n", cli_envfile.path,
			    strerror(cli_envfile.errnum));
			return 1;
		}
		rc = cmds[i].fn(argc, argv);
		return rc == CLI_USAGE ? usage() : rc;
	}
	return usage();
}
