/* body.h: the fields of a JSON request body (r->json, routes with R_JSON)
 * read as the pydantic models of the Python routers read them, with
 * FastAPI's 422 for a field that is missing or of the wrong type. */
#ifndef CWEBUI_BODY_H
#define CWEBUI_BODY_H

#include <stddef.h>

struct req;

/* One string field: s is NULL for JSON null (or an absent optional field
 * without default); len is the byte length, which differs from strlen(s)
 * when the string holds a NUL. s is owned by r->json or is the default. */
struct body_field {
	const char	*s;
	size_t		 len;
};

/* Reads the string field key into f as pydantic reads a `str` (required)
 * or an `Optional[str] = def` (optional) field: absent gives def, null
 * gives NULL, anything but a string is a 422 naming the field. Returns 0,
 * or the status of the 422 written. */
int	body_str(struct req *r, const char *key, int required, const char *def,
	    struct body_field *f);

/* Returns 1 when the field holds a NUL byte (which bcrypt cannot take),
 * else 0. */
int	body_has_nul(const struct body_field *f);

#endif
