"""routers/configs.py (/api/v1/configs/): settings round trips, form
validation, admin-only access, import/export, and the stored settings
winning over the environment as in Python."""

import json

import pytest

from workers import no_worker_crash  # noqa: F401
from helpers import assert_admin_only


CODE_EXECUTION = {
    "ENABLE_CODE_EXECUTION": False,
    "CODE_EXECUTION_ENGINE": "jupyter",
    "CODE_EXECUTION_JUPYTER_URL": "http://jupyter:8888",
    "CODE_EXECUTION_JUPYTER_AUTH": "token",
    "CODE_EXECUTION_JUPYTER_AUTH_TOKEN": "tok",
    "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD": None,
    "CODE_EXECUTION_JUPYTER_TIMEOUT": 30,
    "ENABLE_CODE_INTERPRETER": True,
    "CODE_INTERPRETER_ENGINE": "pyodide",
    "CODE_INTERPRETER_PROMPT_TEMPLATE": "",
    "CODE_INTERPRETER_JUPYTER_URL": "",
    "CODE_INTERPRETER_JUPYTER_AUTH": "",
    "CODE_INTERPRETER_JUPYTER_AUTH_TOKEN": "",
    "CODE_INTERPRETER_JUPYTER_AUTH_PASSWORD": "",
    "CODE_INTERPRETER_JUPYTER_TIMEOUT": 60,
}

BANNER = {"id": "b1", "type": "info", "title": "Hello", "content": "Read me",
          "dismissible": True, "timestamp": 1700000000}


def stored(stack):
    row = stack.sql("SELECT data FROM config ORDER BY id DESC LIMIT 1")
    return json.loads(row[0]["data"])


ADMIN_ROUTES = [
    ("GET", "/api/v1/configs/export", None),
    ("POST", "/api/v1/configs/import", {"config": {}}),
    ("GET", "/api/v1/configs/connections", None),
    ("POST", "/api/v1/configs/connections",
     {"ENABLE_DIRECT_CONNECTIONS": True, "ENABLE_BASE_MODELS_CACHE": True}),
    ("GET", "/api/v1/configs/tool_servers", None),
    ("POST", "/api/v1/configs/tool_servers", {"TOOL_SERVER_CONNECTIONS": []}),
    ("GET", "/api/v1/configs/code_execution", None),
    ("POST", "/api/v1/configs/code_execution", CODE_EXECUTION),
    ("GET", "/api/v1/configs/models", None),
    ("POST", "/api/v1/configs/models",
     {"DEFAULT_MODELS": "x", "MODEL_ORDER_LIST": []}),
    ("POST", "/api/v1/configs/suggestions", {"suggestions": []}),
    ("POST", "/api/v1/configs/banners", {"banners": []}),
]


@pytest.mark.parametrize("method,path,body", ADMIN_ROUTES)
def test_admin_only(stack, users, method, path, body):
    before = stored(stack) if stack.sql("SELECT id FROM config") else None
    assert_admin_only(stack, users, method, path, body)
    if before is not None:
        assert stored(stack) == before


def test_connections_round_trip(stack, users):
    t = users.admin.token
    r = stack.get("/api/v1/configs/connections", token=t)
    assert r.status_code == 200
    assert r.json() == {"ENABLE_DIRECT_CONNECTIONS": False,
                        "ENABLE_BASE_MODELS_CACHE": False}
    r = stack.post("/api/v1/configs/connections", token=t,
                   json={"ENABLE_DIRECT_CONNECTIONS": "yes",
                         "ENABLE_BASE_MODELS_CACHE": 1})
    assert r.status_code == 200, r.text
    assert r.json() == {"ENABLE_DIRECT_CONNECTIONS": True,
                        "ENABLE_BASE_MODELS_CACHE": True}
    assert stack.get("/api/v1/configs/connections", token=t).json() == \
        r.json()
    assert stored(stack)["direct"]["enable"] is True
    assert stored(stack)["models"]["base_models_cache"] is True
    r = stack.post("/api/v1/configs/connections", token=t,
                   json={"ENABLE_DIRECT_CONNECTIONS": "maybe"})
    assert r.status_code == 422
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [
        ("bool_parsing", ["body", "ENABLE_DIRECT_CONNECTIONS"]),
        ("missing", ["body", "ENABLE_BASE_MODELS_CACHE"])]
    assert stack.get("/api/v1/configs/connections", token=t).json() == \
        {"ENABLE_DIRECT_CONNECTIONS": True, "ENABLE_BASE_MODELS_CACHE": True}


def test_code_execution_round_trip(stack, users):
    t = users.admin.token
    r = stack.get("/api/v1/configs/code_execution", token=t)
    assert r.status_code == 200
    assert r.json()["CODE_EXECUTION_ENGINE"] == "pyodide"
    assert r.json()["CODE_EXECUTION_JUPYTER_TIMEOUT"] == 60
    assert list(r.json()) == list(CODE_EXECUTION)
    r = stack.post("/api/v1/configs/code_execution", token=t,
                   json={**CODE_EXECUTION,
                         "CODE_EXECUTION_JUPYTER_TIMEOUT": "30"})
    assert r.status_code == 200, r.text
    assert r.json() == CODE_EXECUTION
    assert stack.get("/api/v1/configs/code_execution",
                     token=t).json() == CODE_EXECUTION
    assert stored(stack)["code_execution"]["jupyter"]["timeout"] == 30
    bad = dict(CODE_EXECUTION)
    del bad["CODE_INTERPRETER_JUPYTER_URL"]   # Optional but required
    bad["CODE_EXECUTION_JUPYTER_TIMEOUT"] = 1.5
    r = stack.post("/api/v1/configs/code_execution", token=t, json=bad)
    assert r.status_code == 422
    assert sorted(e["type"] for e in r.json()["detail"]) == \
        ["int_from_float", "missing"]


def test_models_config(stack, users):
    t = users.admin.token
    r = stack.post("/api/v1/configs/models", token=t,
                   json={"DEFAULT_MODELS": "gpt-a,gpt-b",
                         "MODEL_ORDER_LIST": ["gpt-b", "gpt-a"]})
    assert r.status_code == 200, r.text
    assert r.json() == {"DEFAULT_MODELS": "gpt-a,gpt-b",
                        "MODEL_ORDER_LIST": ["gpt-b", "gpt-a"]}
    assert stack.get("/api/v1/configs/models", token=t).json() == r.json()
    assert stored(stack)["ui"]["default_models"] == "gpt-a,gpt-b"
    assert stored(stack)["ui"]["model_order_list"] == ["gpt-b", "gpt-a"]
    cfg = stack.get("/api/config", token=users.user.token).json()
    assert cfg["default_models"] == "gpt-a,gpt-b"
    r = stack.post("/api/v1/configs/models", token=t,
                   json={"DEFAULT_MODELS": None, "MODEL_ORDER_LIST": None})
    assert r.status_code == 200
    assert r.json() == {"DEFAULT_MODELS": None, "MODEL_ORDER_LIST": None}
    r = stack.post("/api/v1/configs/models", token=t,
                   json={"DEFAULT_MODELS": 1, "MODEL_ORDER_LIST": ["a", 2]})
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [
        ["body", "DEFAULT_MODELS"], ["body", "MODEL_ORDER_LIST", 1]]


def test_suggestions(stack, users):
    t = users.admin.token
    s = [{"title": ["Plan", "a trip"], "content": "Plan a trip", "x": 1}]
    r = stack.post("/api/v1/configs/suggestions", token=t,
                   json={"suggestions": s})
    assert r.status_code == 200, r.text
    assert r.json() == [{"title": ["Plan", "a trip"],
                         "content": "Plan a trip"}]
    assert stored(stack)["ui"]["prompt_suggestions"] == r.json()
    cfg = stack.get("/api/config", token=users.user.token).json()
    assert cfg["default_prompt_suggestions"] == r.json()
    r = stack.post("/api/v1/configs/suggestions", token=t,
                   json={"suggestions": [{"title": "no"}, 3]})
    assert r.status_code == 422
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [
        ("list_type", ["body", "suggestions", 0, "title"]),
        ("missing", ["body", "suggestions", 0, "content"]),
        ("model_type", ["body", "suggestions", 1])]


def test_banners(stack, users):
    t = users.admin.token
    r = stack.post("/api/v1/configs/banners", token=t,
                   json={"banners": [{**BANNER, "dismissible": "true"},
                                     {**BANNER, "id": "b2", "title": None}]})
    assert r.status_code == 200, r.text
    want = [BANNER, {**BANNER, "id": "b2", "title": None}]
    assert r.json() == want
    r = stack.get("/api/v1/configs/banners", token=users.user.token)
    assert r.status_code == 200
    assert r.json() == want
    for role in ("none", "pending"):
        r = stack.get("/api/v1/configs/banners", token=users.token(role))
        assert r.status_code == 401
    r = stack.post("/api/v1/configs/banners", token=t,
                   json={"banners": [{"id": "x"}]})
    assert r.status_code == 422
    assert stack.get("/api/v1/configs/banners",
                     token=users.user.token).json() == want


def test_tool_servers(stack, users):
    t = users.admin.token
    conn = {"url": "http://tools:8000", "path": "openapi.json",
            "auth_type": "bearer", "key": "k", "config": {"enable": True},
            "info": {"name": "T"}}
    r = stack.post("/api/v1/configs/tool_servers", token=t,
                   json={"TOOL_SERVER_CONNECTIONS": [conn]})
    assert r.status_code == 200, r.text
    got = r.json()["TOOL_SERVER_CONNECTIONS"]
    assert got == [{**conn, "type": "openapi"}]
    assert list(got[0])[:6] == ["url", "path", "type", "auth_type", "key",
                                "config"]
    assert stack.get("/api/v1/configs/tool_servers", token=t).json() == \
        {"TOOL_SERVER_CONNECTIONS": got}
    r = stack.post("/api/v1/configs/tool_servers", token=t,
                   json={"TOOL_SERVER_CONNECTIONS": [{"url": "x"}]})
    assert r.status_code == 422
    assert sorted(e["loc"][-1] for e in r.json()["detail"]) == \
        ["auth_type", "config", "key", "path"]


def test_export_import(stack, users):
    t = users.admin.token
    stack.post("/api/v1/configs/models", token=t,
               json={"DEFAULT_MODELS": "before", "MODEL_ORDER_LIST": []})
    doc = stack.get("/api/v1/configs/export", token=t).json()
    assert doc == stored(stack)
    assert doc["ui"]["default_models"] == "before"
    doc["ui"]["default_models"] = "imported"
    doc["openai"] = {"api_base_urls": ["http://imported/v1"],
                     "api_keys": ["ik"]}
    r = stack.post("/api/v1/configs/import", token=t, json={"config": doc})
    assert r.status_code == 200, r.text
    assert r.json() == doc
    assert stored(stack) == doc
    assert stack.get("/api/v1/configs/models", token=t).json()[
        "DEFAULT_MODELS"] == "imported"
    cfg = stack.get("/openai/config", token=t).json()
    assert cfg["OPENAI_API_BASE_URLS"] == ["http://imported/v1"]
    assert cfg["OPENAI_API_KEYS"] == ["ik"]
    r = stack.post("/api/v1/configs/import", token=t, json={"config": []})
    assert r.status_code == 422
    assert stored(stack) == doc


def test_stored_wins_over_env(stack, users):
    t = users.admin.token
    stack.post("/api/v1/configs/models", token=t,
               json={"DEFAULT_MODELS": "stored", "MODEL_ORDER_LIST": []})
    stack.post("/openai/config/update", token=t, json={
        "OPENAI_API_BASE_URLS": ["http://stored/v1"],
        "OPENAI_API_KEYS": ["sk"], "OPENAI_API_CONFIGS": {}})
    try:
        stack.restart(DEFAULT_MODELS="from-env",
                      OPENAI_API_BASE_URLS="http://env/v1")
        assert stack.get("/api/v1/configs/models", token=t).json()[
            "DEFAULT_MODELS"] == "stored"
        assert stack.get("/openai/config", token=t).json()[
            "OPENAI_API_BASE_URLS"] == ["http://stored/v1"]
        stack.restart(DEFAULT_MODELS="from-env",
                      ENABLE_PERSISTENT_CONFIG="false")
        assert stack.get("/api/v1/configs/models", token=t).json()[
            "DEFAULT_MODELS"] == "from-env"
    finally:
        stack.restart()


@pytest.mark.stack_env(OPENAI_API_BASE_URL="http://one/v1/",
                       OPENAI_API_KEYS=" k1 ; k2 ",
                       CODE_EXECUTION_JUPYTER_URL="http://j:1",
                       CODE_EXECUTION_JUPYTER_TIMEOUT="15")
def test_env_parsing(fresh_stack):
    from conftest import create_users
    users = create_users(fresh_stack)
    t = users.admin.token
    cfg = fresh_stack.get("/openai/config", token=t).json()
    assert cfg["OPENAI_API_BASE_URLS"] == ["http://one/v1"]
    assert cfg["OPENAI_API_KEYS"] == ["k1", "k2"]
    ce = fresh_stack.get("/api/v1/configs/code_execution", token=t).json()
    assert ce["CODE_EXECUTION_JUPYTER_URL"] == "http://j:1"
    assert ce["CODE_INTERPRETER_JUPYTER_URL"] == "http://j:1"
    assert ce["CODE_INTERPRETER_JUPYTER_TIMEOUT"] == 15
    fresh_stack.restart(OPENAI_API_BASE_URLS="http://a/v1; ;http://b/v1",
                        OPENAI_API_KEYS=None, OPENAI_API_KEY="solo")
    cfg = fresh_stack.get("/openai/config", token=t).json()
    assert cfg["OPENAI_API_BASE_URLS"] == ["http://a/v1", "",
                                           "http://b/v1"]
    assert cfg["OPENAI_API_KEYS"] == ["solo"]
