"""The shared-hosting mode (README "Shared hosting"): Apache with mod_fcgid
spawning cwebui-fcgi through the wrapper and the .htaccess of
fcgi-conf/hosting.htaccess, no cwebui-streamd (fcgi-conf/run-hosting).
Socket.IO by long-polling served by the workers, the chat flow streamed
into chat-events, stop, the direct SSE stream, the task routes. Both
engines (SQLite is the hosting case)."""

import subprocess
import sys
import time

import pytest
import requests

from conftest import ENGINES, REPO_ROOT, Stack
from fakes import fake_provider  # noqa: F401
from sio import run_js, sio_connect  # noqa: F401
from test_chatflow import (contents, new_chat, start, wait_no_tasks,
                           wait_stored)
from test_main_models import connect
from workers import BAD, no_worker_crash  # noqa: F401

RUN_HOSTING = REPO_ROOT / "fcgi-conf" / "run-hosting"
REPLY = "Héllo wörld, 日本語 🎉 and some more words to stream"
POLLING = ("polling",)


class HostingStack(Stack):
    script = RUN_HOSTING


def _hosting_stack(request, root, engine):
    """A started run-hosting stack on engine, its data under root."""
    name = f"hosting-{engine}:{root.name}"
    # short pings: long polls end and pings go both ways within the tests
    env = {"MODELS_CACHE_TTL": "0", "WEBSOCKET_SERVER_PING_INTERVAL": "2",
           "WEBSOCKET_SERVER_PING_TIMEOUT": "2"}
    if engine == "sqlite":
        s = HostingStack(name, engine, root,
                         f"sqlite:///{root / 'data' / 'webui.db'}", env)
    else:
        pg = request.getfixturevalue("pg_cluster")
        db = pg.create_database()
        s = HostingStack(name, engine, root, pg.url(db), env, pg, db)
    try:
        s.start()
    except Exception as e:
        s.close()
        pytest.fail(str(e), pytrace=False)
    return s


@pytest.fixture(scope="module", params=ENGINES)
def stack(request, tmp_path_factory):
    """The module's stack: run-hosting instead of run-stack."""
    s = _hosting_stack(request, tmp_path_factory.mktemp(
        f"hosting-{request.param}-"), request.param)
    yield s
    s.close()


def public_model(stack, admin, fake, **knobs):
    fake.set(reset=True, models=["gpt-s"], **knobs)
    connect(stack, admin.token, openai=[fake])
    stack.post("/api/v1/models/create", token=admin.token, json={
        "id": "gpt-s", "name": "gpt-s", "base_model_id": None,
        "meta": {}, "params": {}, "access_control": None})


def wait_done(c, chat_id, aid, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        done = [e["data"]["data"] for e in
                c.chat_events(chat_id, aid, "chat:completion")
                if e["data"]["data"].get("done")]
        if done:
            return done[0]
        assert time.monotonic() < deadline, "no done event"
        time.sleep(0.05)


def test_served_through_apache_without_streamd(stack):
    r = stack.get("/health")
    assert r.status_code == 200 and r.json() == {"status": True}
    assert "mod_fcgid" in r.headers.get("Server", "")
    r = stack.get("/api/config")
    assert r.json()["features"]["enable_websocket"] is False
    # the wrapper and hidden files are not served
    assert stack.get("/cwebui.fcgi").status_code == 404
    assert stack.get("/.htaccess").status_code in (403, 404)
    # the single-page application falls back to index.html
    r = stack.get("/c/some-chat")
    assert r.status_code == 200 and "html" in r.headers["Content-Type"]


def test_websocket_transport_refused(stack):
    r = stack.get("/ws/socket.io/?EIO=4&transport=websocket")
    assert r.status_code == 400
    r = stack.get("/ws/socket.io/?EIO=3&transport=polling")
    assert r.status_code == 400
    r = stack.get("/ws/socket.io/?EIO=4&transport=polling&sid=nope")
    assert r.status_code == 400
    r = stack.get("/ws/socket.io/?EIO=4&transport=polling")
    assert r.status_code == 200 and r.text.startswith("0{")
    assert '"upgrades":[]' in r.text


def test_polling_user_join_and_usage(stack, users, sio_connect):
    c = sio_connect(stack, token=users.user.token, transports=POLLING)
    assert c.sid
    ans = c.user_join()
    assert ans["id"] == users.user.id
    c.emit("usage", {"model": "gpt-usage"})
    deadline = time.monotonic() + 10
    while True:
        r = stack.get("/api/usage", token=users.user.token)
        assert r.status_code == 200, r.text
        if "gpt-usage" in r.json()["model_ids"]:
            break
        assert time.monotonic() < deadline, r.json()
        time.sleep(0.05)
    assert users.user.id in r.json()["user_ids"]
    r = stack.get("/api/v1/users/active", token=users.user.token)
    assert users.user.id in r.json()["user_ids"]
    r = stack.get(f"/api/v1/users/{users.user.id}/active",
                  token=users.admin.token)
    assert r.json() == {"active": True}
    r = stack.get(f"/api/v1/users/{users.admin.id}/active",
                  token=users.user.token)
    assert r.json() == {"active": False}
    assert stack.get(f"/api/v1/users/{users.user.id}",
                     token=users.admin.token).json()["active"] is True
    # a bad token joins nobody
    bad = sio_connect(stack, transports=POLLING)
    assert bad.user_join(token="not-a-token") in (None, [], {})


def test_frontend_client_stays_on_polling(stack, users):
    # the frontend's own socket.io-client, as it connects when
    # enable_websocket is false; idle past pingInterval + pingTimeout
    r = run_js("sio_polling.mjs", stack.url,
               {"token": users.user.token, "wait_ms": 5000,
                "timeout_ms": 30000}, timeout=40)
    assert r["ok"], r
    assert r["transport"] == r["transport_after_wait"] == "polling"
    assert r["join"] == [{"id": users.user.id, "name": users.user.name}]
    assert r["binary_ack"] == []
    assert r["connected_after_wait"] is True


def test_chat_flow_streamed_into_events(stack, users, fake_provider,
                                        sio_connect):
    public_model(stack, users.admin, fake_provider, reply=REPLY,
                 split_bytes=3)
    tok = users.user.token
    c = sio_connect(stack, token=tok, transports=POLLING)
    c.user_join()
    chat_id, _, aid = new_chat(stack, tok, "gpt-s")
    start(stack, tok, c.sid, chat_id, aid, "gpt-s")
    final = wait_done(c, chat_id, aid)
    assert final["content"] == REPLY
    assert final["title"] == "New Chat"
    seen = contents(c, chat_id, aid)
    assert seen
    for a, b in zip(seen, seen[1:]):
        assert b.startswith(a), (a, b)
    m = wait_stored(stack, tok, chat_id, aid,
                    lambda m: m.get("content") == REPLY)
    assert m["done"] is True
    wait_no_tasks(stack, tok, chat_id)


def test_stop_and_task_routes(stack, users, fake_provider, sio_connect):
    public_model(stack, users.admin, fake_provider, reply=REPLY * 20,
                 chunk_delay_ms=100)
    tok = users.user.token
    c = sio_connect(stack, token=tok, transports=POLLING)
    c.user_join()
    chat_id, _, aid = new_chat(stack, tok, "gpt-s")
    task_id = start(stack, tok, c.sid, chat_id, aid, "gpt-s")
    r = stack.get(f"/api/tasks/chat/{chat_id}", token=tok)
    assert r.status_code == 200 and r.json()["task_ids"] == [task_id]
    assert task_id in stack.get("/api/tasks", token=tok).json()["tasks"]
    # the admin sees it too
    assert task_id in stack.get("/api/tasks",
                                token=users.admin.token).json()["tasks"]
    c.wait_chat_event("chat:completion", chat_id, aid, timeout=20)
    r = stack.post(f"/api/tasks/stop/{task_id}", token=tok)
    assert r.status_code == 200 and r.json()["status"] is True, r.text
    c.wait_chat_event("chat:tasks:cancel", chat_id, aid, timeout=20)
    wait_no_tasks(stack, tok, chat_id)
    r = stack.post(f"/api/tasks/stop/{task_id}", token=tok)
    assert r.json()["status"] is False
    m = wait_stored(stack, tok, chat_id, aid,
                    lambda m: m.get("content"))
    assert (REPLY * 20).startswith(m["content"])


def test_direct_sse_arrives_in_pieces(stack, users, fake_provider):
    public_model(stack, users.admin, fake_provider, reply=REPLY,
                 chunk_delay_ms=30)
    r = requests.post(stack.url + "/api/chat/completions", stream=True,
                      timeout=60, headers={
                          "Authorization": f"Bearer {users.user.token}"},
                      json={"model": "gpt-s", "stream": True, "messages": [
                          {"role": "user", "content": "hi"}]})
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/event-stream")
    pieces = [p for p in r.iter_content(chunk_size=None) if p]
    body = b"".join(pieces).decode()
    assert len(pieces) > 1, body
    assert body.rstrip().endswith("data: [DONE]")
    import json
    text = "".join(
        (json.loads(line[6:])["choices"][0]["delta"].get("content") or "")
        for line in body.splitlines()
        if line.startswith("data: {"))
    assert text == REPLY


def test_provider_proxies_stream(stack, users, fake_provider):
    fake_provider.set(reset=True, models=["gpt-s"], ollama_models=["llm:1"],
                      reply=REPLY, chunk_delay_ms=20)
    connect(stack, users.admin.token, openai=[fake_provider],
            ollama=[fake_provider])
    tok = users.admin.token
    r = requests.post(stack.url + "/ollama/api/chat", stream=True, timeout=60,
                      headers={"Authorization": f"Bearer {tok}"},
                      json={"model": "llm:1", "messages": [
                          {"role": "user", "content": "hi"}]})
    assert r.status_code == 200
    import json
    lines = [json.loads(x) for x in r.iter_lines() if x]
    assert len(lines) > 1 and lines[-1]["done"] is True
    assert "".join(x["message"]["content"] for x in lines) == REPLY
    r = requests.post(stack.url + "/openai/chat/completions", stream=True,
                      timeout=60, headers={"Authorization": f"Bearer {tok}"},
                      json={"model": "gpt-s", "stream": True, "messages": [
                          {"role": "user", "content": "hi"}]})
    assert r.status_code == 200
    assert r.text.rstrip().endswith("data: [DONE]")


def test_not_streamed_answer(stack, users, fake_provider):
    public_model(stack, users.admin, fake_provider, reply=REPLY)
    r = stack.post("/api/chat/completions", token=users.user.token,
                   json={"model": "gpt-s", "stream": False, "messages": [
                       {"role": "user", "content": "hi"}]})
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == REPLY


SMOKE = REPO_ROOT / "tests" / "smoke" / "smoke.py"


@pytest.mark.skipif(not SMOKE.is_file(), reason="tests/smoke/smoke.py is "
                    "not in this tree")
def test_smoke_suite_polling_only(stack, request, tmp_path_factory):
    # on a new installation of its own: the suite signs up the first admin
    s = _hosting_stack(request, tmp_path_factory.mktemp(
        f"hosting-smoke-{stack.engine}-"), stack.engine)
    try:
        p = subprocess.run([sys.executable, str(SMOKE), "--base-url", s.url,
                            "--polling-only"], capture_output=True,
                           text=True, timeout=300)
        with open(s.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
    finally:
        s.close()
    assert p.returncode == 0, p.stdout + p.stderr
    for bad in BAD:
        assert bad not in log, log[-3000:]
