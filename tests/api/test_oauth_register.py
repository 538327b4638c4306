"""POST /api/v1/configs/oauth/clients/register (routers/configs.py, with
utils/oauth.py get_oauth_client_info_with_dynamic_client_registration):
the authorization server metadata is looked for at Python's discovery
addresses in order, the client metadata is POSTed to the registration
endpoint (or scheme://host/register), and the answer comes back as a
Fernet token that decrypts, with Python's key derivation, to the
OAuthClientInformationFull JSON. Every failure is Python's 400; admin
only."""

import base64
import hashlib
import json

import pytest
from cryptography.fernet import Fernet

from conftest import create_users
from fakes import fake_provider  # noqa: F401
from helpers import assert_admin_only
from workers import no_worker_crash  # noqa: F401

REGISTER = "/api/v1/configs/oauth/clients/register"
FAILED = {"detail": "Failed to register OAuth client"}
AS_ROOT = "/.well-known/oauth-authorization-server"
OIDC_ROOT = "/.well-known/openid-configuration"
# a Fernet key as OAUTH_CLIENT_INFO_ENCRYPTION_KEY may give it (44 chars)
KEY44 = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="

CLIENT_KEYS = [
    "redirect_uris", "token_endpoint_auth_method", "grant_types",
    "response_types", "scope", "client_name", "client_uri", "logo_uri",
    "contacts", "tos_uri", "policy_uri", "jwks_uri", "jwks", "software_id",
    "software_version", "issuer", "client_id", "client_secret",
    "client_id_issued_at", "client_secret_expires_at"]


def python_key(setting):
    """utils/oauth.py: a 44-character setting is the key, anything else is
    hashed with SHA-256."""
    if len(setting) == 44:
        return setting.encode()
    return base64.urlsafe_b64encode(hashlib.sha256(setting.encode())
                                    .digest())


def decrypt(setting, token):
    return json.loads(Fernet(python_key(setting)).decrypt(token.encode()))


def metadata(fake, **extra):
    md = {"issuer": fake.url, "authorization_endpoint": fake.url + "/auth",
          "token_endpoint": fake.url + "/token"}
    md.update(extra)
    return md


def register(stack, token, url, client_id="srv1", type_=None, **body):
    params = {"type": type_} if type_ is not None else None
    return stack.post(REGISTER, token=token, params=params,
                      json={"url": url, "client_id": client_id, **body})


def client_body(redirect_uri, scope=None):
    body = {"redirect_uris": [redirect_uri],
            "token_endpoint_auth_method": "client_secret_post",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"]}
    if scope is not None:
        body["scope"] = scope
    body["client_name"] = "Open WebUI"
    return body


def client_info(**fields):
    info = dict.fromkeys(CLIENT_KEYS)
    info.update({"token_endpoint_auth_method": "client_secret_post",
                 "grant_types": ["authorization_code", "refresh_token"],
                 "response_types": ["code"]})
    info.update(fields)
    return info


def test_register_with_metadata(stack, admin, fake_provider):
    fake = fake_provider
    fake.set(oauth_metadata=metadata(
        fake, registration_endpoint=fake.url + "/oauth2/register",
        scopes_supported=["read", "write"]))
    r = register(stack, admin.token, fake.url + "/mcp", type_="mcp")
    assert r.status_code == 200, r.text
    out = r.json()
    assert list(out) == ["status", "oauth_client_info"]
    assert out["status"] is True

    gets = [q["path"] for q in fake.requests(method="GET")]
    assert gets == [AS_ROOT]
    posts = fake.requests(method="POST")
    assert [q["path"] for q in posts] == ["/oauth2/register"]
    redirect = f"{stack.url}/oauth/clients/mcp:srv1/callback"
    assert posts[0]["body"] == client_body(redirect, "read write")
    assert list(posts[0]["body"]) == list(client_body(redirect, "x"))
    assert posts[0]["headers"]["content-type"].startswith("application/json")

    info = decrypt(stack.secret, out["oauth_client_info"])
    assert list(info) == CLIENT_KEYS
    assert info["client_id"].startswith("fake-client-")
    assert info == client_info(
        redirect_uris=[redirect], scope="read write",
        client_name="Open WebUI", issuer=fake.url + AS_ROOT,
        client_id=info["client_id"], client_secret="fake-secret",
        client_id_issued_at=1700000000, client_secret_expires_at=0)
    # a fresh IV each time: two registrations give two tokens
    r2 = register(stack, admin.token, fake.url + "/mcp", type_="mcp")
    assert r2.json()["oauth_client_info"] != out["oauth_client_info"]


def test_discovery_order_and_fallback(stack, admin, fake_provider):
    """Nothing found at the four addresses: POST to scheme://host/register,
    no scope, issuer null; an empty type adds no prefix."""
    fake = fake_provider
    r = register(stack, admin.token, fake.url + "/mcp/;p?q=1#f",
                 type_="")
    assert r.status_code == 200, r.text
    assert [q["path"] for q in fake.requests(method="GET")] == [
        AS_ROOT, OIDC_ROOT, AS_ROOT + "/mcp", OIDC_ROOT + "/mcp"]
    posts = fake.requests(method="POST")
    assert [q["path"] for q in posts] == ["/register"]
    redirect = f"{stack.url}/oauth/clients/srv1/callback"
    assert posts[0]["body"] == client_body(redirect)
    info = decrypt(stack.secret, r.json()["oauth_client_info"])
    assert info["issuer"] is None and info["scope"] is None
    assert info["redirect_uris"] == [redirect]


def test_discovery_skips_unusable_documents(stack, admin, fake_provider):
    """A document that is not JSON or not valid metadata is skipped; the
    path-specific OpenID address wins; URLs come back normalized."""
    fake = fake_provider
    upper = fake.url.replace("http://", "HTTP://")
    fake.set(well_known={
        OIDC_ROOT: "not json",
        AS_ROOT + "/tenant": {"issuer": fake.url},     # no endpoints
        OIDC_ROOT + "/tenant": metadata(
            fake, registration_endpoint=upper + "/a/../reg/register",
            scopes_supported=[])})
    r = register(stack, admin.token, fake.url + "/tenant/", "c 1")
    assert r.status_code == 200, r.text
    assert [q["path"] for q in fake.requests(method="GET")] == [
        AS_ROOT, OIDC_ROOT, AS_ROOT + "/tenant", OIDC_ROOT + "/tenant"]
    posts = fake.requests(method="POST")
    assert [q["path"] for q in posts] == ["/reg/register"]
    redirect = f"{stack.url}/oauth/clients/c%201/callback"
    assert posts[0]["body"] == client_body(redirect, "")
    info = decrypt(stack.secret, r.json()["oauth_client_info"])
    assert info["issuer"] == fake.url + OIDC_ROOT + "/tenant"
    assert info["scope"] == ""


def test_redirect_base_from_webui_url(stack, admin, fake_provider):
    cfg = stack.get("/api/v1/auths/admin/config", token=admin.token).json()
    new = {**cfg, "WEBUI_URL": "HTTPS://Chat.Example:443/"}
    try:
        r = stack.post("/api/v1/auths/admin/config", token=admin.token,
                       json=new)
        assert r.status_code == 200, r.text
        r = register(stack, admin.token, fake_provider.url, "x",
                     type_="mcp")
        assert r.status_code == 200, r.text
    finally:
        stack.post("/api/v1/auths/admin/config", token=admin.token,
                   json=cfg)
    body = fake_provider.requests(method="POST")[0]["body"]
    assert body["redirect_uris"] == [
        "https://chat.example/oauth/clients/mcp:x/callback"]


def test_registration_answer_read_as_pydantic(stack, admin, fake_provider):
    """Lax ints, any-scheme redirect URIs, fields of the answer kept."""
    fake = fake_provider
    fake.set(oauth_registration={
        "redirect_uris": ["myapp:/cb", "http://Host.Example"],
        "client_id": "c", "client_id_issued_at": " 17 ",
        "client_secret_expires_at": "1_000.0", "scope": "s",
        "token_endpoint_auth_method": "none", "grant_types": [],
        "contacts": ["a@b.c"], "jwks": {"keys": []},
        "client_uri": "https://Example.com:8443", "unknown": 1})
    r = register(stack, admin.token, fake.url)
    assert r.status_code == 200, r.text
    info = decrypt(stack.secret, r.json()["oauth_client_info"])
    assert info == client_info(
        redirect_uris=["myapp:/cb", "http://host.example/"], client_id="c",
        client_id_issued_at=17, client_secret_expires_at=1000, scope="s",
        token_endpoint_auth_method="none", grant_types=[],
        contacts=["a@b.c"], jwks={"keys": []},
        client_uri="https://example.com:8443/")


@pytest.mark.parametrize("answer", [
    {"client_id": "c"},                                   # no redirect_uris
    {"redirect_uris": [], "client_id": "c"},
    {"redirect_uris": ["x"], "client_id": "c"},           # relative
    {"redirect_uris": ["http://h/"]},                     # no client_id
    {"redirect_uris": ["http://h/"], "client_id": 5},
    {"redirect_uris": ["http://h/"], "client_id": "c",
     "token_endpoint_auth_method": "client_secret_basic"},
    {"redirect_uris": ["http://h/"], "client_id": "c",
     "grant_types": ["implicit"]},
    {"redirect_uris": ["http://h/"], "client_id": "c",
     "client_id_issued_at": "soon"},
    {"redirect_uris": ["http://h/"], "client_id": "c",
     "client_secret_expires_at": "10."},
    {"redirect_uris": ["http://h/"], "client_id": "c",
     "client_id_issued_at": 1.5},
    {"redirect_uris": ["http://h/"], "client_id": "c",
     "logo_uri": "ftp://h/logo"},
    ["not", "an", "object"],
])
def test_bad_registration_answer(stack, admin, fake_provider, answer):
    fake_provider.set(oauth_registration=answer)
    r = register(stack, admin.token, fake_provider.url)
    assert (r.status_code, r.json()) == (400, FAILED)


def test_failures(stack, admin, fake_provider):
    fake = fake_provider
    # the registration endpoint answers with an error
    fake.set(fail_status={"/register": 400})
    r = register(stack, admin.token, fake.url)
    assert (r.status_code, r.json()) == (400, FAILED)
    assert len(fake.requests("/register")) == 1
    # no server there (a transport error of discovery ends it)
    r = register(stack, admin.token, "http://127.0.0.1:1/mcp")
    assert (r.status_code, r.json()) == (400, FAILED)
    # no scheme, or not http(s): no request at all
    fake.set(reset=True)
    for url in (fake.url[len("http://"):], "ftp://127.0.0.1/x", ""):
        r = register(stack, admin.token, url)
        assert (r.status_code, r.json()) == (400, FAILED), url
    assert fake.requests() == []
    # a redirect URI that is no URL (WEBUI_URL is used as given)
    cfg = stack.get("/api/v1/auths/admin/config", token=admin.token).json()
    try:
        stack.post("/api/v1/auths/admin/config", token=admin.token,
                   json={**cfg, "WEBUI_URL": "not a url"})
        r = register(stack, admin.token, fake.url)
    finally:
        stack.post("/api/v1/auths/admin/config", token=admin.token,
                   json=cfg)
    assert (r.status_code, r.json()) == (400, FAILED)
    assert fake.requests() == []


def test_form(stack, admin):
    r = stack.post(REGISTER, token=admin.token, json={"url": "http://x"})
    assert r.status_code == 422
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [
        ("missing", ["body", "client_id"])]
    r = stack.post(REGISTER, token=admin.token,
                   json={"url": 1, "client_id": "c", "client_name": 2})
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [
        ["body", "url"], ["body", "client_name"]]


def test_admin_only(stack, users, fake_provider):
    assert_admin_only(stack, users, "POST", REGISTER,
                      {"url": fake_provider.url, "client_id": "c"})
    assert fake_provider.requests() == []


@pytest.mark.stack_env(OAUTH_CLIENT_INFO_ENCRYPTION_KEY=KEY44)
def test_encryption_key_setting(fresh_stack, fake_provider):
    admin = create_users(fresh_stack).admin
    r = register(fresh_stack, admin.token, fake_provider.url)
    assert r.status_code == 200, r.text
    info = decrypt(KEY44, r.json()["oauth_client_info"])
    assert info["client_secret"] == "fake-secret"
    with pytest.raises(Exception):
        decrypt(fresh_stack.secret, r.json()["oauth_client_info"])
