/* body.h: the fields of a JSON request body (r->json, routes with R_JSON)
 * read as the pydantic models of the Python routers read them, with
 * FastAPI's 422 for a field that is missing or of the wrong type. */
#ifndef CWEBUI_BODY_H
#define CWEBUI_BODY_H

#include <stddef.h>

#include <json-c/json.h>

struct arena;

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

/* A field of a pydantic model, for body_check(). */
enum body_type {
	BODY_BOOL,		/* bool (lax: 0/1, "yes", "off" ...) */
	BODY_INT,		/* int (lax: 2.0, "12") */
	BODY_STR,		/* str */
	BODY_DICT,		/* dict */
	BODY_LIST_STR,		/* list[str] */
	BODY_LIST_MODEL,	/* list[Model]: each item checked by sub */
	BODY_ANY		/* anything JSON */
};

#define BODY_NULL	0x01	/* Optional[...]: JSON null accepted */
#define BODY_ABSENT	0x02	/* has a default: may be absent */

struct body_spec {
	const char		*key;
	enum body_type		 type;
	int			 flags;
	const struct body_spec	*sub;		/* BODY_LIST_MODEL: fields */
	const char		*sub_name;	/* its class, for messages */
};

/* Checks the object obj against the n fields of spec as pydantic does,
 * appending FastAPI's error items to errs with loc = loc (borrowed, e.g.
 * ["body"]) + [key(, index, ...)]. vals (n slots, may be NULL) receives
 * each value read: new references owned by a (NULL when absent or null),
 * bools and ints normalized. Returns the number of errors added. */
int	body_check(struct arena *a, json_object *errs, json_object *loc,
	    json_object *obj, const struct body_spec *spec, size_t n,
	    json_object **vals);
/* body_check() on r->json at ["body"]; on errors writes the 422 with all
 * of them and returns its status, else returns 0. */
int	body_read(struct req *r, const struct body_spec *spec, size_t n,
	    json_object **vals);

#endif
