"""routers/openai.py: the OpenAI connections' settings, their model lists,
connection checks, non-streaming chat completions and the deprecated
proxy, over fake OpenAI providers (tests/fake/provider.py)."""

import json
import time

import pytest

from fakes import fake_provider, make_fake_provider  # noqa: F401
from workers import no_worker_crash  # noqa: F401
from helpers import add_model, assert_admin_only

# A short model-list timeout so a hanging connection costs 2 seconds.
pytestmark = pytest.mark.stack_env(AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST="2",
                                   MODELS_CACHE_TTL="0")


def configure(stack, token, fakes, keys=None, configs=None, enable=True):
    r = stack.post("/openai/config/update", token=token, json={
        "ENABLE_OPENAI_API": enable,
        "OPENAI_API_BASE_URLS": [f if isinstance(f, str) else f.openai_base
                                 for f in fakes],
        "OPENAI_API_KEYS": keys if keys is not None else ["" for _ in fakes],
        "OPENAI_API_CONFIGS": configs or {},
    })
    assert r.status_code == 200, r.text
    return r.json()


def chat(stack, token, model, path="/openai/chat/completions", **extra):
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    body.update(extra)
    return stack.post(path, token=token, json=body)


def test_config_defaults_and_round_trip(stack, users):
    r = stack.get("/openai/config", token=users.admin.token)
    assert r.status_code == 200, r.text
    assert r.json() == {"ENABLE_OPENAI_API": True,
                        "OPENAI_API_BASE_URLS": ["https://api.openai.com/v1"],
                        "OPENAI_API_KEYS": [""],
                        "OPENAI_API_CONFIGS": {}}
    # more keys than URLs: cut; configs of missing indexes: dropped
    got = configure(stack, users.admin.token, ["http://a/v1", "http://b/v1"],
                    keys=["k1", "k2", "k3"],
                    configs={"0": {"prefix_id": "a"}, "5": {"enable": True},
                             "http://a/v1": {}})
    assert got == {"ENABLE_OPENAI_API": True,
                   "OPENAI_API_BASE_URLS": ["http://a/v1", "http://b/v1"],
                   "OPENAI_API_KEYS": ["k1", "k2"],
                   "OPENAI_API_CONFIGS": {"0": {"prefix_id": "a"}}}
    assert stack.get("/openai/config", token=users.admin.token).json() == got
    # fewer keys than URLs: padded with ""
    got = configure(stack, users.admin.token, ["http://a/v1", "http://b/v1"],
                    keys=["k1"], enable=None)
    assert got["OPENAI_API_KEYS"] == ["k1", ""]
    assert got["ENABLE_OPENAI_API"] is None
    row = stack.sql("SELECT data FROM config ORDER BY id DESC LIMIT 1")
    doc = json.loads(row[0]["data"])
    assert doc["openai"]["api_base_urls"] == ["http://a/v1", "http://b/v1"]
    assert doc["openai"]["api_keys"] == ["k1", ""]
    assert doc["openai"]["enable"] is None


def test_config_update_validation(stack, users):
    before = stack.get("/openai/config", token=users.admin.token).json()
    r = stack.post("/openai/config/update", token=users.admin.token,
                   json={"OPENAI_API_BASE_URLS": ["http://x", 3],
                         "OPENAI_API_CONFIGS": []})
    assert r.status_code == 422
    locs = [tuple(e["loc"]) for e in r.json()["detail"]]
    assert ("body", "OPENAI_API_BASE_URLS", 1) in locs
    assert ("body", "OPENAI_API_KEYS") in locs
    assert ("body", "OPENAI_API_CONFIGS") in locs
    types = {tuple(e["loc"]): e["type"] for e in r.json()["detail"]}
    assert types[("body", "OPENAI_API_KEYS")] == "missing"
    assert types[("body", "OPENAI_API_CONFIGS")] == "dict_type"
    assert stack.get("/openai/config", token=users.admin.token).json() == \
        before


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/openai/config", None),
    ("POST", "/openai/config/update", {"OPENAI_API_BASE_URLS": [],
                                       "OPENAI_API_KEYS": [],
                                       "OPENAI_API_CONFIGS": {}}),
    ("POST", "/openai/verify", {"url": "http://127.0.0.1:9", "key": ""}),
])
def test_admin_routes_refused(stack, users, method, path, body):
    assert_admin_only(stack, users, method, path, body)


def test_verified_routes_refuse_pending(stack, users):
    for role in ("none", "pending"):
        for method, path in (("GET", "/openai/models"),
                             ("POST", "/openai/chat/completions"),
                             ("GET", "/openai/anything")):
            r = stack.request(method, path, token=users.token(role),
                              json={"model": "x"} if method == "POST"
                              else None)
            assert r.status_code == 401, (role, path, r.text)


def test_models_merge_prefix_filter_hang(stack, users, make_fake_provider):
    a = make_fake_provider(models=["gpt-a", "gpt-b"], api_key="sk-a")
    b = make_fake_provider(models=["x-1", "x-2"])
    hang = make_fake_provider(hang=True)
    off = make_fake_provider(models=["never"])
    configure(stack, users.admin.token, [a, b, hang, off],
              keys=["sk-a", "", "", ""],
              configs={"0": {"prefix_id": "pa", "tags": [{"name": "t1"}]},
                       "1": {"model_ids": ["x-1"],
                             "connection_type": "local"},
                       "3": {"enable": False}})
    start = time.monotonic()
    r = stack.get("/openai/models", token=users.admin.token)
    took = time.monotonic() - start
    assert r.status_code == 200, r.text
    models = r.json()["data"]
    assert [m["id"] for m in models] == ["pa.gpt-a", "pa.gpt-b", "x-1"]
    assert took < 8, took
    first = models[0]
    assert first["name"] == "pa.gpt-a"
    assert first["owned_by"] == "openai"
    assert first["urlIdx"] == 0
    assert first["tags"] == [{"name": "t1"}]
    assert first["connection_type"] == "external"
    assert first["openai"]["id"] == "pa.gpt-a"
    assert first["object"] == "model"
    listed = models[2]
    assert listed["urlIdx"] == 1
    assert listed["connection_type"] == "local"
    assert listed["openai"]["openai"] == {"id": "x-1"}
    assert listed["name"] == "x-1"
    # the key goes to its own connection only; filtered or disabled
    # connections are not asked
    got = a.requests("/v1/models")
    assert got and got[-1]["headers"]["authorization"] == "Bearer sk-a"
    assert b.requests("/v1/models") == []
    assert off.requests() == []
    # a plain user sees only models of the workspace they may read
    assert stack.get("/openai/models", token=users.user.token).json() == \
        {"data": []}
    add_model(stack, "pa.gpt-b", users.admin.id)          # public
    add_model(stack, "x-1", users.admin.id, access_control={})  # private
    r = stack.get("/openai/models", token=users.user.token)
    assert [m["id"] for m in r.json()["data"]] == ["pa.gpt-b"]


def test_models_disabled_api(stack, users, fake_provider):
    configure(stack, users.admin.token, [fake_provider], enable=False)
    r = stack.get("/openai/models", token=users.admin.token)
    assert r.json() == {"data": []}
    assert fake_provider.requests() == []


def test_models_of_one_connection(stack, users, make_fake_provider):
    a = make_fake_provider(models=["gpt-a"])
    b = make_fake_provider(models=["gpt-b"], api_key="sk-b")
    configure(stack, users.admin.token, [a, b], keys=["", "sk-b"])
    r = stack.get("/openai/models/1", token=users.admin.token)
    assert r.status_code == 200, r.text
    assert r.json()["object"] == "list"
    assert [m["id"] for m in r.json()["data"]] == ["gpt-b"]
    assert b.requests("/v1/models")[-1]["headers"]["authorization"] == \
        "Bearer sk-b"
    assert stack.get("/openai/models/abc",
                     token=users.admin.token).status_code == 422
    assert stack.get("/openai/models/7",
                     token=users.admin.token).status_code == 500
    # a plain user never picks a connection
    r = stack.get("/openai/models/0", token=users.user.token)
    assert r.status_code == 403
    b.set(api_key="other")
    r = stack.get("/openai/models/1", token=users.admin.token)
    assert r.status_code == 500
    assert r.json()["detail"].startswith("Unexpected error: External Error:")


def test_verify_connection(stack, users, fake_provider):
    fake_provider.set(models=["gpt-v"], api_key="sk-v")
    r = stack.post("/openai/verify", token=users.admin.token,
                   json={"url": fake_provider.openai_base, "key": "sk-v"})
    assert r.status_code == 200, r.text
    assert [m["id"] for m in r.json()["data"]] == ["gpt-v"]
    r = stack.post("/openai/verify", token=users.admin.token,
                   json={"url": fake_provider.openai_base, "key": "bad"})
    assert r.status_code == 401
    assert "error" in r.json()
    r = stack.post("/openai/verify", token=users.admin.token,
                   json={"url": "http://127.0.0.1:9/v1", "key": ""})
    assert r.status_code == 500
    assert r.json() == {"detail": "Open WebUI: Server Connection Error"}
    r = stack.post("/openai/verify", token=users.admin.token,
                   json={"url": fake_provider.openai_base})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "key"]


def test_chat_completion(stack, users, make_fake_provider):
    a = make_fake_provider(models=["gpt-a"], api_key="sk-a", reply="Hi there")
    configure(stack, users.admin.token, [a], keys=["sk-a"],
              configs={"0": {"prefix_id": "pa"}})
    r = chat(stack, users.admin.token, "pa.gpt-a",
             metadata={"chat_id": "c1"}, max_completion_tokens=5)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"] == "Hi there"
    sent = a.requests("/v1/chat/completions")[-1]
    assert sent["body"]["model"] == "gpt-a"
    assert "metadata" not in sent["body"]
    assert sent["body"]["max_tokens"] == 5
    assert "max_completion_tokens" not in sent["body"]
    assert sent["headers"]["authorization"] == "Bearer sk-a"
    assert "x-openwebui-user-id" not in sent["headers"]
    # a stream goes through cwebui-streamd as the upstream sends it
    r = chat(stack, users.admin.token, "pa.gpt-a", stream=True)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    assert r.text.rstrip().endswith("data: [DONE]")
    assert a.requests("/v1/chat/completions")[-1]["body"]["stream"] is True
    # unknown model
    r = chat(stack, users.admin.token, "nope")
    assert r.status_code == 404
    assert r.json() == {"detail": "Model not found"}
    # upstream errors keep their status and body
    a.set(fail_status={"/chat/completions": 429})
    r = chat(stack, users.admin.token, "pa.gpt-a")
    assert r.status_code == 429
    assert r.json()["error"]["message"] == "fake failure"
    a.set(fail_status={"/chat/completions": 502}, fail_body="bad gateway")
    r = chat(stack, users.admin.token, "pa.gpt-a")
    assert r.status_code == 502
    assert r.text == "bad gateway"
    # a connection whose models are gone: the model is not found
    a.set(api_key="other")
    assert chat(stack, users.admin.token, "pa.gpt-a").status_code == 404


def test_chat_user_access(stack, users, fake_provider):
    fake_provider.set(models=["gpt-u"])
    configure(stack, users.admin.token, [fake_provider])
    stack.sql('DELETE FROM "model"')
    # not in the workspace: admins only, whatever bypass_filter says
    r = chat(stack, users.user.token, "gpt-u")
    assert r.status_code == 403
    assert r.json() == {"detail": "Model not found"}
    r = chat(stack, users.user.token,
             "gpt-u", path="/openai/chat/completions?bypass_filter=true")
    assert r.status_code == 403
    add_model(stack, "gpt-u", users.admin.id, access_control={})
    assert chat(stack, users.user.token, "gpt-u").status_code == 403
    fake_provider.clear()
    add_model(stack, "gpt-u", users.admin.id, access_control=None)
    r = chat(stack, users.user.token, "gpt-u")
    assert r.status_code == 200, r.text
    assert len(fake_provider.requests("/v1/chat/completions")) == 1
    # a workspace preset: its base model and params are sent
    add_model(stack, "preset", users.user.id, base="gpt-u",
              access_control={}, params={"temperature": 0.25,
                                         "system": "Be brief."})
    fake_provider.clear()
    r = chat(stack, users.user.token, "preset")
    assert r.status_code == 200, r.text
    sent = fake_provider.requests("/v1/chat/completions")[-1]["body"]
    assert sent["model"] == "gpt-u"
    assert sent["temperature"] == 0.25
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}


def test_proxy(stack, users, fake_provider):
    fake_provider.set(models=["gpt-p"], api_key="sk-p")
    configure(stack, users.admin.token, [fake_provider], keys=["sk-p"])
    stack.sql('DELETE FROM "model"')
    r = stack.post("/openai/embeddings", token=users.admin.token,
                   json={"model": "gpt-p", "input": "x"})
    assert r.status_code == 200, r.text
    assert r.json()["object"] == "list"
    sent = fake_provider.requests("/v1/embeddings")[-1]
    assert sent["headers"]["authorization"] == "Bearer sk-p"
    assert sent["body"] == {"model": "gpt-p", "input": "x"}
    # the caller's access to a named model is checked
    r = stack.post("/openai/embeddings", token=users.user.token,
                   json={"model": "gpt-p", "input": "x"})
    assert r.status_code == 403
    r = stack.get("/openai/models/extra/path?x=1", token=users.admin.token)
    assert r.status_code in (200, 404)
    assert fake_provider.requests("/v1/models/extra/path")[-1]["method"] == \
        "GET"


def test_forward_user_info_headers(stack, users, fake_provider):
    try:
        stack.restart(ENABLE_FORWARD_USER_INFO_HEADERS="true")
        fake_provider.set(models=["gpt-h"])
        configure(stack, users.admin.token, [fake_provider])
        r = chat(stack, users.admin.token, "gpt-h",
                 metadata={"chat_id": "chat-42"})
        assert r.status_code == 200, r.text
        h = fake_provider.requests("/v1/chat/completions")[-1]["headers"]
        assert h["x-openwebui-user-id"] == users.admin.id
        assert h["x-openwebui-user-role"] == "admin"
        assert h["x-openwebui-user-email"] == users.admin.email
        assert h["x-openwebui-chat-id"] == "chat-42"
        assert "authorization" not in h
        h = fake_provider.requests("/v1/models")[-1]["headers"]
        assert h["x-openwebui-user-id"] == users.admin.id
    finally:
        stack.restart()


def test_audio_speech(stack, users, fake_provider):
    import hashlib
    body = json.dumps({"model": "tts-1", "input": "hi", "voice": "alloy"})
    # no connection at https://api.openai.com/v1: Python's uncaught error,
    # and not the proxy (the fake sees nothing)
    configure(stack, users.admin.token, [fake_provider])
    fake_provider.clear()
    r = stack.post("/openai/audio/speech", token=users.user.token,
                   data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 500 and r.text == "Internal Server Error"
    assert fake_provider.requests() == []
    # cached answers are served from DATA_DIR/cache/audio/speech by the
    # SHA-256 of the body, without asking the connection
    r = stack.post("/openai/config/update", token=users.admin.token, json={
        "ENABLE_OPENAI_API": True,
        "OPENAI_API_BASE_URLS": [fake_provider.openai_base,
                                 "https://api.openai.com/v1"],
        "OPENAI_API_KEYS": ["", "sk-none"], "OPENAI_API_CONFIGS": {}})
    assert r.status_code == 200, r.text
    d = stack.data_dir / "cache" / "audio" / "speech"
    d.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(body.encode()).hexdigest()
    (d / f"{name}.mp3").write_bytes(b"ID3\x00fake-mp3\xff")
    r = stack.post("/openai/audio/speech", token=users.user.token,
                   data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("audio/mpeg")
    assert r.content == b"ID3\x00fake-mp3\xff"
    assert fake_provider.requests() == []
    assert stack.post("/openai/audio/speech", data=body).status_code == 401
