#include "err.h"

static const char *const err_names[ERR__MAX] = {
	[ERR_OK] = "success",
	[ERR_NOTFOUND] = "not found",
	[ERR_EXISTS] = "already exists",
	[ERR_INVAL] = "invalid input",
	[ERR_DENIED] = "permission denied",
	[ERR_DB] = "database error",
	[ERR_IO] = "input/output error",
	[ERR_TOOBIG] = "too large",
	[ERR_REVISION] = "unexpected schema revision",
	[ERR_CRYPTO] = "cryptographic failure",
	[ERR_UNAVAIL] = "database unavailable",
};

const char *
err_str(enum err e)
{
	if ((unsigned)e >= ERR__MAX)
		return "unknown error";
	return err_names[e];
}
