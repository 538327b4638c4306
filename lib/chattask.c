/* chattask.c: the task generations of routers/tasks.py and utils/task.py.
 *
 * The DEFAULT_*_PROMPT_TEMPLATE texts below are configuration defaults of
 * Open WebUI 0.6.32 (config.py): users see and edit them in the admin
 * settings, so they are reproduced exactly, trailing spaces included. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "chattask.h"
#include "conf.h"
#include "handoff.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "openai.h"
#include "payload.h"

/* A prompt never grows past this through its variables (a message holding
 * "{{MESSAGES}}" many times would otherwise ask for gigabytes). */
#define CHATTASK_MAX_PROMPT	(32UL * 1024 * 1024)

#define MSG_MODEL_NOT_FOUND	"Model not found"
#define MSG_INTERNAL		"An internal error has occurred."
#define MSG_CONN_ERROR		"500: Open WebUI: Server Connection Error"

/* config.py DEFAULT_TITLE_GENERATION_PROMPT_TEMPLATE */
static const char TMPL_TITLE_GENERATION[] =
	"### Task:\n"
	"Generate a concise, 3-5 word title with an emoji summarizing the chat history.\n"
	"### Guidelines:\n"
	"- The title should clearly represent the main theme or subject of the conversation.\n"
	"- Use emojis that enhance understanding of the topic, but avoid quotation marks or special formatting.\n"
	"- Write the title in the chat's primary language; default to English if multilingual.\n"
	"- Prioritize accuracy over excessive creativity; keep it clear and simple.\n"
	"- Your entire response must consist solely of the JSON object, without any introductory or concluding text.\n"
	"- The output must be a single, raw JSON object, without any markdown code fences or other encapsulating text.\n"
	"- Ensure no conversational text, affirmations, or explanations precede or follow the raw JSON output, as this will cause direct parsing failure.\n"
	"### Output:\n"
	"JSON format: { \"title\": \"your concise title here\" }\n"
	"### Examples:\n"
	"- { \"title\": \"📉 Stock Market Trends\" },\n"
	"- { \"title\": \"🍪 Perfect Chocolate Chip Recipe\" },\n"
	"- { \"title\": \"Evolution of Music Streaming\" },\n"
	"- { \"title\": \"Remote Work Productivity Tips\" },\n"
	"- { \"title\": \"Artificial Intelligence in Healthcare\" },\n"
	"- { \"title\": \"🎮 Video Game Development Insights\" }\n"
	"### Chat History:\n"
	"<chat_history>\n"
	"{{MESSAGES:END:2}}\n"
	"</chat_history>";

/* config.py DEFAULT_TAGS_GENERATION_PROMPT_TEMPLATE */
static const char TMPL_TAGS_GENERATION[] =
	"### Task:\n"
	"Generate 1-3 broad tags categorizing the main themes of the chat history, along with 1-3 more specific subtopic tags.\n"
	"\n"
	"### Guidelines:\n"
	"- Start with high-level domains (e.g. Science, Technology, Philosophy, Arts, Politics, Business, Health, Sports, Entertainment, Education)\n"
	"- Consider including relevant subfields/subdomains if they are strongly represented throughout the conversation\n"
	"- If content is too short (less than 3 messages) or too diverse, use only [\"General\"]\n"
	"- Use the chat's primary language; default to English if multilingual\n"
	"- Prioritize accuracy over specificity\n"
	"\n"
	"### Output:\n"
	"JSON format: { \"tags\": [\"tag1\", \"tag2\", \"tag3\"] }\n"
	"\n"
	"### Chat History:\n"
	"<chat_history>\n"
	"{{MESSAGES:END:6}}\n"
	"</chat_history>";

/* config.py DEFAULT_IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE */
static const char TMPL_IMAGE_PROMPT_GENERATION[] =
	"### Task:\n"
	"Generate a detailed prompt for am image generation task based on the given language and context. Describe the image as if you were explaining it to someone who cannot see it. Include relevant details, colors, shapes, and any other important elements.\n"
	"\n"
	"### Guidelines:\n"
	"- Be descriptive and detailed, focusing on the most important aspects of the image.\n"
	"- Avoid making assumptions or adding information not present in the image.\n"
	"- Use the chat's primary language; default to English if multilingual.\n"
	"- If the image is too complex, focus on the most prominent elements.\n"
	"\n"
	"### Output:\n"
	"Strictly return in JSON format:\n"
	"{\n"
	"    \"prompt\": \"Your detailed description here.\"\n"
	"}\n"
	"\n"
	"### Chat History:\n"
	"<chat_history>\n"
	"{{MESSAGES:END:6}}\n"
	"</chat_history>";

/* config.py DEFAULT_FOLLOW_UP_GENERATION_PROMPT_TEMPLATE */
static const char TMPL_FOLLOW_UP_GENERATION[] =
	"### Task:\n"
	"Suggest 3-5 relevant follow-up questions or prompts that the user might naturally ask next in this conversation as a **user**, based on the chat history, to help continue or deepen the discussion.\n"
	"### Guidelines:\n"
	"- Write all follow-up questions from the user’s point of view, directed to the assistant.\n"
	"- Make questions concise, clear, and directly related to the discussed topic(s).\n"
	"- Only suggest follow-ups that make sense given the chat content and do not repeat what was already covered.\n"
	"- If the conversation is very short or not specific, suggest more general (but relevant) follow-ups the user might ask.\n"
	"- Use the conversation's primary language; default to English if multilingual.\n"
	"- Response must be a JSON array of strings, no extra text or formatting.\n"
	"### Output:\n"
	"JSON format: { \"follow_ups\": [\"Question 1?\", \"Question 2?\", \"Question 3?\"] }\n"
	"### Chat History:\n"
	"<chat_history>\n"
	"{{MESSAGES:END:6}}\n"
	"</chat_history>";

/* config.py DEFAULT_QUERY_GENERATION_PROMPT_TEMPLATE */
static const char TMPL_QUERY_GENERATION[] =
	"### Task:\n"
	"Analyze the chat history to determine the necessity of generating search queries, in the given language. By default, **prioritize generating 1-3 broad and relevant search queries** unless it is absolutely certain that no additional information is required. The aim is to retrieve comprehensive, updated, and valuable information even with minimal uncertainty. If no search is unequivocally needed, return an empty list.\n"
	"\n"
	"### Guidelines:\n"
	"- Respond **EXCLUSIVELY** with a JSON object. Any form of extra commentary, explanation, or additional text is strictly prohibited.\n"
	"- When generating search queries, respond in the format: { \"queries\": [\"query1\", \"query2\"] }, ensuring each query is distinct, concise, and relevant to the topic.\n"
	"- If and only if it is entirely certain that no useful results can be retrieved by a search, return: { \"queries\": [] }.\n"
	"- Err on the side of suggesting search queries if there is **any chance** they might provide useful or updated information.\n"
	"- Be concise and focused on composing high-quality search queries, avoiding unnecessary elaboration, commentary, or assumptions.\n"
	"- Today's date is: {{CURRENT_DATE}}.\n"
	"- Always prioritize providing actionable and broad queries that maximize informational coverage.\n"
	"\n"
	"### Output:\n"
	"Strictly return in JSON format: \n"
	"{\n"
	"  \"queries\": [\"query1\", \"query2\"]\n"
	"}\n"
	"\n"
	"### Chat History:\n"
	"<chat_history>\n"
	"{{MESSAGES:END:6}}\n"
	"</chat_history>\n"
	"";

/* config.py DEFAULT_AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE */
static const char TMPL_AUTOCOMPLETE_GENERATION[] =
	"### Task:\n"
	"You are an autocompletion system. Continue the text in `<text>` based on the **completion type** in `<type>` and the given language.  \n"
	"\n"
	"### **Instructions**:\n"
	"1. Analyze `<text>` for context and meaning.  \n"
	"2. Use `<type>` to guide your output:  \n"
	"   - **General**: Provide a natural, concise continuation.  \n"
	"   - **Search Query**: Complete as if generating a realistic search query.  \n"
	"3. Start as if you are directly continuing `<text>`. Do **not** repeat, paraphrase, or respond as a model. Simply complete the text.  \n"
	"4. Ensure the continuation:\n"
	"   - Flows naturally from `<text>`.  \n"
	"   - Avoids repetition, overexplaining, or unrelated ideas.  \n"
	"5. If unsure, return: `{ \"text\": \"\" }`.  \n"
	"\n"
	"### **Output Rules**:\n"
	"- Respond only in JSON format: `{ \"text\": \"<your_completion>\" }`.\n"
	"\n"
	"### **Examples**:\n"
	"#### Example 1:  \n"
	"Input:  \n"
	"<type>General</type>  \n"
	"<text>The sun was setting over the horizon, painting the sky</text>  \n"
	"Output:  \n"
	"{ \"text\": \"with vibrant shades of orange and pink.\" }\n"
	"\n"
	"#### Example 2:  \n"
	"Input:  \n"
	"<type>Search Query</type>  \n"
	"<text>Top-rated restaurants in</text>  \n"
	"Output:  \n"
	"{ \"text\": \"New York City for Italian cuisine.\" }  \n"
	"\n"
	"---\n"
	"### Context:\n"
	"<chat_history>\n"
	"{{MESSAGES:END:6}}\n"
	"</chat_history>\n"
	"<type>{{TYPE}}</type>  \n"
	"<text>{{PROMPT}}</text>  \n"
	"#### Output:\n"
	"";

/* config.py DEFAULT_EMOJI_GENERATION_PROMPT_TEMPLATE */
static const char TMPL_EMOJI_GENERATION[] =
	"Your task is to reflect the speaker's likely facial expression through a fitting emoji. Interpret emotions from the message and reflect their facial expression using fitting, diverse emojis (e.g., 😊, 😢, 😡, 😱).\n"
	"\n"
	"Message: ```{{prompt}}```";

/* config.py DEFAULT_MOA_GENERATION_PROMPT_TEMPLATE */
static const char TMPL_MOA_GENERATION[] =
	"You have been provided with a set of responses from various models to the latest user query: \"{{prompt}}\"\n"
	"\n"
	"Your task is to synthesize these responses into a single, high-quality response. It is crucial to critically evaluate the information provided in these responses, recognizing that some of it may be biased or incorrect. Your response should not simply replicate the given answers but should offer a refined, accurate, and comprehensive reply to the instruction. Ensure your response is well-structured, coherent, and adheres to the highest standards of accuracy and reliability.\n"
	"\n"
	"Responses from models: {{responses}}";

/* How one task route behaves. */
struct chattask_def {
	const char	*task;		/* constants.py TASKS value */
	const char	*deflt;		/* DEFAULT_*_PROMPT_TEMPLATE */
	int		 tmpl;		/* its setting, or -1 */
	int		 strip;		/* an all-space setting is empty */
	int		 enable;	/* its enable setting, or -1 */
	int		 off_status;	/* the answer when it is disabled */
	const char	*off_detail;
	int		 fail_status;	/* the answer when generation fails */
	int		 fail_str;	/* 1: detail str(e), 0: MSG_INTERNAL */
	int		 max_tokens;	/* -1: the model's, else a fixed one
					 * (0: none) */
	int		 task_model;	/* 1: get_task_model_id applies */
};

static const struct chattask_def defs[CHATTASK__MAX] = {
	[CHATTASK_TITLE] = { "title_generation", TMPL_TITLE_GENERATION,
	    CONF_TITLE_GENERATION_PROMPT_TEMPLATE, 0,
	    CONF_ENABLE_TITLE_GENERATION, 200, "Title generation is disabled",
	    400, 0, -1, 1 },
	[CHATTASK_FOLLOW_UP] = { "follow_up_generation",
	    TMPL_FOLLOW_UP_GENERATION, CONF_FOLLOW_UP_GENERATION_PROMPT_TEMPLATE,
	    0, CONF_ENABLE_FOLLOW_UP_GENERATION, 200,
	    "Follow-up generation is disabled", 400, 0, 0, 1 },
	[CHATTASK_TAGS] = { "tags_generation", TMPL_TAGS_GENERATION,
	    CONF_TAGS_GENERATION_PROMPT_TEMPLATE, 0,
	    CONF_ENABLE_TAGS_GENERATION, 200, "Tags generation is disabled",
	    500, 0, 0, 1 },
	[CHATTASK_IMAGE_PROMPT] = { "image_prompt_generation",
	    TMPL_IMAGE_PROMPT_GENERATION,
	    CONF_IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE, 0, -1, 0, NULL,
	    400, 0, 0, 1 },
	/* enabled per "type": query_enabled() */
	[CHATTASK_QUERIES] = { "query_generation", TMPL_QUERY_GENERATION,
	    CONF_QUERY_GENERATION_PROMPT_TEMPLATE, 1, -1, 0, NULL, 400, 1, 0,
	    1 },
	[CHATTASK_AUTOCOMPLETE] = { "autocomplete_generation",
	    TMPL_AUTOCOMPLETE_GENERATION,
	    CONF_AUTOCOMPLETE_GENERATION_PROMPT_TEMPLATE, 1,
	    CONF_ENABLE_AUTOCOMPLETE_GENERATION, 400,
	    "Autocompletion generation is disabled", 500, 0, 0, 1 },
	[CHATTASK_EMOJI] = { "emoji_generation", TMPL_EMOJI_GENERATION, -1, 0,
	    -1, 0, NULL, 400, 1, 4, 1 },
	[CHATTASK_MOA] = { "moa_response_generation", TMPL_MOA_GENERATION, -1,
	    0, -1, 0, NULL, 400, 1, 0, 0 },
};

const char *
chattask_template(enum chattask_kind k)
{
	const struct chattask_def *d = &defs[k];
	const char *s, *p;

	if (d->tmpl < 0 || (s = conf_str((enum conf_key)d->tmpl)) == NULL)
		return d->deflt;
	for (p = s; d->strip && isspace((unsigned char)*p); p++)
		;
	return *p == '\0' ? d->deflt : s;
}

/* The model with this id in the array models (borrowed), or NULL. */
static json_object *
model_in(json_object *models, const char *id)
{
	json_object *m;
	const char *mid;
	size_t i;

	for (i = 0; id != NULL && i < json_object_array_length(models); i++) {
		m = json_object_array_get_idx(models, i);
		mid = json_get_str(m, "id");
		if (mid != NULL && strcmp(mid, id) == 0)
			return m;
	}
	return NULL;
}

const char *
chattask_model_id(json_object *models, const char *model_id)
{
	const char *ct = json_get_str(model_in(models, model_id),
	    "connection_type");
	const char *t;

	if (ct != NULL && strcmp(ct, "local") == 0)
		t = conf_str(CONF_TASK_MODEL);
	else
		t = conf_str(CONF_TASK_MODEL_EXTERNAL);
	if (t != NULL && *t != '\0' && model_in(models, t) != NULL)
		return t;
	return model_id;
}

/* Python's str() of a JSON value, appended to out. */
static void
put_pystr(struct arena *a, struct buf *out, json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		buf_append(out, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
	else
		buf_puts(out, openai_pyrepr(a, v));
}

/* utils/misc.py get_content_from_message: the text of a message (the
 * first text part of a list), or NULL for None. Borrowed. */
static json_object *
message_content(json_object *m)
{
	json_object *c = json_get(m, "content"), *item;
	size_t i;

	if (!json_object_is_type(c, json_type_array))
		return c;
	for (i = 0; i < json_object_array_length(c); i++) {
		item = json_object_array_get_idx(c, i);
		if (json_get_str(item, "type") != NULL &&
		    strcmp(json_get_str(item, "type"), "text") == 0)
			return json_get(item, "text");
	}
	return NULL;
}

/* get_last_user_message: *out is the content of the last message whose
 * role is "user" (NULL: None). ERR_INVAL where Python raises (an item that
 * is not an object or has no role), ERR_OK otherwise. */
static enum err
last_user_message(json_object *msgs, json_object **out)
{
	json_object *m, *role;
	size_t i;

	*out = NULL;
	if (!json_object_is_type(msgs, json_type_array))
		return ERR_INVAL;
	for (i = json_object_array_length(msgs); i > 0; i--) {
		m = json_object_array_get_idx(msgs, i - 1);
		if (!json_object_object_get_ex(m, "role", &role))
			return ERR_INVAL;
		if (json_object_is_type(role, json_type_string) &&
		    strcmp(json_object_get_string(role), "user") == 0) {
			*out = message_content(m);
			return ERR_OK;
		}
	}
	return ERR_OK;
}

/* get_messages_content of msgs[from:to]: "ROLE: content" lines. ERR_INVAL
 * for an item without a string role (Python raises). */
static enum err
put_messages_range(struct arena *a, struct buf *out, json_object *msgs,
    size_t from, size_t to)
{
	json_object *m;
	const char *role;
	size_t i;

	for (i = from; i < to; i++) {
		m = json_object_array_get_idx(msgs, i);
		if ((role = json_get_str(m, "role")) == NULL)
			return ERR_INVAL;
		if (i > from)
			buf_putc(out, '\n');
		for (; *role != '\0'; role++)
			buf_putc(out, (char)toupper((unsigned char)*role));
		buf_puts(out, ": ");
		put_pystr(a, out, message_content(m));
		if (out->len > CHATTASK_MAX_PROMPT)
			return ERR_TOOBIG;
	}
	return ERR_OK;
}

/* The names of one family of variables: {{name}}, {{name:start:N}},
 * {{name:end:N}}, {{name:middletruncate:N}}. */
struct tvars {
	const char	*name, *start, *end, *middle;
	int		 ci;		/* matched case-insensitively */
};

static const struct tvars prompt_vars = { "prompt", "start", "end",
    "middletruncate", 1 };
static const struct tvars moa_vars = { "prompt", "start", "end",
    "middletruncate", 0 };
static const struct tvars message_vars = { "MESSAGES", "START", "END",
    "MIDDLETRUNCATE", 0 };

enum { VAR_ALL, VAR_START, VAR_END, VAR_MIDDLE };

/* Returns the length of word w at p, or 0 when it is not there. */
static size_t
word_at(const char *p, const char *w, int ci)
{
	size_t n = strlen(w);

	if ((ci ? strncasecmp(p, w, n) : strncmp(p, w, n)) != 0)
		return 0;
	return n;
}

/* Matches one variable of v at p ("{{..."): returns its length (0 when
 * none) with its kind and number. Numbers saturate. */
static size_t
var_at(const char *p, const struct tvars *v, int *kind,
    unsigned long long *num)
{
	const char *q = p + 2;
	size_t n;

	*num = 0;
	if ((n = word_at(q, v->name, v->ci)) == 0)
		return 0;
	q += n;
	if (strncmp(q, "}}", 2) == 0) {
		*kind = VAR_ALL;
		return (size_t)(q + 2 - p);
	}
	if (*q++ != ':')
		return 0;
	if ((n = word_at(q, v->start, v->ci)) != 0)
		*kind = VAR_START;
	else if ((n = word_at(q, v->end, v->ci)) != 0)
		*kind = VAR_END;
	else if ((n = word_at(q, v->middle, v->ci)) != 0)
		*kind = VAR_MIDDLE;
	else
		return 0;
	q += n;
	if (*q++ != ':' || !isdigit((unsigned char)*q))
		return 0;
	for (; isdigit((unsigned char)*q); q++)
		*num = *num > (ULLONG_MAX - 9) / 10 ? ULLONG_MAX :
		    *num * 10 + (unsigned long long)(*q - '0');
	if (strncmp(q, "}}", 2) != 0)
		return 0;
	return (size_t)(q + 2 - p);
}

/* Appends the value of one variable; ERR_INVAL where Python raises. */
typedef enum err (*var_fn)(struct buf *out, int kind,
    unsigned long long n, void *arg);

/* re.sub of the variables of v in tmpl, each replaced by fn; the result
 * in *out (owned by a). */
static enum err
fill_vars(struct arena *a, const char *tmpl, const struct tvars *v,
    var_fn fn, void *arg, const char **out)
{
	struct buf *b = buf_arena(a);
	const char *p = tmpl, *q;
	unsigned long long num;
	enum err e = ERR_OK;
	size_t len;
	int kind;

	while ((q = strstr(p, "{{")) != NULL) {
		if ((len = var_at(q, v, &kind, &num)) == 0) {
			buf_append(b, p, (size_t)(q + 1 - p));
			p = q + 1;
			continue;
		}
		buf_append(b, p, (size_t)(q - p));
		if ((e = fn(b, kind, num, arg)) != ERR_OK)
			return e;
		if (b->len > CHATTASK_MAX_PROMPT)
			return ERR_TOOBIG;
		p = q + len;
	}
	buf_puts(b, p);
	*out = buf_str(b);
	return ERR_OK;
}

/* The byte offset of code point k of the UTF-8 text s[0..len). */
static size_t
u8_off(const char *s, size_t len, unsigned long long k)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k-- == 0)
			return i;
	return len;
}

/* s[-k:] of a text of n code points (k == 0: all of it, as -0 is 0). */
static void
put_tail(struct buf *out, const char *s, size_t len, size_t n,
    unsigned long long k)
{
	size_t off = k == 0 || k >= n ? 0 : u8_off(s, len, n - k);

	buf_append(out, s + off, len - off);
}

/* replace_prompt_variable's replacement; arg is the prompt (a JSON value,
 * NULL for None: "" for {{prompt}}, an error for a slice). */
static enum err
put_prompt(struct buf *out, int kind, unsigned long long k, void *arg)
{
	json_object *v = arg;
	const char *s;
	size_t len, n, i;

	if (v == NULL && kind == VAR_ALL)
		return ERR_OK;
	if (!json_object_is_type(v, json_type_string))
		return ERR_INVAL;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	for (n = 0, i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	switch (kind) {
	case VAR_START:
		buf_append(out, s, u8_off(s, len, k));
		break;
	case VAR_END:
		put_tail(out, s, len, n, k);
		break;
	case VAR_MIDDLE:
		if (n <= k) {
			buf_append(out, s, len);
			break;
		}
		buf_append(out, s, u8_off(s, len, k - k / 2));
		buf_puts(out, "...");
		put_tail(out, s, len, n, k / 2);
		break;
	default:
		buf_append(out, s, len);
	}
	return ERR_OK;
}

/* The list of replace_messages_variable (NULL: None, every variable
 * replaced by "") and the arena of the prompt. */
struct msgs_arg {
	struct arena	*a;
	json_object	*msgs;
};

/* replace_messages_variable's replacement; arg is a struct msgs_arg. */
static enum err
put_messages(struct buf *out, int kind, unsigned long long k, void *arg)
{
	struct msgs_arg *m = arg;
	size_t n, half, t;
	enum err e;

	if (m->msgs == NULL)
		return ERR_OK;
	if (!json_object_is_type(m->msgs, json_type_array))
		return ERR_INVAL;
	n = json_object_array_length(m->msgs);
	switch (kind) {
	case VAR_START:
		return put_messages_range(m->a, out, m->msgs, 0, k < n ? k : n);
	case VAR_END:
		return put_messages_range(m->a, out, m->msgs,
		    k == 0 || k >= n ? 0 : n - k, n);
	case VAR_MIDDLE:
		if (n <= k)
			break;
		half = k / 2;
		t = k % 2 == 0 ? half : half + 1;
		if ((e = put_messages_range(m->a, out, m->msgs, 0, half)) !=
		    ERR_OK)
			return e;
		buf_putc(out, '\n');
		return put_messages_range(m->a, out, m->msgs, t == 0 ? 0 :
		    n - t, n);
	}
	return put_messages_range(m->a, out, m->msgs, 0, n);
}

/* str.replace(from, to) on s (owned by a). */
static const char *
replace_all(struct arena *a, const char *s, const char *from, const char *to)
{
	struct buf *b;
	size_t n = strlen(from);
	const char *q;

	if (strstr(s, from) == NULL)
		return s;
	b = buf_arena(a);
	while ((q = strstr(s, from)) != NULL) {
		buf_append(b, s, (size_t)(q - s));
		buf_puts(b, to);
		s = q + n;
	}
	buf_puts(b, s);
	return buf_str(b);
}

/* moa_response_generation_template's {{responses}}: each response in
 * triple quotes, separated by a blank line. */
static enum err
moa_responses(struct arena *a, json_object *list, const char **s)
{
	struct buf *b;
	size_t i;

	if (!json_object_is_type(list, json_type_array))
		return ERR_INVAL;
	b = buf_arena(a);
	for (i = 0; i < json_object_array_length(list); i++) {
		buf_puts(b, i > 0 ? "\n\n\"\"\"" : "\"\"\"");
		put_pystr(a, b, json_object_array_get_idx(list, i));
		buf_puts(b, "\"\"\"");
		if (b->len > CHATTASK_MAX_PROMPT)
			return ERR_TOOBIG;
	}
	*s = replace_all(a, *s, "{{responses}}", buf_str(b));
	return strlen(*s) > CHATTASK_MAX_PROMPT ? ERR_TOOBIG : ERR_OK;
}

enum err
chattask_prompt(struct arena *a, enum chattask_kind k, const char *tmpl,
    json_object *form, const struct user *u, const char **out)
{
	json_object *prompt = NULL, *msgs = NULL, *type;
	struct msgs_arg ma;
	const char *s = tmpl;
	char *t;
	enum err e;

	switch (k) {
	case CHATTASK_MOA:
		if (!json_object_object_get_ex(form, "prompt", &prompt))
			return ERR_INVAL;
		if ((e = fill_vars(a, s, &moa_vars, put_prompt, prompt, &s)) !=
		    ERR_OK || (e = moa_responses(a, json_get(form,
		    "responses"), &s)) != ERR_OK)
			return e;
		*out = s;
		return ERR_OK;
	case CHATTASK_EMOJI:
		if (!json_object_object_get_ex(form, "prompt", &prompt))
			return ERR_INVAL;
		break;
	case CHATTASK_AUTOCOMPLETE:
		type = json_get(form, "type");
		s = replace_all(a, s, "{{TYPE}}", json_truthy(type) &&
		    json_object_is_type(type, json_type_string) ?
		    json_object_get_string(type) : "");
		prompt = json_get(form, "prompt");
		msgs = json_get(form, "messages");
		break;
	default:
		if (!json_object_object_get_ex(form, "messages", &msgs) ||
		    (e = last_user_message(msgs, &prompt)) != ERR_OK)
			return ERR_INVAL;
	}
	if ((e = fill_vars(a, s, &prompt_vars, put_prompt, prompt, &s)) !=
	    ERR_OK)
		return e;
	ma.a = a;
	ma.msgs = msgs;
	if (k != CHATTASK_EMOJI && (e = fill_vars(a, s, &message_vars,
	    put_messages, &ma, &s)) != ERR_OK)
		return e;
	t = payload_prompt_template(s, u);
	*out = arena_strdup(a, t);
	free(t);
	return ERR_OK;
}

/* Writes {"detail": detail} with status into ans. */
static enum err
answer_detail(struct chattask_answer *ans, long status, const char *detail)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "detail", json_object_new_string(detail));
	buf_reset(&ans->body);
	buf_puts(&ans->body, json_text(o));
	json_object_put(o);
	ans->status = status;
	return ERR_OK;
}

/* Starlette's plain 500 for an exception the route does not catch. */
static enum err
answer_internal(struct chattask_answer *ans)
{
	buf_reset(&ans->body);
	buf_puts(&ans->body, "Internal Server Error");
	ans->status = 500;
	ans->plain = 1;
	ans->internal = 1;
	ans->raised = 1;
	return ERR_OK;
}

/* The route's answer to a failed generation; e_str is str(e). */
static enum err
answer_failed(const struct chattask_def *d, struct chattask_answer *ans,
    const char *e_str)
{
	ans->plain = 0;
	return answer_detail(ans, d->fail_status, d->fail_str ? e_str :
	    MSG_INTERNAL);
}

/* Whether task k may run; when not, ans holds the route's answer. The
 * autocompletion's input length is checked here too, as Python does
 * before anything else. */
static int
task_allowed(enum chattask_kind k, json_object *form,
    struct chattask_answer *ans)
{
	const struct chattask_def *d = &defs[k];
	const char *type = json_get_str(form, "type");
	json_object *prompt;
	char detail[96];
	long long max;
	size_t n, i;

	if (d->enable >= 0 && !conf_bool((enum conf_key)d->enable)) {
		answer_detail(ans, d->off_status, d->off_detail);
		ans->raised = d->off_status != 200;
		return 0;
	}
	if (k == CHATTASK_QUERIES && type != NULL) {
		if (strcmp(type, "web_search") == 0 &&
		    !conf_bool(CONF_ENABLE_SEARCH_QUERY_GENERATION)) {
			answer_detail(ans, 400,
			    "Search query generation is disabled");
			ans->raised = 1;
			return 0;
		}
		if (strcmp(type, "retrieval") == 0 &&
		    !conf_bool(CONF_ENABLE_RETRIEVAL_QUERY_GENERATION)) {
			answer_detail(ans, 400, "Query generation is disabled");
			ans->raised = 1;
			return 0;
		}
	}
	if (k != CHATTASK_AUTOCOMPLETE ||
	    (max = conf_int(CONF_AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH)) <= 0)
		return 1;
	prompt = json_get(form, "prompt");
	if (!json_object_is_type(prompt, json_type_string)) {
		answer_internal(ans);	/* len(None) raises */
		return 0;
	}
	for (n = 0, i = 0; i < (size_t)json_object_get_string_len(prompt); i++)
		n += ((unsigned char)json_object_get_string(prompt)[i] &
		    0xc0) != 0x80;
	if ((long long)n <= max)
		return 1;
	snprintf(detail, sizeof(detail), "Input prompt exceeds maximum length "
	    "of %lld", max);
	answer_detail(ans, 400, detail);
	ans->raised = 1;
	return 0;
}

/* The task's chat completion body: the prompt as the only user message,
 * not streamed (MOA: as asked), with the route's token limit. NULL where
 * Python raises (a model whose info or params is not an object). */
static json_object *
task_payload(struct arena *a, enum chattask_kind k, json_object *form,
    json_object *model, const char *model_id, const char *prompt)
{
	const struct chattask_def *d = &defs[k];
	json_object *p, *msgs, *msg, *info, *params, *max = NULL;
	const char *owner = json_get_str(model, "owned_by");

	if (d->max_tokens < 0) {
		info = json_get(model, "info");
		params = json_get(info, "params");
		if ((json_object_object_get_ex(model, "info", NULL) &&
		    !json_object_is_type(info, json_type_object)) ||
		    (json_object_object_get_ex(info, "params", NULL) &&
		    !json_object_is_type(params, json_type_object)))
			return NULL;
		if (json_object_object_get_ex(params, "max_tokens", &max))
			max = json_object_get(max);
		else
			max = json_object_new_int(1000);
	} else if (d->max_tokens > 0)
		max = json_object_new_int(d->max_tokens);
	p = json_on_arena(a, json_object_new_object());
	json_object_object_add(p, "model", json_object_new_string(model_id));
	msgs = json_object_new_array();
	msg = json_object_new_object();
	json_object_object_add(msg, "role", json_object_new_string("user"));
	json_object_object_add(msg, "content", json_object_new_string(prompt));
	json_object_array_add(msgs, msg);
	json_object_object_add(p, "messages", msgs);
	json_object_object_add(p, "stream", k == CHATTASK_MOA &&
	    json_get(form, "stream") != NULL ?
	    json_object_get(json_get(form, "stream")) :
	    json_object_new_boolean(0));
	if (d->max_tokens != 0)
		json_object_object_add(p, owner != NULL && strcmp(owner,
		    "ollama") == 0 ? "max_tokens" : "max_completion_tokens",
		    max);
	return p;
}

enum err
chattask_run(struct db *db, struct arena *a, const struct user *u,
    const char *token, enum chattask_kind k, json_object *form,
    struct handoff *ho, struct chattask_answer *ans)
{
	const struct chattask_def *d = &defs[k];
	json_object *models = NULL, *m, *v, *payload, *res;
	const char *model_id, *task_id, *prompt, *detail, *owner;
	enum err e;

	buf_on_arena(&ans->body, a);
	if (!task_allowed(k, form, ans))
		return ERR_OK;
	if (!json_object_object_get_ex(form, "model", &v) ||
	    json_object_is_type(v, json_type_array) ||
	    json_object_is_type(v, json_type_object))
		return answer_internal(ans);	/* KeyError, unhashable */
	model_id = json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
	if ((e = models_all(db, a, u, 0, &models)) != ERR_OK)
		return e;
	json_on_arena(a, models);
	if (model_in(models, model_id) == NULL) {
		ans->raised = 1;
		return answer_detail(ans, 404, MSG_MODEL_NOT_FOUND);
	}
	task_id = d->task_model ? chattask_model_id(models, model_id) :
	    model_id;
	m = model_in(models, task_id);
	e = chattask_prompt(a, k, chattask_template(k), form, u, &prompt);
	if (e != ERR_OK ||
	    (payload = task_payload(a, k, form, m, task_id, prompt)) == NULL)
		return answer_internal(ans);
	e = models_chat_ex(db, a, u, token, payload, k == CHATTASK_MOA ? ho :
	    NULL, &ans->status, &ans->body);
	if (e == ERR_OK && k == CHATTASK_MOA && ho != NULL &&
	    ho->upstream.url != NULL) {
		ans->handoff = 1;
		return ERR_OK;
	}
	res = json_on_arena(a, json_parse(buf_str(&ans->body),
	    ans->body.len));
	if (e == ERR_INVAL) {
		/* Python raises: the route's own answer */
		detail = json_get_str(res, "detail");
		return answer_failed(d, ans, detail != NULL ? detail :
		    MSG_INTERNAL);
	}
	if (e != ERR_OK)
		return e;
	if (ans->status == 200 && res == NULL && ans->body.len == 4 &&
	    strcmp(buf_str(&ans->body), "null") == 0)
		return answer_failed(d, ans, MSG_CONN_ERROR);
	/* the Ollama router raises for any upstream error */
	owner = json_get_str(m, "owned_by");
	if (ans->status != 200 && owner != NULL &&
	    strcmp(owner, "ollama") == 0) {
		detail = json_get_str(res, "detail");
		return answer_failed(d, ans, arena_printf(a, "%ld: %s",
		    ans->status, detail != NULL ? detail : MSG_INTERNAL));
	}
	ans->plain = res == NULL;
	ans->generated = 1;
	return ERR_OK;
}

json_object *
chattask_answer_object(struct arena *a, const struct chattask_answer *ans)
{
	json_object *o;

	if (!ans->generated || ans->status != 200 || ans->plain)
		return NULL;
	o = json_on_arena(a, json_parse(buf_str(&ans->body), ans->body.len));
	return json_object_is_type(o, json_type_object) ? o : NULL;
}

const char *
chattask_content(json_object *res, const char *def)
{
	json_object *choices = json_get(res, "choices"), *msg, *c;

	if (!json_object_is_type(choices, json_type_array) ||
	    json_object_array_length(choices) != 1)
		return "";
	msg = json_get(json_object_array_get_idx(choices, 0), "message");
	if (!json_object_object_get_ex(msg, "content", &c))
		return def;
	return json_object_is_type(c, json_type_string) ?
	    json_object_get_string(c) : "";
}

json_object *
chattask_parse_object(struct arena *a, const char *s)
{
	const char *open = strchr(s, '{'), *close = strrchr(s, '}');
	json_object *o;

	if (open == NULL || close == NULL || close < open)
		return NULL;
	o = json_on_arena(a, json_parse(open, (size_t)(close + 1 - open)));
	return json_object_is_type(o, json_type_object) ? o : NULL;
}
