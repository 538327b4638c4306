"""cwebui-streamd as the web server's backend for the streaming-capable
endpoints: the request goes lighttpd -> cwebui-streamd -> cwebui-fcgi, which
hands the prepared upstream request back; streamd performs it against the
fake provider and streams the body to the client (direct SSE for API
clients, the proxies' raw streams, Ollama NDJSON turned into OpenAI chunks).
Also: plain answers pass through unchanged, upstream errors are relayed,
the client leaving aborts the upstream request, and the task routes are
answered by streamd."""

import json
import socket
import time

import pytest

from fakes import fake_provider  # noqa: F401
from helpers import connect_providers
from workers import no_worker_crash  # noqa: F401

# no model list cache: each test sees the connections it has just set
pytestmark = pytest.mark.stack_env(MODELS_CACHE_TTL="0")

REPLY = "héllo wörld 日本語 🎉 done"
MSGS = [{"role": "user", "content": "hi"}]


def sse_data(resp):
    """The data of every SSE event of a streamed response, in order."""
    out = []
    for line in resp.iter_lines(decode_unicode=False):
        if line.startswith(b"data:"):
            out.append(line[5:].strip().decode("utf-8"))
    return out


def content_of(datas):
    """The assistant text of OpenAI chunks (the [DONE] marker skipped)."""
    text = ""
    for d in datas:
        if d == "[DONE]":
            continue
        obj = json.loads(d)
        for ch in obj.get("choices") or []:
            text += (ch.get("delta") or {}).get("content") or ""
    return text


@pytest.fixture
def openai_fake(stack, users, fake_provider):  # noqa: F811
    fake_provider.set(reset=True)
    fake_provider.set(models=["gpt-relay"], reply=REPLY, split_bytes=7)
    connect_providers(stack, users.admin.token, openai=[fake_provider],
                      keys=["sk-up"])
    return fake_provider


@pytest.fixture
def ollama_fake(stack, users, fake_provider):  # noqa: F811
    fake_provider.set(reset=True)
    fake_provider.set(ollama_models=["llama3:latest"], reply=REPLY,
                      split_bytes=5)
    connect_providers(stack, users.admin.token, ollama=[fake_provider])
    return fake_provider


def stream(stack, token, path, model, ctype):
    """POSTs a streamed completion; checks status and Content-Type and
    returns the response, body not read yet."""
    r = stack.post(path, token=token, json={"model": model, "messages": MSGS,
                                            "stream": True}, stream=True)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith(ctype)
    return r


@pytest.mark.parametrize("path", ["/api/chat/completions",
                                  "/api/v1/chat/completions",
                                  "/openai/chat/completions"])
def test_openai_stream(stack, users, openai_fake, path):
    r = stream(stack, users.admin.token, path, "gpt-relay",
               "text/event-stream")
    datas = sse_data(r)
    assert datas[-1] == "[DONE]"
    assert content_of(datas) == REPLY
    sent = openai_fake.requests("/v1/chat/completions")
    assert len(sent) == 1 and sent[0]["body"]["stream"] is True
    assert sent[0]["headers"]["authorization"] == "Bearer sk-up"


def test_stream_false_passes_through(stack, users, openai_fake):
    r = stack.post("/api/chat/completions", token=users.admin.token,
                   json={"model": "gpt-relay", "messages": MSGS,
                         "stream": False})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/json"
    assert r.json()["choices"][0]["message"]["content"] == REPLY


def test_plain_errors_pass_through(stack, users, openai_fake):
    r = stack.post("/api/chat/completions", json={"model": "x"})
    assert (r.status_code, r.json()) == (401, {"detail": "Not authenticated"})
    r = stack.post("/api/chat/completions", token=users.admin.token,
                   json={"model": "nope", "messages": MSGS, "stream": True})
    assert r.status_code in (400, 404) and "detail" in r.json(), r.text


def test_upstream_error_relayed(stack, users, openai_fake):
    openai_fake.set(fail_status={"/chat/completions": 400},
                    fail_body='{"error": {"message": "bad"}}')
    r = stack.post("/openai/chat/completions", token=users.admin.token,
                   json={"model": "gpt-relay", "messages": MSGS,
                         "stream": True})
    assert r.status_code == 400
    assert r.json() == {"error": {"message": "bad"}}


def test_upstream_unreachable(stack, users):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()      # nothing listens there now
    connect_providers(stack, users.admin.token, openai=[],
                      ollama=[])
    r = stack.post("/openai/config/update", token=users.admin.token, json={
        "ENABLE_OPENAI_API": True,
        "OPENAI_API_BASE_URLS": [f"http://127.0.0.1:{port}/v1"],
        "OPENAI_API_KEYS": ["sk-x"],
        "OPENAI_API_CONFIGS": {"0": {"model_ids": ["gone-model"]}}})
    assert r.status_code == 200, r.text
    r = stack.post("/openai/chat/completions", token=users.admin.token,
                   json={"model": "gone-model", "messages": MSGS,
                         "stream": True})
    assert (r.status_code, r.json()) == (
        500, {"detail": "Open WebUI: Server Connection Error"})


def test_ollama_api_chat_ndjson(stack, users, ollama_fake):
    r = stream(stack, users.admin.token, "/ollama/api/chat", "llama3",
               "application/x-ndjson")
    lines = [json.loads(x) for x in r.iter_lines() if x]
    assert lines[-1]["done"] is True
    assert "".join(x["message"]["content"] for x in lines) == REPLY


def test_ollama_model_as_openai_sse(stack, users, ollama_fake):
    r = stream(stack, users.admin.token, "/api/chat/completions",
               "llama3:latest", "text/event-stream")
    datas = sse_data(r)
    assert datas[-1] == "[DONE]"
    chunks = [json.loads(d) for d in datas[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert "usage" in chunks[-1]
    assert content_of(datas) == REPLY


def test_client_disconnect_aborts_upstream(stack, users, openai_fake):
    """Through lighttpd: it notices the client's close on its next write
    and closes its connection to streamd, which aborts the upstream."""
    words = " ".join(f"w{i}" for i in range(400))
    openai_fake.set(split_bytes=0, chunk_delay_ms=20, reply=words)
    r = stack.post("/openai/chat/completions", token=users.admin.token,
                   json={"model": "gpt-relay", "messages": MSGS,
                         "stream": True}, stream=True, timeout=10)
    assert r.status_code == 200
    assert next(r.iter_lines()).startswith(b"data:")
    r.close()
    aborts = openai_fake.wait_aborts(1, timeout=10)
    assert aborts[0]["path"] == "/v1/chat/completions"
    assert aborts[0]["at_chunk"] < 300


def test_disconnect_aborts_at_once(stack, users, openai_fake):
    """On streamd's own socket: the peer closing aborts a stalled upstream
    at once."""
    openai_fake.set(split_bytes=0, hang_after_chunks=2)
    body = json.dumps({"model": "gpt-relay", "messages": MSGS,
                       "stream": True}).encode()
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(str(stack.run_dir / "cwebui-streamd.sock"))
    s.sendall(b"POST /openai/chat/completions HTTP/1.1\r\nHost: x\r\n"
              b"Authorization: Bearer " + users.admin.token.encode() +
              b"\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    got = b""
    while b"data:" not in got:
        got += s.recv(65536)
    assert got.startswith(b"HTTP/1.1 200 ")
    s.close()
    aborts = openai_fake.wait_aborts(1, timeout=10)
    # at once: before the stall (chunk 2), or right at it
    assert aborts[0]["at_chunk"] in (1, 2)


def test_task_routes_answered_by_streamd(stack, users):
    r = stack.get("/api/tasks", token=users.admin.token)
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["tasks"], list)
    r = stack.request("DELETE", "/api/usage", token=users.admin.token)
    assert (r.status_code, r.json()) == (405, {"detail": "Method Not Allowed"})


def raw(stack, data):
    """Sends data on streamd's own socket; returns (status, body)."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(str(stack.run_dir / "cwebui-streamd.sock"))
    s.sendall(data)
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


@pytest.mark.parametrize("data,status", [
    (b"GET /api/tasks HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
    (b"GET /api/tasks HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    (b"GET /api/tasks HTTP/2.0\r\n\r\n", 505),
    (b"GET /api/tasks HTTP/1.1\r\nX: " + b"y" * 70000 + b"\r\n\r\n", 431),
    (b"POST /api/chat/completions HTTP/1.1\r\nContent-Length: 99999999"
     b"\r\n\r\n", 413),
    (b"POST /api/chat/completions HTTP/1.1\r\nTransfer-Encoding: gzip"
     b"\r\n\r\n", 501),
    (b"GET /nowhere HTTP/1.1\r\n\r\n", 404),
])
def test_bad_requests_refused(stack, data, status):
    st, body = raw(stack, data)
    assert st == status and isinstance(body["detail"], str)


def test_chunked_request_body(stack, users):
    """A chunked body (as another web server may send it) reaches
    cwebui-fcgi whole."""
    body = json.dumps({"model": "nope", "messages": MSGS}).encode()
    data = (b"POST /api/chat/completions HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + users.admin.token.encode() +
            b"\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    for i in range(0, len(body), 5):
        piece = body[i:i + 5]
        data += b"%x\r\n%s\r\n" % (len(piece), piece)
    data += b"0\r\n\r\n"
    st, out = raw(stack, data)
    # the body was read: the model is looked up (and not found)
    assert st in (400, 404) and "detail" in out, out
    assert "Model not found" in out["detail"] or "not found" in \
        out["detail"].lower(), out
