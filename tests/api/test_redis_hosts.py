"""Two hosts of one installation (two stacks, each with lighttpd,
cwebui-fcgi and cwebui-streamd, on the same database and secret key) joined
by Redis: a session on one host receives the events of a chat task that runs
on the other, and a task is stopped from either host."""

import time

import pytest

from conftest import ENGINES, create_users
from fakes import fake_provider  # noqa: F401
from sio import sio_connect  # noqa: F401
from test_chatflow import REPLY, new_chat, start, wait_stored


def hosts(make_stack, redis_server, fake, engine):
    env = dict(REDIS_URL=redis_server.url, MODELS_CACHE_TTL="0",
               ENABLE_OLLAMA_API="false",
               OPENAI_API_BASE_URLS=fake.openai_base, OPENAI_API_KEYS="")
    a = make_stack(engine, **env)
    users = create_users(a)
    b = make_stack.twin(a, **env)
    return a, b, users


@pytest.mark.parametrize("engine", ENGINES)
def test_events_cross_hosts(make_stack, redis_server, fake_provider,
                            sio_connect, engine):
    fake_provider.set(models=["gpt-h"], reply=REPLY)
    a, b, users = hosts(make_stack, redis_server, fake_provider, engine)
    tok = users.admin.token
    c = sio_connect(a, token=tok)          # the browser talks to host a
    c.user_join()
    chat_id, _, aid = new_chat(a, tok, "gpt-h")
    start(b, tok, c.sid, chat_id, aid, "gpt-h")     # the task runs on b
    done = c.wait(
        "chat-events", lambda d: d.get("message_id") == aid and
        (d["data"].get("data") or {}).get("done") is True, timeout=20)
    assert done["data"]["data"]["content"] == REPLY
    wait_stored(a, tok, chat_id, aid, lambda m: m.get("content") == REPLY)


@pytest.mark.parametrize("engine", ENGINES)
def test_stop_from_the_other_host(make_stack, redis_server, fake_provider,
                                  sio_connect, engine):
    fake_provider.set(models=["gpt-h"], reply=REPLY, hang_after_chunks=3)
    a, b, users = hosts(make_stack, redis_server, fake_provider, engine)
    tok = users.admin.token
    c = sio_connect(a, token=tok)
    c.user_join()
    chat_id, _, aid = new_chat(a, tok, "gpt-h")
    task_id = start(b, tok, c.sid, chat_id, aid, "gpt-h")
    c.wait_chat_event("chat:completion", chat_id, aid, timeout=20)
    # a reload on host a finds the task of host b (the Stop button)
    for host in (a, b):
        r = host.get(f"/api/tasks/chat/{chat_id}", token=tok)
        assert r.json() == {"task_ids": [task_id]}
        assert task_id in host.get("/api/tasks", token=tok).json()["tasks"]
        assert host.get(f"/api/tasks/chat/{chat_id}",
                        token=users.user.token).json() == {"task_ids": []}
    # another user's stop request reaches b and is refused there
    r = a.post(f"/api/tasks/stop/{task_id}", token=users.user.token)
    assert r.status_code == 200 and r.json()["status"] is True
    time.sleep(0.5)
    assert fake_provider.aborts() == []
    r = a.post(f"/api/tasks/stop/{task_id}", token=tok)
    assert r.json() == {"status": True,
                        "message": f"Stop signal sent for {task_id}"}
    fake_provider.wait_aborts(1)
    c.wait_chat_event("chat:tasks:cancel", chat_id, aid)
    assert len(fake_provider.aborts()) == 1
    deadline = time.monotonic() + 10
    while a.get(f"/api/tasks/chat/{chat_id}", token=tok).json()[
            "task_ids"]:
        assert time.monotonic() < deadline, "the task stays listed"
        time.sleep(0.05)


@pytest.mark.parametrize("engine", ENGINES)
def test_presence_seen_from_the_other_host(make_stack, redis_server,
                                           fake_provider, sio_connect,
                                           engine):
    fake_provider.set(models=["gpt-h"])
    a, b, users = hosts(make_stack, redis_server, fake_provider, engine)
    tok = users.admin.token
    uid = users.user.id
    c = sio_connect(a, token=users.user.token)
    c.user_join()
    for host in (a, b):
        assert uid in host.get("/api/v1/users/active",
                               token=tok).json()["user_ids"]
        assert host.get(f"/api/v1/users/{uid}/active",
                        token=tok).json() == {"active": True}
        assert uid in host.get("/api/usage", token=tok).json()["user_ids"]
    c.disconnect()
    deadline = time.monotonic() + 10
    while b.get(f"/api/v1/users/{uid}/active", token=tok).json()["active"]:
        assert time.monotonic() < deadline, "still active on b"
        time.sleep(0.05)
