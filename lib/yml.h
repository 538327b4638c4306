/* yml.h: YAML text read as PyYAML's yaml.safe_load reads it (YAML 1.1
 * implicit types), into json-c values, on libyaml.
 *
 * Plain scalars resolve as PyYAML's resolver does: null (~, null, empty),
 * bool (true/false/yes/no/on/off in its three spellings), int (decimal,
 * 0b binary, 0 octal, 0x hex, sexagesimal 1:30, '_' separators), float
 * (1.5, 1.0e+3, .5, sexagesimal, .inf and .nan); anything else, and every
 * quoted scalar, is a string. Timestamps stay strings (PyYAML makes
 * datetime objects, which the JSON encoder would print in ISO form).
 * (.inf and .nan become non-finite doubles.) Anchors, aliases and merge keys (<<) work. Mapping keys become JSON keys
 * as json.dumps writes Python's: 200 -> "200", true -> "true", null ->
 * "null". Explicit tags !!str !!int !!float !!bool !!null !!map !!seq
 * !!timestamp are understood; other tags (!!binary, !!set, !!omap, local
 * tags) are refused, as are sequences or mappings used as keys. */
#ifndef CWEBUI_YML_H
#define CWEBUI_YML_H

#include <stddef.h>

#include <json-c/json.h>

#include "err.h"

/* Parses the single YAML document in s[0..len). Returns ERR_OK with *out a
 * new reference the caller puts (NULL for an empty document or a null
 * root); ERR_INVAL for a syntax error, an unsupported tag or more than
 * one document. */
enum err yml_parse(const char *s, size_t len, json_object **out);

/* Writes Python's repr() of the float d (as json.dumps writes it: 1.0,
 * 1e+16, 1.5e-05, NaN) into out, which holds sz >= 32 bytes. */
void	 yml_float_repr(double d, char *out, size_t sz);

#endif
