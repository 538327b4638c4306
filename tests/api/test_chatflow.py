"""The chat flow of the frontend through cwebui-streamd (frontend-realtime
section 6): POST /api/chat/completions with session_id, chat_id and id is
answered {status, task_id} at once; the answer arrives as chat-events over
Socket.IO and is saved into the chat; stop, tasks of other users, a client
that goes away. Both engines, the fake provider as the model."""

import time
import uuid

import pytest

from fakes import fake_provider  # noqa: F401
from sio import sio_connect  # noqa: F401
from test_main_models import connect
from workers import no_worker_crash  # noqa: F401

pytestmark = pytest.mark.stack_env(MODELS_CACHE_TTL="0")

REPLY = "Héllo wörld, 日本語 🎉 and some more words to stream"


def new_chat(stack, token, model):
    """A chat as the frontend writes it before a completion: the user
    message and an empty assistant message. Returns (chat_id, user message
    id, assistant message id, messages)."""
    uid, aid = str(uuid.uuid4()), str(uuid.uuid4())
    now = int(time.time())
    msgs = {
        uid: {"id": uid, "parentId": None, "childrenIds": [aid],
              "role": "user", "content": "Say something",
              "timestamp": now, "models": [model]},
        aid: {"id": aid, "parentId": uid, "childrenIds": [],
              "role": "assistant", "content": "", "model": model,
              "modelName": model, "modelIdx": 0, "timestamp": now},
    }
    r = stack.post("/api/v1/chats/new", token=token, json={"chat": {
        "id": "", "title": "New Chat", "models": [model], "params": {},
        "history": {"messages": msgs, "currentId": aid},
        "messages": [msgs[uid], msgs[aid]], "tags": [],
        "timestamp": now * 1000}})
    assert r.status_code == 200, r.text
    return r.json()["id"], uid, aid


def start(stack, token, sid, chat_id, msg_id, model, **extra):
    body = {"stream": True, "model": model,
            "messages": [{"role": "user", "content": "Say something"}],
            "params": {}, "session_id": sid, "chat_id": chat_id,
            "id": msg_id, "features": {}, "variables": {}}
    body.update(extra)
    r = stack.post("/api/chat/completions", token=token, json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["status"] is True and data["task_id"], data
    return data["task_id"]


def begin(stack, users, fake, sio_connect, tok, **knobs):
    """The fake (model gpt-s) with knobs behind the OpenAI connection, a
    socket of tok's user after user-join, and a new chat. Returns (socket
    client, chat id, assistant message id)."""
    fake.set(reset=True, models=["gpt-s"], **knobs)
    connect(stack, users.admin.token, openai=[fake])
    c = sio_connect(stack, token=tok)
    c.user_join()
    chat_id, _, aid = new_chat(stack, tok, "gpt-s")
    return c, chat_id, aid


def stored_message(stack, token, chat_id, msg_id):
    r = stack.get(f"/api/v1/chats/{chat_id}", token=token)
    assert r.status_code == 200, r.text
    return r.json()["chat"]["history"]["messages"][msg_id]


def wait_no_tasks(stack, token, chat_id, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = stack.get(f"/api/tasks/chat/{chat_id}", token=token)
        assert r.status_code == 200, r.text
        if r.json()["task_ids"] == []:
            return
        time.sleep(0.05)
    raise AssertionError(f"tasks of chat {chat_id} still running")


def wait_stored(stack, token, chat_id, msg_id, pred, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        m = stored_message(stack, token, chat_id, msg_id)
        if pred(m):
            return m
        if time.monotonic() > deadline:
            raise AssertionError(f"stored message never matched: {m}")
        time.sleep(0.05)


def contents(client, chat_id, msg_id):
    """The content values of the chat:completion events, in order."""
    return [e["data"]["data"]["content"]
            for e in client.chat_events(chat_id, msg_id, "chat:completion")
            if "content" in (e["data"].get("data") or {})
            and not e["data"]["data"].get("done")]


def test_streamed_chat_saved_and_events_in_order(stack, users, fake_provider,
                                                 sio_connect):
    fake_provider.set(models=["gpt-s"], reply=REPLY, split_bytes=3)
    connect(stack, users.admin.token, openai=[fake_provider])
    tok = users.user.token
    # the model is the admin's: make it public for the user
    stack.post("/api/v1/models/create", token=users.admin.token, json={
        "id": "gpt-s", "name": "gpt-s", "base_model_id": None,
        "meta": {}, "params": {}, "access_control": None})
    c = sio_connect(stack, token=tok)
    c.user_join()
    chat_id, _, aid = new_chat(stack, tok, "gpt-s")
    start(stack, tok, c.sid, chat_id, aid, "gpt-s")
    done = c.wait_chat_event("chat:completion", chat_id, aid,
                             timeout=20)
    deadline = time.monotonic() + 20
    while not any(e["data"]["data"].get("done") for e in
                  c.chat_events(chat_id, aid, "chat:completion")):
        assert time.monotonic() < deadline, "no done event"
        time.sleep(0.05)
    final = [e["data"]["data"] for e in
             c.chat_events(chat_id, aid, "chat:completion")
             if e["data"]["data"].get("done")][0]
    assert final["content"] == REPLY
    assert final["title"] == "New Chat"
    seen = contents(c, chat_id, aid)
    assert seen, done
    for a, b in zip(seen, seen[1:]):
        assert b.startswith(a), (a, b)
    assert seen[-1] == REPLY
    m = wait_stored(stack, tok, chat_id, aid,
                    lambda m: m.get("content") == REPLY)
    assert m["done"] is True
    assert m["model"] == "gpt-s"
    wait_no_tasks(stack, tok, chat_id)


def test_stop_mid_stream(stack, users, fake_provider, sio_connect):
    tok = users.admin.token
    c, chat_id, aid = begin(stack, users, fake_provider, sio_connect, tok,
                            reply=REPLY, hang_after_chunks=4)
    task_id = start(stack, tok, c.sid, chat_id, aid, "gpt-s")
    r = stack.get(f"/api/tasks/chat/{chat_id}", token=tok)
    assert r.json() == {"task_ids": [task_id]}
    assert task_id in stack.get("/api/tasks", token=tok).json()["tasks"]
    deadline = time.monotonic() + 10
    # the fake sends the role chunk and three words, then stalls
    partial = "Héllo wörld, 日本語"
    while not contents(c, chat_id, aid) or \
            contents(c, chat_id, aid)[-1] != partial:
        assert time.monotonic() < deadline, c.events
        time.sleep(0.05)
    r = stack.post(f"/api/tasks/stop/{task_id}", token=tok)
    assert r.status_code == 200, r.text
    assert r.json()["status"] is True
    aborts = fake_provider.wait_aborts(1)
    assert aborts[0]["path"] == "/v1/chat/completions"
    c.wait_chat_event("chat:tasks:cancel", chat_id, aid)
    wait_stored(stack, tok, chat_id, aid,
                lambda m: m.get("content") == partial)
    assert stack.get(f"/api/tasks/chat/{chat_id}",
                     token=tok).json() == {"task_ids": []}
    r = stack.post(f"/api/tasks/stop/{task_id}", token=tok)
    assert r.json()["status"] is False


def test_client_gone_answer_still_saved(stack, users, fake_provider,
                                        sio_connect):
    tok = users.admin.token
    c, chat_id, aid = begin(stack, users, fake_provider, sio_connect, tok,
                            reply=REPLY, chunk_delay_ms=30)
    start(stack, tok, c.sid, chat_id, aid, "gpt-s")
    c.wait_chat_event("chat:completion", chat_id, aid)
    c.disconnect()
    wait_stored(stack, tok, chat_id, aid,
                lambda m: m.get("content") == REPLY and m.get("done"))
    assert fake_provider.aborts() == []


def test_tasks_and_events_of_another_user(stack, users, fake_provider,
                                          sio_connect):
    fake_provider.set(reset=True, models=["gpt-s"], reply=REPLY,
                      hang_after_chunks=2)
    connect(stack, users.admin.token, openai=[fake_provider])
    a, b = users.admin.token, users.user.token
    ca = sio_connect(stack, token=a)
    ca.user_join()
    cb = sio_connect(stack, token=b)
    cb.user_join()
    chat_id, _, aid = new_chat(stack, a, "gpt-s")
    task_id = start(stack, a, ca.sid, chat_id, aid, "gpt-s")
    ca.wait_chat_event("chat:completion", chat_id, aid)
    assert task_id not in stack.get("/api/tasks", token=b).json()["tasks"]
    assert stack.get(f"/api/tasks/chat/{chat_id}",
                     token=b).json() == {"task_ids": []}
    r = stack.post(f"/api/tasks/stop/{task_id}", token=b)
    assert r.status_code == 200 and r.json()["status"] is False
    assert task_id in stack.get("/api/tasks", token=a).json()["tasks"]
    assert cb.chat_events() == []
    r = stack.post(f"/api/tasks/stop/{task_id}", token=a)
    assert r.json()["status"] is True
    ca.wait_chat_event("chat:tasks:cancel", chat_id, aid)
    assert cb.chat_events() == []


def test_task_routes_need_a_user(stack, users):
    for method, path in (("GET", "/api/tasks"), ("GET", "/api/usage"),
                         ("GET", "/api/tasks/chat/x"),
                         ("POST", "/api/tasks/stop/x")):
        r = stack.request(method, path)
        assert r.status_code == 401, (path, r.text)
        r = stack.request(method, path, token=users.pending.token)
        assert r.status_code == 401, (path, r.text)
    r = stack.post("/api/tasks", token=users.user.token)
    assert r.status_code == 405
    assert r.json() == {"detail": "Method Not Allowed"}


def test_usage_lists_active_users(stack, users, sio_connect):
    c = sio_connect(stack, token=users.user.token)
    c.user_join()
    r = stack.get("/api/usage", token=users.user.token)
    assert r.status_code == 200, r.text
    assert users.user.id in r.json()["user_ids"]
    tok = users.admin.token
    assert users.user.id in stack.get("/api/v1/users/active",
                                      token=tok).json()["user_ids"]
    assert stack.get(f"/api/v1/users/{users.user.id}/active",
                     token=tok).json() == {"active": True}
    assert stack.get(f"/api/v1/users/{users.pending.id}/active",
                     token=tok).json() == {"active": False}
    assert stack.get("/api/v1/users/active").status_code == 401
    c.emit("usage", {"action": "chat", "model": "gpt-s", "chat_id": "x"})
    deadline = time.monotonic() + 5
    while "gpt-s" not in stack.get("/api/usage", token=users.user.token
                                   ).json()["model_ids"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_upstream_error_reaches_the_message(stack, users, fake_provider,
                                            sio_connect):
    tok = users.admin.token
    c, chat_id, aid = begin(stack, users, fake_provider, sio_connect, tok,
                            fail_status={"/chat/completions": 500},
                            fail_body='{"error": {"message": "boom"}}')
    start(stack, tok, c.sid, chat_id, aid, "gpt-s")
    ev = c.wait_chat_event("chat:message:error", chat_id, aid)
    assert ev["data"]["data"]["error"]["content"] == {"message": "boom"}
    m = wait_stored(stack, tok, chat_id, aid, lambda m: m.get("error"))
    assert m["error"] == {"content": {"message": "boom"}}


def test_background_title_tags_follow_ups(stack, users, fake_provider,
                                          sio_connect):
    reply = ('{"title": "Greetings", "tags": ["Chat", "Hello"], '
             '"follow_ups": ["And then?"]}')
    tok = users.admin.token
    c, chat_id, aid = begin(stack, users, fake_provider, sio_connect, tok,
                            reply=reply)
    start(stack, tok, c.sid, chat_id, aid, "gpt-s", background_tasks={
        "title_generation": True, "tags_generation": True,
        "follow_up_generation": True})
    ev = c.wait_chat_event("chat:message:follow_ups", chat_id, aid,
                           timeout=20)
    assert ev["data"]["data"] == {"follow_ups": ["And then?"]}
    ev = c.wait_chat_event("chat:title", chat_id, aid, timeout=20)
    assert ev["data"]["data"] == "Greetings"
    c.wait_chat_event("chat:tags", chat_id, aid, timeout=20)
    names = [e["data"]["type"] for e in c.chat_events(chat_id, aid)]
    done = [i for i, e in enumerate(c.chat_events(chat_id, aid))
            if isinstance(e["data"].get("data"), dict)
            and e["data"]["data"].get("done") is True][0]
    assert done < names.index("chat:message:follow_ups") < \
        names.index("chat:title") < names.index("chat:tags")
    r = stack.get(f"/api/v1/chats/{chat_id}", token=tok)
    assert r.json()["title"] == "Greetings"
    m = r.json()["chat"]["history"]["messages"][aid]
    assert m["followUps"] == ["And then?"]
    tags = stack.get(f"/api/v1/chats/{chat_id}/tags", token=tok).json()
    assert sorted(t["name"] for t in tags) == ["Chat", "Hello"]
    wait_no_tasks(stack, tok, chat_id)


def test_webhook_when_no_session_left(stack, users, fake_provider,
                                      sio_connect):
    """The user closed the browser before the answer ended: their own
    webhook gets the notification, as in Python."""
    fake_provider.set(reset=True, models=["gpt-s"], reply=REPLY,
                      chunk_delay_ms=20)
    connect(stack, users.admin.token, openai=[fake_provider])
    tok = users.user.token
    stack.post("/api/v1/models/create", token=users.admin.token, json={
        "id": "gpt-s", "name": "gpt-s", "base_model_id": None,
        "meta": {}, "params": {}, "access_control": None})
    r = stack.post("/api/v1/users/user/settings/update", token=tok, json={
        "ui": {"notifications": {"webhook_url": fake_provider.url +
                                 "/hook"}}})
    assert r.status_code == 200, r.text
    c = sio_connect(stack, token=tok)
    c.user_join()
    chat_id, _, aid = new_chat(stack, tok, "gpt-s")
    start(stack, tok, c.sid, chat_id, aid, "gpt-s")
    c.wait_chat_event("chat:completion", chat_id, aid)
    c.disconnect()
    deadline = time.monotonic() + 20
    while not fake_provider.requests("/hook"):
        assert time.monotonic() < deadline, "no webhook call"
        time.sleep(0.05)
    body = fake_provider.requests("/hook")[0]["body"]
    assert body == {"action": "chat", "message": REPLY,
                    "title": "New Chat", "url": f"/c/{chat_id}"}


@pytest.mark.parametrize("stream", [True, False])
def test_arena_pick_reaches_the_message(stack, users, fake_provider,
                                        sio_connect, stream):
    tok = users.admin.token
    c, chat_id, aid = begin(stack, users, fake_provider, sio_connect, tok,
                            reply=REPLY)
    stack.delete("/api/v1/models/delete/all", token=tok)
    start(stack, tok, c.sid, chat_id, aid, "arena-model", stream=stream)
    ev = c.wait("chat-events", lambda d: d.get("message_id") == aid and
                isinstance(d["data"].get("data"), dict) and
                "selected_model_id" in d["data"]["data"], timeout=20)
    assert ev["data"]["data"]["selected_model_id"] == "gpt-s"
    m = wait_stored(stack, tok, chat_id, aid,
                    lambda m: m.get("content") == REPLY)
    assert m["selectedModelId"] == "gpt-s"


def test_delta_chunk_size_batches_events(stack, users, fake_provider,
                                         sio_connect):
    tok = users.admin.token
    c, chat_id, aid = begin(stack, users, fake_provider, sio_connect, tok,
                            reply=REPLY)
    start(stack, tok, c.sid, chat_id, aid, "gpt-s",
          params={"stream_delta_chunk_size": 1000})
    c.wait("chat-events", lambda d: d.get("message_id") == aid and
           isinstance(d["data"].get("data"), dict) and
           d["data"]["data"].get("done") is True, timeout=20)
    assert contents(c, chat_id, aid) == [REPLY]


def test_think_tags_become_a_reasoning_block(stack, users, fake_provider,
                                             sio_connect):
    """<think>...</think> inside the streamed text (DeepSeek-R1 through
    Ollama) is stored as Python stores it: a reasoning details block, then
    the answer; while it streams the block shows as not done."""
    tok = users.admin.token
    c, chat_id, aid = begin(stack, users, fake_provider, sio_connect, tok,
                            reply="<think>Let me see</think>The answer",
                            split_bytes=3)
    start(stack, tok, c.sid, chat_id, aid, "gpt-s")
    want = ('<details type="reasoning" done="true" duration="0">\n'
            '<summary>Thought for 0 seconds</summary>\n'
            '> Let me see\n</details>\nThe answer')
    m = wait_stored(stack, tok, chat_id, aid, lambda m: m.get("done"),
                    timeout=20)
    assert m["content"] == want
    seen = contents(c, chat_id, aid)
    assert ('<details type="reasoning" done="false">\n'
            '<summary>Thinking\u2026</summary>\n> Let me\n</details>'
            ) in seen, seen
    assert seen[-1] == want


@pytest.mark.parametrize("tags,want", [
    (False, "<think>Let me see</think>The [[answer]]"),
    (["[[", "]]"], '<think>Let me see</think>The\n<details type="reasoning" '
     'done="true" duration="0">\n<summary>Thought for 0 seconds</summary>\n'
     '> answer\n</details>')])
def test_reasoning_tags_param(stack, users, fake_provider, sio_connect, tags,
                              want):
    """params.reasoning_tags false turns the detection off; a pair of
    strings replaces the default tags."""
    tok = users.admin.token
    c, chat_id, aid = begin(stack, users, fake_provider, sio_connect, tok,
                            reply="<think>Let me see</think>The [[answer]]")
    start(stack, tok, c.sid, chat_id, aid, "gpt-s",
          params={"reasoning_tags": tags})
    m = wait_stored(stack, tok, chat_id, aid, lambda m: m.get("done"),
                    timeout=20)
    assert m["content"] == want
