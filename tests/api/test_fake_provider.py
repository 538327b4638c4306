"""The fake LLM provider itself (tests/fake/provider.py, fixtures in
fakes.py): wire shapes of the OpenAI and Ollama endpoints that Open WebUI
0.6.32 reads, and the control API the other tests rely on.  No stack."""

import json
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
