/* chatproc.h: the generation of one chat answer as Python's process_chat
 * runs it, apart from how it is driven: the upstream answer (an SSE or
 * NDJSON stream, or one JSON body) is read, the message content is rebuilt
 * (content.c), chat-events are emitted, the answer is saved into the chat,
 * then the done event and the background tasks (title, tags, follow-ups).
 *
 * Two engines drive it: cwebui-streamd's chatflow.c (an event loop; the
 * internal calls are FastCGI requests to cwebui-fcgi answered later) and
 * the shared-hosting mode of cwebui-fcgi (src/fcgi/hstream.c: one process
 * per task; the calls are made at once). The engine gives the operations
 * below; internal calls are "/_streamd/chat/message" (the fields to merge
 * into the message; answers {"title", "message"}), "/_streamd/chat/
 * background" and "/_streamd/chat/notify", with the bodies that
 * src/fcgi/h_streamd*.c read. Calls must complete in the order made. */
#ifndef CWEBUI_CHATPROC_H
#define CWEBUI_CHATPROC_H

#include <stddef.h>

#include <json-c/json.h>

#include "buf.h"
#include "content.h"
#include "sse.h"

#define CHATPROC_MAX_LINE	(8L * 1024 * 1024)	/* one SSE line */
#define CHATPROC_MAX_BODY	(16L * 1024 * 1024)	/* a non-streamed
							   answer */
#define CHATPROC_MAX_CONTENT	(32L * 1024 * 1024)	/* the text of one
						   answer: more is dropped */
#define CHATPROC_SAVE_EVERY	1.0	/* seconds between saves */

struct chatproc;

/* What runs when an internal call is answered: reply is the parsed 200
 * answer (borrowed), or NULL. */
typedef void chatproc_done_fn(struct chatproc *cp, json_object *reply);

struct chatproc_ops {
	/* Emits the chat-events payload o (borrowed) to the user's room. */
	void	(*emit)(struct chatproc *cp, json_object *o);
	/* Makes the internal call uri with body (borrowed); done (may be
	 * NULL) runs when it is answered. */
	void	(*call)(struct chatproc *cp, const char *uri, json_object *body,
		    chatproc_done_fn *done);
	/* 1 while an internal call is under way (no save is added then). */
	int	(*busy)(struct chatproc *cp);
	/* 1 when the user has a live session (else the webhook is sent). */
	int	(*user_active)(struct chatproc *cp);
	/* The first save is answered: the generation may start. */
	void	(*started)(struct chatproc *cp);
};

struct chatproc {
	const struct chatproc_ops *ops;
	void		*arg;		/* the engine's */
	const char	*task_id;	/* borrowed from the engine */
	const char	*user_id;
	const char	*chat_id;
	const char	*message_id;
	json_object	*spec;		/* the hand-off's "task" */
	int		 ollama;	/* relay "ollama-openai" */
	struct sse_lines lines;
	long		 status;	/* of the upstream answer */
	int		 streamed;	/* SSE or NDJSON answer */
	int		 overflow;
	struct buf	 body;		/* a non-streamed answer */
	struct content	 content;
	struct buf	 ser;		/* content serialized */
	struct content_tag tag_pair;	/* params.reasoning_tags */
	const struct content_tag *tags;	/* the tags detected */
	size_t		 ntags;
	long		 delta_size;
	long		 delta_count;
	json_object	*last_delta;
	double		 last_save;
	int		 ended;		/* nothing more to generate */
};

/* Prepares cp for the task spec (the hand-off's "task", a reference is
 * taken); ollama: the upstream speaks Ollama NDJSON. The ids are
 * borrowed and must outlive cp. Release with chatproc_free(). */
void	 chatproc_init(struct chatproc *cp, const struct chatproc_ops *ops,
	    void *arg, json_object *spec, int ollama);
void	 chatproc_free(struct chatproc *cp);

/* Emits a chat-events event of this task ({chat_id, message_id, data:
 * {type, data}}); data borrowed, NULL for none. */
void	 chatproc_emit(struct chatproc *cp, const char *type,
	    json_object *data);
/* The chat-events payload of that event. New reference. */
json_object *chatproc_event(struct chatproc *cp, const char *type,
	    json_object *data);
/* The first save ({"model"}); when it is answered the content starts from
 * the stored message (a "continue") and ops->started runs. */
void	 chatproc_begin(struct chatproc *cp);

/* The upstream's head, and each piece of its body. */
void	 chatproc_head(struct chatproc *cp, long status, const char *ctype);
void	 chatproc_data(struct chatproc *cp, const char *p, size_t n);
/* One line of a stream (SSE "data: ..." or an NDJSON line), and one
 * parsed chunk (an OpenAI chat.completion.chunk), as they come from a
 * direct connection. */
void	 chatproc_line(struct chatproc *cp, const char *p, size_t n);
void	 chatproc_chunk(struct chatproc *cp, json_object *data);

/* The answer is complete: finished, saved (then done and background). */
void	 chatproc_end(struct chatproc *cp);
/* The task failed with msg, as Python's process_chat does for an
 * exception: the error saved and emitted, chat:tasks:cancel when cancel. */
void	 chatproc_fail(struct chatproc *cp, const char *msg, int cancel);
/* The task was stopped: the sessions are told, what arrived is saved. */
void	 chatproc_stop(struct chatproc *cp);

/* The ids of the running tasks in list ({"id", "user_id", "chat_id"}
 * objects) of user_id (NULL: all) and chat_id (NULL: all), for the task
 * routes of either engine. New reference. */
json_object *chatproc_task_ids(json_object *list, const char *user_id,
	    const char *chat_id);

/* One whole line of a relayed stream (the hand-off without a task) into
 * out: as it is (with its LF), or, with convert, an Ollama NDJSON line as
 * an OpenAI SSE chunk (the "ollama-openai" relay). */
void	 chatproc_relay_line(struct buf *out, int convert, const char *p,
	    size_t n);

#endif
