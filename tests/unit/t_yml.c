/* t_yml.c: YAML read as PyYAML's safe_load (YAML 1.1 scalars). */
#include <string.h>

#include "json.h"
#include "tap.h"
#include "yml.h"

/* Returns the compact JSON of the YAML text s, or "ERR". */
static const char *
conv(const char *s)
{
	static char out[512];
	json_object *o;

	if (yml_parse(s, strlen(s), &o) != ERR_OK)
		return "ERR";
	snprintf(out, sizeof(out), "%s", o != NULL ? json_text(o) : "null");
	json_object_put(o);
	return out;
}

int
main(void)
{
	char f[48];

	is_str(conv(""), "null", "empty document");
	is_str(conv("[~, null, Null, '', \"x\"]"), "[null,null,null,\"\",\"x\"]",
	    "nulls and quoted strings");
	is_str(conv("[yes, No, ON, off, True, FALSE, y, n]"),
	    "[true,false,true,false,true,false,\"y\",\"n\"]", "YAML 1.1 bools");
	is_str(conv("[0x1F, 012, 1_000, 1:30, -7, +3, 0, 0b101, 09, 0o7]"),
	    "[31,10,1000,90,-7,3,0,5,\"09\",\"0o7\"]", "ints");
	is_str(conv("[1.5, 1.0e+3, .5, -2., 1e3, 1:30.5, 1.5e-7]"),
	    "[1.5,1000.0,0.5,-2.0,\"1e3\",90.5,1.5e-07]", "floats");
	is_str(conv("{200: a, true: b, ~: c, 1.5: d}"),
	    "{\"200\":\"a\",\"true\":\"b\",\"null\":\"c\",\"1.5\":\"d\"}",
	    "keys as json.dumps writes them");
	is_str(conv("a: &x {p: 1, q: 2}\nb:\n  <<: *x\n  q: 3\n  r: 4\n"),
	    "{\"a\":{\"p\":1,\"q\":2},\"b\":{\"p\":1,\"q\":3,\"r\":4}}",
	    "anchors and merge keys, merged keys first");
	is_str(conv("[!!str 1, !!int '7', !!float '2', !!bool 'on', !!null x]"),
	    "[\"1\",7,2.0,true,null]", "explicit tags");
	is_str(conv("2001-12-14"), "\"2001-12-14\"", "timestamps stay strings");
	is_str(conv("a: !!binary aGk="), "ERR", "unsupported tag");
	is_str(conv("a: !custom x"), "ERR", "local tag");
	is_str(conv("a: 1\n---\nb: 2\n"), "ERR", "two documents");
	is_str(conv("a: [1"), "ERR", "syntax error");
	is_str(conv("? [1, 2]\n: x\n"), "ERR", "a list as key");
	is_str(conv("a: *nope"), "ERR", "unknown alias");
	is_str(conv("a: ="), "ERR", "the value tag");
	is_str(conv("a: &a [*a]"), "ERR", "recursive alias");
	is_str(conv("a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,"
	    "*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,"
	    "*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: "
	    "&f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,"
	    "*f,*f]\n"), "ERR", "alias bombs are refused");
	yml_float_repr(1e16, f, sizeof(f));
	is_str(f, "1e+16", "repr past 1e16");
	yml_float_repr(0.1, f, sizeof(f));
	is_str(f, "0.1", "shortest repr");
	yml_float_repr(123456789012345.6, f, sizeof(f));
	is_str(f, "123456789012345.6", "fixed below 1e16");
	yml_float_repr(0.0001, f, sizeof(f));
	is_str(f, "0.0001", "fixed down to 1e-4");
	yml_float_repr(-0.0, f, sizeof(f));
	is_str(f, "-0.0", "negative zero");
	return tap_done();
}
