/* h_models.c: /api/v1/models/ (routers/models.py): workspace models,
 * shared by access_control, their import, export and sync, and their
 * profile images. The id of a model is a query parameter (?id=), as in
 * Python, so that it may hold '/'. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "db.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "model.h"
#include "perm.h"
#include "req.h"
#include "user.h"

#define MSG_MODEL_ID_TAKEN	"Uh-oh! This model id is already registered. Please choose another model id string."

/* Appends a FastAPI error item whose loc is prefix (copied) + k1 [+ k2]. */
static void
models_err(json_object *errs, json_object *prefix, const char *type,
    const char *msg, json_object *input, const char *k1, const char *k2)
{
	json_object *loc;
	size_t i, n = json_object_array_length(prefix);

	loc = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(loc,
		    json_object_get(json_object_array_get_idx(prefix, i)));
	if (k1 != NULL)
		json_object_array_add(loc, json_object_new_string(k1));
	if (k2 != NULL)
		json_object_array_add(loc, json_object_new_string(k2));
	json_error_add_loc(errs, type, msg, input, loc);
}


/* Reads the str field key of o (Optional[str] = None when opt) into the
 * returned string (owned by o), NULL for null or an error. The loc is
 * [k2, key] when k2 is set, else [key]. */
static const char *
models_str(json_object *errs, json_object *prefix, json_object *o,
    const char *key, int opt, const char *k2)
{
	const char *k1 = k2 != NULL ? k2 : key, *kk = k2 != NULL ? key : NULL;
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (!opt)
			models_err(errs, prefix, "missing", "Field required",
			    o, k1, kk);
		return NULL;
	}
	if (v == NULL && opt)
		return NULL;
	if (!json_object_is_type(v, json_type_string)) {
		models_err(errs, prefix, "string_type",
		    "Input should be a valid string", v, k1, kk);
		return NULL;
	}
	return json_object_get_string(v);
}

/* Reads the Optional[dict] field key of o; returns its JSON text or NULL
 * (absent or null). */
static const char *
models_dict(struct arena *a, json_object *errs, json_object *prefix,
    json_object *o, const char *key, const char *k2)
{
	json_object *v = json_get(o, key);

	if (v == NULL)
		return NULL;
	if (!json_object_is_type(v, json_type_object)) {
		models_err(errs, prefix, "dict_type",
		    "Input should be a valid dictionary", v,
		    k2 != NULL ? k2 : key, k2 != NULL ? key : NULL);
		return NULL;
	}
	return arena_strdup(a, json_text(v));
}

/* Reads a required sub-model (ModelMeta, ModelParams): returns its JSON
 * text, or NULL with an error. */
static const char *
models_sub(struct arena *a, json_object *errs, json_object *prefix,
    json_object *o, const char *key, const char *cls)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		models_err(errs, prefix, "missing", "Field required", o, key,
		    NULL);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_object)) {
		models_err(errs, prefix, "model_type", arena_printf(a,
		    "Input should be a valid dictionary or instance of %s",
		    cls), v, key, NULL);
		return NULL;
	}
	return arena_strdup(a, json_text(v));
}

/* Reads a bool field; absent gives def (-1: required). */
static int
models_bool(json_object *errs, json_object *prefix, json_object *o,
    const char *key, int def)
{
	json_object *v;
	int b;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (def < 0)
			models_err(errs, prefix, "missing", "Field required", o,
			    key, NULL);
		return def;
	}
	if ((b = json_lax_bool(v)) < 0) {
		models_err(errs, prefix, b == -1 ? "bool_parsing" : "bool_type",
		    b == -1 ? "Input should be a valid boolean, unable to "
		    "interpret input" : "Input should be a valid boolean", v,
		    key, NULL);
		return 0;
	}
	return b;
}

/* Reads a required int field (pydantic's lax int). */
static long long
models_int(json_object *errs, json_object *prefix, json_object *o,
    const char *key)
{
	json_object *v;
	long long n;
	double d;

	if (!json_object_object_get_ex(o, key, &v)) {
		models_err(errs, prefix, "missing", "Field required", o, key,
		    NULL);
		return 0;
	}
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	if (json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (isfinite(d) && d == floor(d) && fabs(d) < 9.2e18)
			return (long long)d;
		models_err(errs, prefix, "int_from_float", "Input should be a "
		    "valid integer, got a number with a fractional part", v,
		    key, NULL);
		return 0;
	}
	if (json_object_is_type(v, json_type_string) &&
	    req_parse_int(json_object_get_string(v), 0, &n) == 0)
		return n;
	if (json_object_is_type(v, json_type_string))
		models_err(errs, prefix, "int_parsing", "Input should be a "
		    "valid integer, unable to parse string as an integer", v,
		    key, NULL);
	else
		models_err(errs, prefix, "int_type",
		    "Input should be a valid integer", v, key, NULL);
	return 0;
}

/* Reads o as ModelForm (full = 0) or ModelModel (full = 1) into m, the
 * errors going to errs under prefix. Returns the number of new errors. */
static int
models_form(struct arena *a, json_object *o, json_object *errs,
    json_object *prefix, int full, struct model *m)
{
	size_t before = json_object_array_length(errs);
	json_object *meta;

	memset(m, 0, sizeof(*m));
	if (!json_object_is_type(o, json_type_object)) {
		models_err(errs, prefix, "model_type", "Input should be a "
		    "valid dictionary or instance of ModelModel", o, NULL,
		    NULL);
		return 1;
	}
	m->id = (char *)models_str(errs, prefix, o, "id", 0, NULL);
	if (full)
		m->user_id = (char *)models_str(errs, prefix, o, "user_id", 0,
		    NULL);
	m->base_model_id = (char *)models_str(errs, prefix, o,
	    "base_model_id", 1, NULL);
	m->name = (char *)models_str(errs, prefix, o, "name", 0, NULL);
	if (full)
		m->params = (char *)models_sub(a, errs, prefix, o, "params",
		    "ModelParams");
	m->meta = (char *)models_sub(a, errs, prefix, o, "meta", "ModelMeta");
	if (m->meta != NULL) {
		meta = json_get(o, "meta");
		models_str(errs, prefix, meta, "profile_image_url", 1, "meta");
		models_str(errs, prefix, meta, "description", 1, "meta");
		models_dict(a, errs, prefix, meta, "capabilities", "meta");
	}
	if (!full)
		m->params = (char *)models_sub(a, errs, prefix, o, "params",
		    "ModelParams");
	m->access_control = (char *)models_dict(a, errs, prefix, o,
	    "access_control", NULL);
	m->is_active = models_bool(errs, prefix, o, "is_active", full ? -1 : 1);
	if (full) {
		m->updated_at = models_int(errs, prefix, o, "updated_at");
		m->created_at = models_int(errs, prefix, o, "created_at");
	}
	return (int)(json_object_array_length(errs) - before);
}

/* Returns a new ["body"] (or the prefix given, with a trailing index). */
static json_object *
models_loc(struct arena *a, const char *k1, int idx)
{
	json_object *p = json_on_arena(a, json_object_new_array());

	json_object_array_add(p, json_object_new_string("body"));
	if (k1 != NULL) {
		json_object_array_add(p, json_object_new_string(k1));
		json_object_array_add(p, json_object_new_int(idx));
	}
	return p;
}

/* Checks the required query parameter id into errs; returns it. */
static const char *
models_query_id(struct req *r, json_object *errs)
{
	const char *id = req_query(r, "id");

	if (id == NULL)
		json_error_add(errs, "missing", "Field required", NULL,
		    "query", "id", NULL);
	return id;
}

static int
models_is_admin(struct req *r)
{
	return strcmp(r->user->role, "admin") == 0;
}

/* Returns a new array of the models of v (n), with "user" when with_user;
 * when g is set, only those the caller owns or may write (a member of the
 * groups g). ERR_DB goes to *e. */
static json_object *
models_array(struct req *r, struct model *v, int n, int with_user,
    const struct access_groups *g, enum err *e)
{
	json_object *arr = json_object_new_array(), *o, *u;
	int i;

	*e = ERR_OK;
	for (i = 0; i < n; i++) {
		if (g != NULL && strcmp(v[i].user_id, r->user->id) != 0 &&
		    !access_check(r->user->id, "write", json_on_arena(r->a,
		    json_parse_col(v[i].access_control)), g))
			continue;
		o = model_json(&v[i]);
		if (with_user) {
			if ((*e = user_response(r->db, r->a, v[i].user_id,
			    &u)) != ERR_OK) {
				json_object_put(o);
				break;
			}
			json_object_object_add(o, "user", u);
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

/* Returns 200 with the custom models the caller may edit (all of them for
 * an admin when BYPASS_ADMIN_ACCESS_CONTROL), each with its owner. */
int
h_models_list(struct req *r)
{
	struct access_groups g, *gp = NULL;
	struct model *v;
	json_object *arr;
	enum err e;
	int n;

	if ((e = model_list_custom(r->db, r->a, &v, &n)) != ERR_OK)
		return resp_internal(r, "models", e);
	if (!(models_is_admin(r) && access_admin_bypass())) {
		if ((e = access_groups_of(r->db, r->a, r->user->id, &g)) !=
		    ERR_OK)
			return resp_internal(r, "models", e);
		gp = &g;
	}
	arr = json_on_arena(r->a, models_array(r, v, n, 1, gp, &e));
	if (e != ERR_OK)
		return resp_internal(r, "models", e);
	return resp_json(r, 200, json_object_get(arr));
}

/* Writes 200 with the models of a list function (admin routes). */
static int
models_plain(struct req *r, enum err (*list)(struct db *, struct arena *,
    struct model **, int *))
{
	struct model *v;
	enum err e;
	int n;

	if ((e = list(r->db, r->a, &v, &n)) != ERR_OK)
		return resp_internal(r, "models", e);
	return resp_json(r, 200, models_array(r, v, n, 0, NULL, &e));
}

/* Returns 200 with the base models' settings rows (admin). */
int
h_models_base(struct req *r)
{
	return models_plain(r, model_list_base);
}

/* Returns 200 with every custom model, without owners (admin). */
int
h_models_export(struct req *r)
{
	return models_plain(r, model_list_custom);
}

/* Returns 200 with the new model; 401 without workspace.models (non
 * admins), when the id is taken, or when it cannot be stored. */
int
h_models_create(struct req *r)
{
	json_object *errs = json_object_new_array();
	struct model m, *old;
	enum err e;
	int st, yes = 1;

	models_form(r->a, r->json, errs, models_loc(r->a, NULL, 0), 0, &m);
	if ((st = resp_errors(r, errs)) != 0)
		return st;
	if (!models_is_admin(r) && (e = perm_has(r->db, r->a, r->user->id,
	    "workspace.models", &yes)) != ERR_OK)
		return resp_internal(r, "models", e);
	if (!yes)
		return resp_error(r, 401, MSG_UNAUTHORIZED);
	if ((e = model_get(r->db, r->a, m.id, &old)) == ERR_OK)
		return resp_error(r, 401, MSG_MODEL_ID_TAKEN);
	if (e != ERR_NOTFOUND)
		return resp_internal(r, "models", e);
	m.user_id = r->user->id;
	m.created_at = m.updated_at = time(NULL);
	if ((e = model_insert(r->db, r->a, &m)) != ERR_OK ||
	    (e = model_get(r->db, r->a, m.id, &old)) != ERR_OK) {
		log_error("[%s] models: create: %s", r->id, err_str(e));
		return resp_error(r, 401, MSG_DEFAULT);
	}
	return resp_json(r, 200, model_json(old));
}

/* Returns a short text of the first error of errs, as the detail of
 * Python's 500 for a model it cannot read ("1 validation error ..."). */
static const char *
models_errs_text(struct arena *a, json_object *errs)
{
	json_object *e = json_object_array_get_idx(errs, 0);
	json_object *loc = json_get(e, "loc");
	size_t i, n = json_object_array_length(errs);
	struct buf *b = buf_arena(a);
	buf_printf(b, "%zu validation error%s for ModelForm\n", n,
	    n == 1 ? "" : "s");
	for (i = 1; loc != NULL && i < json_object_array_length(loc); i++)
		buf_printf(b, "%s%s", i > 1 ? "." : "", json_object_get_string(
		    json_object_array_get_idx(loc, i)));
	buf_printf(b, "\n  %s [type=%s]", json_get_str(e, "msg"),
	    json_get_str(e, "type"));
	return buf_str(b);
}

/* Reads one import item into m: the stored model's fields (when
 * existing) overlaid by item, meta and params defaulting to {}. */
static int
models_import_item(struct req *r, json_object *item, const struct model *old,
    json_object *errs, struct model *m)
{
	json_object *merged = json_on_arena(r->a, json_object_new_object());
	json_object *prefix = models_loc(r->a, NULL, 0);

	if (old != NULL) {
		json_object *o = json_on_arena(r->a, model_json(old));

		json_object_object_foreach(o, k, v)
			json_object_object_add(merged, k, json_object_get(v));
	}
	json_object_object_foreach(item, key, val)
		json_object_object_add(merged, key, json_object_get(val));
	if (!json_object_object_get_ex(item, "meta", NULL))
		json_object_object_add(merged, "meta",
		    json_object_new_object());
	if (!json_object_object_get_ex(item, "params", NULL))
		json_object_object_add(merged, "params",
		    json_object_new_object());
	return models_form(r->a, merged, errs, prefix, 0, m);
}

/* Writes the import items in one transaction. Returns ERR_INVAL with the
 * errors in errs when an item is not a model. */
static enum err
models_import_rows(struct req *r, json_object *items, json_object *errs)
{
	size_t i, n = json_object_array_length(items);
	struct model m, *old;
	json_object *item;
	const char *id;
	enum err e;

	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(items, i);
		if (!json_truthy(json_get(item, "id")))
			continue;
		id = json_object_get_string(json_get(item, "id"));
		if ((e = model_get(r->db, r->a, id, &old)) == ERR_NOTFOUND)
			old = NULL;
		else if (e != ERR_OK)
			return e;
		if (models_import_item(r, item, old, errs, &m) > 0)
			return ERR_INVAL;
		if (old != NULL)
			m.id = old->id, e = model_update(r->db, r->a, &m);
		else {
			m.user_id = r->user->id;
			m.created_at = m.updated_at = time(NULL);
			/* Python logs a failed insert and goes on */
			if ((e = model_insert(r->db, r->a, &m)) == ERR_EXISTS)
				e = ERR_OK;
		}
		if (e != ERR_OK)
			return e;
	}
	return ERR_OK;
}

/* Returns 200 true after creating or updating every model of models (a
 * list of objects) with an id; 500 when one is not a valid model (nothing
 * is written then). */
int
h_models_import(struct req *r)
{
	json_object *items = json_get(r->json, "models");
	json_object *errs = json_object_new_array();
	size_t i, n;
	enum err e;
	int st;

	if (!json_object_object_get_ex(r->json, "models", NULL))
		json_error_add(errs, "missing", "Field required", r->json,
		    "body", "models", NULL);
	else if (!json_object_is_type(items, json_type_array))
		json_error_add(errs, "list_type", "Input should be a valid list",
		    items, "body", "models", NULL);
	else
		for (i = 0, n = json_object_array_length(items); i < n; i++)
			if (!json_object_is_type(json_object_array_get_idx(
			    items, i), json_type_object))
				models_err(errs, models_loc(r->a, "models",
				    (int)i), "dict_type", "Input should be a "
				    "valid dictionary",
				    json_object_array_get_idx(items, i), NULL,
				    NULL);
	if ((st = resp_errors(r, errs)) != 0)
		return st;
	errs = json_on_arena(r->a, json_object_new_array());
	if ((e = db_begin(r->db)) != ERR_OK)
		return resp_internal(r, "models", e);
	if ((e = models_import_rows(r, items, errs)) != ERR_OK) {
		db_rollback(r->db);
		if (e == ERR_INVAL)
			return resp_error(r, 500, models_errs_text(r->a, errs));
		return resp_internal(r, "models: import", e);
	}
	if ((e = db_commit(r->db)) != ERR_OK)
		return resp_internal(r, "models", e);
	return resp_json(r, 200, json_object_new_boolean(1));
}

/* Returns 200 with every model after making the table hold exactly the
 * models given (ModelModel), owned by the caller; [] when that fails. */
int
h_models_sync(struct req *r)
{
	json_object *items = json_get(r->json, "models");
	json_object *errs = json_object_new_array();
	struct model *v;
	size_t i, n = 0;
	enum err e;
	int st;

	if (items != NULL && !json_object_is_type(items, json_type_array))
		json_error_add(errs, "list_type", "Input should be a valid list",
		    items, "body", "models", NULL);
	else if (items != NULL)
		n = json_object_array_length(items);
	else if (json_object_object_get_ex(r->json, "models", NULL))
		json_error_add(errs, "list_type", "Input should be a valid list",
		    NULL, "body", "models", NULL);
	v = arena_alloc(r->a, sizeof(*v) * (n + 1));
	for (i = 0; i < n; i++)
		models_form(r->a, json_object_array_get_idx(items, i), errs,
		    models_loc(r->a, "models", (int)i), 1, &v[i]);
	if ((st = resp_errors(r, errs)) != 0)
		return st;
	if ((e = model_sync(r->db, r->a, r->user->id, v, (int)n)) != ERR_OK) {
		log_error("[%s] models: sync: %s", r->id, err_str(e));
		return resp_json(r, 200, json_object_new_array());
	}
	return models_plain(r, model_list_all);
}

/* Reads ?id= and the model. Returns 0 with *m, or the status written:
 * 422 without id, 401 when there is no such model. */
static int
models_target(struct req *r, struct model **m)
{
	json_object *errs = json_object_new_array();
	const char *id = models_query_id(r, errs);
	enum err e;
	int st;

	if ((st = resp_errors(r, errs)) != 0)
		return st;
	if ((e = model_get(r->db, r->a, id, m)) == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_NOT_FOUND);
	if (e != ERR_OK)
		return resp_internal(r, "models", e);
	return 0;
}

/* Returns 1 when the caller owns m or may do type under its
 * access_control. */
static int
models_may(struct req *r, const struct model *m, const char *type)
{
	return strcmp(m->user_id, r->user->id) == 0 ||
	    access_has(r->db, r->a, r->user, type, m->access_control);
}

/* models_target() for a change: also 401 when the caller is neither
 * admin, owner nor a writer. */
static int
models_target_write(struct req *r, struct model **m)
{
	int st;

	if ((st = models_target(r, m)) != 0)
		return st;
	if (!models_is_admin(r) && !models_may(r, *m, "write"))
		return resp_error(r, 401, MSG_UNAUTHORIZED);
	return 0;
}

/* Returns 200 with model ?id= when the caller may read it, else 200 null
 * (as Python); 401 when there is none. */
int
h_models_get(struct req *r)
{
	struct model *m;
	int st;

	if ((st = models_target(r, &m)) != 0)
		return st;
	if ((models_is_admin(r) && access_admin_bypass()) ||
	    models_may(r, m, "read"))
		return resp_json(r, 200, model_json(m));
	return resp_json(r, 200, NULL);
}

/* Returns the image of model ?id= (meta.profile_image_url: 302 to an
 * http(s) URL, a data:image URL's bytes as image/png), else 302 to the
 * frontend's /favicon.png (Python sends its own copy of that file). Any
 * signed-in user may read any model's image, as in Python. */
int
h_models_image(struct req *r)
{
	json_object *errs = json_object_new_array(), *meta;
	const char *id = models_query_id(r, errs);
	struct model *m;
	enum err e;
	int st;

	if ((st = resp_errors(r, errs)) != 0)
		return st;
	if ((e = model_get(r->db, r->a, id, &m)) == ERR_NOTFOUND)
		return resp_redirect(r, 302, "/favicon.png");
	if (e != ERR_OK)
		return resp_internal(r, "models", e);
	meta = json_on_arena(r->a, model_meta_json(m->meta));
	return resp_image_url(r, json_get_str(meta, "profile_image_url"),
	    "/favicon.png");
}

/* Returns 200 with model ?id= after flipping is_active; 401 when there is
 * none or the caller is neither admin, owner nor a writer. */
int
h_models_toggle(struct req *r)
{
	struct model *m;
	enum err e;
	int st;

	if ((st = models_target_write(r, &m)) != 0)
		return st;
	if ((e = model_toggle(r->db, r->a, m->id)) != ERR_OK ||
	    (e = model_get(r->db, r->a, m->id, &m)) != ERR_OK) {
		log_error("[%s] models: toggle: %s", r->id, err_str(e));
		return resp_error(r, 400, "[ERROR: Error updating function]");
	}
	return resp_json(r, 200, model_json(m));
}

/* Returns 200 with model ?id= after replacing its fields with the body's
 * (ModelForm; its id is ignored); 401 when there is none, 400 when the
 * caller is neither admin, owner nor a writer. */
int
h_models_update(struct req *r)
{
	json_object *errs = json_object_new_array();
	const char *id = models_query_id(r, errs);
	struct model form, *m;
	enum err e;
	int st;

	models_form(r->a, r->json, errs, models_loc(r->a, NULL, 0), 0, &form);
	if ((st = resp_errors(r, errs)) != 0)
		return st;
	if ((e = model_get(r->db, r->a, id, &m)) == ERR_NOTFOUND)
		return resp_error(r, 401, MSG_NOT_FOUND);
	if (e != ERR_OK)
		return resp_internal(r, "models", e);
	if (!models_may(r, m, "write") && !models_is_admin(r))
		return resp_error(r, 400, MSG_ACCESS_PROHIBITED);
	form.id = m->id;
	if ((e = model_update(r->db, r->a, &form)) != ERR_OK ||
	    (e = model_get(r->db, r->a, m->id, &m)) != ERR_OK) {
		log_error("[%s] models: update: %s", r->id, err_str(e));
		return resp_json(r, 200, NULL);
	}
	return resp_json(r, 200, model_json(m));
}

/* Returns 200 true after deleting model ?id=; 401 when there is none or
 * the caller is neither admin, owner nor a writer. */
int
h_models_delete(struct req *r)
{
	struct model *m;
	enum err e;
	int st;

	if ((st = models_target_write(r, &m)) != 0)
		return st;
	if ((e = model_delete(
r->db, r->a, m->id)) != ERR_OK) {
		log_error("[%s] models: delete: %s", r->id, err_str(e));
		return resp_json(r, 200, json_object_new_boolean(0));
	}
	return resp_json(r, 200, json_object_new_boolean(1));
}

/* Returns 200 true after deleting every model (admin). */
int
h_models_delete_all(struct req *r)
{
	enum err e;

	if ((e = model_delete_all(r->db, r->a)) != ERR_OK) {
		log_error("[%s] models: delete all: %s", r->id, err_str(e));
		return resp_json(r, 200, json_object_new_boolean(0));
	}
	return resp_json(r, 200, json_object_new_boolean(1));
}
