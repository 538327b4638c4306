/* err.h: the one error type of cwebui. Every library function that can fail
 * returns enum err; ERR_OK (0) is the only success value. */
#ifndef CWEBUI_ERR_H
#define CWEBUI_ERR_H

enum err {
	ERR_OK = 0,
	ERR_NOTFOUND,	/* the row or object does not exist */
	ERR_EXISTS,	/* a unique value is already taken */
	ERR_INVAL,	/* input is malformed or out of range */
	ERR_DENIED,	/* the caller may not do this */
	ERR_DB,		/* the database failed (cause is logged) */
	ERR_IO,		/* a file or socket failed (cause is logged) */
	ERR_TOOBIG,	/* input is larger than allowed */
	ERR_REVISION,	/* the database is at another schema revision */
	ERR_CRYPTO,	/* hashing, signing or randomness failed */
	ERR_UNAVAIL,	/* the database cannot be reached or stays locked */
	ERR__MAX
};

/* Returns a static, lower-case description of e, for logs. */
const char *err_str(enum err e);

#endif
