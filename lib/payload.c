/* payload.c: model params, system prompt and the OpenAI to Ollama body
 * conversion, as utils/payload.py and utils/task.py do them. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "json.h"
#include "mem.h"
#include "payload.h"
#include "user.h"

/* A system prompt never grows past this through variables: each of a
 * request's variables can double it, so 40 of them would ask for 2^40
 * bytes (Python would try). */
#define PAYLOAD_MAX_TEXT	(8UL * 1024 * 1024)

/* Replaces every occurrence of from in *s (malloc'd) by to; leaves *s as
 * it is when the result would be longer than PAYLOAD_MAX_TEXT. */
static void
payload_replace(char **s, const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(from), tn = strlen(to), len = strlen(*s), hits = 0;
	const char *p = *s, *q;

	if (n == 0 || strstr(p, from) == NULL)
		return;
	for (q = p; (q = strstr(q, from)) != NULL; q += n)
		hits++;
	if (tn > n && (len > PAYLOAD_MAX_TEXT ||
	    tn - n > (PAYLOAD_MAX_TEXT - len) / hits))
		return;
	while ((q = strstr(p, from)) != NULL) {
		buf_append(&b, p, (size_t)(q - p));
		buf_puts(&b, to);
		p = q + n;
	}
	buf_puts(&b, p);
	free(*s);
	*s = xstrdup(buf_str(&b));
	buf_free(&b);
}

char *
payload_prompt_template(const char *tmpl, const struct user *u)
{
	char date[32], tm_s[32], wday[32], dt[80], bd[48], age[24];
	const char *name = "Unknown", *loc = "Unknown", *bio = "Unknown";
	const char *gender = "Unknown", *birth = "Unknown", *ag = "Unknown";
	json_object *info = NULL;
	time_t now = time(NULL);
	struct tm lt;
	char *s = xstrdup(tmpl);

	localtime_r(&now, &lt);
	strftime(date, sizeof(date), "%Y-%m-%d", &lt);
	strftime(tm_s, sizeof(tm_s), "%I:%M:%S %p", &lt);
	strftime(wday, sizeof(wday), "%A", &lt);
	snprintf(dt, sizeof(dt), "%s %s", date, tm_s);
	if (u != NULL) {
		info = json_parse_col(u->info);
		name = u->name != NULL ? u->name : "None";
		loc = json_get_str(info, "location");
		if (loc == NULL)
			loc = "None";
		bio = u->bio != NULL ? u->bio : "None";
		gender = u->gender != NULL ? u->gender : "None";
		birth = "None";
		ag = "None";
		if (u->date_of_birth != NULL && *u->date_of_birth != '\0') {
			struct tm b;
			const char *end;

			memset(&b, 0, sizeof(b));
			end = strptime(u->date_of_birth, "%Y-%m-%d", &b);
			if (end != NULL && *end == '\0') {
				int a = lt.tm_year - b.tm_year;

				if (lt.tm_mon < b.tm_mon || (lt.tm_mon ==
				    b.tm_mon && lt.tm_mday < b.tm_mday))
					a--;
				strftime(bd, sizeof(bd), "%Y-%m-%d 00:00:00",
				    &b);
				snprintf(age, sizeof(age), "%d", a);
				birth = bd;
				ag = age;
			} else
				birth = u->date_of_birth;
		}
	}
	payload_replace(&s, "{{CURRENT_DATE}}", date);
	payload_replace(&s, "{{CURRENT_TIME}}", tm_s);
	payload_replace(&s, "{{CURRENT_DATETIME}}", dt);
	payload_replace(&s, "{{CURRENT_WEEKDAY}}", wday);
	payload_replace(&s, "{{USER_NAME}}", name);
	payload_replace(&s, "{{USER_BIO}}", bio);
	payload_replace(&s, "{{USER_GENDER}}", gender);
	payload_replace(&s, "{{USER_BIRTH_DATE}}", birth);
	payload_replace(&s, "{{USER_AGE}}", ag);
	payload_replace(&s, "{{USER_LOCATION}}", loc);
	json_object_put(info);
	return s;
}

void
payload_apply_system(const char *system, json_object *payload,
    json_object *metadata, const struct user *u)
{
	json_object *vars, *msgs, *first, *c, *m;
	char *s, *t;
	size_t i;

	if (system == NULL || *system == '\0')
		return;
	s = xstrdup(system);
	vars = json_get(metadata, "variables");
	if (json_object_is_type(vars, json_type_object)) {
		json_object_object_foreach(vars, k, v) {
			if (json_object_is_type(v, json_type_string))
				payload_replace(&s, k,
				    json_object_get_string(v));
		}
	}
	t = payload_prompt_template(s, u);
	free(s);
	msgs = json_get(payload, "messages");
	if (!json_object_is_type(msgs, json_type_array)) {
		msgs = json_object_new_array();
		json_object_object_add(payload, "messages", msgs);
	}
	first = json_object_array_length(msgs) > 0 ?
	    json_object_array_get_idx(msgs, 0) : NULL;
	if (first != NULL && json_get_str(first, "role") != NULL &&
	    strcmp(json_get_str(first, "role"), "system") == 0) {
		c = json_get(first, "content");
		if (json_object_is_type(c, json_type_array)) {
			for (i = 0; i < json_object_array_length(c); i++) {
				json_object *it = json_object_array_get_idx(c,
				    i);
				const char *ty = json_get_str(it, "type");
				const char *tx = json_get_str(it, "text");

				if (ty == NULL || strcmp(ty, "text") != 0)
					continue;
				s = xmalloc(strlen(t) + strlen(tx ? tx : "") +
				    2);
				sprintf(s, "%s\n%s", t, tx ? tx : "");
				json_object_object_add(it, "text",
				    json_object_new_string(s));
				free(s);
			}
		} else {
			const char *old = json_object_is_type(c,
			    json_type_string) ? json_object_get_string(c) :
			    c == NULL ? "None" : json_text(c);

			s = xmalloc(strlen(t) + strlen(old) + 2);
			sprintf(s, "%s\n%s", t, old);
			json_object_object_add(first, "content",
			    json_object_new_string(s));
			free(s);
		}
	} else {
		m = json_object_new_object();
		json_object_object_add(m, "role",
		    json_object_new_string("system"));
		json_object_object_add(m, "content",
		    json_object_new_string(t));
		/* insert at 0: shift the others up by one */
		json_object_array_add(msgs, NULL);
		for (i = json_object_array_length(msgs) - 1; i > 0; i--)
			json_object_array_put_idx(msgs, i, json_object_get(
			    json_object_array_get_idx(msgs, i - 1)));
		json_object_array_put_idx(msgs, 0, m);
	}
	free(t);
}

enum cast { C_FLOAT, C_INT, C_BOOL, C_SAME, C_STOP, C_STR, C_DICT };

struct mapping {
	const char	*key;
	enum cast	 cast;
};

static const struct mapping ollama_map[] = {
	{ "temperature", C_FLOAT }, { "top_p", C_FLOAT }, { "seed", C_SAME },
	{ "mirostat", C_INT }, { "mirostat_eta", C_FLOAT },
	{ "mirostat_tau", C_FLOAT }, { "num_ctx", C_INT },
	{ "num_batch", C_INT }, { "num_keep", C_INT }, { "num_predict", C_INT },
	{ "repeat_last_n", C_INT }, { "top_k", C_INT }, { "min_p", C_FLOAT },
	{ "repeat_penalty", C_FLOAT }, { "presence_penalty", C_FLOAT },
	{ "frequency_penalty", C_FLOAT }, { "stop", C_STOP },
	{ "num_gpu", C_INT }, { "use_mmap", C_BOOL }, { "use_mlock", C_BOOL },
	{ "num_thread", C_INT }, { NULL, C_SAME }
};

static const struct mapping openai_map[] = {
	{ "temperature", C_FLOAT }, { "top_p", C_FLOAT }, { "min_p", C_FLOAT },
	{ "max_tokens", C_INT }, { "frequency_penalty", C_FLOAT },
	{ "presence_penalty", C_FLOAT }, { "reasoning_effort", C_STR },
	{ "seed", C_SAME }, { "stop", C_STOP }, { "logit_bias", C_SAME },
	{ "response_format", C_DICT }, { NULL, C_SAME }
};

/* Appends the UTF-8 form of code point c. */
static void
payload_utf8(struct buf *b, unsigned long c)
{
	if (c < 0x80)
		buf_putc(b, (char)c);
	else if (c < 0x800) {
		buf_putc(b, (char)(0xc0 | (c >> 6)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_putc(b, (char)(0xe0 | (c >> 12)));
		buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_putc(b, (char)(0xf0 | (c >> 18)));
		buf_putc(b, (char)(0x80 | ((c >> 12) & 0x3f)));
		buf_putc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
		buf_putc(b, (char)(0x80 | (c & 0x3f)));
	}
}

/* Python's bytes(s, "utf-8").decode("unicode_escape"): escapes decoded,
 * other bytes read as Latin-1. Returns -1 where Python raises. */
static int
payload_unescape(const char *s, struct buf *b)
{
	static const char simple[] = "n\nt\tr\r\\\\'\'\"\"a\ab\bf\fv\v";
	const unsigned char *p = (const unsigned char *)s;
	const char *q;

	for (; *p != '\0'; p++) {
		unsigned long c = 0;
		int i, n;

		if (*p != '\\') {
			payload_utf8(b, *p);
			continue;
		}
		p++;
		if (*p == '\0')
			return -1;
		if (*p == '\n')
			continue;
		if ((q = strchr(simple, *p)) != NULL &&
		    (q - simple) % 2 == 0) {
			buf_putc(b, q[1]);
			continue;
		}
		if (*p >= '0' && *p <= '7') {
			for (i = 0; i < 3 && *p >= '0' && *p <= '7'; i++, p++)
				c = c * 8 + (unsigned long)(*p - '0');
			p--;
			payload_utf8(b, c);
			continue;
		}
		n = *p == 'x' ? 2 : *p == 'u' ? 4 : *p == 'U' ? 8 : 0;
		if (n == 0) {
			buf_putc(b, '\\');
			payload_utf8(b, *p);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (!isxdigit(p[1]))
				return -1;
			p++;
			c = c * 16 + (unsigned long)(isdigit(*p) ? *p - '0' :
			    tolower(*p) - 'a' + 10);
		}
		if (c > 0x10ffff)
			return -1;
		payload_utf8(b, c);
	}
	return 0;
}

/* Python's float(v) for a JSON value. */
static int
payload_float(json_object *v, double *d)
{
	switch (json_object_get_type(v)) {
	case json_type_boolean:
	case json_type_int:
	case json_type_double:
		*d = json_object_get_double(v);
		return 0;
	case json_type_string:
		return json_float_str(json_object_get_string(v), d);
	default:
		return -1;
	}
}

/* Returns the cast value (new reference), or NULL where Python raises. */
static json_object *
payload_cast(json_object *v, enum cast c)
{
	struct buf b = BUF_INIT;
	json_object *o;
	double d;
	long long ll;
	size_t i;

	switch (c) {
	case C_SAME:
		return json_object_get(v);
	case C_BOOL:
		return json_object_new_boolean(json_truthy(v));
	case C_FLOAT:
		if (payload_float(v, &d) != 0)
			return NULL;
		return json_object_new_double(d);
	case C_INT:
		if (json_object_is_type(v, json_type_string)) {
			const char *s = json_object_get_string(v);
			char *end;
			long long n;

			errno = 0;
			n = strtoll(s, &end, 10);
			while (isspace((unsigned char)*end))
				end++;
			if (end == s || *end != '\0' || errno != 0)
				return NULL;
			return json_object_new_int64(n);
		}
		if (json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_boolean))
			return json_object_new_int64(json_object_get_int64(v));
		if (json_object_is_type(v, json_type_double)) {
			/* Python's int() raises for inf and nan; past long
			 * long it has big ints: saturated here */
			d = json_object_get_double(v);
			if (!isfinite(d))
				return NULL;
			if (!json_double_ll(d, &ll))
				ll = d > 0 ? LLONG_MAX : LLONG_MIN;
			return json_object_new_int64(ll);
		}
		return NULL;
	case C_STR:
		if (json_object_is_type(v, json_type_string))
			return json_object_get(v);
		return json_object_new_string(json_text(v));
	case C_DICT:
		if (!json_object_is_type(v, json_type_object))
			return NULL;
		return json_object_get(v);
	case C_STOP:
		if (!json_object_is_type(v, json_type_array))
			return NULL;
		o = json_object_new_array();
		for (i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);

			buf_reset(&b);
			if (!json_object_is_type(e, json_type_string) ||
			    payload_unescape(json_object_get_string(e),
			    &b) != 0) {
				buf_free(&b);
				json_object_put(o);
				return NULL;
			}
			json_object_array_add(o,
			    json_object_new_string_len(buf_str(&b),
			    (int)b.len));
		}
		buf_free(&b);
		return o;
	}
	return NULL;
}

/* apply_model_params_to_body: each non-null param cast by its mapping or
 * copied as is into dst. */
static enum err
payload_apply(json_object *params, json_object *dst,
    const struct mapping *map)
{
	const struct mapping *m;
	json_object *c;

	json_object_object_foreach(params, k, v) {
		if (v == NULL)
			continue;
		for (m = map; m->key != NULL; m++)
			if (strcmp(m->key, k) == 0)
				break;
		if (m->key == NULL) {
			json_object_object_add(dst, k, json_object_get(v));
			continue;
		}
		if ((c = payload_cast(v, m->cast)) == NULL)
			return ERR_INVAL;
		json_object_object_add(dst, k, c);
	}
	return ERR_OK;
}

/* remove_open_webui_params and the custom_params merge. */
static void
payload_prepare(json_object *params)
{
	static const char *const owui[] = { "stream_response",
	    "stream_delta_chunk_size", "function_calling", "reasoning_tags",
	    "system", NULL };
	json_object *cp = NULL, *v;
	int i;

	for (i = 0; owui[i] != NULL; i++)
		json_object_object_del(params, owui[i]);
	if (json_object_object_get_ex(params, "custom_params", &cp))
		json_object_get(cp);
	json_object_object_del(params, "custom_params");
	if (json_object_is_type(cp, json_type_object) &&
	    json_object_object_length(cp) > 0) {
		json_object_object_foreach(cp, k, val) {
			if (json_object_is_type(val, json_type_string) &&
			    (v = json_parse(json_object_get_string(val),
			    (size_t)json_object_get_string_len(val))) !=
			    NULL)
				json_object_object_add(cp, k, v);
		}
		json_merge(params, cp);
	}
	json_object_put(cp);
}

/* parse_json of payload.py: the parsed text, or the value itself. */
static json_object *
payload_parse_json(json_object *v)
{
	json_object *p;

	if (json_object_is_type(v, json_type_string) &&
	    (p = json_parse(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v))) != NULL)
		return p;
	return json_object_get(v);
}

/* Moves format, keep_alive and think from opts to the payload root. */
static void
payload_root_params(json_object *opts, json_object *payload)
{
	json_object *v;

	if ((v = json_get(opts, "format")) != NULL) {
		json_object_object_add(payload, "format",
		    payload_parse_json(v));
		json_object_object_del(opts, "format");
	}
	if ((v = json_get(opts, "keep_alive")) != NULL) {
		json_object_object_add(payload, "keep_alive",
		    payload_parse_json(v));
		json_object_object_del(opts, "keep_alive");
	}
	if ((v = json_get(opts, "think")) != NULL) {
		json_object_object_add(payload, "think",
		    json_object_new_boolean(json_truthy(v)));
		json_object_object_del(opts, "think");
	}
}

enum err
payload_params_ollama(json_object *params, json_object *payload)
{
	json_object *v, *opts;

	payload_prepare(params);
	if ((v = json_get(params, "max_tokens")) != NULL) {
		json_object_object_add(params, "num_predict",
		    json_object_get(v));
		json_object_object_del(params, "max_tokens");
	}
	payload_root_params(params, payload);
	opts = json_get(payload, "options");
	if (!json_truthy(opts)) {
		opts = json_object_new_object();
		json_object_object_add(payload, "options", opts);
	}
	if (!json_object_is_type(opts, json_type_object))
		return ERR_INVAL;
	return payload_apply(params, opts, ollama_map);
}

enum err
payload_params_openai(json_object *params, json_object *payload)
{
	payload_prepare(params);
	return payload_apply(params, payload, openai_map);
}

/* convert_messages_openai_to_ollama for one message. */
static enum err
payload_message(json_object *msg, json_object **out)
{
	json_object *role, *content, *calls, *id, *n, *arr;
	struct buf text = BUF_INIT;
	size_t i;

	if (!json_object_is_type(msg, json_type_object) ||
	    !json_object_object_get_ex(msg, "role", &role))
		return ERR_INVAL;
	n = json_object_new_object();
	json_object_object_add(n, "role", json_object_get(role));
	if (!json_object_object_get_ex(msg, "content", &content))
		content = NULL;
	calls = json_get(msg, "tool_calls");
	id = json_get(msg, "tool_call_id");
	if (json_object_is_type(content, json_type_string) &&
	    !json_truthy(calls)) {
		json_object_object_add(n, "content", json_object_get(content));
		if (json_truthy(id))
			json_object_object_add(n, "tool_call_id",
			    json_object_get(id));
	} else if (json_truthy(calls)) {
		if (!json_object_is_type(calls, json_type_array))
			goto fail;
		arr = json_object_new_array();
		json_object_object_add(n, "tool_calls", arr);
		for (i = 0; i < json_object_array_length(calls); i++) {
			json_object *tc = json_object_array_get_idx(calls, i);
			json_object *t = json_object_new_object();
			json_object *f = json_object_new_object();
			json_object *fn, *v, *args;
			const char *name;

			json_object_array_add(arr, t);
			if (!json_object_is_type(tc, json_type_object))
				goto fail;
			v = NULL;
			json_object_object_add(t, "index",
			    json_object_object_get_ex(tc, "index", &v) ?
			    json_object_get(v) : json_object_new_int(0));
			json_object_object_add(t, "id",
			    json_object_get(json_get(tc, "id")));
			json_object_object_add(t, "function", f);
			fn = json_get(tc, "function");
			name = json_get_str(fn, "name");
			json_object_object_add(f, "name",
			    json_object_new_string(name ? name : ""));
			v = json_get(fn, "arguments");
			if (!json_object_is_type(v, json_type_string) ||
			    (args = json_parse(json_object_get_string(v),
			    (size_t)json_object_get_string_len(v))) == NULL) {
				if (!json_object_is_type(v, json_type_string) ||
				    strcmp(json_object_get_string(v),
				    "null") != 0)
					goto fail;
				args = NULL;
			}
			json_object_object_add(f, "arguments", args);
		}
		json_object_object_add(n, "content",
		    json_object_new_string(""));
	} else {
		json_object *images = json_object_new_array();
		const char *s;

		if (!json_object_is_type(content, json_type_array)) {
			json_object_put(images);
			goto fail;
		}
		for (i = 0; i < json_object_array_length(content); i++) {
			json_object *it = json_object_array_get_idx(content, i);
			const char *ty;

			if (!json_object_is_type(it, json_type_object)) {
				json_object_put(images);
				goto fail;
			}
			ty = json_get_str(it, "type");
			if (ty != NULL && strcmp(ty, "text") == 0) {
				s = json_get_str(it, "text");
				buf_puts(&text, s ? s : "");
			} else if (ty != NULL && strcmp(ty, "image_url") == 0) {
				s = json_get_str(json_get(it, "image_url"),
				    "url");
				if (s == NULL || *s == '\0')
					continue;
				if (strncmp(s, "data:", 5) == 0 &&
				    strrchr(s, ',') != NULL)
					s = strrchr(s, ',') + 1;
				json_object_array_add(images,
				    json_object_new_string(s));
			}
		}
		if (text.len > 0) {
			const char *b = buf_str(&text), *e = b + text.len;

			while (b < e && isspace((unsigned char)*b))
				b++;
			while (e > b && isspace((unsigned char)e[-1]))
				e--;
			json_object_object_add(n, "content",
			    json_object_new_string_len(b, (int)(e - b)));
		}
		if (json_object_array_length(images) > 0)
			json_object_object_add(n, "images", images);
		else
			json_object_put(images);
	}
	buf_free(&text);
	*out = n;
	return ERR_OK;
fail:
	buf_free(&text);
	json_object_put(n);
	return ERR_INVAL;
}

enum err
payload_openai_to_ollama(json_object *openai, json_object **out)
{
	json_object *o = json_object_new_object(), *msgs, *arr, *v, *opts;
	json_object *m;
	size_t i;

	*out = NULL;
	json_object_object_add(o, "model",
	    json_object_get(json_get(openai, "model")));
	msgs = json_get(openai, "messages");
	if (!json_object_is_type(msgs, json_type_array))
		goto fail;
	arr = json_object_new_array();
	json_object_object_add(o, "messages", arr);
	for (i = 0; i < json_object_array_length(msgs); i++) {
		if (payload_message(json_object_array_get_idx(msgs, i), &m) !=
		    ERR_OK)
			goto fail;
		json_object_array_add(arr, m);
	}
	v = NULL;
	json_object_object_add(o, "stream",
	    json_object_object_get_ex(openai, "stream", &v) ?
	    json_object_get(v) : json_object_new_boolean(0));
	if (json_object_object_get_ex(openai, "tools", &v))
		json_object_object_add(o, "tools", json_object_get(v));
	opts = json_get(openai, "options");
	if (json_truthy(opts)) {
		if (!json_object_is_type(opts, json_type_object))
			goto fail;
		json_object_deep_copy(opts, &opts, NULL);
		json_object_object_add(o, "options", opts);
		payload_root_params(opts, o);
		if (json_object_object_get_ex(opts, "max_tokens", &v)) {
			json_object_object_add(opts, "num_predict",
			    json_object_get(v));
			json_object_object_del(opts, "max_tokens");
		}
		if (json_object_object_get_ex(opts, "system", &v)) {
			json_object_object_add(o, "system",
			    json_object_get(v));
			json_object_object_del(opts, "system");
		}
	}
	if (json_object_object_get_ex(openai, "stop", &v)) {
		opts = json_get(o, "options");
		if (opts == NULL) {
			opts = json_object_new_object();
			json_object_object_add(o, "options", opts);
		}
		json_object_object_add(opts, "stop", json_object_get(v));
	}
	if (json_object_object_get_ex(openai, "metadata", &v))
		json_object_object_add(o, "metadata", json_object_get(v));
	if (json_object_object_get_ex(openai, "response_format", &v)) {
		const char *ty;
		json_object *schema;

		if (!json_object_is_type(v, json_type_object))
			goto fail;
		ty = json_get_str(v, "type");
		schema = ty != NULL ? json_get(v, ty) : NULL;
		if (json_truthy(schema)) {
			if (!json_object_is_type(schema, json_type_object))
				goto fail;
			json_object_object_add(o, "format",
			    json_object_get(json_get(schema, "schema")));
		}
	}
	*out = o;
	return ERR_OK;
fail:
	json_object_put(o);
	return ERR_INVAL;
}
