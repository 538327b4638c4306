/* content.h: the text of an assistant message being generated, as Python's
 * process_chat_response keeps it: a list of blocks (plain text, reasoning,
 * solution) serialized into the message content the frontend renders, with
 * the reasoning shown as a <details type="reasoning"> block, and the raw
 * text of the answer in which reasoning tags (<think>...</think>) are
 * detected as Python's tag_content_handler detects them. */
#ifndef CWEBUI_CONTENT_H
#define CWEBUI_CONTENT_H

#include <stddef.h>

#include "buf.h"

#define CONTENT_MAX_BLOCKS	256

enum content_type {
	CONTENT_TEXT,
	CONTENT_REASONING,
	CONTENT_SOLUTION
};

/* A pair of tags around reasoning (or a solution) inside the answer text.
 * A tag written "<name>" also matches "<name attr=...>". */
struct content_tag {
	const char	*start;
	const char	*end;
};

/* Python's DEFAULT_REASONING_TAGS, in its order. */
extern const struct content_tag	content_reasoning_tags[];
extern const size_t		content_nreasoning_tags;

/* A block; reasoning and solution blocks have their tags and the start
 * tag's key="value" attributes (attrs: key, value, key, value ...), all
 * owned. */
struct content_block {
	enum content_type type;
	struct buf	 text;
	double		 started;	/* when it began (s) */
	long		 duration;	/* seconds, -1 while open */
	char		*start_tag;	/* NULL on text blocks */
	char		*end_tag;
	char		**attrs;
	size_t		 nattrs;
};

/* raw is Python's `content`: the answer text as streamed, with the tag
 * pairs of closed blocks cut out. scan[] (reasoning, solution) and scan_end
 * are offsets in raw before which no start tag, or the last block's end
 * tag, can be found: raw is only searched from there. */
struct content {
	struct content_block	*blocks;
	size_t			 n;
	struct buf		 raw;
	size_t			 scan[2];
	size_t			 scan_end;
};

/* Starts with one text block holding initial (the message's content so far,
 * "" for a new message); raw starts as initial too. Release with
 * content_free(). */
void	 content_init(struct content *c, const char *initial);
void	 content_free(struct content *c);

/* Appends a delta of the answer text to raw and to the last block, whatever
 * its type; a reasoning block that came from reasoning deltas is closed
 * first (its duration counted up to now) and a text block opened. */
void	 content_add_text(struct content *c, const char *p, size_t n);
/* Appends reasoning (reasoning_content, reasoning or thinking deltas) to the
 * last block if it is a reasoning block, else to a new one (tags <think>,
 * attribute type="reasoning_content"). */
void	 content_add_reasoning(struct content *c, const char *p, size_t n);
/* Python's tag_content_handler for reasoning with tags[0..ntags), then for
 * the solution tags, run after each content_add_text(): a start tag found
 * anywhere in raw while the last block is text moves what follows it into a
 * new reasoning (solution) block; the end tag found anywhere in raw while
 * that block is last closes it, the text after the end tag starts a new text
 * block and the tag pairs are cut from raw. Python's quirks are kept (raw is
 * searched whole, the text before a start tag replaces the last text block).
 * ntags 0 (params.reasoning_tags false) detects nothing; pairs with an empty
 * tag are skipped. Pass the same tags on every call for one content. Does
 * nothing once the blocks are near CONTENT_MAX_BLOCKS. */
void	 content_detect_tags(struct content *c,
	    const struct content_tag *tags, size_t ntags);
/* The end of the stream: the last text block is stripped (and dropped when
 * empty, leaving at least one block), an open reasoning block is closed. */
void	 content_finish(struct content *c);

/* The value of attribute key of b's start tag, or NULL. */
const char *content_attr(const struct content_block *b, const char *key);

/* Writes the serialized content into out (reset first), stripped as
 * Python's str.strip() strips it. */
void	 content_serialize(const struct content *c, struct buf *out);

/* The bounds of s[0..n) without Python's str.isspace() characters at either
 * end (UTF-8 aware): *start and *len. */
void	 content_strip(const char *s, size_t n, size_t *start, size_t *len);

#endif
