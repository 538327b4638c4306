/* chattask.h: the task generations of Open WebUI 0.6.32 (routers/tasks.py
 * and utils/task.py): title, follow-ups, tags, image prompt, search
 * queries, autocompletion, emoji and mixture-of-agents answers.
 *
 * Each task fills a prompt template (the TASKS settings of config.py, or
 * its built-in DEFAULT_*_PROMPT_TEMPLATE when the setting is empty) with
 * the chat's messages, the last user message and the user's variables, and
 * sends it as the only user message of a non-streaming chat completion to
 * the task model (TASK_MODEL for a local, i.e. Ollama, model; else
 * TASK_MODEL_EXTERNAL; else the model asked for) through models_chat().
 * Everything returned lives in the arena passed in. */
#ifndef CWEBUI_CHATTASK_H
#define CWEBUI_CHATTASK_H

#include <json-c/json.h>

#include "buf.h"
#include "err.h"

struct arena;
struct db;
struct handoff;
struct user;

enum chattask_kind {
	CHATTASK_TITLE = 0,
	CHATTASK_FOLLOW_UP,
	CHATTASK_TAGS,
	CHATTASK_IMAGE_PROMPT,
	CHATTASK_QUERIES,
	CHATTASK_AUTOCOMPLETE,
	CHATTASK_EMOJI,
	CHATTASK_MOA,
	CHATTASK__MAX
};

/* What a task route answers: status and body, written as they are. */
struct chattask_answer {
	long		 status;
	int		 plain;		/* 1: body is not JSON (an upstream's
					 * text, or internal) */
	int		 internal;	/* 1: Python fails with an uncaught
					 * exception: Starlette's plain 500 */
	int		 raised;	/* 1: the Python route raised (model
					 * not found, a disabled task that
					 * answers 400, internal): a background
					 * run stops there */
	int		 generated;	/* 1: the provider's own answer (not
					 * the route's, nor a passed-on error) */
	int		 handoff;	/* 1: answer with the hand-off */
	struct buf	 body;
};

/* The prompt template task k uses now: its setting, or the default when
 * the setting is empty (all white space, for queries and autocompletion);
 * emoji and MOA always use the default. Borrowed, valid until the next
 * conf_refresh(). */
const char *chattask_template(enum chattask_kind k);

/* utils/task.py get_task_model_id: the id of the model to run a task of
 * model_id with, given the merged model list models (an array, as
 * models_all() returns it). Returns model_id when no task model applies. */
const char *chattask_model_id(json_object *models, const char *model_id);

/* Builds the prompt of task k from form (the route's body) and u as
 * utils/task.py's *_generation_template functions do. *out is owned by a.
 * ERR_INVAL where Python raises (a missing "messages" or "prompt", a
 * message without "role", ...), ERR_TOOBIG when the prompt would pass
 * 32 MiB. */
enum err chattask_prompt(struct arena *a, enum chattask_kind k,
	    const char *tmpl, json_object *form, const struct user *u,
	    const char **out);

/* Runs the route POST /api/v1/tasks/<k>/completions for u with body form
 * (borrowed, not changed) as routers/tasks.py does: the enable settings,
 * 404 "Model not found" for a model not in the merged list, the prompt,
 * the generation (models_chat_ex(); token as there), and each route's own
 * answer when the generation fails. On ERR_OK *out (zeroed by the caller,
 * body registered on a) holds the answer, or, when ho is not NULL and the
 * MOA answer streams, out->handoff is 1 and *ho is the hand-off to answer
 * with (a streaming MOA request with ho NULL gets models_chat_ex's
 * refusal as its route's error). Any other error comes from the model
 * list or the database: the caller answers 500. */
enum err chattask_run(struct db *db, struct arena *a, const struct user *u,
	    const char *token, enum chattask_kind k, json_object *form,
	    struct handoff *ho, struct chattask_answer *out);

/* The answer of a task as Python's background handler reads it: NULL
 * unless the provider answered 200 with a JSON object (`isinstance(res,
 * dict)`: the route's own answers are JSONResponses); else that object,
 * owned by a. */
json_object *chattask_answer_object(struct arena *a,
	    const struct chattask_answer *ans);

/* The content of res's only choice (choices[0].message.content), def when
 * it has no content, "" when res has not exactly one choice. Borrowed. */
const char *chattask_content(json_object *res, const char *def);

/* Python's json.loads(s[s.find("{"):s.rfind("}") + 1]) when the result is
 * an object: the object (owned by a), else NULL. */
json_object *chattask_parse_object(struct arena *a, const char *s);

#endif
