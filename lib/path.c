#include <string.h>

#include "path.h"

int
path_match(const char *pattern, const char *path, const char *params[],
    int max)
{
	const char *p = pattern, *s = path;
	int np = 0;

	while (*p != '\0') {
		if (*p == '{') {
			size_t n = strcspn(s, "/");
			const char *close = strchr(p, '}');

			/* "{name:path}" takes the rest, slashes included */
			if (close != NULL && close - p >= 5 &&
			    strncmp(close - 5, ":path", 5) == 0) {
				if (np >= max)
					return 0;
				params[np++] = s;
				return close[1] == '\0';
			}
			p = strchr(p, '}');
			if (p == NULL || n == 0 || np >= max)
				return 0;
			p++;
			params[np++] = s;
			s += n;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *s == '\0';
}
