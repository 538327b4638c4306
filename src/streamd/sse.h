/* sse.h: the streams of upstream models as codecs over buffers: a line
 * splitter, a Server-Sent Events parser on top of it (OpenAI's `data: {...}`
 * records and `data: [DONE]`), newline-delimited JSON (Ollama) as the same
 * splitter in another mode, and the writer of one SSE record.
 *
 * Bytes are fed as the network delivers them, cut anywhere, also inside a
 * line ending or a multi-byte UTF-8 character: a line is handed on only
 * once it is whole, and bytes that are not UTF-8 are then replaced by U+FFFD
 * as a browser (and Python's decode with "replace") does, so what comes out
 * is always valid UTF-8.
 *
 * The structs are declared here so that a connection can embed them; their
 * fields are private. */
#ifndef CWEBUI_SSE_H
#define CWEBUI_SSE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Modes of the line splitter. */
#define SSE_LINES_SSE		0	/* CR, LF and CRLF end a line */
#define SSE_LINES_NDJSON	1	/* LF ends a line, a CR before it is
					   dropped, blank lines are skipped */

/* Receives one line without its line ending, valid UTF-8 with a NUL after
 * the n bytes; p is valid during the call only. */
typedef void (*sse_line_fn)(void *arg, const char *p, size_t n);

struct sse_lines {
	struct buf	 line;	/* the unfinished line */
	struct buf	 fixed;	/* a line with its bad UTF-8 replaced */
	size_t		 max;
	int		 mode;
	int		 cr;	/* the last byte was a CR ending a line */
	enum err	 err;
	sse_line_fn	 fn;
	void		*arg;
};

/* Prepares l to call fn(arg, ...) for every line; lines longer than max
 * bytes are an error. Release with sse_lines_free(). */
void	 sse_lines_init(struct sse_lines *l, int mode, size_t max,
	    sse_line_fn fn, void *arg);
void	 sse_lines_free(struct sse_lines *l);
/* Splits n more bytes. Returns ERR_OK, or ERR_TOOBIG once a line passed
 * max bytes (and on every later call: the stream is unusable). */
enum err sse_lines_feed(struct sse_lines *l, const void *p, size_t n);
/* At the end of the stream: hands on a last line that had no line ending.
 * Returns ERR_OK or the error of an earlier feed. */
enum err sse_lines_finish(struct sse_lines *l);

/* Flags of the SSE parser. */
#define SSE_EACH_DATA_LINE	1	/* every data line is an event of its
					   own, as Python's line-by-line
					   reading of OpenAI streams treats
					   it; by default, as in browsers,
					   data lines join until a blank
					   line */

struct sse_event {
	const char	*type;	/* the event: field, "message" if none */
	const char	*data;	/* NUL after len bytes */
	size_t		 len;
	const char	*id;	/* the last event id, "" if none */
};

typedef void (*sse_event_fn)(void *arg, const struct sse_event *ev);

struct sse {
	struct sse_lines lines;
	struct buf	 data;
	struct buf	 type;
	struct buf	 id;
	long		 retry;	/* the last retry: in ms, -1 if none */
	int		 flags;
	int		 first;	/* no line seen yet (a BOM may start it) */
	sse_event_fn	 fn;
	void		*arg;
};

/* Prepares s to call fn(arg, ev) for every event of the stream (the WHATWG
 * HTML "event stream" interpretation: comments, event:, data:, id:, retry:
 * fields). A line, and the data of one event, may hold at most max bytes.
 * Release with sse_free(). */
void	 sse_init(struct sse *s, int flags, size_t max, sse_event_fn fn,
	    void *arg);
void	 sse_free(struct sse *s);
/* Parses n more bytes. Returns ERR_OK or ERR_TOOBIG (sticky). */
enum err sse_feed(struct sse *s, const void *p, size_t n);
/* At the end of the stream: a last line without a line ending is parsed
 * (with SSE_EACH_DATA_LINE a data line is still an event); an event
 * without its blank line is dropped, as browsers drop it. */
enum err sse_finish(struct sse *s);

/* Appends one whole SSE record to out: "event: <event>\n" when event is not
 * NULL, then "data: <line>\n" for each line of data (CR, LF, CRLF split
 * it), then the blank line: "data: [DONE]\n\n". */
void	 sse_write(struct buf *out, const char *event, const char *data,
	    size_t n);

#endif
