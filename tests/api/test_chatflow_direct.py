"""Direct connections in the chat flow (frontend-realtime section 6.5): the
model is one of the user's own connections (model_item.direct), so the
backend asks the user's browser session to run the completion with
request:chat:completion and an ack; the test's Socket.IO client plays the
browser. Both engines."""

import json
import threading
import time

import pytest

from sio import sio_connect  # noqa: F401
from test_chatflow import (contents, new_chat, start, stored_message,
                           wait_no_tasks, wait_stored)
from workers import no_worker_crash  # noqa: F401

pytestmark = pytest.mark.stack_env(MODELS_CACHE_TTL="0")

MODEL = "direct.gpt-d"
ITEM = {"id": MODEL, "name": "gpt-d", "object": "model", "created": 1,
        "owned_by": "openai", "direct": True, "urlIdx": 0,
        "connection_type": "external", "tags": []}
WORDS = ["Hello", " direct", " world"]


def chunk(text):
    return "data: " + json.dumps({
        "id": "c1", "object": "chat.completion.chunk", "model": "gpt-d",
        "choices": [{"index": 0, "delta": {"content": text},
                     "finish_reason": None}]})


class Browser:
    """A session that answers request:chat:completion with ack(data) and
    then runs then(channel, data) in a thread, as the frontend does after
    its callback."""

    def __init__(self, client, ack, then=None):
        self.c = client
        self.requests = []
        self.done = threading.Event()
        self._ack, self._then = ack, then
        client.ack_with(self._on)

    def _on(self, event, data):
        if event != "chat-events" or not isinstance(data, dict) or \
                (data.get("data") or {}).get("type") != \
                "request:chat:completion":
            return None
        d = data["data"]["data"]
        self.requests.append(d)
        if self._then is not None:
            def later():
                time.sleep(0.2)
                self._then(d["channel"], d)
                self.done.set()
            threading.Thread(target=later, daemon=True).start()
        return self._ack(d)


def joined(stack, sio_connect, token):
    c = sio_connect(stack, token=token)
    c.user_join()
    return c


def ask(stack, tok, c, ack, then=None, **extra):
    """A chat of tok's user whose completion runs in c's session (a
    Browser with ack and then). Returns (browser, chat id, assistant
    message id, task id)."""
    b = Browser(c, ack, then)
    chat_id, _, aid = new_chat(stack, tok, MODEL)
    task_id = start(stack, tok, c.sid, chat_id, aid, MODEL, model_item=ITEM,
                    **extra)
    return b, chat_id, aid, task_id


def emit_words(c, words=WORDS, done=True):
    def run(channel, _):
        for w in words:
            c.emit(channel, chunk(w))
            time.sleep(0.05)
        if done:
            c.emit(channel, {"done": True})
    return run


def final_event(c, chat_id, aid, timeout=20):
    return c.wait("chat-events", lambda d: d.get("message_id") == aid and
                  isinstance(d["data"].get("data"), dict) and
                  d["data"]["data"].get("done") is True,
                  timeout=timeout)["data"]["data"]


def test_streamed_direct_completion(stack, users, sio_connect):
    tok = users.user.token
    c = joined(stack, sio_connect, tok)
    b, chat_id, aid, _ = ask(
        stack, tok, c, lambda d: {"status": True}, emit_words(c),
        params={"temperature": 0.5},
        messages=[{"role": "system", "content": "Be {{USER_NAME}}"},
                  {"role": "user", "content": "Say something"}])
    final = final_event(c, chat_id, aid)
    assert final["content"] == "Hello direct world"
    assert final["title"] == "New Chat"
    req = b.requests[0]
    assert req["session_id"] == c.sid
    assert req["model"] == ITEM
    assert req["channel"].startswith(f"{users.user.id}:{c.sid}:")
    form = req["form_data"]
    assert form["model"] == MODEL and form["stream"] is True
    assert form["temperature"] == 0.5
    # Python's apply_system_prompt_to_body: the templated prompt is put
    # before the message's own text
    assert form["messages"][0] == {
        "role": "system",
        "content": f"Be {users.user.name}\nBe {{{{USER_NAME}}}}"}
    for k in ("metadata", "chat_id", "id", "session_id", "model_item",
              "params", "features", "variables"):
        assert k not in form, k
    seen = contents(c, chat_id, aid)
    assert seen[-1] == "Hello direct world"
    for x, y in zip(seen, seen[1:]):
        assert y.startswith(x), (x, y)
    m = wait_stored(stack, tok, chat_id, aid,
                    lambda m: m.get("content") == "Hello direct world")
    assert m["done"] is True and m["model"] == MODEL
    wait_no_tasks(stack, tok, chat_id)


def test_non_streamed_direct_completion(stack, users, sio_connect):
    tok = users.user.token
    c = joined(stack, sio_connect, tok)
    answer = {"id": "x", "object": "chat.completion", "model": "gpt-d",
              "choices": [{"index": 0, "finish_reason": "stop",
                           "message": {"role": "assistant",
                                       "content": "Not streamed"}}]}
    b, chat_id, aid, _ = ask(stack, tok, c, lambda d: answer, stream=False)
    final = final_event(c, chat_id, aid)
    assert final["content"] == "Not streamed"
    assert b.requests[0]["form_data"]["stream"] is False
    m = wait_stored(stack, tok, chat_id, aid,
                    lambda m: m.get("content") == "Not streamed")
    assert m["done"] is True
    wait_no_tasks(stack, tok, chat_id)


@pytest.mark.parametrize("stream,ack,text", [
    (True, {"error": "no key"}, "{'error': 'no key'}"),
    (False, {"error": "no key"}, "no key"),
    (False, {"error": {"message": "bad"}}, "{'message': 'bad'}"),
])
def test_error_ack(stack, users, sio_connect, stream, ack, text):
    tok = users.user.token
    c = joined(stack, sio_connect, tok)

    def run(channel, _):
        c.emit(channel, {"done": True})
    b, chat_id, aid, _ = ask(stack, tok, c, lambda d: ack, run,
                             stream=stream)
    assert b.done.wait(5)
    ev = c.wait_chat_event("chat:message:error", chat_id, aid)
    assert ev["data"]["data"] == {"error": {"content": text}}
    c.wait_chat_event("chat:tasks:cancel", chat_id, aid)
    m = wait_stored(stack, tok, chat_id, aid, lambda m: m.get("error"))
    assert m["error"] == {"content": text}
    assert m["content"] == ""
    wait_no_tasks(stack, tok, chat_id)


def test_other_session_on_the_channel_is_ignored(stack, users,
                                                 sio_connect):
    tok = users.user.token
    c = joined(stack, sio_connect, tok)
    other = joined(stack, sio_connect, tok)
    intruder = joined(stack, sio_connect, users.admin.token)

    def run(channel, _):
        for s in (other, intruder):
            s.emit(channel, chunk("EVIL"))
            s.emit(channel, {"done": True})
        time.sleep(0.3)
        emit_words(c)(channel, _)
    b, chat_id, aid, _ = ask(stack, tok, c, lambda d: {"status": True}, run)
    final = final_event(c, chat_id, aid)
    assert final["content"] == "Hello direct world"
    assert len(b.requests) == 1
    assert [e for e in other.chat_events(type="request:chat:completion")] \
        == []
    m = wait_stored(stack, tok, chat_id, aid, lambda m: m.get("done"))
    assert m["content"] == "Hello direct world"


def test_session_of_another_user_is_not_asked(stack, users, sio_connect):
    tok = users.user.token
    c = joined(stack, sio_connect, tok)
    theirs = joined(stack, sio_connect, users.admin.token)
    b, chat_id, aid, _ = ask(stack, tok, theirs, lambda d: {"status": True},
                             emit_words(theirs))
    ev = c.wait_chat_event("chat:message:error", chat_id, aid)
    assert ev["data"]["data"] == {"error": {"content": ""}}
    c.wait_chat_event("chat:tasks:cancel", chat_id, aid)
    assert b.requests == []
    wait_no_tasks(stack, tok, chat_id)


def test_session_leaving_mid_stream_ends_the_task(stack, users,
                                                   sio_connect):
    tok = users.user.token
    c = joined(stack, sio_connect, tok)
    watcher = joined(stack, sio_connect, tok)

    def run(channel, _):
        emit_words(c, WORDS[:2], done=False)(channel, _)
        time.sleep(0.3)
        c.disconnect()
    b, chat_id, aid, _ = ask(stack, tok, c, lambda d: {"status": True}, run)
    final = final_event(watcher, chat_id, aid)
    assert final["content"] == "Hello direct"
    assert b.done.wait(5)
    m = wait_stored(stack, tok, chat_id, aid, lambda m: m.get("done"))
    assert m["content"] == "Hello direct"
    wait_no_tasks(stack, tok, chat_id)


def test_stop_while_the_browser_streams(stack, users, sio_connect):
    tok = users.user.token
    c = joined(stack, sio_connect, tok)
    _, chat_id, aid, task_id = ask(stack, tok, c, lambda d: {"status": True},
                                   emit_words(c, WORDS[:1], done=False))
    deadline = time.monotonic() + 10
    while contents(c, chat_id, aid) != ["Hello"]:
        assert time.monotonic() < deadline, c.events
        time.sleep(0.05)
    r = stack.post(f"/api/tasks/stop/{task_id}", token=tok)
    assert r.json()["status"] is True
    c.wait_chat_event("chat:tasks:cancel", chat_id, aid)
    m = wait_stored(stack, tok, chat_id, aid,
                    lambda m: m.get("content") == "Hello")
    assert not m.get("done")
    wait_no_tasks(stack, tok, chat_id)


def test_without_a_session(stack, users):
    """Python's sio.call without a session raises; process_chat answers
    null and saves the error into the message."""
    tok = users.user.token
    chat_id, _, aid = new_chat(stack, tok, MODEL)
    base = {"model": MODEL, "model_item": ITEM, "stream": False,
            "messages": [{"role": "user", "content": "hi"}]}
    r = stack.post("/api/chat/completions", token=tok, json=base)
    assert r.status_code == 200 and r.json() is None, r.text
    r = stack.post("/api/chat/completions", token=tok,
                   json={**base, "chat_id": chat_id, "id": aid})
    assert r.status_code == 200 and r.json() is None, r.text
    m = stored_message(stack, tok, chat_id, aid)
    assert m["error"] == {"content": "Cannot use call() to broadcast."}
    r = stack.post("/api/chat/completions", token=tok,
                   json={**base, "session_id": "abc"})
    assert r.status_code == 400, r.text
    assert "detail" in r.json()


def test_lines_before_the_ack_wait_for_it(stack, users, sio_connect):
    """Python queues the channel's events from the listener's registration
    on: lines that come before the ack are not lost."""
    tok = users.user.token
    c = joined(stack, sio_connect, tok)

    def ack(d):
        emit_words(c)(d["channel"], d)
        return {"status": True}
    _, chat_id, aid, _ = ask(stack, tok, c, ack)
    assert final_event(c, chat_id, aid)["content"] == "Hello direct world"
    wait_no_tasks(stack, tok, chat_id)
