"""cwebui-streamd killed (SIGKILL) while 20 chat answers stream: run-stack
starts it again, the Socket.IO clients reconnect (as socket.io-client does)
and work as before, every chat still holds what was saved before the kill
(a prefix of the answer, never half-written), and no task stays listed as
running, with and without Redis (with Redis the instance started again
takes the dead one's id, a hash of host name and listen address, and
clears its keys instead of leaving them listed until they expire).

What is left in the message matches Python when its process dies: the
content saved so far and no "done" (the frontend then offers regenerate on
that message once the chat has no task)."""

import os
import re
import signal
import time
import uuid

import pytest

from conftest import ENGINES, create_users
from fakes import fake_provider  # noqa: F401
from sio import sio_connect  # noqa: F401
from test_chatflow import new_chat, start, stored_message, wait_stored
from test_main_models import connect

STREAMS = 20
CLIENTS = 4
# 80 words at 60 ms: about 5 s per answer, the kill comes well before
REPLY = " ".join(f"w{i}" for i in range(80))
BAD = ("Sanitizer", "runtime error", "killed by signal")


def children(pid, name):
    """The pids of pid's children whose command name is name."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if ppid == pid and comm == name:
            out.append(int(d))
    return out


def streamd_pid(stack):
    pids = children(stack._proc.pid, "cwebui-streamd")
    assert len(pids) == 1, f"cwebui-streamd processes of {stack}: {pids}"
    return pids[0]


def wait_for(what, fn, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.1)


def streamd_back(stack, old_pid, token):
    """Waits until another cwebui-streamd answers GET /api/tasks."""
    def up():
        pids = children(stack._proc.pid, "cwebui-streamd")
        if not pids or pids == [old_pid]:
            return False
        r = stack.get("/api/tasks", token=token)
        return r.status_code == 200
    wait_for("cwebui-streamd back", up)


def log_since(stack, offset):
    with open(stack.log_path, "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def instances_logged(stack, n):
    """The Redis instance ids cwebui-streamd logged, once there are n."""
    with open(stack.log_path, encoding="utf-8", errors="replace") as f:
        ids = re.findall(r"connected to redis as instance (\S+)", f.read())
    return ids if len(ids) >= n else None


def killed_mid_stream(make_stack, fake, sio_connect, engine, redis=None):
    prefix = "t" + uuid.uuid4().hex[:8]     # this test's keys alone
    env = dict(REDIS_URL=redis.url, REDIS_KEY_PREFIX=prefix) if redis else {}
    fake.set(models=["gpt-k"], reply=REPLY, chunk_delay_ms=60)
    s = make_stack(engine, MODELS_CACHE_TTL="0", **env)
    users = create_users(s)
    tok = users.admin.token
    connect(s, tok, openai=[fake])
    clients = [sio_connect(s, token=tok, reconnection=True)
               for _ in range(CLIENTS)]
    for c in clients:
        c.user_join()
    chats = []
    for i in range(STREAMS):
        c = clients[i % CLIENTS]
        chat_id, _, aid = new_chat(s, tok, "gpt-k")
        start(s, tok, c.sid, chat_id, aid, "gpt-k")
        chats.append((c, chat_id, aid))
    assert len(s.get("/api/tasks", token=tok).json()["tasks"]) == STREAMS
    # every answer streaming and saved twice at least (the first chunk,
    # then a second or more later)
    saved = {}
    for c, chat_id, aid in chats:
        c.wait_chat_event("chat:completion", chat_id, aid, timeout=30)
        m = wait_stored(s, tok, chat_id, aid,
                        lambda m: len(m.get("content", "")) > len("w0 w1"),
                        timeout=30)
        saved[aid] = m["content"]
    offset = os.path.getsize(s.log_path)
    pid = streamd_pid(s)
    os.kill(pid, signal.SIGKILL)
    streamd_back(s, pid, tok)
    log = log_since(s, offset)
    assert log.count("cwebui-streamd exited with status") == 1, log
    for bad in BAD:
        assert bad not in log, log
    # the upstream streams died with it
    fake.wait_aborts(STREAMS, timeout=30)
    # the clients reconnect, with their auth, to the new instance
    for c in clients:
        c.wait_connects(2, timeout=30)
    if redis is not None:
        # the new instance took the old one's id and cleared its tasks
        ids = wait_for("the new instance in Redis",
                       lambda: instances_logged(s, 2))
        assert len(set(ids)) == 1, ids
        wait_for("the old tasks cleared", lambda: redis.command(
            "HLEN", f"{prefix}:streamd:tasks:{ids[0]}") == 0)
        assert redis.command("SMEMBERS", f"{prefix}:streamd:instances") \
            == [ids[0]]
    # no task left running, on either route
    wait_for("no task listed",
             lambda: s.get("/api/tasks", token=tok).json()["tasks"] == [])
    lost = 0
    for c, chat_id, aid in chats:
        assert s.get(f"/api/tasks/chat/{chat_id}",
                     token=tok).json() == {"task_ids": []}
        m = stored_message(s, tok, chat_id, aid)
        content = m.get("content", "")
        assert REPLY.startswith(content), content
        # what was saved before the kill is still there
        assert content.startswith(saved[aid]), (saved[aid], content)
        assert m.get("done") is not True, m
        lost += len(REPLY) - len(content)
    print(f"\n{engine} {'redis' if redis else 'local'}: {STREAMS} streams "
          f"killed, {lost} characters not generated, none lost")
    # a reconnected session gets a new answer as before
    fake.set(chunk_delay_ms=0, reply="after the restart")
    c = clients[0]
    chat_id, _, aid = new_chat(s, tok, "gpt-k")
    start(s, tok, c.sid, chat_id, aid, "gpt-k")
    done = c.wait("chat-events", lambda d: d.get("message_id") == aid and
                  (d["data"].get("data") or {}).get("done") is True,
                  timeout=30)
    assert done["data"]["data"]["content"] == "after the restart"
    m = wait_stored(s, tok, chat_id, aid, lambda m: m.get("done"))
    assert m["content"] == "after the restart"
    log = log_since(s, offset)
    for bad in BAD:
        assert bad not in log, log


@pytest.mark.parametrize("engine", ENGINES)
def test_streamd_killed_mid_stream(make_stack, fake_provider, sio_connect,
                                   engine):
    killed_mid_stream(make_stack, fake_provider, sio_connect, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_streamd_killed_mid_stream_redis(make_stack, redis_server,
                                         fake_provider, sio_connect, engine):
    killed_mid_stream(make_stack, fake_provider, sio_connect, engine,
                      redis_server)


def test_restarted_again_after_repeated_deaths(make_stack):
    """Back-off: three kills in a row, and it still comes back."""
    s = make_stack(ENGINES[0])
    tok = create_users(s, prefix=uuid.uuid4().hex[:6]).admin.token
    for _ in range(3):
        pid = streamd_pid(s)
        os.kill(pid, signal.SIGKILL)
        streamd_back(s, pid, tok)
    assert s.alive()
