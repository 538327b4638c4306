/* content.h: the text of an assistant message being generated, as Python's
 * process_chat_response keeps it: a list of blocks (plain text, reasoning)
 * serialized into the message content the frontend renders, with the
 * reasoning shown as a <details type="reasoning"> block. */
#ifndef CWEBUI_CONTENT_H
#define CWEBUI_CONTENT_H

#include <stddef.h>

#include "buf.h"

#define CONTENT_MAX_BLOCKS	256

enum content_type {
	CONTENT_TEXT,
	CONTENT_REASONING
};

struct content_block {
	enum content_type type;
	struct buf	 text;
	double		 started;	/* reasoning: when it began (s) */
	long		 duration;	/* reasoning: seconds, -1 while open */
};

struct content {
	struct content_block	*blocks;
	size_t			 n;
};

/* Starts with one text block holding initial (the message's content so far,
 * "" for a new message). Release with content_free(). */
void	 content_init(struct content *c, const char *initial);
void	 content_free(struct content *c);

/* Appends a delta of the answer text; closes an open reasoning block first
 * (its duration is counted up to now). */
void	 content_add_text(struct content *c, const char *p, size_t n);
/* Appends reasoning (reasoning_content, reasoning or thinking deltas). */
void	 content_add_reasoning(struct content *c, const char *p, size_t n);
/* The end of the stream: the last text block is stripped (and dropped when
 * empty, leaving at least one block), an open reasoning block is closed. */
void	 content_finish(struct content *c);

/* Writes the serialized content into out (reset first), stripped as
 * Python's str.strip() strips it. */
void	 content_serialize(const struct content *c, struct buf *out);

/* The bounds of s[0..n) without Python's str.isspace() characters at either
 * end (UTF-8 aware): *start and *len. */
void	 content_strip(const char *s, size_t n, size_t *start, size_t *len);

#endif
