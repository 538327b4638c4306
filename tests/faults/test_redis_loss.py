"""Redis taken away under load from two hosts (two stacks on one database,
joined by Redis): nothing dies, answers that stream meanwhile are finished
and saved, sessions keep receiving the events of tasks on their own host,
the task routes answer; when Redis is back (same socket) each instance
reconnects, cross-host delivery resumes and no task that ended during the
outage stays listed (Redis comes back with its data, as a persistent one
or one behind a network cut would)."""

import os
import time
import uuid

import pytest

from conftest import ENGINES, create_users
from fakes import fake_provider  # noqa: F401
from sio import sio_connect  # noqa: F401
from test_chatflow import new_chat, start, wait_stored
from test_streamd_death import BAD, instances_logged, log_since, wait_for

REPLY = " ".join(f"r{i}" for i in range(40))
STREAMS = 6


def done_event(client, aid, timeout=30):
    return client.wait(
        "chat-events", lambda d: d.get("message_id") == aid and
        (d["data"].get("data") or {}).get("done") is True, timeout=timeout)


def subscribers(redis, channel):
    return redis.command("PUBSUB", "NUMSUB", channel)[1]


@pytest.mark.parametrize("engine", ENGINES)
def test_redis_stopped_and_back(make_stack, redis_server, fake_provider,
                                sio_connect, engine):
    prefix = "t" + uuid.uuid4().hex[:8]
    channel = f"{prefix}:streamd:events"
    env = dict(REDIS_URL=redis_server.url, REDIS_KEY_PREFIX=prefix,
               MODELS_CACHE_TTL="0", ENABLE_OLLAMA_API="false",
               OPENAI_API_BASE_URLS=fake_provider.openai_base,
               OPENAI_API_KEYS="")
    fake_provider.set(models=["gpt-r"], reply=REPLY, chunk_delay_ms=50)
    a = make_stack(engine, **env)
    users = create_users(a)
    b = make_stack.twin(a, **env)
    tok = users.admin.token
    ca = sio_connect(a, token=tok)
    ca.user_join()
    cb = sio_connect(b, token=tok)
    cb.user_join()
    wait_for("both instances subscribed",
             lambda: subscribers(redis_server, channel) == 2)
    offsets = {s: os.path.getsize(s.log_path) for s in (a, b)}

    # answers streaming on both hosts when Redis goes
    running = []
    for i in range(STREAMS):
        host, c = (a, ca) if i % 2 == 0 else (b, cb)
        chat_id, _, aid = new_chat(a, tok, "gpt-r")
        start(host, tok, c.sid, chat_id, aid, "gpt-r")
        running.append((host, c, chat_id, aid))
    for host, c, chat_id, aid in running:
        c.wait_chat_event("chat:completion", chat_id, aid, timeout=30)
    # a Redis that keeps its data (as a persistent one does, or across a
    # network cut): what the instances wrote is there when it is back
    redis_server.command("SAVE")
    redis_server.stop()
    try:
        # every answer finishes, is saved, and its own host's session
        # receives it to the end
        for host, c, chat_id, aid in running:
            assert done_event(c, aid)["data"]["data"]["content"] == REPLY
            wait_stored(a, tok, chat_id, aid,
                        lambda m: m.get("done") and m["content"] == REPLY)
        # new answers, during the outage, on each host for its sessions
        fake_provider.set(chunk_delay_ms=0)
        during = {}
        for host, c in ((a, ca), (b, cb)):
            chat_id, _, aid = new_chat(a, tok, "gpt-r")
            start(host, tok, c.sid, chat_id, aid, "gpt-r")
            assert done_event(c, aid)["data"]["data"]["content"] == REPLY
            during[host] = chat_id
        for host in (a, b):
            r = host.get("/api/tasks", token=tok)
            assert r.status_code == 200 and r.json() == {"tasks": []}, r.text
            r = host.get("/api/usage", token=tok)
            assert r.status_code == 200, r.text
            assert host.alive()
    finally:
        redis_server.start()
        (redis_server.dir / "dump.rdb").unlink(missing_ok=True)

    # each instance connects again and subscribes again
    for host in (a, b):
        wait_for("reconnected", lambda: instances_logged(host, 2))
    wait_for("both instances subscribed again",
             lambda: subscribers(redis_server, channel) == 2)
    # cross-host delivery: a session on a, the task on b, and back
    for session_host, c, task_host in ((a, ca, b), (b, cb, a)):
        chat_id, _, aid = new_chat(a, tok, "gpt-r")
        start(task_host, tok, c.sid, chat_id, aid, "gpt-r")
        assert done_event(c, aid)["data"]["data"]["content"] == REPLY
    # nothing that ended meanwhile is listed, from either host
    for host in (a, b):
        assert host.get("/api/tasks", token=tok).json() == {"tasks": []}
        for chat_id in during.values():
            assert host.get(f"/api/tasks/chat/{chat_id}", token=tok).json() \
                == {"task_ids": []}
    # a task running on b is seen and stopped from a again
    fake_provider.set(hang_after_chunks=3)
    chat_id, _, aid = new_chat(a, tok, "gpt-r")
    task_id = start(b, tok, cb.sid, chat_id, aid, "gpt-r")
    ca.wait_chat_event("chat:completion", chat_id, aid, timeout=30)
    assert a.get(f"/api/tasks/chat/{chat_id}", token=tok).json() == \
        {"task_ids": [task_id]}
    r = a.post(f"/api/tasks/stop/{task_id}", token=tok)
    assert r.json()["status"] is True
    fake_provider.wait_aborts(1)
    wait_for("the stopped task gone", lambda: a.get(
        f"/api/tasks/chat/{chat_id}", token=tok).json()["task_ids"] == [])
    for s in (a, b):
        log = log_since(s, offsets[s])
        assert "exited with status" not in log, log
        for bad in BAD:
            assert bad not in log, log
        assert "redis connection lost" in log
    print(f"\n{engine}: Redis stopped with {STREAMS} answers streaming, "
          f"all finished and saved; cross-host delivery back")
