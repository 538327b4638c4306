/* h_tasks.c: /api/v1/tasks/ (routers/tasks.py): the task settings and the
 * task generations, over lib/chattask.c. */
#include <string.h>

#include "body.h"
#include "chattask.h"
#include "conf.h"
#include "handoff.h"
#include "handlers.h"
#include "json.h"
#include "mem.h"
#include "req.h"

/* The settings in the order GET /config answers them. */
static const struct conf_field task_fields[] = {
	{ "TASK_MODEL", CONF_TASK_MODEL },
	{ "TASK_MODEL_EXTERNAL", CONF_TASK_MODEL_EXTERNAL },
	{ "TITLE_GENERATION_PROMPT_TEMPLATE",
	    CONF_TITLE_GENERATION_PROMPT_TEMPLATE },
	{ "IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE",
	    CONF_IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE },
	{ "ENABLE_AUTOCOMPLETE_GENERATION",
	    CONF_ENABLE_AUTOCOMPLETE_GENERATION },
	{ "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH",
	    CONF_AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH },
	{ "TAGS_GENERATION_PROMPT_TEMPLATE",
	    CONF_TAGS_GENERATION_PROMPT_TEMPLATE },
	{ "FOLLOW_UP_GENERATION_PROMPT_TEMPLATE",
	    CONF_FOLLOW_UP_GENERATION_PROMPT_TEMPLATE },
	{ "ENABLE_FOLLOW_UP_GENERATION", CONF_ENABLE_FOLLOW_UP_GENERATION },
	{ "ENABLE_TAGS_GENERATION", CONF_ENABLE_TAGS_GENERATION },
	{ "ENABLE_TITLE_GENERATION", CONF_ENABLE_TITLE_GENERATION },
	{ "ENABLE_SEARCH_QUERY_GENERATION",
	    CONF_ENABLE_SEARCH_QUERY_GENERATION },
	{ "ENABLE_RETRIEVAL_QUERY_GENERATION",
	    CONF_ENABLE_RETRIEVAL_QUERY_GENERATION },
	{ "QUERY_GENERATION_PROMPT_TEMPLATE",
	    CONF_QUERY_GENERATION_PROMPT_TEMPLATE },
	{ "TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE",
	    CONF_TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE },
};
#define NTASK_FIELDS	(sizeof(task_fields) / sizeof(task_fields[0]))

/* TaskConfigForm, in its field order, and the setting of each field. */
static const struct body_spec task_form[] = {
	{ "TASK_MODEL", BODY_STR, BODY_NULL, NULL, NULL },
	{ "TASK_MODEL_EXTERNAL", BODY_STR, BODY_NULL, NULL, NULL },
	{ "ENABLE_TITLE_GENERATION", BODY_BOOL, 0, NULL, NULL },
	{ "TITLE_GENERATION_PROMPT_TEMPLATE", BODY_STR, 0, NULL, NULL },
	{ "IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE", BODY_STR, 0, NULL, NULL },
	{ "ENABLE_AUTOCOMPLETE_GENERATION", BODY_BOOL, 0, NULL, NULL },
	{ "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH", BODY_INT, 0, NULL, NULL },
	{ "TAGS_GENERATION_PROMPT_TEMPLATE", BODY_STR, 0, NULL, NULL },
	{ "FOLLOW_UP_GENERATION_PROMPT_TEMPLATE", BODY_STR, 0, NULL, NULL },
	{ "ENABLE_FOLLOW_UP_GENERATION", BODY_BOOL, 0, NULL, NULL },
	{ "ENABLE_TAGS_GENERATION", BODY_BOOL, 0, NULL, NULL },
	{ "ENABLE_SEARCH_QUERY_GENERATION", BODY_BOOL, 0, NULL, NULL },
	{ "ENABLE_RETRIEVAL_QUERY_GENERATION", BODY_BOOL, 0, NULL, NULL },
	{ "QUERY_GENERATION_PROMPT_TEMPLATE", BODY_STR, 0, NULL, NULL },
	{ "TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE", BODY_STR, 0, NULL, NULL },
};
#define NTASK_FORM	(sizeof(task_form) / sizeof(task_form[0]))

/* The setting of each field of task_form. */
static const enum conf_key task_form_keys[NTASK_FORM] = {
	CONF_TASK_MODEL, CONF_TASK_MODEL_EXTERNAL, CONF_ENABLE_TITLE_GENERATION,
	CONF_TITLE_GENERATION_PROMPT_TEMPLATE,
	CONF_IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE,
	CONF_ENABLE_AUTOCOMPLETE_GENERATION,
	CONF_AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH,
	CONF_TAGS_GENERATION_PROMPT_TEMPLATE,
	CONF_FOLLOW_UP_GENERATION_PROMPT_TEMPLATE,
	CONF_ENABLE_FOLLOW_UP_GENERATION, CONF_ENABLE_TAGS_GENERATION,
	CONF_ENABLE_SEARCH_QUERY_GENERATION,
	CONF_ENABLE_RETRIEVAL_QUERY_GENERATION,
	CONF_QUERY_GENERATION_PROMPT_TEMPLATE,
	CONF_TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE,
};

/* Returns 200 with the task settings. */
int
h_tasks_config(struct req *r)
{
	return resp_json(r, 200, conf_object(task_fields, NTASK_FIELDS));
}

/* Stores the task settings (admin); 200 with them, 422 for a bad form
 * (nothing stored). */
int
h_tasks_config_update(struct req *r)
{
	json_object *v[NTASK_FORM];
	size_t i;
	int st;

	if ((st = body_read(r, task_form, NTASK_FORM, v)) != 0)
		return st;
	for (i = 0; i < NTASK_FORM; i++)
		if (conf_set(r->db, task_form_keys[i],
		    json_object_get(v[i])) != ERR_OK)
			return resp_error(r, 500, MSG_DEFAULT);
	return resp_json(r, 200, conf_object(task_fields, NTASK_FIELDS));
}

/* Runs task k on the body and writes its answer: the provider's answer
 * (an upstream error status passes through), the route's own errors, or,
 * for a streaming MOA request from cwebui-streamd, the hand-off. */
static int
tasks_run(struct req *r, enum chattask_kind k)
{
	struct chattask_answer *ans = arena_alloc(r->a, sizeof(*ans));
	struct handoff *ho = NULL;
	enum err e;

	if (k == CHATTASK_MOA && req_streams(r))
		ho = arena_alloc(r->a, sizeof(*ho));
	e = chattask_run(r->db, r->a, r->user, r->token, k, r->json, ho, ans);
	if (e != ERR_OK)
		return resp_internal(r, "tasks", e);
	if (ans->handoff) {
		/* the tasks router answers 400 str(HTTPException) */
		ho->conn_error_status = 400;
		ho->conn_error_body = "{\"detail\": \"500: " HANDOFF_CONN_ERROR
		    "\"}";
		return resp_handoff(r, ho);
	}
	if (ans->internal)
		return resp_internal(r, NULL, ERR_OK);
	return resp_raw(r, (int)ans->status, ans->plain ?
	    "text/plain; charset=utf-8" : "application/json",
	    buf_str(&ans->body), ans->body.len);
}

/* Each returns the completion of its task; 200 {"detail"} when the task
 * is disabled (title, follow-ups, tags), 400 when disabled (queries by
 * type, autocompletion) or too long, 404 for an unknown model, the
 * route's 400/500 when the generation fails. */
int
h_tasks_title(struct req *r)
{
	return tasks_run(r, CHATTASK_TITLE);
}

int
h_tasks_follow_up(struct req *r)
{
	return tasks_run(r, CHATTASK_FOLLOW_UP);
}

int
h_tasks_tags(struct req *r)
{
	return tasks_run(r, CHATTASK_TAGS);
}

int
h_tasks_image_prompt(struct req *r)
{
	return tasks_run(r, CHATTASK_IMAGE_PROMPT);
}

int
h_tasks_queries(struct req *r)
{
	return tasks_run(r, CHATTASK_QUERIES);
}

int
h_tasks_auto(struct req *r)
{
	return tasks_run(r, CHATTASK_AUTOCOMPLETE);
}

int
h_tasks_emoji(struct req *r)
{
	return tasks_run(r, CHATTASK_EMOJI);
}

int
h_tasks_moa(struct req *r)
{
	return tasks_run(r, CHATTASK_MOA);
}
