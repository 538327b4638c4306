"""main.py's merged model list and non-streaming chat completion
(GET /api/models, /api/v1/models, /api/models/base, POST
/api/chat/completions) over fake OpenAI and Ollama connections."""

import pytest

from conftest import create_users
from fakes import fake_provider, make_fake_provider  # noqa: F401
from helpers import connect_providers

# Short model-list timeout for the hanging connection; no TTL cache so a
# test sees the fakes as it has just set them.
pytestmark = pytest.mark.stack_env(AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST="2",
                                   MODELS_CACHE_TTL="0")


def connect(stack, token, openai=(), ollama=(), openai_configs=None,
            ollama_configs=None):
    """Points the OpenAI and Ollama connections at the given fakes."""
    connect_providers(stack, token, openai, ollama,
                      openai_configs=openai_configs,
                      ollama_configs=ollama_configs)


def create_model(stack, token, **form):
    form.setdefault("meta", {})
    form.setdefault("params", {})
    r = stack.post("/api/v1/models/create", token=token, json=form)
    assert r.status_code == 200, r.text
    return r.json()


def delete_models(stack, token):
    stack.delete("/api/v1/models/delete/all", token=token)


def ids(resp):
    assert resp.status_code == 200, resp.text
    return [m["id"] for m in resp.json()["data"]]


def chat(stack, token, model, **extra):
    body = {"model": model,
            "messages": [{"role": "user", "content": "hi"}]}
    body.update(extra)
    return stack.post("/api/chat/completions", token=token, json=body)


def test_list_merges_connections(stack, users, make_fake_provider):
    a = make_fake_provider(models=["gpt-a"])
    b = make_fake_provider(models=["gpt-b", "gpt-c"])
    o = make_fake_provider(ollama_models=["llama3:latest"])
    connect(stack, users.admin.token, openai=[a, b], ollama=[o],
            openai_configs={"0": {"enable": True, "prefix_id": "pa"}})
    r = stack.get("/api/models", token=users.admin.token)
    got = ids(r)
    for want in ("pa.gpt-a", "gpt-b", "gpt-c", "llama3:latest",
                 "arena-model"):
        assert want in got, got
    by = {m["id"]: m for m in r.json()["data"]}
    assert by["pa.gpt-a"]["urlIdx"] == 0 and by["gpt-b"]["urlIdx"] == 1
    assert by["llama3:latest"]["owned_by"] == "ollama"
    assert by["llama3:latest"]["ollama"]["model"] == "llama3:latest"
    assert by["llama3:latest"]["connection_type"] == "local"
    assert by["arena-model"]["owned_by"] == "arena"
    assert all(m["actions"] == [] and m["filters"] == []
               for m in r.json()["data"])
    assert ids(stack.get("/api/v1/models", token=users.admin.token)) == got
    base = stack.get("/api/models/base", token=users.admin.token)
    assert "arena-model" not in ids(base)
    assert "pa.gpt-a" in ids(base)
    assert stack.get("/api/models/base",
                     token=users.user.token).status_code == 401


def test_hanging_connection_does_not_block(stack, users,
                                           make_fake_provider):
    a = make_fake_provider(models=["gpt-a"])
    h = make_fake_provider(models=["gpt-h"], hang=True)
    connect(stack, users.admin.token, openai=[a, h])
    r = stack.get("/api/models", token=users.admin.token)
    got = ids(r)
    assert "gpt-a" in got and "gpt-h" not in got


def test_openai_and_ollama_lists_in_one_round(stack, users,
                                              make_fake_provider):
    a = make_fake_provider(models=["gpt-a"])
    f = make_fake_provider(models=["gpt-s"], ollama_models=["slow:latest"])
    connect(stack, users.admin.token, openai=[a, f], ollama=[f])
    # slow (below the model-list timeout): the OpenAI /models and the
    # Ollama /api/tags and /api/ps are inside the fake at the same time;
    # asked one after the other, at most one would be
    f.set(delay_ms=700)
    f.clear()
    got = ids(stack.get("/api/models", token=users.admin.token))
    assert "gpt-a" in got and "gpt-s" in got and "slow:latest" in got
    paths = sorted(q["path"] for q in f.requests())
    assert paths == ["/api/ps", "/api/tags", "/v1/models"], paths
    assert f.stats()["max_in_flight"] == 3, f.stats()
    # hanging on both APIs: the list still comes, without their models
    f.set(delay_ms=0, hang=True)
    got = ids(stack.get("/api/models?refresh=true",
                        token=users.admin.token))
    assert "gpt-a" in got
    assert "gpt-s" not in got and "slow:latest" not in got
    assert {q["path"] for q in f.requests()} >= {"/v1/models",
                                                 "/api/tags"}


def test_workspace_model_system_prompt(stack, users, fake_provider):
    fake_provider.set(models=["gpt-b"], reply="fine")
    connect(stack, users.admin.token, openai=[fake_provider])
    delete_models(stack, users.admin.token)
    create_model(stack, users.admin.token, id="helper", name="Helper",
                 base_model_id="gpt-b",
                 params={"system": "You help {{USER_NAME}}.",
                         "temperature": 0.5},
                 access_control=None)
    listed = {m["id"]: m for m in
              stack.get("/api/models", token=users.admin.token)
              .json()["data"]}
    assert listed["helper"]["preset"] is True
    assert listed["helper"]["owned_by"] == "openai"
    assert listed["helper"]["info"]["base_model_id"] == "gpt-b"
    fake_provider.clear()
    r = chat(stack, users.admin.token, "helper", stream=False)
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "fine"
    sent = fake_provider.requests("/v1/chat/completions")[-1]["body"]
    assert sent["model"] == "gpt-b"
    assert sent["temperature"] == 0.5
    assert sent["messages"][0] == {"role": "system",
                                   "content": "You help Admin."}
    assert sent["messages"][-1] == {"role": "user", "content": "hi"}
    assert "metadata" not in sent


def test_access_hidden_and_refused(stack, users, fake_provider):
    fake_provider.set(models=["gpt-b"])
    connect(stack, users.admin.token, openai=[fake_provider])
    delete_models(stack, users.admin.token)
    create_model(stack, users.admin.token, id="secret", name="Secret",
                 base_model_id="gpt-b", access_control={})
    create_model(stack, users.admin.token, id="open", name="Open",
                 base_model_id="gpt-b", access_control=None)
    got = ids(stack.get("/api/models", token=users.user.token))
    assert "open" in got
    assert "secret" not in got
    # base models without a workspace entry are the admin's only
    assert "gpt-b" not in got and "arena-model" not in got
    assert "secret" in ids(stack.get("/api/models",
                                     token=users.admin.token))
    r = chat(stack, users.user.token, "secret")
    assert r.status_code == 400 and r.json() == {"detail": "Model not found"}
    r = chat(stack, users.user.token, "gpt-b")
    assert r.status_code == 400 and r.json() == {"detail": "Model not found"}
    r = chat(stack, users.user.token, "open")
    assert r.status_code == 200, r.text
    assert chat(stack, users.user.token, "nope").json() == {
        "detail": "Model not found"}


def test_arena_model_picks_a_model(stack, users, fake_provider):
    fake_provider.set(models=["gpt-x"])
    connect(stack, users.admin.token, openai=[fake_provider])
    delete_models(stack, users.admin.token)
    r = chat(stack, users.admin.token, "arena-model")
    assert r.status_code == 200, r.text
    assert r.json()["selected_model_id"] == "gpt-x"
    assert fake_provider.requests("/v1/chat/completions")[-1]["body"][
        "model"] == "gpt-x"


def test_ollama_completion(stack, users, fake_provider):
    fake_provider.set(ollama_models=["llama3:latest"], reply="from ollama")
    connect(stack, users.admin.token, ollama=[fake_provider])
    r = chat(stack, users.admin.token, "llama3:latest")
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "from ollama"
    assert fake_provider.requests("/api/chat")[-1]["body"]["stream"] is False


def test_ollama_workspace_model_for_a_user(stack, users, fake_provider):
    """A plain user chats through a public workspace model over an Ollama
    model: the base model gets the request once, with the system prompt
    once and the model's params as Ollama options."""
    fake_provider.set(ollama_models=["llama3:latest"], reply="olla")
    connect(stack, users.admin.token, ollama=[fake_provider])
    delete_models(stack, users.admin.token)
    create_model(stack, users.admin.token, id="olla-helper", name="OH",
                 base_model_id="llama3:latest",
                 params={"system": "Be brief.", "temperature": 0.3},
                 access_control=None)
    fake_provider.clear()
    r = chat(stack, users.user.token, "olla-helper")
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "olla"
    sent = fake_provider.requests("/api/chat")
    assert len(sent) == 1
    body = sent[0]["body"]
    assert body["model"] == "llama3:latest"
    systems = [m for m in body["messages"] if m["role"] == "system"]
    assert systems == [{"role": "system", "content": "Be brief."}]
    assert body["options"]["temperature"] == 0.3


def test_stream_and_unserved_refused(stack, users, fake_provider):
    fake_provider.set(models=["gpt-x"])
    connect(stack, users.admin.token, openai=[fake_provider])
    # a stream is served through cwebui-streamd (tests/api/test_handoff.py)
    r = chat(stack, users.admin.token, "gpt-x", stream=True)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    fake_provider.clear()
    r = chat(stack, users.admin.token, "gpt-x",
             features={"web_search": True})
    assert r.status_code == 400
    assert fake_provider.requests("/v1/chat/completions") == []


def test_auth(stack, users):
    for path in ("/api/models", "/api/v1/models"):
        assert stack.get(path).status_code == 401
        assert stack.get(path, token=users.pending.token).status_code == 401
    r = stack.post("/api/chat/completions", json={"model": "x"})
    assert r.status_code == 401
    r = stack.post("/api/chat/completions", token=users.pending.token,
                   json={"model": "x"})
    assert r.status_code == 401
    r = stack.get("/api/models?refresh=maybe", token=users.admin.token)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "refresh"]


def test_base_models_cache_and_refresh(stack, make_stack, fake_provider):
    s = make_stack(stack.engine, CWEBUI_WORKERS="1", MODELS_CACHE_TTL="0",
                   ENABLE_BASE_MODELS_CACHE="true")
    u = create_users(s, "mc")
    fake_provider.set(models=["gpt-old"])
    connect(s, u.admin.token, openai=[fake_provider])
    assert "gpt-old" in ids(s.get("/api/models?refresh=true",
                                  token=u.admin.token))
    fake_provider.set(models=["gpt-new"])
    got = ids(s.get("/api/models", token=u.admin.token))
    assert "gpt-old" in got and "gpt-new" not in got
    got = ids(s.get("/api/models?refresh=true", token=u.admin.token))
    assert "gpt-new" in got and "gpt-old" not in got


def embed(stack, token, path="/api/embeddings", **body):
    return stack.post(path, token=token, json=body)


def test_embeddings_openai(stack, users, fake_provider):
    fake_provider.set(models=["gpt-e"])
    connect(stack, users.admin.token, openai=[fake_provider])
    delete_models(stack, users.admin.token)
    fake_provider.clear()
    for path in ("/api/embeddings", "/api/v1/embeddings"):
        r = embed(stack, users.admin.token, path, model="gpt-e",
                  input=["a", "b"], dimensions=8)
        assert r.status_code == 200, r.text
        assert r.json()["object"] == "list"
        assert r.json()["data"][0]["object"] == "embedding"
        assert len(r.json()["data"][0]["embedding"]) == 8
    sent = fake_provider.requests("/v1/embeddings")
    assert len(sent) == 2
    assert sent[0]["body"] == {"model": "gpt-e", "input": ["a", "b"],
                               "dimensions": 8}
    # a plain user may not use a base model without a workspace model
    r = embed(stack, users.user.token, model="gpt-e", input="x")
    assert r.status_code == 500 and r.text == "Internal Server Error"
    r = embed(stack, users.admin.token, model="nope", input="x")
    assert r.status_code == 500 and r.text == "Internal Server Error"
    assert len(fake_provider.requests("/v1/embeddings")) == 2
    # a public workspace model: sent as named; the upstream error relayed
    create_model(stack, users.admin.token, id="emb", name="Emb",
                 base_model_id="gpt-e", access_control=None)
    r = embed(stack, users.user.token, model="emb", input="x")
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "model_not_found"
    assert fake_provider.requests("/v1/embeddings")[-1]["body"]["model"] \
        == "emb"
    r = stack.post("/api/embeddings", token=users.admin.token, json=[1])
    assert r.status_code == 422
    assert stack.post("/api/embeddings", json={"model": "gpt-e"}) \
        .status_code == 401
    delete_models(stack, users.admin.token)


def test_embeddings_ollama(stack, users, fake_provider):
    fake_provider.set(ollama_models=["nomic:latest"])
    connect(stack, users.admin.token, ollama=[fake_provider],
            ollama_configs={"0": {"prefix_id": "px"}})
    fake_provider.clear()
    r = embed(stack, users.admin.token, model="px.nomic:latest",
              input=["a", "b"], truncate=True, keep_alive="5m")
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["object"] == "list" and got["model"] is None
    assert len(got["data"]) == 1
    assert got["data"][0]["object"] == "embedding"
    assert got["data"][0]["index"] == 0
    assert len(got["data"][0]["embedding"]) > 0
    sent = fake_provider.requests("/api/embeddings")
    assert [q["body"] for q in sent] == [
        {"model": "nomic:latest", "prompt": "a\nb", "keep_alive": "5m"}]
    # options must be an object (Python's form fails: a plain 500)
    r = embed(stack, users.admin.token, model="px.nomic:latest",
              input="a", options=[1])
    assert r.status_code == 500 and r.text == "Internal Server Error"
    assert len(fake_provider.requests("/api/embeddings")) == 1
    # an upstream error comes back as Python words it
    fake_provider.set(fail_status={"/api/embeddings": 503})
    r = embed(stack, users.admin.token, model="px.nomic:latest",
              input="a")
    assert r.status_code == 500, r.text
    assert r.json() == {"detail": "Ollama: fake failure"}
    # a model no connection lists: Python's uncaught "Model not found"
    r = embed(stack, users.admin.token, model="nomic:latest", input="a")
    assert r.status_code == 500 and r.text == "Internal Server Error"


def test_system_prompt_variables_cannot_explode(stack, users, fake_provider):
    # each variable doubles the caller's system prompt (7 of them: 32 MiB
    # from 256 KiB, 40 would ask for terabytes); it stops under 8 MiB and
    # the request still works
    k = 256 * 1024
    fake_provider.set(models=["gpt-v"], reply="ok")
    connect(stack, users.admin.token, openai=[fake_provider])
    delete_models(stack, users.admin.token)
    variables = {"x" * (k - j): "x" * (2 * (k - j)) for j in range(7)}
    fake_provider.clear()
    r = stack.post("/api/chat/completions", token=users.admin.token, json={
        "model": "gpt-v", "stream": False, "variables": variables,
        "messages": [{"role": "system", "content": "x" * k},
                     {"role": "user", "content": "hi"}]}, timeout=120)
    assert r.status_code == 200, r.text
    sent = fake_provider.requests("/v1/chat/completions")[-1]["body"]
    system = sent["messages"][0]["content"]
    assert set(system) <= {"x", "\n"}
    assert 4 * 1024 * 1024 < len(system) <= 8 * 1024 * 1024 + k + 1
