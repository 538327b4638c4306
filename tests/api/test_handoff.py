"""The cwebui-fcgi side of streaming: the hand-offs it answers
cwebui-streamd with, the internal /_streamd/ routes, and POST
/api/chat/completed and /api/chat/actions/{action_id}.

cwebui-fcgi is called directly over FastCGI (tests/api/fcgi_client.py) with
the param CWEBUI_STREAMD that marks a request from streamd: the lowercase
hex of HMAC-SHA256(WEBUI_SECRET_KEY, "cwebui-streamd")."""

import base64
import hashlib
import hmac
import json
import time

import pytest

from fakes import fake_provider, make_fake_provider  # noqa: F401
from fcgi_client import request as fcgi_request
from helpers import connect_providers
from workers import no_worker_crash  # noqa: F401

HANDOFF = "application/x-cwebui-handoff"
NOT_FOUND = {"detail": "Not Found"}
OLLAMA_NO_STREAM = ('Streaming responses are not available yet in this '
                    'server: send "stream": false')

pytestmark = pytest.mark.stack_env(MODELS_CACHE_TTL="0",
                                   AIOHTTP_CLIENT_TIMEOUT="77")


def ikey(secret):
    return hmac.new(secret.encode(), b"cwebui-streamd",
                    hashlib.sha256).hexdigest()


def fcgi(stack, method, path, body=None, token=None, key=True,
         headers=None):
    """One request to cwebui-fcgi; key True: the right CWEBUI_STREAMD,
    a string: that value, None: no param. Returns (status, ctype, body)
    with body parsed as JSON."""
    params = {}
    if key is True:
        params["CWEBUI_STREAMD"] = ikey(stack.secret)
    elif key is not None:
        params["CWEBUI_STREAMD"] = key
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    st, hd, out = fcgi_request(
        path, str(stack.run_dir / "cwebui.sock"), method=method,
        body=b"" if body is None else json.dumps(body).encode(),
        headers=h, params=params)
    return st, hd.get("content-type"), json.loads(out) if out else None


def handoff(stack, path, body, token):
    st, ctype, ho = fcgi(stack, "POST", path, body, token=token)
    assert (st, ctype) == (200, HANDOFF), (st, ctype, ho)
    return ho


def headers_of(ho):
    return dict(h.split(": ", 1) for h in ho["upstream"]["headers"])


def connect(stack, token, openai=(), ollama=()):
    connect_providers(stack, token, openai, ollama,
                      keys=["sk-upstream" for _ in openai])


def create_model(stack, token, **form):
    form.setdefault("meta", {})
    form.setdefault("params", {})
    stack.delete("/api/v1/models/delete/all", token=token)
    r = stack.post("/api/v1/models/create", token=token, json=form)
    assert r.status_code == 200, r.text


def new_chat(stack, token, messages=None):
    msgs = messages or {"m1": {"id": "m1", "role": "user",
                               "content": "hi", "parentId": None}}
    r = stack.post("/api/v1/chats/new", token=token, json={"chat": {
        "title": "T1", "history": {"messages": msgs, "currentId": "m1"},
        "messages": list(msgs.values())}})
    assert r.status_code == 200, r.text
    return r.json()["id"]


MSGS = [{"role": "user", "content": "hi"}]


# -- hand-offs ------------------------------------------------------------


def test_openai_stream_handoff(stack, users, fake_provider):
    fake_provider.set(models=["gpt-b"])
    connect(stack, users.admin.token, openai=[fake_provider])
    create_model(stack, users.admin.token, id="helper", name="Helper",
                 base_model_id="gpt-b",
                 params={"system": "You help {{USER_NAME}}.",
                         "temperature": 0.5}, access_control=None)
    fake_provider.clear()
    for path in ("/api/chat/completions", "/api/v1/chat/completions"):
        ho = handoff(stack, path, {"model": "helper", "messages": MSGS,
                                   "stream": True}, users.user.token)
        up = ho["upstream"]
        assert up["method"] == "POST"
        assert up["url"] == fake_provider.openai_base + "/chat/completions"
        h = headers_of(ho)
        assert h["Authorization"] == "Bearer sk-upstream"
        assert h["Content-Type"] == "application/json"
        assert up["timeout_ms"] == 77000
        body = json.loads(up["body"])
        assert body["model"] == "gpt-b" and body["stream"] is True
        assert body["temperature"] == 0.5
        assert body["messages"] == [
            {"role": "system", "content": "You help User."},
            {"role": "user", "content": "hi"}]
        assert "metadata" not in body
        assert ho["relay"] == "raw" and ho["content_type"] is None
        assert "task" not in ho and "prelude" not in ho
    # nothing was sent upstream: streamd does that
    assert fake_provider.requests("/v1/chat/completions") == []
    # stream false from streamd: the blocking answer as usual
    st, ctype, out = fcgi(stack, "POST", "/api/chat/completions",
                          {"model": "helper", "messages": MSGS,
                           "stream": False}, token=users.user.token)
    assert st == 200 and ctype == "application/json", out
    assert out["choices"][0]["message"]["role"] == "assistant"


@pytest.mark.parametrize("key", [None, "0" * 64, ""])
def test_no_or_wrong_key_keeps_refusals(stack, users, fake_provider, key):
    fake_provider.set(models=["gpt-b"])
    connect(stack, users.admin.token, openai=[fake_provider])
    body = {"model": "gpt-b", "messages": MSGS, "stream": True}
    st, ctype, out = fcgi(stack, "POST", "/api/chat/completions", body,
                          token=users.admin.token, key=key)
    assert st == 400 and "stream" in out["detail"].lower()
    st, _, out = fcgi(stack, "POST", "/openai/chat/completions", body,
                      token=users.admin.token, key=key)
    assert st == 400 and "stream" in out["detail"].lower()
    st, _, out = fcgi(stack, "POST", "/api/chat/completions",
                      dict(body, stream=False, session_id="s", chat_id="c",
                           id="m"), token=users.admin.token, key=key)
    assert st == 400 and "session_id" in out["detail"]
    # a client's header is no param (HTTP_CWEBUI_STREAMD)
    st, _, out = fcgi(stack, "POST", "/api/chat/completions", body,
                      token=users.admin.token, key=key,
                      headers={"CWEBUI-STREAMD": ikey(stack.secret)})
    assert st == 400 and "stream" in out["detail"].lower()
    assert fake_provider.requests("/v1/chat/completions") == []


def test_ollama_model_handoff(stack, users, fake_provider):
    fake_provider.set(ollama_models=["llama3:latest"])
    connect(stack, users.admin.token, ollama=[fake_provider])
    ho = handoff(stack, "/api/chat/completions",
                 {"model": "llama3:latest", "messages": MSGS,
                  "stream": True}, users.admin.token)
    assert ho["upstream"]["url"] == fake_provider.ollama_base + "/api/chat"
    body = json.loads(ho["upstream"]["body"])
    assert body["model"] == "llama3:latest" and body["stream"] is True
    assert body["messages"] == MSGS
    assert ho["relay"] == "ollama-openai"
    assert ho["content_type"] == "text/event-stream"
    assert fake_provider.requests("/api/chat") == []


def test_arena_model_prelude(stack, users, fake_provider):
    fake_provider.set(models=["gpt-x"])
    connect(stack, users.admin.token, openai=[fake_provider])
    stack.delete("/api/v1/models/delete/all", token=users.admin.token)
    ho = handoff(stack, "/api/chat/completions",
                 {"model": "arena-model", "messages": MSGS, "stream": True},
                 users.admin.token)
    assert ho["prelude"] == 'data: {"selected_model_id": "gpt-x"}\n\n'
    assert json.loads(ho["upstream"]["body"])["model"] == "gpt-x"
    assert ho["relay"] == "raw"


@pytest.mark.parametrize("stream", [True, False])
def test_socket_flow_task(stack, users, fake_provider, stream):
    fake_provider.set(models=["gpt-b"])
    connect(stack, users.admin.token, openai=[fake_provider])
    create_model(stack, users.admin.token, id="helper", name="Helper",
                 base_model_id="gpt-b", params={"system": "Be brief."},
                 access_control=None)
    chat_id = new_chat(stack, users.user.token)
    tasks = {"title_generation": True, "tags_generation": False}
    ho = handoff(stack, "/api/chat/completions", {
        "model": "helper", "messages": MSGS, "stream": stream,
        "session_id": "sid1", "chat_id": chat_id, "id": "m2",
        "background_tasks": tasks, "model_item": {"id": "helper"},
        "features": {"web_search": False}, "variables": {},
        "params": {}, "files": None, "tool_ids": None}, users.user.token)
    t = ho["task"]
    assert t == {"user_id": users.user.id, "chat_id": chat_id,
                 "message_id": "m2", "session_id": "sid1",
                 "model": "helper", "stream": stream,
                 "background_tasks": tasks, "messages": MSGS,
                 "params": {"stream_delta_chunk_size": None,
                            "reasoning_tags": None},
                 "user": {"id": users.user.id, "name": users.user.name,
                          "email": users.user.email, "role": "user"}}
    body = json.loads(ho["upstream"]["body"])
    assert body["stream"] is stream and body["model"] == "gpt-b"
    assert body["messages"][0] == {"role": "system", "content": "Be brief."}
    assert ho["relay"] == "raw"
    # the ownership check stays: another user's chat
    st, _, out = fcgi(stack, "POST", "/api/chat/completions", {
        "model": "helper", "messages": MSGS, "stream": stream,
        "session_id": "sid1", "chat_id": new_chat(stack, users.admin.token),
        "id": "m2"}, token=users.user.token)
    assert (st, out) == (400, {"detail": "404: Something went wrong :/"})
    # a temporary chat runs as a task too
    ho = handoff(stack, "/api/chat/completions", {
        "model": "helper", "messages": MSGS, "stream": stream,
        "session_id": "sid1", "chat_id": "local", "id": "m3"},
        users.user.token)
    assert ho["task"]["chat_id"] == "local"
    assert ho["task"]["background_tasks"] is None
    assert fake_provider.requests("/v1/chat/completions") == []


def test_openai_router_stream(stack, users, fake_provider):
    fake_provider.set(models=["gpt-b"])
    connect(stack, users.admin.token, openai=[fake_provider])
    ho = handoff(stack, "/openai/chat/completions",
                 {"model": "gpt-b", "messages": MSGS, "stream": True},
                 users.admin.token)
    assert ho["upstream"]["url"] == \
        fake_provider.openai_base + "/chat/completions"
    assert headers_of(ho)["Authorization"] == "Bearer sk-upstream"
    assert ho["relay"] == "raw" and ho["content_type"] is None
    assert json.loads(ho["upstream"]["body"])["stream"] is True


def test_ollama_router_streams(stack, users, fake_provider):
    fake_provider.set(ollama_models=["llama3:latest"])
    connect(stack, users.admin.token, ollama=[fake_provider])
    t = users.admin.token
    base = fake_provider.ollama_base
    ho = handoff(stack, "/ollama/api/chat", {
        "model": "llama3", "messages": MSGS, "stream": True}, t)
    assert ho["upstream"]["url"] == base + "/api/chat"
    assert ho["content_type"] == "application/x-ndjson"
    assert json.loads(ho["upstream"]["body"])["model"] == "llama3:latest"
    # generate streams unless told not to
    ho = handoff(stack, "/ollama/api/generate",
                 {"model": "llama3", "prompt": "x"}, t)
    assert ho["upstream"]["url"] == base + "/api/generate"
    assert ho["relay"] == "raw" and ho["content_type"] is None
    assert json.loads(ho["upstream"]["body"])["stream"] is True
    ho = handoff(stack, "/ollama/api/pull", {"model": "new"}, t)
    assert ho["upstream"]["url"] == base + "/api/pull"
    assert json.loads(ho["upstream"]["body"])["insecure"] is True
    ho = handoff(stack, "/ollama/v1/chat/completions", {
        "model": "llama3", "messages": MSGS, "stream": True}, t)
    assert ho["upstream"]["url"] == base + "/v1/chat/completions"
    assert ho["relay"] == "raw"
    # without the key: the refusals stay
    st, _, out = fcgi(stack, "POST", "/ollama/api/chat", {
        "model": "llama3", "messages": MSGS, "stream": True}, token=t,
        key=None)
    assert (st, out) == (400, {"detail": OLLAMA_NO_STREAM})
    # stream false from streamd: answered here
    st, _, out = fcgi(stack, "POST", "/ollama/api/chat", {
        "model": "llama3", "messages": MSGS, "stream": False}, token=t)
    assert st == 200 and out["message"]["role"] == "assistant", out
    assert len(fake_provider.requests("/api/chat")) == 1


# -- internal routes ------------------------------------------------------

INTERNAL = ["/_streamd/auth", "/_streamd/chat/message",
            "/_streamd/chat/status"]


@pytest.mark.parametrize("path", INTERNAL)
def test_internal_routes_hidden(stack, users, path):
    for method in ("POST", "GET"):
        for key in (None, "f" * 64, ikey(stack.secret)[:-1]):
            st, _, out = fcgi(stack, method, path, {}, key=key,
                              token=users.admin.token)
            assert (st, out) == (404, NOT_FOUND), (method, key)
    st, _, out = fcgi(stack, "POST", path + "/", {}, key=None)
    assert (st, out) == (404, NOT_FOUND)
    r = stack.post(path, token=users.admin.token, json={},
                   headers={"CWEBUI-STREAMD": ikey(stack.secret)})
    assert (r.status_code, r.json()) == (404, NOT_FOUND)


def jwt(secret, claims):
    def b64(d):
        return base64.urlsafe_b64encode(d).rstrip(b"=")
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = b64(hmac.new(secret.encode(), head + b"." + body,
                       hashlib.sha256).digest())
    return (head + b"." + body + b"." + sig).decode()


def test_internal_auth(stack, users):
    r = stack.post("/api/v1/channels/create", token=users.admin.token,
                   json={"name": "c1", "access_control": None})
    channel = r.json()["id"] if r.status_code == 200 else None
    st, _, out = fcgi(stack, "POST", "/_streamd/auth",
                      {"token": users.user.token})
    assert st == 200, out
    assert {k: out[k] for k in ("id", "name", "email", "role")} == {
        "id": users.user.id, "name": "User", "email": users.user.email,
        "role": "user"}
    assert "profile_image_url" in out
    assert isinstance(out["channel_ids"], list)
    if channel:
        assert channel in out["channel_ids"]
    # a pending user's socket token is a user too (decode_token only)
    st, _, out = fcgi(stack, "POST", "/_streamd/auth",
                      {"token": users.pending.token})
    assert st == 200 and out["role"] == "pending"
    for bad in ("nope", users.user.token + "x",
                jwt(stack.secret, {"id": users.user.id,
                                   "exp": int(time.time()) - 10}),
                jwt(stack.secret, {"id": "no-such-user"}),
                jwt("other-secret", {"id": users.user.id}), 42):
        st, _, out = fcgi(stack, "POST", "/_streamd/auth", {"token": bad})
        assert st == 401 and "detail" in out, (bad, out)
    st, _, out = fcgi(stack, "POST", "/_streamd/auth",
                      {"token": jwt(stack.secret, {
                          "id": users.user.id,
                          "exp": int(time.time()) + 60})})
    assert st == 200 and out["id"] == users.user.id
    # {}: the forwarded credential, as a verified-user route reads it
    st, _, out = fcgi(stack, "POST", "/_streamd/auth", {},
                      token=users.admin.token)
    assert st == 200 and out["id"] == users.admin.id
    st, _, out = fcgi(stack, "POST", "/_streamd/auth", {},
                      headers={"Cookie": f"token={users.user.token}"})
    assert st == 200 and out["id"] == users.user.id
    st, _, out = fcgi(stack, "POST", "/_streamd/auth", {})
    assert (st, out) == (401, {"detail": "Not authenticated"})
    st, _, out = fcgi(stack, "POST", "/_streamd/auth", {},
                      token=users.pending.token)
    assert st == 401
    key = stack.post("/api/v1/auths/api_key",
                     token=users.user.token).json()["api_key"]
    st, _, out = fcgi(stack, "POST", "/_streamd/auth", {}, token=key)
    assert st == 200 and out["id"] == users.user.id
    st, _, out = fcgi(stack, "POST", "/_streamd/auth", {},
                      token="sk-" + "0" * 32)
    assert st == 401


def test_internal_chat_message_and_status(stack, users):
    t = users.user.token
    chat_id = new_chat(stack, t)
    st, _, out = fcgi(stack, "POST", "/_streamd/chat/message", {
        "chat_id": chat_id, "message_id": "m1",
        "message": {"content": "hel\u0000lo", "done": True}})
    assert (st, out["title"]) == (200, "T1")
    assert out["message"]["content"] == "hello"
    assert out["message"]["done"] is True
    st, _, out = fcgi(stack, "POST", "/_streamd/chat/message", {
        "chat_id": chat_id, "message_id": "m2",
        "message": {"role": "assistant", "content": "new",
                    "parentId": "m1"}})
    assert (st, out) == (200, {"title": "T1", "message": {
        "role": "assistant", "content": "new", "parentId": "m1"}})
    for s in ({"action": "web_search", "done": False},
              {"action": "web_search", "done": True}):
        st, _, out = fcgi(stack, "POST", "/_streamd/chat/status", {
            "chat_id": chat_id, "message_id": "m2", "status": s})
        assert (st, out) == (200, {"title": "T1"})
    r = stack.get(f"/api/v1/chats/{chat_id}", token=t)
    assert r.status_code == 200
    hist = r.json()["chat"]["history"]
    assert hist["messages"]["m1"] == {"id": "m1", "role": "user",
                                      "content": "hello",
                                      "parentId": None, "done": True}
    assert hist["messages"]["m2"]["content"] == "new"
    assert hist["messages"]["m2"]["statusHistory"] == [
        {"action": "web_search", "done": False},
        {"action": "web_search", "done": True}]
    assert hist["currentId"] == "m2"
    # a status for a message that does not exist changes nothing there
    st, _, out = fcgi(stack, "POST", "/_streamd/chat/status", {
        "chat_id": chat_id, "message_id": "m9", "status": {"x": 1}})
    assert st == 200
    assert "m9" not in stack.get(f"/api/v1/chats/{chat_id}", token=t) \
        .json()["chat"]["history"]["messages"]
    # temporary and unknown chats: nothing written
    for cid in ("local", "local:abc", "no-such-chat"):
        st, _, out = fcgi(stack, "POST", "/_streamd/chat/message", {
            "chat_id": cid, "message_id": "m1", "message": {"a": 1}})
        assert (st, out) == (200, {"title": None})
    st, _, out = fcgi(stack, "POST", "/_streamd/chat/message",
                      {"chat_id": chat_id, "message": {}})
    assert st == 422
    st, _, out = fcgi(stack, "POST", "/_streamd/chat/message",
                      {"chat_id": chat_id, "message_id": "m1",
                       "message": "x"})
    assert st == 422


# -- /api/chat/completed and /api/chat/actions ----------------------------


def test_chat_completed(stack, users, fake_provider):
    fake_provider.set(models=["gpt-b"])
    connect(stack, users.admin.token, openai=[fake_provider])
    t = users.admin.token
    form = {"model": "gpt-b", "messages": [{"role": "assistant",
                                            "content": "x"}],
            "chat_id": "c1", "id": "m1", "session_id": "s1",
            "filter_ids": []}
    r = stack.post("/api/chat/completed", token=t,
                   json=dict(form, model_item={"id": "gpt-b"}))
    assert (r.status_code, r.json()) == (200, form)
    r = stack.post("/api/chat/completed", token=t,
                   json=dict(form, model="nope"))
    assert (r.status_code, r.json()) == (400, {"detail": "Model not found"})
    for k in ("model", "chat_id", "id", "session_id"):
        f = {x: v for x, v in form.items() if x != k}
        r = stack.post("/api/chat/completed", token=t, json=f)
        assert (r.status_code, r.json()) == (400, {"detail": f"'{k}'"})
    r = stack.post("/api/chat/completed", token=t,
                   json=dict(form, model_item="x"))
    assert r.status_code == 400
    assert r.json()["detail"] == "'str' object has no attribute 'get'"
    # a direct model: only the model_item's id is a model
    r = stack.post("/api/chat/completed", token=t, json=dict(
        form, model="d1", model_item={"id": "d1", "direct": True}))
    assert r.status_code == 200
    r = stack.post("/api/chat/completed", token=t, json=dict(
        form, model_item={"id": "d1", "direct": True}))
    assert r.json() == {"detail": "Model not found"}
    r = stack.post("/api/chat/completed", token=users.pending.token,
                   json=form)
    assert r.status_code == 401


def test_chat_action(stack, users):
    t = users.user.token
    body = {"model": "gpt-b", "chat_id": "c", "id": "m", "session_id": "s"}
    for action, detail in (("act", "Action not found: act"),
                           ("act.sub", "Action not found: act"),
                           ("a.b.c", "too many values to unpack "
                                     "(expected 2)")):
        r = stack.post(f"/api/chat/actions/{action}", token=t, json=body)
        assert (r.status_code, r.json()) == (400, {"detail": detail})
    r = stack.post("/api/chat/actions/act", token=users.pending.token,
                   json=body)
    assert r.status_code == 401
