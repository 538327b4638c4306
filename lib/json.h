/* json.h: small helpers over json-c. Objects are reference counted by
 * json-c; json_on_arena() hands one reference to an arena. */
#ifndef CWEBUI_JSON_H
#define CWEBUI_JSON_H

#include <stddef.h>

#include <json-c/json.h>

struct arena;

/* Parses exactly one JSON value from s (len bytes); trailing garbage is an
 * error. Returns a new reference, or NULL when the text is not JSON. */
json_object *json_parse(const char *s, size_t len);

/* Parses s; returns NULL for NULL, "null" or invalid text (the Python JSON
 * columns hold SQL NULL or the text "null" for "absent"). New reference. */
json_object *json_parse_col(const char *s);

/* Registers json_object_put(o) on the arena; returns o. NULL is fine. */
json_object *json_on_arena(struct arena *a, json_object *o);

/* Serializes compactly, without escaping '/'. The text is owned by o. */
const char *json_text(json_object *o);

/* Returns the string at key, or NULL when absent or not a string. */
const char *json_get_str(json_object *o, const char *key);
/* Returns 1 and sets *out when key holds a bool, else 0. */
int	 json_get_bool(json_object *o, const char *key, int *out);
/* Returns the member (borrowed), or NULL when absent or JSON null. */
json_object *json_get(json_object *o, const char *key);

/* Returns Python's truth value of v: 0 for NULL (None), false, 0, 0.0, "",
 * [] and {}; 1 otherwise. */
int	 json_truthy(json_object *v);

/* Appends FastAPI's validation error item {type, loc, msg, input} to the
 * array errs, loc being [loc0, loc1, loc2] without the NULL ones. input is
 * borrowed (a reference is taken). */
void	 json_error_add(json_object *errs, const char *type, const char *msg,
	    json_object *input, const char *loc0, const char *loc1,
	    const char *loc2);
/* The same with the loc array given (taken). */
void	 json_error_add_loc(json_object *errs, const char *type,
	    const char *msg, json_object *input, json_object *loc);


/* Reads v as pydantic's lax bool (true/false, 0/1, "yes", "off" ...):
 * returns 0 or 1, -1 where pydantic says bool_parsing and -2 where it says
 * bool_type (JSON null, arrays, objects, non-integral numbers). */
int	 json_lax_bool(json_object *v);
/* The same for text (a query parameter): 0 or 1, else -1 (bool_parsing). */
int	 json_lax_bool_str(const char *s);
/* Python's float() of text: surrounding blanks allowed, then strtod()'s
 * whole syntax. Returns 0 and sets *out, or -1. */
int	 json_float_str(const char *s, double *out);

/* Stores d truncated toward zero in *out and returns 1 when d is finite
 * and within long long's range; returns 0 (out untouched) otherwise. A C
 * cast of such a d is undefined behaviour: every double a client sends
 * goes through here before it becomes an integer. */
int	 json_double_ll(double d, long long *out);

/* New string, or JSON null for a NULL s. New reference. */
json_object *json_str_or_null(const char *s);

/* Deep-merges src into dst (objects merge key by key, anything else is
 * replaced); src is not changed, but dst may share src's members. Does
 * nothing unless both are objects. */
void	 json_merge(json_object *dst, json_object *src);

/* Returns the value at a dotted path ("ui.enable_signup") or NULL. Borrowed. */
json_object *json_get_path(json_object *o, const char *path);
/* Sets the value at a dotted path, creating objects on the way; takes v. */
void	 json_set_path(json_object *o, const char *path, json_object *v);

/* Returns the members of the object o whose key is an index below n
 * ("0", "1", ...), in o's order: the configs kept for n connections.
 * New reference. */
json_object *json_index_members(json_object *o, size_t n);

struct db_res;

/* How json_row() turns a cell into a value. */
enum json_col_kind {
	JSON_COL_STR = 0,	/* string, null for SQL NULL */
	JSON_COL_INT,		/* integer (0 for SQL NULL) */
	JSON_COL_BOOL,		/* boolean */
	JSON_COL_JSON		/* the JSON text parsed (json_parse_col) */
};

/* The member a column of a result row becomes. */
struct json_col {
	const char		*name;
	enum json_col_kind	 kind;
};

/* Returns {cols[0].name: cell 0, ...} of row of res, the n columns in
 * order. New reference. */
json_object *json_row(const struct db_res *res, int row,
    const struct json_col *cols, size_t n);

struct buf;
struct db_val;

/* For "... IN (" lists: appends "$1, $2, ..." to sql, one placeholder per
 * string of the JSON array ids (other entries are skipped), and sets *v to
 * the arena-owned values (the strings stay ids'). Returns their number. */
int	 json_sql_in(struct arena *a, json_object *ids, struct buf *sql,
	    struct db_val **v);



#endif
