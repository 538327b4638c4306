/* path.h: matching a request path against a route pattern. */
#ifndef CWEBUI_PATH_H
#define CWEBUI_PATH_H

/* Returns 1 when path matches pattern exactly, else 0. A "{name}" in the
 * pattern matches one non-empty segment (no '/'); params[i] then points at
 * the start of the i-th captured segment inside path (at most max). A
 * final "{name:path}" matches the rest of the path, '/' included, even
 * when empty (Starlette's path convertor). */
int	 path_match(const char *pattern, const char *path, const char *params[],
	    int max);

#endif
