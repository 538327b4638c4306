/* hrt.h: the real-time state of the shared-hosting mode (CWEBUI_NO_STREAMD=1,
 * hosting.h), shared by every cwebui-fcgi process through one SQLite file,
 * DATA_DIR/rt.db (WAL): Engine.IO sessions and the packets queued for them,
 * their rooms (user:<id>, channel:<id>), the models in use, the running chat
 * tasks and their stop flags. Any request may reach any worker, and workers
 * come and go: nothing real-time lives in a process. Each write is one
 * statement or one transaction, so a worker killed half-way leaves the file
 * consistent; sessions not seen for pingInterval + pingTimeout expire.
 *
 * The connection is opened on first use in each process (and again after a
 * fork). Functions return ERR_DB when the file cannot be used. */
#ifndef CWEBUI_HRT_H
#define CWEBUI_HRT_H

#include <json-c/json.h>

#include "err.h"

struct arena;
struct buf;

#define HRT_SID_LEN	20

/* One session as stored. Strings are arena-owned. */
struct hrt_sess {
	char		 sid[HRT_SID_LEN + 1];
	const char	*user_id;	/* NULL: not bound to a user */
	const char	*user;		/* the bound user's JSON ({id, name,
					   email, role}), or NULL */
	long long	 pinged;	/* ms when the last ping was queued */
	int		 await_pong;
};

/* Sets the folder of rt.db (DATA_DIR); call once before anything else. */
void	 hrt_init(const char *data_dir);
/* The ping interval and timeout in ms (WEBSOCKET_SERVER_PING_INTERVAL and
 * _TIMEOUT in seconds, python-engineio's 25 and 20 by default). */
long	 hrt_ping_interval(void);
long	 hrt_ping_timeout(void);

/* Creates a session with a new random id (written to sid); expired
 * sessions are swept first. */
enum err hrt_sess_new(char sid[HRT_SID_LEN + 1]);
/* Reads a live session into *s, with touch marking it seen now (a write;
 * a long poll touches once, then only reads): ERR_NOTFOUND when it does
 * not exist or expired. */
enum err hrt_sess_get(struct arena *a, const char *sid, int touch,
	    struct hrt_sess *s);
/* Binds the session to user_id (user: its JSON text) and puts it in the
 * room user:<user_id>, leaving a previous user's rooms. */
enum err hrt_sess_bind(const char *sid, const char *user_id,
	    const char *user);
/* Puts the session in exactly the rooms channel:<id> of the ids (a JSON
 * array of strings, borrowed). */
enum err hrt_sess_channels(const char *sid, json_object *ids);
/* Records the ping just queued (await_pong 1) or the pong received (0). */
enum err hrt_sess_ping(const char *sid, int await_pong);
/* Ends the session: its queue, rooms and usage go. */
void	 hrt_sess_close(const char *sid);
/* 1 when a live session sid is bound to user_id. */
int	 hrt_sess_of(const char *sid, const char *user_id);
/* 1 when user_id has a live session. */
int	 hrt_user_active(const char *user_id);
/* The ids of the users with a live session. New reference. */
json_object *hrt_active_user_ids(void);

/* Queues the Engine.IO packet text pkt (e.g. "42[...]") for sid. */
enum err hrt_push(const char *sid, const char *pkt, size_t n);
/* Takes what is queued for sid, oldest first, as one polling payload into
 * out (appended). Sets *n to the number of packets taken. */
enum err hrt_take(const char *sid, struct buf *out, int *n);
/* Queues the Socket.IO event [event, data] (data borrowed) for every
 * session in room (a sid names the session's own room). */
enum err hrt_emit(const char *room, const char *event, json_object *data);

/* The model ids used in the last 3 seconds (the usage event). */
enum err hrt_usage_record(const char *sid, const char *model);
json_object *hrt_usage_models(void);

/* The running tasks: task_id is added for user_id and chat_id, by this
 * process (pid), with spec (the hand-off JSON text the task process reads
 * back with hrt_task_spec(), arena-owned, NULL when gone);
 * hrt_task_stopped() says whether a stop was asked. */
enum err hrt_task_add(const char *task_id, const char *user_id,
	    const char *chat_id, const char *spec);
const char *hrt_task_spec(struct arena *a, const char *task_id);
/* The calling process runs task_id from now on. */
void	 hrt_task_own(const char *task_id);
void	 hrt_task_remove(const char *task_id);
int	 hrt_task_stopped(const char *task_id);
/* The running tasks {id, user_id, chat_id} (tasks whose process is gone
 * are dropped first). New reference. */
json_object *hrt_task_list(void);
/* Asks task_id to stop when user_id (any user when admin) started it:
 * ERR_OK, or ERR_NOTFOUND. */
enum err hrt_task_stop(const char *task_id, const char *user_id, int admin);
/* The number of running tasks. */
int	 hrt_task_count(void);

#endif
