"""routers/ollama.py: the Ollama connections' settings, the merged model
list, version, show, embeddings, non-streaming generate and chat, the
OpenAI-compatible forms, model management (admin) and the access rules,
over fake Ollama servers (tests/fake/provider.py)."""

import json
import time

import pytest

from fakes import fake_provider, make_fake_provider  # noqa: F401
from helpers import add_model, assert_admin_only

# A short model-list timeout so a hanging connection costs 2 seconds.
pytestmark = pytest.mark.stack_env(AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST="2",
                                   MODELS_CACHE_TTL="0")

NO_STREAM = ('Streaming responses are not available yet in this server: '
             'send "stream": false')


def ndjson(r):
    """The JSON lines of a streamed Ollama answer."""
    return [json.loads(line) for line in r.text.splitlines() if line]


def configure(stack, token, fakes, configs=None, enable=True):
    r = stack.post("/ollama/config/update", token=token, json={
        "ENABLE_OLLAMA_API": enable,
        "OLLAMA_BASE_URLS": [f if isinstance(f, str) else f.ollama_base
                             for f in fakes],
        "OLLAMA_API_CONFIGS": configs or {},
    })
    assert r.status_code == 200, r.text
    return r.json()


def drop_models(stack):
    stack.sql('DELETE FROM "model"')


def test_status_is_public(stack):
    r = stack.get("/ollama/")
    assert r.status_code == 200
    assert r.json() == {"status": True}
    assert stack.request("HEAD", "/ollama/").status_code == 200


def test_config_defaults_and_round_trip(stack, users):
    r = stack.get("/ollama/config", token=users.admin.token)
    assert r.status_code == 200, r.text
    assert r.json() == {"ENABLE_OLLAMA_API": True,
                        "OLLAMA_BASE_URLS": ["http://localhost:11434"],
                        "OLLAMA_API_CONFIGS": {}}
    got = configure(stack, users.admin.token, ["http://a:1", "http://b:2"],
                    configs={"1": {"prefix_id": "b"}, "0": {"enable": True},
                             "7": {"enable": False}, "http://a:1": {}})
    assert got == {"ENABLE_OLLAMA_API": True,
                   "OLLAMA_BASE_URLS": ["http://a:1", "http://b:2"],
                   "OLLAMA_API_CONFIGS": {"1": {"prefix_id": "b"},
                                          "0": {"enable": True}}}
    assert stack.get("/ollama/config", token=users.admin.token).json() == got
    row = stack.sql("SELECT data FROM config ORDER BY id DESC LIMIT 1")[0][
        "data"]
    doc = row if isinstance(row, dict) else json.loads(row)
    assert doc["ollama"]["base_urls"] == ["http://a:1", "http://b:2"]
    assert doc["ollama"]["api_configs"] == got["OLLAMA_API_CONFIGS"]
    assert doc["ollama"]["enable"] is True
    got = configure(stack, users.admin.token, ["http://a:1"], enable=False)
    assert got["ENABLE_OLLAMA_API"] is False
    # off: the version is false and the model list empty
    assert stack.get("/ollama/api/version").json() == {"version": False}
    r = stack.get("/ollama/api/tags", token=users.admin.token)
    assert r.json() == {"models": []}


def test_config_update_validation(stack, users):
    before = stack.get("/ollama/config", token=users.admin.token).json()
    for body, loc, kind in (
            ({"OLLAMA_API_CONFIGS": {}}, ["body", "OLLAMA_BASE_URLS"],
             "missing"),
            ({"OLLAMA_BASE_URLS": []}, ["body", "OLLAMA_API_CONFIGS"],
             "missing"),
            ({"OLLAMA_BASE_URLS": "http://x", "OLLAMA_API_CONFIGS": {}},
             ["body", "OLLAMA_BASE_URLS"], "list_type"),
            ({"OLLAMA_BASE_URLS": [1], "OLLAMA_API_CONFIGS": {}},
             ["body", "OLLAMA_BASE_URLS", 0], "string_type"),
            ({"OLLAMA_BASE_URLS": [], "OLLAMA_API_CONFIGS": []},
             ["body", "OLLAMA_API_CONFIGS"], "dict_type"),
            ({"ENABLE_OLLAMA_API": "maybe", "OLLAMA_BASE_URLS": [],
              "OLLAMA_API_CONFIGS": {}},
             ["body", "ENABLE_OLLAMA_API"], "bool_parsing")):
        r = stack.post("/ollama/config/update", token=users.admin.token,
                       json=body)
        assert r.status_code == 422, (body, r.text)
        err = r.json()["detail"][0]
        assert err["loc"] == loc and err["type"] == kind, (body, err)
    r = stack.post("/ollama/config/update", token=users.admin.token,
                   data="{not json", headers={
                       "Content-Type": "application/json"})
    assert r.status_code == 422
    assert stack.get("/ollama/config", token=users.admin.token).json() == \
        before


def test_base_url_from_environment(make_stack):
    for env, want in (
            ({"OLLAMA_BASE_URL": "http://o:1/"}, ["http://o:1"]),
            ({"OLLAMA_BASE_URLS": "http://a:1; http://b:2 "},
             ["http://a:1", "http://b:2"]),
            ({"OLLAMA_API_BASE_URL": "http://api:3/api"}, ["http://api:3"]),
            ({"ENV": "prod", "OLLAMA_BASE_URL": "/ollama"},
             ["http://host.docker.internal:11434"]),
            ({"ENV": "prod", "OLLAMA_BASE_URL": "/ollama",
              "USE_OLLAMA_DOCKER": "true"}, ["http://localhost:11434"]),
            ({"ENV": "prod", "K8S_FLAG": "1"},
             ["http://ollama-service.open-webui.svc.cluster.local:11434"])):
        s = make_stack("sqlite", **env)
        from conftest import create_users
        u = create_users(s)
        r = s.get("/ollama/config", token=u.admin.token)
        assert r.json()["OLLAMA_BASE_URLS"] == want, (env, r.text)
        s.stop()


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/ollama/config", None),
    ("POST", "/ollama/config/update", {"OLLAMA_BASE_URLS": [],
                                       "OLLAMA_API_CONFIGS": {}}),
    ("POST", "/ollama/verify", {"url": "http://127.0.0.1:9"}),
    ("GET", "/ollama/api/ps", None),
    ("POST", "/ollama/api/unload", {"model": "m"}),
    ("POST", "/ollama/api/pull", {"model": "m", "stream": False}),
    ("POST", "/ollama/api/pull/0", {"model": "m", "stream": False}),
    ("DELETE", "/ollama/api/push", {"model": "m", "stream": False}),
    ("POST", "/ollama/api/create", {"model": "m", "stream": False}),
    ("POST", "/ollama/api/copy", {"source": "m", "destination": "n"}),
    ("DELETE", "/ollama/api/delete", {"model": "m"}),
    ("DELETE", "/ollama/api/delete/0", {"model": "m"}),
])
def test_admin_routes_refused(stack, users, method, path, body):
    assert_admin_only(stack, users, method, path, body)


def test_verified_routes_refuse_pending(stack, users):
    for role in ("none", "pending"):
        for method, path in (("GET", "/ollama/api/tags"),
                             ("GET", "/ollama/api/tags/0"),
                             ("POST", "/ollama/api/show"),
                             ("POST", "/ollama/api/embed"),
                             ("POST", "/ollama/api/generate"),
                             ("POST", "/ollama/api/chat"),
                             ("POST", "/ollama/v1/chat/completions"),
                             ("GET", "/ollama/v1/models")):
            r = stack.request(method, path, token=users.token(role),
                              json=None if method == "GET" else
                              {"model": "x"})
            assert r.status_code == 401, (role, path, r.text)


def test_tags_merge_prefix_filter_hang(stack, users, make_fake_provider):
    drop_models(stack)
    a = make_fake_provider(models=["llama3", "qwen"], api_key="k-a")
    b = make_fake_provider(models=["llama3", "mistral", "phi"])
    hang = make_fake_provider(hang=True)
    off = make_fake_provider(models=["never"])
    p = make_fake_provider(models=["gemma"])
    configure(stack, users.admin.token, [a, b, hang, off, p], configs={
        "0": {"key": "k-a", "tags": [{"name": "t1"}]},
        "1": {"model_ids": ["llama3:latest", "mistral:latest"],
              "connection_type": "external"},
        "3": {"enable": False},
        "4": {"prefix_id": "pp"}})
    start = time.monotonic()
    r = stack.get("/ollama/api/tags", token=users.admin.token)
    took = time.monotonic() - start
    assert r.status_code == 200, r.text
    models = r.json()["models"]
    assert [m["model"] for m in models] == [
        "llama3:latest", "qwen:latest", "mistral:latest", "pp.gemma:latest"]
    assert took < 8, took
    first = models[0]
    assert first["urls"] == [0, 1]
    assert first["tags"] == [{"name": "t1"}]
    assert first["connection_type"] == "local"
    assert first["name"] == "llama3:latest"
    # the fake's /api/ps lists loaded models with expires_at: a timestamp
    assert isinstance(first["expires_at"], int)
    assert models[2]["urls"] == [1]
    assert models[2]["connection_type"] == "external"
    assert models[3]["urls"] == [4]
    assert a.requests("/api/tags")[-1]["headers"]["authorization"] == \
        "Bearer k-a"
    assert "authorization" not in b.requests("/api/tags")[-1]["headers"]
    assert off.requests() == []
    # one connection's list, as it answers
    r = stack.get("/ollama/api/tags/1", token=users.admin.token)
    assert r.status_code == 200, r.text
    assert [m["model"] for m in r.json()["models"]] == [
        "llama3:latest", "mistral:latest", "phi:latest"]
    assert stack.get("/ollama/api/tags/9",
                     token=users.admin.token).status_code == 500
    r = stack.get("/ollama/api/tags/x", token=users.admin.token)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["path", "url_idx"]
    # a plain user sees only the models shared with them
    assert stack.get("/ollama/api/tags", token=users.user.token).json() == \
        {"models": []}
    add_model(stack, "qwen:latest", users.admin.id)            # public
    add_model(stack, "llama3:latest", users.admin.id, access_control={})
    r = stack.get("/ollama/api/tags", token=users.user.token)
    assert [m["model"] for m in r.json()["models"]] == ["qwen:latest"]
    r = stack.get("/ollama/v1/models", token=users.user.token)
    assert [m["id"] for m in r.json()["data"]] == ["qwen:latest"]
    r = stack.get("/ollama/v1/models", token=users.admin.token)
    assert r.json()["object"] == "list"
    assert r.json()["data"][0] == {"id": "llama3:latest", "object": "model",
                                   "created": r.json()["data"][0]["created"],
                                   "owned_by": "openai"}
    # loaded models (admin)
    r = stack.get("/ollama/api/ps", token=users.admin.token)
    assert r.status_code == 200
    assert "pp.gemma:latest" in [m["model"] for m in r.json()["models"]]
    drop_models(stack)


def test_version(stack, users, make_fake_provider):
    a = make_fake_provider(version="0.12.3")
    b = make_fake_provider(version="0.9.10-rc1")
    configure(stack, users.admin.token, [a, b, "http://127.0.0.1:9"])
    r = stack.get("/ollama/api/version")
    assert r.status_code == 200, r.text
    assert r.json() == {"version": "0.9.10-rc1"}
    assert stack.get("/ollama/api/version/0").json() == {"version": "0.12.3"}
    r = stack.get("/ollama/api/version/2")
    assert r.status_code == 500
    assert r.json() == {"detail": "Open WebUI: Server Connection Error"}
    configure(stack, users.admin.token, ["http://127.0.0.1:9"])
    r = stack.get("/ollama/api/version")
    assert r.status_code == 500
    assert r.json() == {"detail": "WebUI could not connect to Ollama"}


def test_verify(stack, users, fake_provider):
    fake_provider.set(version="0.5.1", api_key="sk-v")
    r = stack.post("/ollama/verify", token=users.admin.token,
                   json={"url": fake_provider.ollama_base, "key": "sk-v"})
    assert r.status_code == 200, r.text
    assert r.json() == {"version": "0.5.1"}
    r = stack.post("/ollama/verify", token=users.admin.token,
                   json={"url": fake_provider.ollama_base})
    assert r.status_code == 500
    assert r.json() == {"detail": "Unexpected error: External Error: "
                                  "unauthorized"}
    r = stack.post("/ollama/verify", token=users.admin.token,
                   json={"url": "http://127.0.0.1:9"})
    assert r.status_code == 500
    assert r.json() == {"detail": "Open WebUI: Server Connection Error"}
    r = stack.post("/ollama/verify", token=users.admin.token, json={})
    assert r.status_code == 422


def test_show_embed_generate(stack, users, make_fake_provider):
    a = make_fake_provider(models=["llama3"], reply="one two")
    b = make_fake_provider(models=["mistral"])
    configure(stack, users.admin.token, [a, b],
              configs={"0": {"prefix_id": "px"}})
    tok = users.admin.token
    r = stack.post("/ollama/api/show", token=tok,
                   json={"name": "mistral:latest", "verbose": True})
    assert r.status_code == 200, r.text
    assert "modelfile" in r.json()
    assert b.requests("/api/show")[-1]["body"] == {
        "name": "mistral:latest", "verbose": True, "model": "mistral:latest"}
    # as in Python, show sends the prefixed name: the server knows none
    r = stack.post("/ollama/api/show", token=tok,
                   json={"model": "px.llama3:latest"})
    assert r.status_code == 500
    assert r.json()["detail"].startswith("Ollama: model ")
    r = stack.post("/ollama/api/show", token=tok, json={"model": "nope"})
    assert r.status_code == 400
    assert r.json() == {"detail": "Model 'nope' was not found"}
    # embed: ":latest" added for the look-up, the prefix stripped upstream
    r = stack.post("/ollama/api/embed", token=tok,
                   json={"model": "px.llama3", "input": ["a", "b"]})
    assert r.status_code == 200, r.text
    assert len(r.json()["embeddings"]) == 2
    sent = a.requests("/api/embed")[-1]["body"]
    assert sent == {"model": "llama3", "input": ["a", "b"]}
    r = stack.post("/ollama/api/embeddings", token=tok,
                   json={"model": "px.llama3:latest", "prompt": "hi"})
    assert r.status_code == 200, r.text
    assert "embedding" in r.json()
    r = stack.post("/ollama/api/embed", token=tok, json={"model": "x"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "input"]
    r = stack.post("/ollama/api/embed", token=tok,
                   json={"model": "zzz", "input": "a"})
    assert r.status_code == 400
    assert r.json() == {"detail": "Model 'zzz' was not found"}
    # generate: Ollama streams unless told not to (through cwebui-streamd)
    r = stack.post("/ollama/api/generate", token=tok,
                   json={"model": "px.llama3", "prompt": "hi"})
    assert r.status_code == 200, r.text
    assert ndjson(r)[-1]["done"] is True
    sent = a.requests("/api/generate")[-1]["body"]
    assert sent["model"] == "llama3" and sent["stream"] is True
    r = stack.post("/ollama/api/generate", token=tok,
                   json={"model": "px.llama3", "prompt": "hi",
                         "stream": False})
    assert r.status_code == 200, r.text
    assert r.json()["response"] == "one two"
    assert r.json()["done"] is True
    sent = a.requests("/api/generate")[-1]["body"]
    assert sent["model"] == "llama3" and sent["stream"] is False


def test_chat(stack, users, make_fake_provider):
    drop_models(stack)
    a = make_fake_provider(models=["llama3"], reply="hello there")
    b = make_fake_provider(models=["other"])
    configure(stack, users.admin.token, [a, b])
    tok = users.admin.token
    body = {"model": "llama3", "messages": [
        {"role": "user", "content": "hi", "tool_call_id": "dropped"}]}
    r = stack.post("/ollama/api/chat", token=tok, json=body)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    assert "".join(x["message"]["content"] for x in ndjson(r)) == \
        "hello there"
    r = stack.post("/ollama/api/chat", token=tok,
                   json=dict(body, stream=False, metadata={"chat_id": "c"}))
    assert r.status_code == 200, r.text
    assert r.json()["message"]["content"] == "hello there"
    sent = a.requests("/api/chat")[-1]["body"]
    assert sent["model"] == "llama3:latest"
    assert sent["messages"] == [{"role": "user", "content": "hi"}]
    assert "metadata" not in sent
    # validation: Python answers 400 with pydantic's text
    r = stack.post("/ollama/api/chat", token=tok, json={"model": "llama3"})
    assert r.status_code == 400
    assert "validation error" in r.json()["detail"]
    r = stack.post("/ollama/api/chat", token=tok, json={
        "model": "llama3", "stream": False,
        "messages": [{"role": "user", "content": None}]})
    assert r.status_code == 400
    assert "At least one of 'content' or 'tool_calls'" in r.json()["detail"]
    r = stack.post("/ollama/api/chat", token=tok,
                   json={"model": "nope", "messages": [], "stream": False})
    assert r.status_code == 400
    assert r.json() == {"detail": "Model 'nope:latest' was not found"}
    # upstream error: Ollama's {"error"} with its status
    r = stack.post("/ollama/api/chat/1", token=tok,
                   json=dict(body, stream=False))
    assert r.status_code == 404, r.text
    assert "not found" in r.json()["detail"]
    # a workspace model: base model, params and system prompt applied
    add_model(stack, "helper", users.admin.id, base="llama3",
              params={"system": "Be brief, {{USER_NAME}}.",
                      "temperature": "0.5", "max_tokens": 7})
    r = stack.post("/ollama/api/chat", token=tok, json={
        "model": "helper", "stream": False,
        "messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 200, r.text
    sent = a.requests("/api/chat")[-1]["body"]
    assert sent["model"] == "llama3:latest"
    assert sent["options"] == {"temperature": 0.5, "num_predict": 7}
    assert sent["messages"][0] == {"role": "system",
                                   "content": "Be brief, "
                                   + users.admin.name + "."}
    drop_models(stack)


def test_chat_access_rules(stack, users, make_fake_provider):
    drop_models(stack)
    a = make_fake_provider(models=["llama3"])
    b = make_fake_provider(models=["llama3", "secret"])
    configure(stack, users.admin.token, [a, b])
    body = {"model": "llama3:latest", "stream": False,
            "messages": [{"role": "user", "content": "hi"}]}
    # no workspace model: only admins
    r = stack.post("/ollama/api/chat", token=users.user.token, json=body)
    assert r.status_code == 403
    assert r.json() == {"detail": "Model not found"}
    r = stack.post("/ollama/v1/chat/completions", token=users.user.token,
                   json=body)
    assert r.status_code == 403
    # private model of the admin: refused; public: served
    add_model(stack, "llama3:latest", users.admin.id, access_control={})
    r = stack.post("/ollama/api/chat", token=users.user.token, json=body)
    assert r.status_code == 403
    add_model(stack, "llama3:latest", users.admin.id)
    r = stack.post("/ollama/api/chat", token=users.user.token, json=body)
    assert r.status_code == 200, r.text
    # a user cannot send a model to a connection that does not serve it
    # (GHSA-9rpj-v7hf-vv2w); a connection that has it is fine
    add_model(stack, "secret:latest", users.admin.id)
    a.clear()
    r = stack.post("/ollama/api/chat/0", token=users.user.token,
                   json=dict(body, model="secret:latest"))
    assert r.status_code == 400
    assert a.requests("/api/chat") == []
    r = stack.post("/ollama/api/chat/1", token=users.user.token,
                   json=dict(body, model="secret:latest"))
    assert r.status_code == 200, r.text
    r = stack.post("/ollama/api/embed/0", token=users.user.token,
                   json={"model": "secret:latest", "input": "x"})
    assert r.status_code == 400
    # the admin may
    r = stack.post("/ollama/api/embed/0", token=users.admin.token,
                   json={"model": "llama3:latest", "input": "x"})
    assert r.status_code == 200, r.text
    drop_models(stack)


def test_openai_forms(stack, users, fake_provider):
    drop_models(stack)
    fake_provider.set(models=["llama3:latest"], reply="fine")
    configure(stack, users.admin.token, [fake_provider])
    tok = users.admin.token
    r = stack.post("/ollama/v1/chat/completions", token=tok, json={
        "model": "llama3", "messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "fine"
    sent = fake_provider.requests("/v1/chat/completions")[-1]["body"]
    assert sent["model"] == "llama3:latest"
    r = stack.post("/ollama/v1/chat/completions", token=tok, json={
        "model": "llama3", "stream": True,
        "messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 200, r.text
    assert r.text.rstrip().endswith("data: [DONE]")
    r = stack.post("/ollama/v1/completions", token=tok,
                   json={"model": "llama3", "prompt": "hi"})
    assert r.status_code == 200, r.text
    r = stack.post("/ollama/v1/completions", token=tok,
                   json={"model": "llama3"})
    assert r.status_code == 400
    assert "validation error" in r.json()["detail"]


def test_model_management(stack, users, make_fake_provider):
    a = make_fake_provider(models=["llama3"])
    b = make_fake_provider(models=["phi"])
    configure(stack, users.admin.token, [a, b])
    tok = users.admin.token
    # the fake has no /api/copy: Ollama's text 404, as requests reports it
    r = stack.post("/ollama/api/copy", token=tok,
                   json={"source": "phi:latest", "destination": "phi2"})
    assert r.status_code == 500, r.text
    assert r.json() == {"detail": "Ollama: 404 Client Error: Not Found for "
                                  f"url: {b.url}/api/copy"}
    assert b.requests("/api/copy")[-1]["body"] == {
        "source": "phi:latest", "destination": "phi2"}
    r = stack.post("/ollama/api/copy", token=tok,
                   json={"source": "nope", "destination": "x"})
    assert r.status_code == 400
    assert r.json() == {"detail": "Model 'nope' was not found"}
    r = stack.post("/ollama/api/copy", token=tok, json={"source": "x"})
    assert r.status_code == 422
    r = stack.delete("/ollama/api/delete", token=tok, json={"name": "zz"})
    assert r.status_code == 400
    assert r.json() == {"detail": "Model 'zz' was not found"}
    # pull streams unless told not to (through cwebui-streamd), to
    # connection 0; the fake has no /api/pull: its error as Python raises it
    r = stack.post("/ollama/api/pull", token=tok, json={"model": "new"})
    assert r.status_code == 404, r.text
    assert list(r.json()) == ["detail"]
    assert a.requests("/api/pull")[-1]["body"]["model"] == "new"
    stack.post("/ollama/api/pull/1", token=tok,
               json={"name": "new", "stream": False})
    got = b.requests("/api/pull")
    assert got and got[-1]["body"] == {"name": "new", "stream": False,
                                       "model": "new", "insecure": True}
    r = stack.post("/ollama/api/unload", token=tok, json={})
    assert r.status_code == 400
    assert r.json() == {"detail": "Missing name of the model to unload."}
    r = stack.post("/ollama/api/unload", token=tok, json={"model": "phi"})
    assert r.status_code in (200, 500), r.text
    sent = b.requests("/api/generate")[-1]["body"]
    assert sent == {"model": "phi:latest", "keep_alive": 0, "prompt": ""}
    r = stack.post("/ollama/api/unload", token=tok, json={"model": "none"})
    assert r.status_code == 400
    assert r.json() == {"detail": "Model 'none:latest' was not found"}


def test_openai_chat_through_main(stack, users, fake_provider):
    """ollama_chat_openai (lib/ollama.h) as /api/chat/completions uses it:
    the OpenAI body converted to /api/chat, the answer back to
    chat.completion."""
    drop_models(stack)
    fake_provider.set(models=["llama3:latest"], reply="two words")
    configure(stack, users.admin.token, [fake_provider])
    stack.post("/openai/config/update", token=users.admin.token, json={
        "ENABLE_OPENAI_API": False, "OPENAI_API_BASE_URLS": [],
        "OPENAI_API_KEYS": [], "OPENAI_API_CONFIGS": {}})
    r = stack.post("/api/chat/completions", token=users.admin.token, json={
        "model": "llama3:latest", "stream": False, "max_tokens": 5,
        "messages": [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": [
                {"type": "text", "text": " look "},
                {"type": "image_url",
                 "image_url": {"url": "data:image/png;base64,AAAA"}}]}]})
    if r.status_code == 404:
        pytest.skip("/api/chat/completions not served in this build")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["object"] == "chat.completion"
    assert got["model"] == "llama3:latest"
    assert got["id"].startswith("llama3:latest-")
    assert got["choices"][0]["message"] == {"role": "assistant",
                                            "content": "two words"}
    assert got["choices"][0]["finish_reason"] == "stop"
    usage = got["usage"]
    assert usage["completion_tokens"] == usage["eval_count"]
    assert usage["total_tokens"] == (usage["prompt_eval_count"]
                                     + usage["eval_count"])
    assert "approximate_total" in usage
    sent = fake_provider.requests("/api/chat")[-1]["body"]
    assert sent["stream"] is False
    assert sent["messages"][1] == {"role": "user", "content": "look",
                                   "images": ["AAAA"]}


def test_forwarded_user_headers_carry_no_line_breaks(stack, users,
                                                     fake_provider):
    # an e-mail with CR/LF (set by an admin, LDAP or an OAuth provider)
    # must not inject headers into the model list request to a connection
    drop_models(stack)
    old = stack.sql('SELECT email FROM "user" WHERE id = ?',
                    (users.admin.id,))[0]["email"]
    try:
        stack.restart(ENABLE_FORWARD_USER_INFO_HEADERS="true")
        fake_provider.set(models=["llama3"])
        configure(stack, users.admin.token, [fake_provider])
        stack.sql('UPDATE "user" SET email = ? WHERE id = ?',
                  ("a@x.io\r\nX-Injected: yes", users.admin.id))
        fake_provider.clear()
        r = stack.get("/ollama/api/tags", token=users.admin.token)
        assert r.status_code == 200, r.text
        sent = fake_provider.requests("/api/tags")
        assert sent, "the connection was not asked"
        for q in sent:
            assert "x-injected" not in q["headers"]
            assert "\r" not in json.dumps(q["headers"])
    finally:
        stack.sql('UPDATE "user" SET email = ? WHERE id = ?',
                  (old, users.admin.id))
        stack.restart()
