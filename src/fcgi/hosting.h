/* hosting.h: the shared-hosting mode of cwebui-fcgi (CWEBUI_NO_STREAMD=1):
 * no cwebui-streamd, no daemon of one's own; the web server (Apache with
 * mod_fcgid) spawns the workers, and the workers serve what streamd
 * serves otherwise, one worker per stream:
 *
 *  - Socket.IO over Engine.IO long-polling (h_hosting.c), the real-time
 *    state shared by the workers in DATA_DIR/rt.db (hrt.h);
 *  - the streaming-capable endpoints: a hand-off (handoff.h) that streamd
 *    would carry out is carried out here (hstream.c): the upstream
 *    request is made and its body written to the client as it comes;
 *  - chat tasks: the request is answered {"status": true, "task_id"}, and
 *    a detached child process runs the generation (src/streamd/chatproc.c,
 *    shared with streamd), emitting chat-events into rt.db and saving into
 *    the chat, so the worker is free for the next request at once;
 *  - the task routes (/api/tasks..., /api/usage). */
#ifndef CWEBUI_HOSTING_H
#define CWEBUI_HOSTING_H

struct handoff;
struct req;

/* Most chat tasks running at once (CWEBUI_HOSTING_MAX_TASKS). */
#define HOSTING_MAX_TASKS	32

/* 1 in the shared-hosting mode (CWEBUI_NO_STREAMD=1). */
int	 hosting_on(void);
/* Prepares the mode: data_dir holds rt.db; a chat task opens its own
 * connection to database_url. */
void	 hosting_init(const char *data_dir, const char *database_url);
/* The program of a chat task process (cwebui-fcgi --hosting-task ID):
 * runs the task its worker registered in rt.db. Returns the exit status. */
int	 hosting_task_main(const char *task_id);
/* Carries out the hand-off h as the answer to r (relay or chat task).
 * Returns the status written. */
int	 hosting_answer(struct req *r, const struct handoff *h);

#endif
