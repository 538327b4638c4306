/* setup.h: what every program does before it serves: read the settings,
 * make DATA_DIR, resolve DATABASE_URL, load the JWT secret, create or check
 * the schema, and remember the stored configuration. */
#ifndef CWEBUI_SETUP_H
#define CWEBUI_SETUP_H

#include "err.h"

struct setup {
	char	*data_dir;	/* DATA_DIR, made absolute */
	char	*database_url;	/* DATABASE_URL or the SQLite default */
	char	*secret;	/* JWT secret */
};

/* Fills st (strings malloc'd, kept for the process lifetime). Every
 * failure is logged with its cause. The database connection used here is
 * closed again, so the caller may fork afterwards. */
enum err setup_init(struct setup *st);

/* Frees the strings of st. */
void	 setup_free(struct setup *st);

/* Resolves DATA_DIR and DATABASE_URL only (no database access) and makes
 * DATA_DIR. */
enum err setup_paths(struct setup *st);

/* Fills data_dir and database_url of st as setup_paths() does, touching
 * nothing on disk (the other fields are zeroed; setup_free() frees). */
void	 setup_resolve(struct setup *st);

/* mkdir -p path with mode 0750 for the parts it creates. ERR_IO (logged)
 * when one cannot be made. */
enum err setup_mkdirs(const char *path);

#endif
