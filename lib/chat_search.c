/* chat_search.c: the search query language over a user's chats. The SQL
 * selects candidates by user and by the plain columns (archived, pinned,
 * share_id) with the same text on both engines; tags, folders and the free
 * text are matched here in C. */
#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <wctype.h>

#include "buf.h"
#include "chat.h"
#include "chat_search.h"
#include "db.h"
#include "folder.h"
#include "json.h"
#include "mem.h"
#include "tag.h"
#include "user.h"

/* Chat documents fetched per query while matching message contents. */
#define CS_BATCH	16

/* LIKE pattern tokens besides code points. */
#define CS_ANY		(-1)	/* '%' */
#define CS_ONE		(-2)	/* '_' */

enum cs_flag { CS_UNSET = -1, CS_FALSE = 0, CS_TRUE = 1 };

/* A parsed search text. */
struct cs_query {
	const char	**tags;		/* tag ids every match must carry */
	int		  ntags;
	int		  no_tags;	/* "tag:none": no tags at all */
	const char	**folders;	/* normalized folder names */
	int		  nfolders;
	const char	**folder_ids;	/* the folders they select */
	int		  nfolder_ids;
	enum cs_flag	  pinned, archived, shared;
	const int32_t	 *pat;		/* the free text as LIKE tokens */
	size_t		  npat;
	int		  has_text;	/* 0: the text was empty */
};

/* Decodes the UTF-8 character at s into *c; returns the next one. A byte
 * that does not start a valid sequence is taken alone as its value. */
static const char *
cs_next(const char *s, uint32_t *c)
{
	const unsigned char *p = (const unsigned char *)s;
	int n, i;

	if (*p < 0x80) {
		*c = *p;
		return s + 1;
	}
	if ((*p & 0xe0) == 0xc0)
		n = 2, *c = *p & 0x1f;
	else if ((*p & 0xf0) == 0xe0)
		n = 3, *c = *p & 0x0f;
	else if ((*p & 0xf8) == 0xf0)
		n = 4, *c = *p & 0x07;
	else
		n = 0;
	for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
		*c = (*c << 6) | (p[i] & 0x3f);
	if (n == 0 || i < n) {
		*c = *p;
		return s + 1;
	}
	return s + n;
}

/* Returns c lower-cased (towlower in C.UTF-8, as lower() per character). */
static uint32_t
cs_fold(uint32_t c)
{
	static locale_t loc;

	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (loc == (locale_t)0)
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	return loc != (locale_t)0 ? (uint32_t)towlower_l((wint_t)c, loc) : c;
}

/* Returns 1 for what Python's str.isspace() calls white space. */
static int
cs_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c &&
	    c <= 0x1f) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x3000;
}

char *
chat_search_strip(struct arena *a, const char *s)
{
	const char *p, *q, *start = NULL, *end = s;
	uint32_t c;

	for (p = s; *p != '\0'; p = q) {
		q = cs_next(p, &c);
		if (cs_space(c))
			continue;
		if (start == NULL)
			start = p;
		end = q;
	}
	if (start == NULL)
		return arena_strdup(a, "");
	return arena_strndup(a, start, (size_t)(end - start));
}

/* Compiles a LIKE pattern into tokens on a: '%' and '_' become CS_ANY
 * and CS_ONE, '\' takes the next character literally, the rest is
 * case-folded. Returns the token count. */
static size_t
cs_compile(struct arena *a, const char *pattern, const int32_t **out)
{
	int32_t *t = arena_alloc(a, sizeof(*t) * (strlen(pattern) + 1));
	const char *p = pattern;
	size_t n = 0;
	uint32_t c;

	while (*p != '\0') {
		p = cs_next(p, &c);
		if (c == '%' || c == '_') {
			t[n++] = c == '%' ? CS_ANY : CS_ONE;
			continue;
		}
		if (c == '\\' && *p != '\0')
			p = cs_next(p, &c);
		t[n++] = (int32_t)cs_fold(c);
	}
	*out = t;
	return n;
}

/* Matches subject against tokens: '%' backtracks to its last use. */
static int
cs_like(const char *s, const int32_t *t, size_t nt)
{
	const char *star_s = NULL;
	size_t ti = 0, star_t = 0;
	uint32_t c;

	while (*s != '\0') {
		if (ti < nt && t[ti] == CS_ANY) {
			star_t = ++ti;
			star_s = s;
			continue;
		}
		if (ti < nt) {
			const char *next = cs_next(s, &c);

			if (t[ti] == CS_ONE || (uint32_t)t[ti] == cs_fold(c)) {
				ti++;
				s = next;
				continue;
			}
		}
		if (star_s == NULL)
			return 0;
		ti = star_t;
		star_s = cs_next(star_s, &c);
		s = star_s;
	}
	while (ti < nt && t[ti] == CS_ANY)
		ti++;
	return ti == nt;
}

int
chat_search_like(const char *subject, const char *pattern)
{
	struct arena *a = arena_new();
	const int32_t *t;
	size_t n = cs_compile(a, pattern, &t);
	int m = cs_like(subject, t, n);

	arena_free(a);
	return m;
}

/* Folders.normalize_folder_name: runs of white space and '_' become one
 * space, then trimmed and lower-cased. */
static char *
cs_folder_name(struct arena *a, const char *s)
{
	char *out = arena_alloc(a, strlen(s) + 1), *o = out;
	const char *p, *q;
	int gap = 0;
	uint32_t c;

	for (p = s; *p != '\0'; p = q) {
		q = cs_next(p, &c);
		if (c == '_' || cs_space(c)) {
			gap = 1;
			continue;
		}
		if (gap && o != out)
			*o++ = ' ';
		gap = 0;
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
	}
	*o = '\0';
	return user_email_lower(a, out);
}

/* Returns 1 when s is one of the n strings of v. */
static int
cs_in(const char **v, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* Returns s with every occurrence of what removed (str.replace). */
static char *
cs_remove(struct arena *a, const char *s, const char *what)
{
	char *out = arena_alloc(a, strlen(s) + 1), *o = out;
	const char *p;
	size_t n = strlen(what);

	while ((p = strstr(s, what)) != NULL) {	/* one pass, as Python */
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		s = p + n;
	}
	strcpy(o, s);
	return out;
}

/* Sets *f from the words "<key>true" and "<key>false" ("true" wins). */
static void
cs_flag_of(char **w, int nw, const char *key, enum cs_flag *f)
{
	size_t n = strlen(key);
	int i;

	*f = CS_UNSET;
	for (i = 0; i < nw && *f != CS_TRUE; i++)
		if (strncmp(w[i], key, n) == 0 && strcmp(w[i] + n,
		    "true") == 0)
			*f = CS_TRUE;
	for (i = 0; i < nw && *f == CS_UNSET; i++)
		if (strncmp(w[i], key, n) == 0 && strcmp(w[i] + n,
		    "false") == 0)
			*f = CS_FALSE;
}

/* Returns 1 when w begins with one of the filter prefixes. */
static int
cs_is_filter(const char *w)
{
	static const char *const pre[] = { "tag:", "folder:", "pinned:",
	    "archived:", "shared:" };
	size_t i;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (strncmp(w, pre[i], strlen(pre[i])) == 0)
			return 1;
	return 0;
}

/* Splits the lower-cased, trimmed text into the query's parts. */
static void
cs_parse(struct arena *a, const char *text, struct cs_query *q)
{
	char *s = arena_strdup(a, text), *p, **w, *rest;
	int nw = 1, i, n;
	struct buf b = BUF_INIT;

	for (p = s; *p != '\0'; p++)
		nw += *p == ' ';
	w = arena_alloc(a, sizeof(*w) * (size_t)nw);
	for (i = 0, p = s; i < nw; i++) {
		w[i] = p;
		p += strcspn(p, " ");
		if (*p == ' ')
			*p++ = '\0';
	}
	q->tags = arena_alloc(a, sizeof(*q->tags) * (size_t)nw);
	q->folders = arena_alloc(a, sizeof(*q->folders) * (size_t)nw);
	for (i = 0; i < nw; i++) {
		if (strncmp(w[i], "tag:", 4) == 0) {
			q->tags[q->ntags] = cs_remove(a, w[i], "tag:");
			q->no_tags |= strcmp(q->tags[q->ntags], "none") == 0;
			q->ntags++;
		} else if (strncmp(w[i], "folder:", 7) == 0)
			q->folders[q->nfolders++] = cs_folder_name(a,
			    cs_remove(a, w[i], "folder:"));
	}
	cs_flag_of(w, nw, "pinned:", &q->pinned);
	cs_flag_of(w, nw, "archived:", &q->archived);
	cs_flag_of(w, nw, "shared:", &q->shared);

	buf_putc(&b, '%');
	for (i = 0, n = 0; i < nw; i++) {
		if (cs_is_filter(w[i]))
			continue;
		if (n++ > 0)
			buf_putc(&b, ' ');
		buf_puts(&b, w[i]);
	}
	buf_putc(&b, '%');
	rest = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	q->npat = cs_compile(a, rest, &q->pat);
}

/* Sets q->folder_ids to the user's folders named in q->folders and all
 * folders below them (Folders.search_folders_by_names). */
static enum err
cs_folders(struct db *db, struct arena *a, const char *user_id,
    struct cs_query *q)
{
	struct folder **f;
	int n, i, grew;
	enum err e;

	if (q->nfolders == 0)
		return ERR_OK;
	e = folder_list(db, a, user_id, &f, &n);
	if (e != ERR_OK)
		return e;
	q->folder_ids = arena_alloc(a, sizeof(*q->folder_ids) *
	    (size_t)(n + 1));
	for (i = 0; i < n; i++)
		if (f[i]->name != NULL && cs_in(q->folders, q->nfolders,
		    cs_folder_name(a, f[i]->name)))
			q->folder_ids[q->nfolder_ids++] = f[i]->id;
	do {
		grew = 0;
		for (i = 0; i < n; i++)
			if (f[i]->parent_id != NULL && cs_in(q->folder_ids,
			    q->nfolder_ids, f[i]->parent_id) &&
			    !cs_in(q->folder_ids, q->nfolder_ids, f[i]->id)) {
				q->folder_ids[q->nfolder_ids++] = f[i]->id;
				grew = 1;
			}
	} while (grew);
	return ERR_OK;
}

/* Returns 1 when the meta JSON text passes the tag filters. */
static int
cs_tags_ok(const struct cs_query *q, const char *meta_text)
{
	json_object *meta, *tags, *v;
	size_t i, n;
	int t, ok = 1, found;

	if (q->ntags == 0)
		return 1;
	meta = json_parse_col(meta_text);
	tags = json_get(meta, "tags");
	if (!json_object_is_type(tags, json_type_array))
		tags = NULL;
	n = tags != NULL ? json_object_array_length(tags) : 0;
	if (q->no_tags)
		ok = n == 0;
	for (t = 0; !q->no_tags && ok && t < q->ntags; t++) {
		for (i = 0, found = 0; i < n && !found; i++) {
			v = json_object_array_get_idx(tags, i);
			found = json_object_is_type(v, json_type_string) &&
			    strcmp(json_object_get_string(v), q->tags[t]) == 0;
		}
		ok = found;
	}
	json_object_put(meta);
	return ok;
}

/* Returns 1 when the content of an entry of doc.messages matches. As
 * PostgreSQL's ->>, a content that is not a string is matched as its JSON
 * text. */
static int
cs_messages_match(const struct cs_query *q, const char *doc_text)
{
	json_object *doc = json_parse_col(doc_text), *msgs, *c;
	size_t i, n;
	int m = 0;

	msgs = json_get(doc, "messages");
	n = json_object_is_type(msgs, json_type_array) ?
	    json_object_array_length(msgs) : 0;
	for (i = 0; i < n && !m; i++) {
		c = json_get(json_object_array_get_idx(msgs, i), "content");
		if (c == NULL)
			continue;
		m = cs_like(json_object_is_type(c, json_type_string) ?
		    json_object_get_string(c) : json_text(c), q->pat, q->npat);
	}
	json_object_put(doc);
	return m;
}

/* Resolves rows that need their document: fetches the documents of the
 * nid ids in one query on a and sets match[k] for each. */
static enum err
cs_fetch_match(struct db *db, struct arena *a, const char *user_id,
    const struct cs_query *q, const char **ids, int nid, int *idx,
    int *match)
{
	struct db_val *v = arena_alloc(a, sizeof(*v) * (size_t)(nid + 1));
	struct db_res *res;
	struct buf sql = BUF_INIT;
	enum err e;
	int i, k;

	buf_printf(&sql, "SELECT id, chat FROM chat WHERE user_id = $1 AND "
	    "id IN (");
	v[0] = DBV_TEXT(user_id);
	for (i = 0; i < nid; i++) {
		buf_printf(&sql, "%s$%d", i > 0 ? ", " : "", i + 2);
		v[i + 1] = DBV_TEXT(ids[i]);
	}
	buf_printf(&sql, ")");
	e = db_query(db, a, &res, buf_str(&sql), nid + 1, v);
	buf_free(&sql);
	if (e != ERR_OK)
		return e;
	for (i = 0; i < res->nrows; i++)
		for (k = 0; k < nid; k++)
			if (strcmp(ids[k], db_cell(res, i, 0)) == 0)
				match[idx[k]] = cs_messages_match(q,
				    db_cell(res, i, 1));
	return ERR_OK;
}

/* Copies row i (id, title, created_at, updated_at, folder_id, meta) as a
 * struct chat on a. */
static struct chat *
cs_chat(struct arena *a, const struct db_res *res, int i)
{
	struct chat *c = arena_alloc(a, sizeof(*c));

	c->id = arena_strdup(a, db_cell(res, i, 0));
	c->title = arena_strdup(a, db_cell(res, i, 1));
	c->created_at = db_cell_int(res, i, 2);
	c->updated_at = db_cell_int(res, i, 3);
	c->folder_id = arena_strdup(a, db_cell(res, i, 4));
	c->meta = arena_strdup(a, db_cell(res, i, 5) != NULL ?
	    db_cell(res, i, 5) : "{}");
	c->pinned = -1;
	return c;
}

/* Walks the candidate rows in order, CS_BATCH at a time, keeping the
 * matches after skip until limit. */
static enum err
cs_walk(struct db *db, struct arena *a, const char *user_id,
    const struct cs_query *q, const struct db_res *res, long long skip,
    long long limit, struct chat ***out, int *n)
{
	int match[CS_BATCH], idx[CS_BATCH], i, j, end, nid;
	const char *ids[CS_BATCH];
	struct arena *tmp;
	enum err e = ERR_OK;

	*out = arena_alloc(a, sizeof(**out) * (size_t)(limit > 0 &&
	    limit < res->nrows ? limit + 1 : res->nrows + 1));
	for (i = 0; i < res->nrows && (limit == 0 || *n < limit);
	    i = end) {
		end = i + CS_BATCH < res->nrows ? i + CS_BATCH : res->nrows;
		nid = 0;
		for (j = i; j < end; j++) {
			const char *fid = db_cell(res, j, 4);

			match[j - i] = (q->nfolder_ids == 0 || (fid != NULL &&
			    cs_in(q->folder_ids, q->nfolder_ids, fid))) &&
			    cs_tags_ok(q, db_cell(res, j, 5));
			if (!match[j - i] || !q->has_text)
				continue;
			if (db_cell(res, j, 1) != NULL && cs_like(db_cell(res,
			    j, 1), q->pat, q->npat))
				continue;
			match[j - i] = 0;
			idx[nid] = j - i;
			ids[nid++] = db_cell(res, j, 0);
		}
		if (nid > 0) {
			tmp = arena_new();
			e = cs_fetch_match(db, tmp, user_id, q, ids, nid, idx,
			    match);
			arena_free(tmp);
			if (e != ERR_OK)
				return e;
		}
		for (j = i; j < end && (limit == 0 || *n < limit); j++) {
			if (!match[j - i])
				continue;
			if (skip > 0)
				skip--;
			else
				(*out)[(*n)++] = cs_chat(a, res, j);
		}
	}
	return ERR_OK;
}

#define CS_COLS	"id, title, created_at, updated_at, folder_id, meta"

enum err
chat_search(struct db *db, struct arena *a, const char *user_id,
    const char *text, long long skip, long long limit, struct chat ***out,
    int *n)
{
	struct cs_query q;
	struct db_val v[4];
	struct db_res *res;
	struct buf sql = BUF_INIT;
	enum err e;
	int nv = 0;

	*out = NULL;
	*n = 0;
	memset(&q, 0, sizeof(q));
	text = chat_search_strip(a, user_email_lower(a, text));
	if (*text != '\0') {
		q.has_text = 1;
		cs_parse(a, text, &q);
	} else
		q.pinned = q.archived = q.shared = CS_UNSET;
	if ((e = cs_folders(db, a, user_id, &q)) != ERR_OK)
		return e;

	buf_printf(&sql, "SELECT " CS_COLS " FROM chat WHERE user_id = $1");
	v[nv++] = DBV_TEXT(user_id);
	v[nv++] = DBV_BOOL(q.archived == CS_TRUE);
	buf_printf(&sql, " AND archived = $%d", nv);
	if (q.pinned != CS_UNSET) {
		v[nv++] = DBV_BOOL(q.pinned == CS_TRUE);
		buf_printf(&sql, " AND pinned = $%d", nv);
	}
	if (q.shared != CS_UNSET)
		buf_printf(&sql, " AND share_id IS %sNULL",
		    q.shared == CS_TRUE ? "NOT " : "");
	buf_printf(&sql, " ORDER BY updated_at DESC, id DESC");
	e = db_query(db, a, &res, buf_str(&sql), nv, v);
	buf_free(&sql);
	if (e != ERR_OK)
		return e;
	return cs_walk(db, a, user_id, &q, res, skip, limit, out, n);
}

enum err
chat_search_by_tag(struct db *db, struct arena *a, const char *user_id,
    const char *name, struct chat ***out, int *n)
{
	struct cs_query q;
	struct db_res *res;
	enum err e;

	*out = NULL;
	*n = 0;
	memset(&q, 0, sizeof(q));
	q.tags = arena_alloc(a, sizeof(*q.tags));
	q.tags[0] = tag_id_of(a, name);
	q.ntags = 1;
	e = DBQ(db, a, &res, "SELECT " CS_COLS " FROM chat WHERE user_id = $1 "
	    "ORDER BY updated_at DESC, id DESC", DBV_TEXT(user_id));
	if (e != ERR_OK)
		return e;
	return cs_walk(db, a, user_id, &q, res, 0, 0, out, n);
}

enum err
chat_search_prune(struct db *db, struct arena *a, const char *user_id,
    const char *text, int nfound)
{
	const char *w = chat_search_strip(a, text);

	if (nfound > 0 || strchr(w, ' ') != NULL || strncmp(w, "tag:", 4) != 0)
		return ERR_OK;
	return tag_delete(db, a, cs_remove(a, w, "tag:"), user_id);
}
