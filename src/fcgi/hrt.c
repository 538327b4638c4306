/* hrt.c: the shared real-time state of the shared-hosting mode in
 * DATA_DIR/rt.db (see hrt.h). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "db.h"
#include "eio.h"
#include "hrt.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "rand.h"
#include "sio.h"

#define HRT_USAGE_MS	3000	/* Python's usage TIMEOUT_DURATION */

static const char hrt_schema[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE IF NOT EXISTS rt_session (sid TEXT PRIMARY KEY, "
	"user_id TEXT, user TEXT, seen INTEGER NOT NULL, "
	"pinged INTEGER NOT NULL, await_pong INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS rt_session_user ON rt_session (user_id);"
	"CREATE TABLE IF NOT EXISTS rt_packet (id INTEGER PRIMARY KEY "
	"AUTOINCREMENT, sid TEXT NOT NULL, data TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS rt_packet_sid ON rt_packet (sid, id);"
	"CREATE TABLE IF NOT EXISTS rt_room (sid TEXT NOT NULL, "
	"room TEXT NOT NULL, PRIMARY KEY (sid, room));"
	"CREATE INDEX IF NOT EXISTS rt_room_room ON rt_room (room);"
	"CREATE TABLE IF NOT EXISTS rt_usage (sid TEXT NOT NULL, "
	"model TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (sid, model));"
	"CREATE TABLE IF NOT EXISTS rt_task (id TEXT PRIMARY KEY, "
	"user_id TEXT NOT NULL, chat_id TEXT NOT NULL, pid INTEGER NOT NULL, "
	"stop INTEGER NOT NULL DEFAULT 0, started INTEGER NOT NULL, "
	"spec TEXT NOT NULL);";

static char		*hrt_url;	/* sqlite:///DATA_DIR/rt.db */
static struct db	*hrt_conn;
static pid_t		 hrt_pid;	/* the process that opened hrt_conn */
static long long	 hrt_expired;	/* ms of the last expiry sweep */

long
hrt_ping_interval(void)
{
	return eio_env_ms("WEBSOCKET_SERVER_PING_INTERVAL",
	    EIO_PING_INTERVAL);
}

long
hrt_ping_timeout(void)
{
	return eio_env_ms("WEBSOCKET_SERVER_PING_TIMEOUT",
	    EIO_PING_TIMEOUT);
}

static long long
now_ms(void)
{
	return (long long)(clock_wall() * 1000.0);
}

/* The oldest "seen" of a live session. */
static long long
hrt_live(void)
{
	return now_ms() - hrt_ping_interval() - hrt_ping_timeout();
}

void
hrt_init(const char *data_dir)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "sqlite:///%s/rt.db", data_dir);
	free(hrt_url);
	hrt_url = xstrdup(buf_str(&b));
	buf_free(&b);
}

/* The connection of this process, opened (and the tables made) on first
 * use; NULL when rt.db cannot be used. */
static struct db *
hrt_db(void)
{
	if (hrt_conn != NULL && hrt_pid == getpid())
		return hrt_conn;
	hrt_conn = NULL;	/* a parent's: never used after fork */
	if (hrt_url == NULL || db_open(hrt_url, &hrt_conn) != ERR_OK) {
		log_error("could not open %s", hrt_url ? hrt_url : "rt.db");
		return NULL;
	}
	if (db_exec_script(hrt_conn, hrt_schema) != ERR_OK) {
		log_error("could not prepare %s", hrt_url);
		db_close(hrt_conn);
		hrt_conn = NULL;
		return NULL;
	}
	hrt_pid = getpid();
	return hrt_conn;
}

/* Runs one statement with values v[0..n) on a fresh arena. */
static enum err
hrt_exec(const char *sql, int n, const struct db_val *v)
{
	struct db *db = hrt_db();
	struct arena *a;
	enum err e;

	if (db == NULL)
		return ERR_DB;
	a = arena_new();
	e = db_query(db, a, NULL, sql, n, v);
	arena_free(a);
	if (e != ERR_OK)
		log_error("rt.db: %s", err_str(e));
	return e;
}

#define HRTX(sql, ...)	hrt_exec((sql), (int)(sizeof((struct db_val[]){ \
	__VA_ARGS__ }) / sizeof(struct db_val)), (struct db_val[]){ __VA_ARGS__ })

/* Drops what belongs to sessions that were not seen for pingInterval +
 * pingTimeout, at most once a second. */
static void
hrt_expire(void)
{
	long long now = now_ms(), limit = hrt_live();

	if (now - hrt_expired < 1000)
		return;
	hrt_expired = now;
	HRTX("DELETE FROM rt_packet WHERE sid IN (SELECT sid FROM rt_session "
	    "WHERE seen < $1)", DBV_INT(limit));
	HRTX("DELETE FROM rt_room WHERE sid IN (SELECT sid FROM rt_session "
	    "WHERE seen < $1)", DBV_INT(limit));
	HRTX("DELETE FROM rt_usage WHERE at < $1", DBV_INT(now -
	    HRT_USAGE_MS));
	HRTX("DELETE FROM rt_session WHERE seen < $1", DBV_INT(limit));
}

/* Writes a new session id: 20 URL-safe characters, as python-engineio's. */
static void
hrt_sid_new(char sid[HRT_SID_LEN + 1])
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789-_";
	unsigned char r[HRT_SID_LEN];
	int i;

	if (rand_bytes(r, sizeof(r)) != ERR_OK)
		abort();
	for (i = 0; i < HRT_SID_LEN; i++)
		sid[i] = abc[r[i] & 63];
	sid[HRT_SID_LEN] = '\0';
}

enum err
hrt_sess_new(char sid[HRT_SID_LEN + 1])
{
	hrt_expire();
	hrt_sid_new(sid);
	return HRTX("INSERT INTO rt_session (sid, seen, pinged) "
	    "VALUES ($1, $2, $2)", DBV_TEXT(sid), DBV_INT(now_ms()));
}

enum err
hrt_sess_get(struct arena *a, const char *sid, int touch, struct hrt_sess *s)
{
	struct db *db = hrt_db();
	struct db_res *res;
	enum err e;

	if (db == NULL)
		return ERR_DB;
	if (strlen(sid) != HRT_SID_LEN)
		return ERR_NOTFOUND;
	if (touch)
		e = DBQ(db, a, &res, "UPDATE rt_session SET seen = $2 WHERE "
		    "sid = $1 AND seen >= $3 RETURNING user_id, user, pinged, "
		    "await_pong", DBV_TEXT(sid), DBV_INT(now_ms()),
		    DBV_INT(hrt_live()));
	else
		e = DBQ(db, a, &res, "SELECT user_id, user, pinged, await_pong "
		    "FROM rt_session WHERE sid = $1 AND seen >= $2",
		    DBV_TEXT(sid), DBV_INT(hrt_live()));
	if (e != ERR_OK)
		return e;
	if (res->nrows == 0)
		return ERR_NOTFOUND;
	memset(s, 0, sizeof(*s));
	memcpy(s->sid, sid, HRT_SID_LEN + 1);
	s->user_id = db_cell(res, 0, 0);
	s->user = db_cell(res, 0, 1);
	s->pinged = db_cell_int(res, 0, 2);
	s->await_pong = (int)db_cell_int(res, 0, 3);
	return ERR_OK;
}

/* Puts session sid in room (once). */
static enum err
hrt_room_add(const char *sid, const char *room)
{
	return HRTX("INSERT INTO rt_room (sid, room) VALUES ($1, $2) "
	    "ON CONFLICT DO NOTHING", DBV_TEXT(sid), DBV_TEXT(room));
}

enum err
hrt_sess_bind(const char *sid, const char *user_id, const char *user)
{
	struct buf room = BUF_INIT;
	enum err e;

	buf_printf(&room, "user:%s", user_id);
	e = HRTX("DELETE FROM rt_room WHERE sid = $1 AND room <> $2 AND "
	    "(room LIKE 'user:%' OR ((SELECT user_id FROM rt_session WHERE "
	    "sid = $1) IS NOT $3 AND room LIKE 'channel:%'))",
	    DBV_TEXT(sid), DBV_TEXT(buf_str(&room)), DBV_TEXT(user_id));
	if (e == ERR_OK)
		e = HRTX("UPDATE rt_session SET user_id = $2, user = $3 "
		    "WHERE sid = $1", DBV_TEXT(sid), DBV_TEXT(user_id),
		    DBV_TEXT(user));
	if (e == ERR_OK)
		e = hrt_room_add(sid, buf_str(&room));
	buf_free(&room);
	return e;
}

enum err
hrt_sess_channels(const char *sid, json_object *ids)
{
	struct buf room = BUF_INIT;
	enum err e;
	size_t i, n;

	e = HRTX("DELETE FROM rt_room WHERE sid = $1 AND room LIKE "
	    "'channel:%'", DBV_TEXT(sid));
	n = json_object_is_type(ids, json_type_array) ?
	    json_object_array_length(ids) : 0;
	for (i = 0; e == ERR_OK && i < n; i++) {
		json_object *id = json_object_array_get_idx(ids, i);

		if (!json_object_is_type(id, json_type_string))
			continue;
		buf_reset(&room);
		buf_printf(&room, "channel:%s", json_object_get_string(id));
		e = hrt_room_add(sid, buf_str(&room));
	}
	buf_free(&room);
	return e;
}

enum err
hrt_sess_ping(const char *sid, int await_pong)
{
	if (await_pong)
		return HRTX("UPDATE rt_session SET await_pong = 1, pinged = $2 "
		    "WHERE sid = $1", DBV_TEXT(sid), DBV_INT(now_ms()));
	return HRTX("UPDATE rt_session SET await_pong = 0 WHERE sid = $1",
	    DBV_TEXT(sid));
}

void
hrt_sess_close(const char *sid)
{
	HRTX("DELETE FROM rt_packet WHERE sid = $1", DBV_TEXT(sid));
	HRTX("DELETE FROM rt_room WHERE sid = $1", DBV_TEXT(sid));
	HRTX("DELETE FROM rt_usage WHERE sid = $1", DBV_TEXT(sid));
	HRTX("DELETE FROM rt_session WHERE sid = $1", DBV_TEXT(sid));
}

/* The integer in the first cell of sql's answer with values v[0..n),
 * or 0. */
static long long
hrt_int(const char *sql, int n, const struct db_val *v)
{
	struct db *db = hrt_db();
	struct db_res *res;
	struct arena *a;
	long long x = 0;

	if (db == NULL)
		return 0;
	a = arena_new();
	if (db_query(db, a, &res, sql, n, v) == ERR_OK && res->nrows > 0)
		x = db_cell_int(res, 0, 0);
	arena_free(a);
	return x;
}

#define HRTI(sql, ...)	hrt_int((sql), (int)(sizeof((struct db_val[]){ \
	__VA_ARGS__ }) / sizeof(struct db_val)), (struct db_val[]){ __VA_ARGS__ })

int
hrt_sess_of(const char *sid, const char *user_id)
{
	return HRTI("SELECT count(*) FROM rt_session WHERE sid = $1 AND "
	    "seen >= $2 AND user_id = $3", DBV_TEXT(sid), DBV_INT(hrt_live()),
	    DBV_TEXT(user_id)) > 0;
}

int
hrt_user_active(const char *user_id)
{
	return HRTI("SELECT count(*) FROM rt_session WHERE user_id = $1 AND "
	    "seen >= $2", DBV_TEXT(user_id), DBV_INT(hrt_live())) > 0;
}

/* The first column of sql's rows ($1: a time in ms) as a JSON array of
 * strings. New reference. */
static json_object *
hrt_column(const char *sql, long long t)
{
	json_object *out = json_object_new_array();
	struct db *db = hrt_db();
	struct db_res *res;
	struct arena *a;
	int i;

	if (db == NULL)
		return out;
	a = arena_new();
	if (DBQ(db, a, &res, sql, DBV_INT(t)) == ERR_OK)
		for (i = 0; i < res->nrows; i++)
			json_object_array_add(out,
			    json_object_new_string(db_cell(res, i, 0)));
	arena_free(a);
	return out;
}

json_object *
hrt_active_user_ids(void)
{
	return hrt_column("SELECT DISTINCT user_id FROM rt_session WHERE "
	    "user_id IS NOT NULL AND seen >= $1 ORDER BY user_id",
	    hrt_live());
}

enum err
hrt_push(const char *sid, const char *pkt, size_t n)
{
	char *text = xstrndup(pkt, n);
	enum err e;

	e = HRTX("INSERT INTO rt_packet (sid, data) VALUES ($1, $2)",
	    DBV_TEXT(sid), DBV_TEXT(text));
	free(text);
	return e;
}

enum err
hrt_take(const char *sid, struct buf *out, int *n)
{
	struct db *db = hrt_db();
	struct db_res *res;
	struct arena *a;
	enum err e;
	int i;

	*n = 0;
	if (db == NULL)
		return ERR_DB;
	a = arena_new();
	e = DBQ(db, a, &res, "SELECT id, data FROM rt_packet WHERE sid = $1 "
	    "ORDER BY id LIMIT 1000", DBV_TEXT(sid));
	if (e == ERR_OK && res->nrows > 0) {
		e = DBQ(db, a, NULL, "DELETE FROM rt_packet WHERE sid = $1 AND "
		    "id <= $2", DBV_TEXT(sid),
		    DBV_INT(db_cell_int(res, res->nrows - 1, 0)));
		for (i = 0; e == ERR_OK && i < res->nrows; i++) {
			if (i > 0)
				buf_putc(out, EIO_SEPARATOR);
			buf_puts(out, db_cell(res, i, 1));
		}
		if (e == ERR_OK)
			*n = res->nrows;
	}
	arena_free(a);
	return e;
}

enum err
hrt_emit(const char *room, const char *event, json_object *data)
{
	struct sio_packet p = { .type = SIO_EVENT, .nsp = "/", .id = -1 };
	struct buf pkt = BUF_INIT;
	json_object *bins = NULL;
	enum err e;

	p.data = json_object_new_array();
	json_object_array_add(p.data, json_object_new_string(event));
	json_object_array_add(p.data, json_object_get(data));
	buf_putc(&pkt, '0' + EIO_MESSAGE);
	e = sio_encode(&pkt, &p, &bins);
	json_object_put(bins);
	json_object_put(p.data);
	if (e == ERR_OK)
		e = HRTX("INSERT INTO rt_packet (sid, data) SELECT r.sid, $2 "
		    "FROM rt_room r JOIN rt_session s ON s.sid = r.sid "
		    "WHERE r.room = $1 AND s.seen >= $3 UNION "
		    "SELECT sid, $2 FROM rt_session WHERE sid = $1 "
		    "AND seen >= $3", DBV_TEXT(room), DBV_TEXT(buf_str(&pkt)),
		    DBV_INT(now_ms() - hrt_ping_interval() -
		    hrt_ping_timeout()));
	buf_free(&pkt);
	return e;
}

enum err
hrt_usage_record(const char *sid, const char *model)
{
	return HRTX("INSERT INTO rt_usage (sid, model, at) VALUES ($1, $2, $3) "
	    "ON CONFLICT (sid, model) DO UPDATE SET at = excluded.at",
	    DBV_TEXT(sid), DBV_TEXT(model), DBV_INT(now_ms()));
}

json_object *
hrt_usage_models(void)
{
	return hrt_column("SELECT DISTINCT model FROM rt_usage WHERE at >= $1 "
	    "ORDER BY model", now_ms() - HRT_USAGE_MS);
}

enum err
hrt_task_add(const char *task_id, const char *user_id, const char *chat_id,
    const char *spec)
{
	return HRTX("INSERT INTO rt_task (id, user_id, chat_id, pid, started, "
	    "spec) VALUES ($1, $2, $3, $4, $5, $6)", DBV_TEXT(task_id),
	    DBV_TEXT(user_id), DBV_TEXT(chat_id), DBV_INT(getpid()),
	    DBV_INT(now_ms()), DBV_TEXT(spec));
}

const char *
hrt_task_spec(struct arena *a, const char *task_id)
{
	struct db *db = hrt_db();
	struct db_res *res;

	if (db == NULL || DBQ(db, a, &res, "SELECT spec FROM rt_task WHERE "
	    "id = $1", DBV_TEXT(task_id)) != ERR_OK || res->nrows == 0)
		return NULL;
	return db_cell(res, 0, 0);
}

void
hrt_task_own(const char *task_id)
{
	HRTX("UPDATE rt_task SET pid = $2 WHERE id = $1", DBV_TEXT(task_id),
	    DBV_INT(getpid()));
}

void
hrt_task_remove(const char *task_id)
{
	HRTX("DELETE FROM rt_task WHERE id = $1", DBV_TEXT(task_id));
}

int
hrt_task_stopped(const char *task_id)
{
	/* stopped, or gone from the table (-1: no row) */
	return HRTI("SELECT coalesce((SELECT stop FROM rt_task WHERE id = $1), "
	    "-1)", DBV_TEXT(task_id)) != 0;
}

json_object *
hrt_task_list(void)
{
	json_object *out = json_object_new_array(), *o;
	struct db *db = hrt_db();
	struct db_res *res;
	struct arena *a;
	int i;

	if (db == NULL)
		return out;
	a = arena_new();
	if (DBQ0(db, a, &res, "SELECT id, user_id, chat_id, pid FROM rt_task "
	    "ORDER BY started") == ERR_OK)
		for (i = 0; i < res->nrows; i++) {
			/* a task whose process died (killed, crashed) */
			if (kill((pid_t)db_cell_int(res, i, 3), 0) != 0) {
				hrt_task_remove(db_cell(res, i, 0));
				continue;
			}
			o = json_object_new_object();
			json_object_object_add(o, "id",
			    json_object_new_string(db_cell(res, i, 0)));
			json_object_object_add(o, "user_id",
			    json_object_new_string(db_cell(res, i, 1)));
			json_object_object_add(o, "chat_id",
			    json_object_new_string(db_cell(res, i, 2)));
			json_object_array_add(out, o);
		}
	arena_free(a);
	return out;
}

enum err
hrt_task_stop(const char *task_id, const char *user_id, int admin)
{
	struct db *db = hrt_db();
	struct db_res *res;
	struct arena *a;
	enum err e;

	if (db == NULL)
		return ERR_DB;
	a = arena_new();
	e = DBQ(db, a, &res, "UPDATE rt_task SET stop = 1 WHERE id = $1 AND "
	    "($3 OR user_id = $2) RETURNING id", DBV_TEXT(task_id),
	    DBV_TEXT(user_id), DBV_BOOL(admin));
	if (e == ERR_OK && res->nrows == 0)
		e = ERR_NOTFOUND;
	arena_free(a);
	return e;
}

int
hrt_task_count(void)
{
	json_object *l = hrt_task_list();
	int n = (int)json_object_array_length(l);

	json_object_put(l);
	return n;
}
