/* check.h: the assertion of the fuzz targets. Unlike assert() it stays in
 * every build, and it names the failed check before aborting, so a crash
 * file tells which invariant broke. */
#ifndef CWEBUI_FUZZ_CHECK_H
#define CWEBUI_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define check(cond)	do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		abort();						\
	}								\
} while (0)

#endif
