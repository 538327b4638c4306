"""The fake LLM provider itself (tests/fake/provider.py, fixtures in
fakes.py): wire shapes of the OpenAI and Ollama endpoints that Open WebUI
0.6.32 reads, and the control API the other tests rely on.  No stack."""

import json
import socket
import threading
import time

import pytest
import requests

from fakes import fake_provider, make_fake_provider  # noqa: F401


def test_openai_models(fake_provider):
    fake_provider.set(models=["a-1", {"id": "b-2", "owned_by": "me"}])
    r = requests.get(fake_provider.openai_base + "/models")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"object": "list", "data": [
        {"id": "a-1", "object": "model", "created": 1700000000,
         "owned_by": "openai"},
        {"id": "b-2", "object": "model", "created": 1700000000,
         "owned_by": "me"}]}
    # any base path ending in /models answers the same
    assert requests.get(fake_provider.url + "/models").json() == r.json()


def test_openai_chat(fake_provider):
    fake_provider.set(models=["m"], reply="one two three")
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    r = requests.post(fake_provider.openai_base + "/chat/completions",
                      json=body)
    assert r.status_code == 200
    j = r.json()
    assert j["object"] == "chat.completion" and j["model"] == "m"
    assert j["choices"][0]["message"] == {
        "role": "assistant", "content": "one two three", "refusal": None}
    assert j["choices"][0]["finish_reason"] == "stop"
    assert j["usage"]["completion_tokens"] == 3

    r = requests.post(fake_provider.openai_base + "/chat/completions",
                      json={**body, "stream": True,
                            "stream_options": {"include_usage": True}})
    assert r.headers["Content-Type"].startswith("text/event-stream")
    events = [e for e in r.text.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    chunks = [json.loads(e[6:]) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content", "")
                   for c in chunks if c["choices"])
    assert text == "one two three"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"]["total_tokens"] >= 3

    r = requests.post(fake_provider.openai_base + "/chat/completions",
                      json={**body, "model": "nope"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "model_not_found"


def test_openai_embeddings(fake_provider):
    fake_provider.set(models=["e"])
    r = requests.post(fake_provider.openai_base + "/embeddings",
                      json={"model": "e", "input": ["x", "y"]})
    j = r.json()
    assert [d["index"] for d in j["data"]] == [0, 1]
    assert len(j["data"][0]["embedding"]) == 8
    assert j["data"][0]["embedding"] != j["data"][1]["embedding"]


def test_ollama_lists(fake_provider):
    fake_provider.set(models=["llama3"], ollama_models=None, version="9.9")
    tags = requests.get(fake_provider.ollama_base + "/api/tags").json()
    m = tags["models"][0]
    assert m["name"] == m["model"] == "llama3:latest"
    assert set(m) == {"name", "model", "modified_at", "size", "digest",
                      "details"}
    assert m["details"]["format"] == "gguf"
    assert requests.get(fake_provider.ollama_base + "/api/version").json() \
        == {"version": "9.9"}
    ps = requests.get(fake_provider.ollama_base + "/api/ps").json()
    assert ps["models"][0]["name"] == "llama3:latest"
    show = requests.post(fake_provider.ollama_base + "/api/show",
                         json={"model": "llama3"})
    assert show.status_code == 200 and "capabilities" in show.json()
    fake_provider.set(ollama_models=["qwen:0.5b"])
    names = [m["name"] for m in requests.get(
        fake_provider.ollama_base + "/api/tags").json()["models"]]
    assert names == ["qwen:0.5b"]


def test_ollama_chat(fake_provider):
    fake_provider.set(models=["q:1b"], reply="a b")
    url = fake_provider.ollama_base + "/api/chat"
    body = {"model": "q:1b", "messages": [{"role": "user", "content": "hi"}]}
    r = requests.post(url, json=body)       # Ollama streams by default
    assert r.headers["Content-Type"] == "application/x-ndjson"
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert [x["done"] for x in lines] == [False, False, True]
    assert "".join(x["message"]["content"] for x in lines) == "a b"
    assert lines[-1]["done_reason"] == "stop"
    assert lines[-1]["eval_count"] == 2 and "prompt_eval_count" in lines[-1]

    j = requests.post(url, json={**body, "stream": False}).json()
    assert j["done"] is True and j["message"]["content"] == "a b"

    g = requests.post(fake_provider.ollama_base + "/api/generate",
                      json={"model": "q:1b", "prompt": "x", "stream": False})
    assert g.json()["response"] == "a b"

    r = requests.post(url, json={**body, "model": "missing"})
    assert r.status_code == 404 and "not found" in r.json()["error"]


def test_api_key_and_failures(fake_provider):
    fake_provider.set(api_key="sk-good")
    assert requests.get(fake_provider.openai_base + "/models").status_code \
        == 401
    ok = requests.get(fake_provider.openai_base + "/models",
                      headers={"Authorization": "Bearer sk-good"})
    assert ok.status_code == 200

    fake_provider.set(api_key=None, fail_status={"/api/tags": 503})
    assert requests.get(fake_provider.url + "/api/tags").status_code == 503
    assert requests.get(fake_provider.url + "/api/version").status_code \
        == 200
    fake_provider.set(fail_status=500, fail_body="oops")
    r = requests.get(fake_provider.openai_base + "/models")
    assert (r.status_code, r.text) == (500, "oops")
    fake_provider.set(reset=True)
    assert requests.get(fake_provider.openai_base + "/models").status_code \
        == 200
    assert requests.post(fake_provider.url + "/_control",
                         json={"bogus": 1}).status_code == 400


def test_requests_recorded(fake_provider):
    requests.post(fake_provider.openai_base + "/chat/completions",
                  json={"model": "gpt-fake", "messages": []},
                  headers={"Authorization": "Bearer k", "X-Extra": "1"})
    requests.get(fake_provider.url + "/api/tags")
    got = fake_provider.requests()
    assert [(q["method"], q["path"]) for q in got] == [
        ("POST", "/v1/chat/completions"), ("GET", "/api/tags")]
    assert got[0]["headers"]["authorization"] == "Bearer k"
    assert got[0]["headers"]["x-extra"] == "1"
    assert got[0]["body"] == {"model": "gpt-fake", "messages": []}
    assert fake_provider.requests(path="/api/tags")[0]["body"] is None
    fake_provider.clear()
    assert fake_provider.requests() == []


def test_delay(fake_provider):
    fake_provider.set(delay_ms={"/api/version": 3000})
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(fake_provider.url + "/api/version", timeout=0.3)
    assert requests.get(fake_provider.url + "/api/tags").status_code == 200


def test_hang(fake_provider):
    fake_provider.set(hang=["/api/ps"])
    errors = []

    def call():
        try:
            requests.get(fake_provider.url + "/api/ps", timeout=30)
        except requests.exceptions.RequestException as e:
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for t in threads:
        t.start()
    for _ in range(500):     # the three hang inside the server together
        if fake_provider.stats()["in_flight"] == 3:
            break
        time.sleep(0.01)
    assert fake_provider.stats()["max_in_flight"] == 3
    fake_provider.stop()     # ends the hanging requests without answers
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    assert len(errors) == 3


def test_two_fakes(make_fake_provider):
    a = make_fake_provider(models=["a"])
    b = make_fake_provider(models=["b"])
    assert a.url != b.url
    ids = [requests.get(f.openai_base + "/models").json()["data"][0]["id"]
           for f in (a, b)]
    assert ids == ["a", "b"]


# -- streaming knobs: split_bytes, hang_after_chunks, the abort log --------

WORDS = "héllo wörld 日本語 🎉"


def _open_stream(fake, path, body):
    """Sends a POST over a raw socket; returns the socket once the
    response head (status 200, chunked) has been read, and the bytes of
    the body read with it."""
    s = socket.create_connection((fake._p.host, fake._p.port), timeout=10)
    data = json.dumps(body).encode()
    s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: "
              b"application/json\r\nContent-Length: %d\r\n\r\n%s"
              % (path.encode(), len(data), data))
    buf = b""
    while b"\r\n\r\n" not in buf:
        got = s.recv(65536)
        assert got, f"no response head: {buf!r}"
        buf += got
    head, rest = buf.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200"), head
    assert b"transfer-encoding: chunked" in head.lower(), head
    return s, rest


def _read_chunks(s, buf, count=None):
    """Reads HTTP chunks from s (buf: bytes already read) until the last
    chunk, or until count chunks were read.  Returns the payloads."""
    out = []
    while count is None or len(out) < count:
        while b"\r\n" not in buf:
            got = s.recv(65536)
            assert got, f"stream ended early after {out!r}"
            buf += got
        size, buf = buf.split(b"\r\n", 1)
        n = int(size, 16)
        while len(buf) < n + 2:
            got = s.recv(65536)
            assert got, f"stream ended early after {out!r}"
            buf += got
        if n == 0:
            break
        out.append(buf[:n])
        buf = buf[n + 2:]
    return out


@pytest.mark.parametrize("path, body", [
    ("/v1/chat/completions", {"model": "m", "messages": [], "stream": True}),
    ("/api/chat", {"model": "m", "messages": []}),
    ("/api/generate", {"model": "m", "prompt": "x"})])
def test_split_bytes(fake_provider, path, body):
    fake_provider.set(models=["m"], reply=WORDS, split_bytes=3)
    s, rest = _open_stream(fake_provider, path, body)
    with s:
        pieces = _read_chunks(s, rest)
    assert pieces and all(len(p) <= 3 for p in pieces)
    # some piece ends inside a multi-byte character
    broken = 0
    for p in pieces:
        try:
            p.decode()
        except UnicodeDecodeError:
            broken += 1
    assert broken > 0
    whole = b"".join(pieces).decode()
    if path.startswith("/v1/"):
        events = [json.loads(e[6:]) for e in whole.split("\n\n")
                  if e and e != "data: [DONE]"]
        text = "".join(e["choices"][0]["delta"].get("content", "")
                       for e in events)
        assert whole.endswith("data: [DONE]\n\n")
    else:
        key = "message" if path == "/api/chat" else "response"
        lines = [json.loads(x) for x in whole.splitlines()]
        text = "".join(x[key]["content"] if key == "message" else x[key]
                       for x in lines)
        assert lines[-1]["done"] is True
    assert text == WORDS
    # without split_bytes an event (line) is one HTTP chunk
    fake_provider.set(split_bytes=0)
    s, rest = _open_stream(fake_provider, path, body)
    with s:
        pieces = _read_chunks(s, rest)
    assert len(pieces) == len(WORDS.split(" ")) + (3 if "/v1/" in path
                                                    else 1)


@pytest.mark.parametrize("path, body, model", [
    ("/v1/chat/completions", {"model": "m", "messages": [], "stream": True},
     "m"),
    ("/api/chat", {"model": "m", "messages": []}, "m:latest")])
def test_hang_after_chunks_and_aborts(fake_provider, path, body, model):
    fake_provider.set(models=["m"], reply=WORDS, hang_after_chunks=2)
    s, rest = _open_stream(fake_provider, path, body)
    with s:
        assert len(_read_chunks(s, rest, 2)) == 2
        s.settimeout(0.2)         # stalled: nothing more comes
        with pytest.raises(socket.timeout):
            s.recv(1)
        assert fake_provider.stats()["in_flight"] == 1
        assert fake_provider.aborts() == []
    # closing the connection ends the stall and is logged
    assert fake_provider.wait_aborts(1) == [
        {"path": path, "model": model, "at_chunk": 2}]
    fake_provider.wait_stats(in_flight=0)
    fake_provider.set(reset=True)
    assert fake_provider.aborts() == []


def test_abort_while_streaming(fake_provider):
    fake_provider.set(models=["m"], reply=" ".join(["w"] * 200),
                      chunk_delay_ms=20)
    s, rest = _open_stream(fake_provider, "/api/generate",
                           {"model": "m", "prompt": "x"})
    with s:
        _read_chunks(s, rest, 3)
    got = fake_provider.wait_aborts(1)
    assert got[0]["path"] == "/api/generate"
    assert 3 <= got[0]["at_chunk"] < 200


def test_stream_to_the_end_is_no_abort(fake_provider):
    fake_provider.set(models=["m"], split_bytes=5)
    r = requests.post(fake_provider.openai_base + "/chat/completions",
                      json={"model": "m", "messages": [], "stream": True})
    assert r.text.endswith("data: [DONE]\n\n")
    fake_provider.wait_stats(in_flight=0)
    assert fake_provider.aborts() == []


def test_stop_ends_a_stalled_stream(fake_provider):
    fake_provider.set(models=["m"], hang_after_chunks=1)
    s, rest = _open_stream(fake_provider, "/api/chat",
                           {"model": "m", "messages": []})
    with s:
        _read_chunks(s, rest, 1)
        fake_provider.stop()
        s.settimeout(10)
        while s.recv(65536):      # the fake closes the connection
            pass
