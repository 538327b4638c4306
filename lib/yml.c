/* yml.c: YAML to json-c as PyYAML's safe_load resolves it (see yml.h).
 * Event-driven on libyaml, so that the tags and styles of scalars as
 * written are seen (the document API of libyaml erases them). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "buf.h"
#include "mem.h"
#include "yml.h"

#define YML_TAG		"tag:yaml.org,2002:"
#define YML_MAX_DEPTH	512
/* nodes of the document counting each alias with its whole value, so that
 * nested aliases cannot blow up the JSON written from it */
#define YML_MAX_WEIGHT	(4L * 1024 * 1024)

struct yml_anchor {
	char		*name;
	json_object	*val;
	long		 weight;
};

struct yml {
	yaml_parser_t	 p;
	struct yml_anchor *anchors;
	size_t		 n, cap;
	int		 depth;
};

static enum err	yml_node(struct yml *, yaml_event_t *, json_object **, long *);

static int
yml_is(const char *s, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

static int
yml_is_null(const char *s)
{
	static const char *const set[] = { "", "~", "null", "Null", "NULL",
	    NULL };

	return yml_is(s, set);
}

/* Returns 1 for the bool spellings of the resolver, *v its value. */
static int
yml_is_bool(const char *s, int *v)
{
	static const char *const yes[] = { "yes", "Yes", "YES", "true",
	    "True", "TRUE", "on", "On", "ON", NULL };
	static const char *const no[] = { "no", "No", "NO", "false", "False",
	    "FALSE", "off", "Off", "OFF", NULL };

	if (yml_is(s, yes))
		return *v = 1;
	if (yml_is(s, no))
		return (*v = 0) == 0;
	return 0;
}

/* Skips chars of set (and '_' when us); returns the count skipped. */
static size_t
yml_span(const char **s, const char *set)
{
	size_t n = strspn(*s, set);

	*s += n;
	return n;
}

/* Matches (:[0-5]?[0-9])+ at *s; returns the count of groups. */
static int
yml_sexa(const char **s)
{
	const char *p = *s;
	int n = 0;

	while (*p == ':') {
		if (p[1] >= '0' && p[1] <= '5' && isdigit((unsigned char)p[2]))
			p += 3;
		else if (isdigit((unsigned char)p[1]))
			p += 2;
		else
			break;
		*s = p;
		n++;
	}
	return n;
}

/* The int pattern of the YAML 1.1 resolver. */
static int
yml_is_int(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (s[0] == '0' && s[1] == 'b')
		return (s += 2, yml_span(&s, "01_") > 0 && *s == '\0');
	if (s[0] == '0' && s[1] == 'x')
		return (s += 2, yml_span(&s, "0123456789abcdefABCDEF_") > 0 &&
		    *s == '\0');
	if (s[0] == '0')
		return s[1] == '\0' || (s++, yml_span(&s, "01234567_") > 0 &&
		    *s == '\0');
	if (*s < '1' || *s > '9')
		return 0;
	s++;
	yml_span(&s, "0123456789_");
	if (*s == '\0')
		return 1;
	return yml_sexa(&s) > 0 && *s == '\0';
}

/* Matches [eE][-+][0-9]+ (optional) then the end. */
static int
yml_exp_end(const char *s)
{
	if (*s == 'e' || *s == 'E') {
		if (s[1] != '-' && s[1] != '+')
			return 0;
		s += 2;
		if (yml_span(&s, "0123456789") == 0)
			return 0;
	}
	return *s == '\0';
}

/* The float pattern of the YAML 1.1 resolver. */
static int
yml_is_float(const char *s)
{
	const char *p;

	if (strcmp(s, ".nan") == 0 || strcmp(s, ".NaN") == 0 ||
	    strcmp(s, ".NAN") == 0)
		return 1;
	if (s[0] == '.' && isdigit((unsigned char)s[1])) {
		s++;
		yml_span(&s, "0123456789_");
		return yml_exp_end(s);
	}
	if (*s == '-' || *s == '+')
		s++;
	if (strcmp(s, ".inf") == 0 || strcmp(s, ".Inf") == 0 ||
	    strcmp(s, ".INF") == 0)
		return 1;
	if (!isdigit((unsigned char)*s))
		return 0;
	s++;
	yml_span(&s, "0123456789_");
	p = s;
	if (*s == '.') {
		s++;
		yml_span(&s, "0123456789_");
		return yml_exp_end(s);
	}
	if (yml_sexa(&p) > 0 && *p == '.') {
		p++;
		yml_span(&p, "0123456789_");
		return *p == '\0';
	}
	return 0;
}

/* Copies s without '_' (and lower-cased when lower) into a new string. */
static char *
yml_clean(const char *s, int lower)
{
	char *o = xmalloc(strlen(s) + 1), *d = o;

	for (; *s != '\0'; s++)
		if (*s != '_')
			*d++ = lower ? (char)tolower((unsigned char)*s) : *s;
	*d = '\0';
	return o;
}

/* Builds an int as PyYAML's construct_yaml_int. Returns NULL when the text
 * is no int or does not fit in 64 bits. */
static json_object *
yml_int(const char *text)
{
	char *c = yml_clean(text, 0), *v = c, *end;
	long long sign = 1, r = 0, part;
	int base = 10;

	if (*v == '-' || *v == '+')
		sign = *v++ == '-' ? -1 : 1;
	if (strchr(v, ':') != NULL) {
		char *tok, *save = NULL;

		for (tok = strtok_r(v, ":", &save); tok != NULL;
		    tok = strtok_r(NULL, ":", &save)) {
			errno = 0;
			part = strtoll(tok, &end, 10);
			if (*tok == '\0' || *end != '\0' || errno != 0 ||
			    __builtin_mul_overflow(r, 60, &r) ||
			    __builtin_add_overflow(r, part, &r))
				goto fail;
		}
		free(c);
		return json_object_new_int64(sign * r);
	}
	if (strcmp(v, "0") == 0)
		r = 0;
	else {
		if (v[0] == '0' && v[1] == 'b')
			base = 2, v += 2;
		else if (v[0] == '0' && v[1] == 'x')
			base = 16, v += 2;
		else if (v[0] == '0')
			base = 8, v += 1;
		if (*v == '\0' || *v == '-' || *v == '+' || isspace(
		    (unsigned char)*v))
			goto fail;
		errno = 0;
		r = strtoll(v, &end, base);
		if (*end != '\0' || errno != 0)
			goto fail;
	}
	free(c);
	return json_object_new_int64(sign * r);
fail:
	free(c);
	return NULL;
}

void
yml_float_repr(double d, char *out, size_t sz)
{
	char e[40], digits[24];
	int prec, exp, nd, i;
	char *p;
	size_t k = 0;

	if (isnan(d) || isinf(d)) {
		snprintf(out, sz, "%s", isnan(d) ? "NaN" : d > 0 ? "Infinity" :
		    "-Infinity");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec, d);
		if (strtod(e, NULL) == d)
			break;
	}
	p = e;
	if (*p == '-')
		out[k++] = *p++;
	for (nd = 0; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	digits[nd] = '\0';
	exp = atoi(p + 1);
	if (exp >= -4 && exp < 16) {
		if (exp < 0) {
			k += (size_t)snprintf(out + k, sz - k, "0.");
			for (i = 0; i < -exp - 1; i++)
				out[k++] = '0';
			snprintf(out + k, sz - k, "%s", digits);
			return;
		}
		for (i = 0; i <= exp; i++)
			out[k++] = i < nd ? digits[i] : '0';
		out[k++] = '.';
		if (nd > exp + 1)
			for (i = exp + 1; i < nd; i++)
				out[k++] = digits[i];
		else
			out[k++] = '0';
		out[k] = '\0';
		return;
	}
	out[k++] = digits[0];
	if (nd > 1) {
		out[k++] = '.';
		for (i = 1; i < nd; i++)
			out[k++] = digits[i];
	}
	snprintf(out + k, sz - k, "e%c%02d", exp < 0 ? '-' : '+',
	    exp < 0 ? -exp : exp);
}

/* A double that json-c writes as Python's json.dumps would. */
static json_object *
yml_double(double d)
{
	char s[48];

	yml_float_repr(d, s, sizeof(s));
	return json_object_new_double_s(d, s);
}

/* Builds a float as PyYAML's construct_yaml_float; NULL when no float. */
static json_object *
yml_float(const char *text)
{
	char *c = yml_clean(text, 1), *v = c, *end;
	double sign = 1, r = 0, part;

	if (*v == '-' || *v == '+')
		sign = *v++ == '-' ? -1 : 1;
	if (strcmp(v, ".inf") == 0)
		r = INFINITY;
	else if (strcmp(v, ".nan") == 0)
		r = NAN;
	else if (strchr(v, ':') != NULL) {
		char *tok, *save = NULL;

		for (tok = strtok_r(v, ":", &save); tok != NULL;
		    tok = strtok_r(NULL, ":", &save)) {
			part = strtod(tok, &end);
			if (*tok == '\0' || *end != '\0')
				goto fail;
			r = r * 60 + part;
		}
	} else {
		r = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || isspace((unsigned char)*v))
			goto fail;
	}
	free(c);
	return yml_double(sign * r);
fail:
	free(c);
	return NULL;
}

/* Resolves a scalar as safe_load does: by its explicit tag, else (plain
 * and untagged) by the implicit resolvers. Returns ERR_OK with *out (NULL
 * for null), ERR_INVAL for a tag safe_load refuses or a bad value. */
static enum err
yml_scalar(const yaml_event_t *ev, json_object **out)
{
	const char *v = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	size_t len = ev->data.scalar.length;
	int b;

	*out = NULL;
	if (tag != NULL && strcmp(tag, "!") != 0) {
		if (strncmp(tag, YML_TAG, strlen(YML_TAG)) != 0)
			return ERR_INVAL;
		tag += strlen(YML_TAG);
		if (strcmp(tag, "str") == 0 || strcmp(tag, "timestamp") == 0)
			goto str;
		if (strcmp(tag, "null") == 0)
			return ERR_OK;
		if (strlen(v) != len)
			return ERR_INVAL;
		if (strcmp(tag, "bool") == 0) {
			char *l = yml_clean(v, 1);
			int ok = yml_is_bool(l, &b) && strchr(v, '_') == NULL;

			free(l);
			if (!ok)
				return ERR_INVAL;
			*out = json_object_new_boolean(b);
			return ERR_OK;
		}
		if (strcmp(tag, "int") == 0)
			*out = yml_int(v);
		else if (strcmp(tag, "float") == 0)
			*out = yml_float(v);
		return *out != NULL ? ERR_OK : ERR_INVAL;
	}
	if (tag != NULL || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    strlen(v) != len)
		goto str;
	if (yml_is_bool(v, &b)) {
		*out = json_object_new_boolean(b);
		return ERR_OK;
	}
	if (yml_is_float(v))
		return (*out = yml_float(v)) != NULL ? ERR_OK : ERR_INVAL;
	if (yml_is_int(v))
		return (*out = yml_int(v)) != NULL ? ERR_OK : ERR_INVAL;
	if (strcmp(v, "=") == 0)	/* the value tag: no safe constructor */
		return ERR_INVAL;
	if (yml_is_null(v))
		return ERR_OK;
str:
	*out = json_object_new_string_len(v, (int)len);
	return ERR_OK;
}

/* The JSON key json.dumps writes for the Python value of k; NULL when k
 * cannot be a key (a list or a dict). Owned by k or static. */
static const char *
yml_key_text(json_object *k, char *tmp, size_t sz)
{
	switch (json_object_get_type(k)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return json_object_get_boolean(k) ? "true" : "false";
	case json_type_int:
		snprintf(tmp, sz, "%lld", (long long)json_object_get_int64(k));
		return tmp;
	case json_type_double:
		yml_float_repr(json_object_get_double(k), tmp, sz);
		return tmp;
	case json_type_string:
		return json_object_get_string(k);
	default:
		return NULL;
	}
}

static void
yml_anchor_set(struct yml *y, const unsigned char *name, json_object *v,
    long weight)
{
	size_t i;

	if (name == NULL)
		return;
	for (i = 0; i < y->n; i++)
		if (strcmp(y->anchors[i].name, (const char *)name) == 0) {
			json_object_put(y->anchors[i].val);
			y->anchors[i].val = json_object_get(v);
			y->anchors[i].weight = weight;
			return;
		}
	if (y->n == y->cap) {
		y->cap = y->cap ? y->cap * 2 : 16;
		y->anchors = xrealloc(y->anchors, y->cap * sizeof(*y->anchors));
	}
	y->anchors[y->n].name = xstrdup((const char *)name);
	y->anchors[y->n].val = json_object_get(v);
	y->anchors[y->n++].weight = weight;
}

/* Reads the next event into ev. Returns ERR_OK or ERR_INVAL. */
static enum err
yml_next(struct yml *y, yaml_event_t *ev)
{
	return yaml_parser_parse(&y->p, ev) ? ERR_OK : ERR_INVAL;
}

/* Adds the pairs of the mapping m to o, replacing values in place. */
static void
yml_merge_into(json_object *o, json_object *m)
{
	json_object_object_foreach(m, k, v)
		json_object_object_add(o, k, json_object_get(v));
}

/* Reads a mapping whose start event was seen; merges (<<) are applied
 * first and the explicit pairs over them, as PyYAML's flatten_mapping. */
static enum err
yml_mapping(struct yml *y, json_object **out, long *weight)
{
	json_object *pairs = json_object_new_array(), *merges, *k, *v, *o;
	enum err e = ERR_OK;
	yaml_event_t ev;
	char tmp[48];
	size_t i, j;
	long w;

	merges = json_object_new_array();
	for (;;) {
		int merge;

		if ((e = yml_next(y, &ev)) != ERR_OK)
			goto done;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		merge = ev.type == YAML_SCALAR_EVENT &&
		    ev.data.scalar.tag == NULL &&
		    ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    strcmp((const char *)ev.data.scalar.value, "<<") == 0;
		if ((e = yml_node(y, &ev, &k, &w)) != ERR_OK)
			goto done;
		*weight += w;
		if ((e = yml_next(y, &ev)) != ERR_OK ||
		    (e = yml_node(y, &ev, &v, &w)) != ERR_OK) {
			json_object_put(k);
			goto done;
		}
		*weight += w;
		if (merge) {
			json_object_put(k);
			if (json_object_is_type(v, json_type_object))
				json_object_array_add(merges, v);
			else if (json_object_is_type(v, json_type_array)) {
				for (j = json_object_array_length(v); j > 0;
				    j--) {
					json_object *m =
					    json_object_array_get_idx(v, j - 1);

					if (!json_object_is_type(m,
					    json_type_object))
						e = ERR_INVAL;
					json_object_array_add(merges,
					    json_object_get(m));
				}
				json_object_put(v);
			} else {
				json_object_put(v);
				e = ERR_INVAL;
			}
			if (e != ERR_OK)
				goto done;
			continue;
		}
		if (yml_key_text(k, tmp, sizeof(tmp)) == NULL) {
			json_object_put(k);
			json_object_put(v);
			e = ERR_INVAL;
			goto done;
		}
		json_object_array_add(pairs, k);
		json_object_array_add(pairs, v);
	}
	o = json_object_new_object();
	for (i = 0; i < json_object_array_length(merges); i++)
		yml_merge_into(o, json_object_array_get_idx(merges, i));
	for (i = 0; i + 1 < json_object_array_length(pairs); i += 2) {
		k = json_object_array_get_idx(pairs, i);
		json_object_object_add(o, yml_key_text(k, tmp, sizeof(tmp)),
		    json_object_get(json_object_array_get_idx(pairs, i + 1)));
	}
	*out = o;
done:
	json_object_put(pairs);
	json_object_put(merges);
	return e;
}

/* Reads the sequence whose start event was seen. */
static enum err
yml_sequence(struct yml *y, json_object **out, long *weight)
{
	json_object *arr = json_object_new_array(), *v;
	yaml_event_t ev;
	enum err e;
	long w;

	for (;;) {
		if ((e = yml_next(y, &ev)) != ERR_OK)
			goto fail;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if ((e = yml_node(y, &ev, &v, &w)) != ERR_OK)
			goto fail;
		*weight += w;
		json_object_array_add(arr, v);
	}
	*out = arr;
	return ERR_OK;
fail:
	json_object_put(arr);
	return e;
}

/* Builds the node that starts with ev (deleted here) into *out (a new
 * reference or NULL) and adds its size to *weight. */
static enum err
yml_node(struct yml *y, yaml_event_t *ev, json_object **out, long *weight)
{
	const unsigned char *anchor = NULL, *tag = NULL;
	enum err e = ERR_INVAL;
	size_t i;
	int seq;

	*out = NULL;
	*weight = 1;
	if (++y->depth > YML_MAX_DEPTH)
		goto done;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		for (i = 0; i < y->n; i++)
			if (strcmp(y->anchors[i].name,
			    (const char *)ev->data.alias.anchor) == 0)
				break;
		if (i == y->n)
			goto done;
		*out = json_object_get(y->anchors[i].val);
		*weight = y->anchors[i].weight;
		e = ERR_OK;
		break;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		if ((e = yml_scalar(ev, out)) == ERR_OK)
			yml_anchor_set(y, anchor, *out, *weight);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		seq = ev->type == YAML_SEQUENCE_START_EVENT;
		anchor = seq ? ev->data.sequence_start.anchor :
		    ev->data.mapping_start.anchor;
		tag = seq ? ev->data.sequence_start.tag :
		    ev->data.mapping_start.tag;
		if (tag != NULL && strcmp((const char *)tag, "!") != 0 &&
		    strcmp((const char *)tag, seq ? YML_TAG "seq" :
		    YML_TAG "map") != 0)
			goto done;
		e = seq ? yml_sequence(y, out, weight) :
		    yml_mapping(y, out, weight);
		if (e == ERR_OK)
			yml_anchor_set(y, anchor, *out, *weight);
		break;
	default:
		break;
	}
	if (e == ERR_OK && *weight > YML_MAX_WEIGHT)
		e = ERR_INVAL;
done:
	y->depth--;
	yaml_event_delete(ev);
	if (e != ERR_OK) {
		json_object_put(*out);
		*out = NULL;
	}
	return e;
}

enum err
yml_parse(const char *s, size_t len, json_object **out)
{
	struct yml y;
	yaml_event_t ev;
	json_object *root = NULL;
	enum err e = ERR_INVAL;
	int docs = 0;
	size_t i;
	long w;

	*out = NULL;
	memset(&y, 0, sizeof(y));
	if (!yaml_parser_initialize(&y.p))
		abort();
	yaml_parser_set_input_string(&y.p, (const unsigned char *)s, len);
	for (;;) {
		if (yml_next(&y, &ev) != ERR_OK)
			goto done;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (ev.type != YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;	/* stream start, document end */
		}
		yaml_event_delete(&ev);
		if (++docs > 1)
			goto done;	/* "expected a single document" */
		if (yml_next(&y, &ev) != ERR_OK ||
		    yml_node(&y, &ev, &root, &w) != ERR_OK)
			goto done;
	}
	*out = root;
	root = NULL;
	e = ERR_OK;
done:
	json_object_put(root);
	for (i = 0; i < y.n; i++) {
		free(y.anchors[i].name);
		json_object_put(y.anchors[i].val);
	}
	free(y.anchors);
	yaml_parser_delete(&y.p);
	return e;
}
