"""POST /api/v1/configs/tool_servers/verify (routers/configs.py): OpenAPI
specs (JSON and YAML) and MCP servers (streamable HTTP, JSON and SSE
replies, OAuth 2.1 metadata) served by the fake provider, with the auth
header each auth_type sends, Python's 400 messages and admin-only access."""

import json

import pytest
import yaml

from fakes import fake_provider  # noqa: F401
from helpers import assert_admin_only
from workers import no_worker_crash  # noqa: F401

VERIFY = "/api/v1/configs/tool_servers/verify"
CONNECT_FAILED = {"detail": "Failed to connect to the tool server"}
MCP_FAILED = {"detail": "Failed to create MCP client"}

SPEC = {"openapi": "3.1.0", "info": {"title": "Tools", "version": "2.0"},
        "paths": {"/echo": {"post": {"operationId": "echo",
                                     "x-weight": 0.1, "x-big": 1e16,
                                     "x-int": 12}}}}

YAML_SPEC = """\
openapi: 3.0.3
info: &info
  title: 'YAML tools'
  version: 1.0
  x-flags: [yes, No, on, OFF, true, FALSE, ~, null, '', "yes"]
  x-ints: [0x1F, 012, 1_000, 1:30, -7, +3, 0, 0b101, 09]
  x-floats: [1.5, 1.0e+3, .5, -2., 1e3, 6.8523015e+5, 190:20:30.15]
  x-strings: [abc, "123", !!str 42, 1.2.3, 2001-12-14]
  x-typed: [!!int "17", !!float "2", !!bool "yes", !!null "x"]
paths:
  /echo:
    post:
      responses:
        200: {description: ok}
        default: &err {description: failed}
  /copy:
    get:
      summary: >
        folded
        text
      x-block: |
        line 1
        line 2
      x-info:
        <<: *info
        title: overridden
      responses: {404: *err, true: x, 1.5: y}
"""


def verify(stack, token, **conn):
    body = {"url": conn.pop("url"), "path": conn.pop("path", ""),
            "auth_type": conn.pop("auth_type", "none"),
            "key": conn.pop("key", ""), "config": {}}
    body.update(conn)
    return stack.post(VERIFY, token=token, json=body)


def python_yaml(text):
    """What Python answers for a YAML spec: safe_load, then JSON."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def test_admin_only(stack, users, fake_provider):
    assert_admin_only(stack, users, "POST", VERIFY,
                      {"url": fake_provider.url, "path": "openapi.json",
                       "auth_type": "none", "key": "", "config": {}})
    assert fake_provider.requests() == []


def test_form_validation(stack, admin):
    r = stack.post(VERIFY, token=admin.token,
                   json={"url": "http://x", "path": "p", "key": None,
                         "config": None})
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "auth_type"]]
    r = stack.post(VERIFY, token=admin.token,
                   json={"url": 5, "path": "p", "auth_type": None,
                         "key": None, "config": []})
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "url"],
                                                      ["body", "config"]]


def test_openapi_json_bearer(stack, admin, fake_provider):
    fake_provider.set(api_key="tool-key", openapi=SPEC)
    r = verify(stack, admin.token, url=fake_provider.url,
               path="openapi.json", auth_type="bearer", key="tool-key")
    assert r.status_code == 200, r.text
    assert r.json() == SPEC
    assert r.text == json.dumps(SPEC, separators=(",", ":"))
    assert '"x-weight":0.1' in r.text.replace(" ", "")
    assert '"x-big":1e+16' in r.text.replace(" ", "")
    (q,) = fake_provider.requests("/openapi.json")
    assert q["method"] == "GET"
    assert q["headers"]["authorization"] == "Bearer tool-key"
    assert q["headers"]["accept"] == "application/json"


def test_openapi_session_and_none(stack, admin, fake_provider):
    r = verify(stack, admin.token, url=fake_provider.url,
               path="/openapi.json", auth_type="session")
    assert r.status_code == 200, r.text
    r = verify(stack, admin.token, url=fake_provider.url,
               path=fake_provider.url + "/openapi.json", auth_type="none",
               key="unused")
    assert r.status_code == 200, r.text
    r = verify(stack, admin.token, url="http://unused.invalid",
               path=fake_provider.url + "/openapi.json", auth_type="bearer",
               key="")
    assert r.status_code == 200, r.text
    qs = fake_provider.requests("/openapi.json")
    assert qs[0]["headers"]["authorization"] == f"Bearer {admin.token}"
    assert "authorization" not in qs[1]["headers"]
    assert "authorization" not in qs[2]["headers"]


def test_openapi_yaml(stack, admin, fake_provider):
    fake_provider.set(openapi_yaml=YAML_SPEC)
    want = python_yaml(YAML_SPEC)
    assert want["paths"]["/copy"]["get"]["responses"] == \
        {"404": {"description": "failed"}, "true": "x", "1.5": "y"}
    r = verify(stack, admin.token, url=fake_provider.url,
               path="openapi.yaml")
    assert r.status_code == 200, r.text
    assert r.json() == want
    # the same text: key order (merge keys first) and float spelling
    assert r.text == json.dumps(want, separators=(",", ":"))
    assert '"x-floats":[1.5,1000.0,0.5,-2.0,"1e3",685230.15,685230.15]' \
        in r.text
    # not named .yaml: JSON fails, then YAML
    r = verify(stack, admin.token, url=fake_provider.url,
               path="openapi.yaml?format=1")
    assert r.status_code == 200, r.text
    assert r.json() == want


@pytest.mark.parametrize("text,want", [
    ("", None), ("just text", "just text"), ("- 1\n- two\n", [1, "two"]),
    ('{"a": [1, 2.50]}', {"a": [1, 2.5]}),
])
def test_openapi_other_documents(stack, admin, fake_provider, text, want):
    fake_provider.set(openapi_yaml=text)
    r = verify(stack, admin.token, url=fake_provider.url,
               path="openapi.yaml")
    assert r.status_code == 200, r.text
    assert r.json() == want == python_yaml(text)


def test_openapi_json_wins_over_yaml(stack, admin, fake_provider):
    # valid JSON is read as JSON even at a .yaml address (1e3 is a string
    # to YAML 1.1 but a float to JSON), trailing white space included
    fake_provider.set(openapi_yaml='{"a": 1e3, "b": "x"}\n \n')
    r = verify(stack, admin.token, url=fake_provider.url,
               path="openapi.yaml")
    assert r.status_code == 200, r.text
    assert r.text == '{"a":1000.0,"b":"x"}'


@pytest.mark.parametrize("behaviour,path", [
    ({"fail_status": {"/openapi.json": 500}}, "openapi.json"),
    ({"api_key": "right"}, "openapi.json"),
    ({}, "missing.json"),
    ({"openapi_yaml": "a: [unclosed\n"}, "openapi.yaml"),
    ({"openapi_yaml": "a: !!python/object:os.system x\n"}, "openapi.yaml"),
    ({"openapi_yaml": "a: 1\n---\nb: 2\n"}, "openapi.yaml"),
])
def test_openapi_failures(stack, admin, fake_provider, behaviour, path):
    fake_provider.set(**behaviour)
    r = verify(stack, admin.token, url=fake_provider.url, path=path,
               auth_type="bearer", key="wrong")
    assert r.status_code == 400
    assert r.json() == CONNECT_FAILED


def test_openapi_unreachable(stack, admin):
    r = verify(stack, admin.token, url="http://127.0.0.1:9",
               path="openapi.json")
    assert r.status_code == 400
    assert r.json() == CONNECT_FAILED
    r = verify(stack, admin.token, url="ftp://127.0.0.1", path="x.json")
    assert r.json() == CONNECT_FAILED


@pytest.mark.parametrize("text,path", [
    ("x: .nan\n", "openapi.yaml"), ("x: [-.inf]\n", "openapi.yaml"),
    ('{"x": NaN}', "openapi.yaml?json-first"),
    ('[Infinity]', "openapi.yaml?json-first"),
])
def test_openapi_nan_is_500(stack, admin, fake_provider, text, path):
    # Python reads the number, then its JSON response refuses to write it
    fake_provider.set(openapi_yaml=text)
    r = verify(stack, admin.token, url=fake_provider.url, path=path)
    assert r.status_code == 500
    assert r.text == "Internal Server Error"


@pytest.mark.parametrize("sse", [False, True])
def test_mcp(stack, admin, fake_provider, sse):
    fake_provider.set(api_key="mcp-key", mcp_sse=sse)
    r = verify(stack, admin.token, type="mcp", url=fake_provider.url + "/mcp",
               auth_type="bearer", key="mcp-key")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": True, "specs": [{
        "name": "echo", "description": "Echoes its input",
        "parameters": {"type": "object", "properties": {
            "text": {"type": "string"}}}}]}
    qs = fake_provider.requests("/mcp")
    assert [(q["method"], (q["body"] or {}).get("method")) for q in qs] == [
        ("POST", "initialize"), ("POST", "notifications/initialized"),
        ("POST", "tools/list"), ("DELETE", None)]
    init = qs[0]["body"]
    assert init["jsonrpc"] == "2.0" and init["id"] == 0
    assert init["params"]["protocolVersion"] == "2025-06-18"
    assert init["params"]["clientInfo"] == {"name": "mcp", "version": "0.1.0"}
    assert "id" not in qs[1]["body"]
    assert qs[2]["body"]["id"] == 1
    sid = qs[1]["headers"]["mcp-session-id"]
    assert sid.startswith("fake-session-")
    for q in qs:
        assert q["headers"]["authorization"] == "Bearer mcp-key"
    for q in qs[1:]:
        assert q["headers"]["mcp-session-id"] == sid
        assert q["headers"]["mcp-protocol-version"] == "2025-06-18"
    assert "text/event-stream" in qs[0]["headers"]["accept"]


def test_mcp_session_auth_and_null_description(stack, admin, fake_provider):
    fake_provider.set(mcp_tools=[
        {"name": "a", "inputSchema": {}},
        {"name": "b", "description": None, "inputSchema": {"type": "object"},
         "annotations": {"title": "B"}}])
    r = verify(stack, admin.token, type="mcp", url=fake_provider.url + "/mcp",
               auth_type="session")
    assert r.status_code == 200, r.text
    assert r.json()["specs"] == [
        {"name": "a", "description": None, "parameters": {}},
        {"name": "b", "description": None, "parameters": {"type": "object"}}]
    assert fake_provider.requests("/mcp")[0]["headers"]["authorization"] == \
        f"Bearer {admin.token}"


@pytest.mark.parametrize("behaviour", [
    {"fail_status": {"/mcp": 500}},
    {"api_key": "other"},
    {"mcp_protocol": "1999-01-01"},
    {"mcp_tools": [{"name": "no-schema"}]},
    {"mcp_tools": "not a list", "mcp_sse": True},
])
def test_mcp_failures(stack, admin, fake_provider, behaviour):
    fake_provider.set(**behaviour)
    r = verify(stack, admin.token, type="mcp", url=fake_provider.url + "/mcp",
               auth_type="none")
    assert r.status_code == 400
    assert r.json() == MCP_FAILED


def test_mcp_unreachable(stack, admin):
    r = verify(stack, admin.token, type="mcp", url="http://127.0.0.1:9/mcp")
    assert r.status_code == 400
    assert r.json() == MCP_FAILED


def test_mcp_oauth_metadata(stack, admin, fake_provider):
    base = fake_provider.url
    fake_provider.set(oauth_metadata={
        "issuer": "HTTPS://Auth.Example.COM:443",
        "authorization_endpoint": "https://auth.example.com/authorize",
        "token_endpoint": "http://auth.example.com:8080/token?x=1",
        "scopes_supported": ["read"], "unknown": 1})
    r = verify(stack, admin.token, type="mcp", url=base + "/mcp/",
               auth_type="oauth_2.1")
    assert r.status_code == 200, r.text
    md = r.json()["oauth_server_metadata"]
    assert r.json()["status"] is True
    assert list(md) == [
        "issuer", "authorization_endpoint", "token_endpoint",
        "registration_endpoint", "scopes_supported",
        "response_types_supported", "response_modes_supported",
        "grant_types_supported", "token_endpoint_auth_methods_supported",
        "token_endpoint_auth_signing_alg_values_supported",
        "service_documentation", "ui_locales_supported", "op_policy_uri",
        "op_tos_uri", "revocation_endpoint",
        "revocation_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_signing_alg_values_supported",
        "introspection_endpoint",
        "introspection_endpoint_auth_methods_supported",
        "introspection_endpoint_auth_signing_alg_values_supported",
        "code_challenge_methods_supported"]
    assert md["issuer"] == "https://auth.example.com/"
    assert md["authorization_endpoint"] == \
        "https://auth.example.com/authorize"
    assert md["token_endpoint"] == "http://auth.example.com:8080/token?x=1"
    assert md["scopes_supported"] == ["read"]
    assert md["response_types_supported"] == ["code"]
    assert md["registration_endpoint"] is None
    (q,) = fake_provider.requests()
    assert q["path"] == "/.well-known/oauth-authorization-server"


def test_mcp_oauth_failures(stack, admin, fake_provider):
    base = fake_provider.url
    r = verify(stack, admin.token, type="mcp", url=base + "/mcp/",
               auth_type="oauth_2.1")
    assert r.status_code == 400
    # Python asks the first address once for each of the four
    urls = [f"{base}/.well-known/oauth-authorization-server",
            f"{base}/.well-known/openid-configuration",
            f"{base}/.well-known/oauth-authorization-server/mcp",
            f"{base}/.well-known/openid-configuration/mcp"]
    assert r.json() == {"detail": "Failed to fetch OAuth 2.1 discovery "
                        f"document from {urls!r}"}
    assert [q["path"] for q in fake_provider.requests()] == \
        ["/.well-known/oauth-authorization-server"] * 4
    fake_provider.set(oauth_metadata={"issuer": "https://a.example"})
    r = verify(stack, admin.token, type="mcp", url=base,
               auth_type="oauth_2.1")
    assert r.status_code == 400
    assert r.json() == {"detail": "Failed to parse OAuth 2.1 discovery "
                        f"document from {urls[0]}"}
    r = verify(stack, admin.token, type="mcp", url="http://127.0.0.1:9/x",
               auth_type="oauth_2.1")
    assert r.json() == CONNECT_FAILED
