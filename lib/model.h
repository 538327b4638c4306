/* model.h: the "model" table: workspace models (presets over a base model
 * when base_model_id is set; settings of a provider's model when not).
 *
 * params, meta and access_control are JSON text as Python stores them
 * (type json/text on PostgreSQL, text on SQLite); access_control NULL or
 * "null" means public (see access.h). Every struct model and string
 * returned lives in the arena passed in; the caller frees nothing. */
#ifndef CWEBUI_MODEL_H
#define CWEBUI_MODEL_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct db;
struct user;

struct model {
	char		*id;
	char		*user_id;
	char		*base_model_id;		/* NULL for a base model */
	char		*name;
	char		*params;		/* JSON text or NULL */
	char		*meta;			/* JSON text or NULL */
	char		*access_control;	/* JSON text or NULL (public) */
	int		 is_active;
	long long	 updated_at;
	long long	 created_at;
};

/* Every row (Models.get_all_models), in the database's order: *out is an
 * array of *n models. ERR_OK or ERR_DB. */
enum err model_list_all(struct db *db, struct arena *a, struct model **out,
	    int *n);
/* The rows with a base_model_id (Models.get_models) or without one
 * (Models.get_base_models). */
enum err model_list_custom(struct db *db, struct arena *a,
	    struct model **out, int *n);
enum err model_list_base(struct db *db, struct arena *a, struct model **out,
	    int *n);

/* ERR_OK with *out, ERR_NOTFOUND, or ERR_DB. */
enum err model_get(struct db *db, struct arena *a, const char *id,
	    struct model **out);

/* Inserts m as given (the caller sets user_id and the timestamps). NULL
 * params/meta/access_control store JSON null. ERR_EXISTS when the id is
 * taken. */
enum err model_insert(struct db *db, struct arena *a, const struct model *m);
/* Overwrites base_model_id, name, params, meta, access_control and
 * is_active of the row m->id (Python's update_model_by_id: updated_at and
 * user_id are left alone). ERR_NOTFOUND when there is no such row. */
enum err model_update(struct db *db, struct arena *a, const struct model *m);
/* Flips is_active and sets updated_at to now. ERR_NOTFOUND when absent. */
enum err model_toggle(struct db *db, struct arena *a, const char *id);
enum err model_delete(struct db *db, struct arena *a, const char *id);
enum err model_delete_all(struct db *db, struct arena *a);

/* Models.sync_models in one transaction: every model of v (n of them) is
 * written with user_id and updated_at now (updated when its id exists,
 * else inserted, keeping the given created_at), and every other row is
 * deleted. v's user_id and updated_at are overwritten. */
enum err model_sync(struct db *db, struct arena *a, const char *user_id,
	    struct model *v, int n);

/* Returns the model as Python's ModelModel JSON: params and meta parsed
 * (meta completed with profile_image_url "/static/favicon.png",
 * description null and capabilities null when absent), access_control
 * parsed or null, is_active a bool. New reference. */
json_object *model_json(const struct model *m);

/* Returns the meta document as Python's ModelMeta model: profile_image_url,
 * description and capabilities first (with their defaults), then the other
 * keys. New reference. text NULL or not an object gives the defaults. */
json_object *model_meta_json(const char *text);

#endif
