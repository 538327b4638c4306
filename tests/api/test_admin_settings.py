"""Admin > Settings > General beyond /api/v1/auths/admin/config: the LDAP
settings (/api/v1/auths/admin/config/ldap and .../ldap/server) and the
admin webhook URL (/api/webhook), on both database engines: who may call
them, validation, what is stored at which config path, and how stored
values and the environment combine across a restart."""

import json

import pytest

from conftest import ENGINES, create_users
from helpers import ACCESS_PROHIBITED

A = "/api/v1/auths"
LDAP = f"{A}/admin/config/ldap"
SERVER = f"{LDAP}/server"


# LdapServerConfig's fields in order, with the defaults config.py derives
# from an empty environment.
SERVER_DEFAULTS = {
    "label": "LDAP Server", "host": "localhost", "port": 389,
    "attribute_for_mail": "mail", "attribute_for_username": "uid",
    "app_dn": "", "app_dn_password": "", "search_base": "",
    "search_filters": "", "use_tls": True, "certificate_path": "",
    "validate_cert": True, "ciphers": "ALL",
}

# Field -> dotted path in the config document (config.py).
SERVER_PATHS = {
    "label": "label", "host": "host", "port": "port",
    "attribute_for_mail": "attribute_for_mail",
    "attribute_for_username": "attribute_for_username",
    "app_dn": "app_dn", "app_dn_password": "app_password",
    "search_base": "users_dn", "search_filters": "search_filter",
    "use_tls": "use_tls", "certificate_path": "ca_cert_file",
    "validate_cert": "validate_cert", "ciphers": "ciphers",
}

REQUIRED = ["label", "host", "attribute_for_mail", "attribute_for_username",
            "app_dn", "app_dn_password", "search_base"]

FORM = {"label": "Corp", "host": "ldap.corp.test", "port": 636,
        "app_dn": "cn=app,dc=corp", "app_dn_password": "s3cret",
        "search_base": "ou=people,dc=corp"}


def config_doc(stack):
    """The stored settings document ({} when there is no row)."""
    rows = stack.sql("SELECT data FROM config ORDER BY id")
    assert len(rows) <= 1, rows
    return json.loads(rows[0]["data"]) if rows else {}


def stored_server(stack):
    return config_doc(stack).get("ldap", {}).get("server", {})


# -- who may call ----------------------------------------------------------

@pytest.mark.parametrize("method,path,body", [
    ("GET", LDAP, None),
    ("POST", LDAP, {"enable_ldap": True}),
    ("GET", SERVER, None),
    ("POST", SERVER, FORM),
    ("GET", "/api/webhook", None),
    ("POST", "/api/webhook", {"url": "http://evil.test/"}),
])
def test_admin_only(stack, users, method, path, body):
    before = config_doc(stack)
    for role in ("user", "pending"):
        r = stack.request(method, path, token=users.token(role), json=body)
        assert r.status_code == 401, role
        assert r.json() == {"detail": ACCESS_PROHIBITED}, role
    r = stack.request(method, path, json=body)
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}
    assert config_doc(stack) == before


# -- LDAP server -----------------------------------------------------------

def test_ldap_server_roundtrip(stack, users):
    admin = users.admin.token
    r = stack.get(SERVER, token=admin)
    assert r.status_code == 200
    before = r.json()
    assert list(before) == list(SERVER_DEFAULTS)

    # Lax types; absent fields take the model's defaults, not the old
    # values. (The defaults cannot be posted back: app_dn is empty.)
    body = {**FORM, "port": "1636", "use_tls": "no", "validate_cert": 0,
            "certificate_path": None, "search_filters": "(objectClass=x)",
            "unknown": "ignored"}
    r = stack.post(SERVER, token=admin, json=body)
    assert r.status_code == 200, r.text
    want = {**SERVER_DEFAULTS, **FORM, "port": 1636, "use_tls": False,
            "validate_cert": False, "certificate_path": None,
            "search_filters": "(objectClass=x)"}
    assert r.json() == want
    assert list(r.json()) == list(SERVER_DEFAULTS)
    assert stack.get(SERVER, token=admin).json() == want
    srv = stored_server(stack)
    for field, path in SERVER_PATHS.items():
        assert srv[path] == want[field], field
    assert "unknown" not in srv

    # Optional ciphers: absent is "ALL", null is stored as null.
    r = stack.post(SERVER, token=admin, json={**FORM, "ciphers": None,
                                              "port": None})
    assert r.status_code == 200, r.text
    assert r.json()["ciphers"] is None and r.json()["port"] is None
    assert r.json()["search_filters"] == ""
    srv = stored_server(stack)
    assert srv["ciphers"] is None and srv["port"] is None
    assert srv["search_filter"] == "" and srv["use_tls"] is True


@pytest.mark.parametrize("change,loc,typ", [
    ({"label": None}, "label", "string_type"),
    ({"host": 5}, "host", "string_type"),
    ({"port": "x"}, "port", "int_parsing"),
    ({"port": 1.5}, "port", "int_from_float"),
    ({"port": [389]}, "port", "int_type"),
    ({"use_tls": "maybe"}, "use_tls", "bool_parsing"),
    ({"use_tls": 2}, "use_tls", "bool_parsing"),
    ({"validate_cert": None}, "validate_cert", "bool_type"),
    ({"validate_cert": 0.5}, "validate_cert", "bool_type"),
    ({"attribute_for_mail": None}, "attribute_for_mail", "string_type"),
    ({"ciphers": 1}, "ciphers", "string_type"),
    ({"certificate_path": False}, "certificate_path", "string_type"),
])
def test_ldap_server_wrong_type(stack, users, change, loc, typ):
    before = config_doc(stack)
    r = stack.post(SERVER, token=users.admin.token, json={**FORM, **change})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert len(d) == 1
    assert d[0]["loc"] == ["body", loc] and d[0]["type"] == typ
    assert d[0]["input"] == change[loc]
    assert config_doc(stack) == before


@pytest.mark.parametrize("missing", ["label", "host", "app_dn",
                                     "app_dn_password", "search_base"])
def test_ldap_server_missing(stack, users, missing):
    before = config_doc(stack)
    body = {k: v for k, v in FORM.items() if k != missing}
    body["use_tls"] = "maybe"            # every error is reported
    r = stack.post(SERVER, token=users.admin.token, json=body)
    assert r.status_code == 422
    d = r.json()["detail"]
    assert [(e["type"], e["loc"]) for e in d] == sorted(
        [("missing", ["body", missing]), ("bool_parsing", ["body", "use_tls"])],
        key=lambda e: list(SERVER_DEFAULTS).index(e[1][1]))
    assert d[[e["type"] for e in d].index("missing")]["msg"] == \
        "Field required"
    assert config_doc(stack) == before


@pytest.mark.parametrize("empty", REQUIRED)
def test_ldap_server_required_empty(stack, users, empty):
    before = config_doc(stack)
    r = stack.post(SERVER, token=users.admin.token,
                   json={**FORM, "attribute_for_mail": "mail",
                         "attribute_for_username": "uid", empty: ""})
    assert r.status_code == 400
    assert r.json() == {"detail": f"Required field {empty} is empty"}
    assert config_doc(stack) == before


def test_ldap_server_first_empty_field_named(stack, users):
    r = stack.post(SERVER, token=users.admin.token,
                   json={**FORM, "search_base": "", "host": ""})
    assert r.status_code == 400
    assert r.json() == {"detail": "Required field host is empty"}


# -- ENABLE_LDAP -----------------------------------------------------------

def test_enable_ldap(stack, users):
    admin = users.admin.token
    r = stack.get(LDAP, token=admin)
    assert r.status_code == 200
    assert r.json() == {"ENABLE_LDAP": False}
    try:
        r = stack.post(LDAP, token=admin, json={"enable_ldap": True})
        assert r.status_code == 200
        assert r.json() == {"ENABLE_LDAP": True}
        assert config_doc(stack)["ldap"]["enable"] is True
        assert stack.get(LDAP, token=admin).json() == {"ENABLE_LDAP": True}
        assert stack.get("/api/config").json()["features"]["enable_ldap"] \
            is True

        r = stack.post(LDAP, token=admin, json={"enable_ldap": "OFF"})
        assert r.json() == {"ENABLE_LDAP": False}
        assert config_doc(stack)["ldap"]["enable"] is False

        # Python stores the model's None when the field is absent or null.
        for body in ({}, {"enable_ldap": None}):
            r = stack.post(LDAP, token=admin, json=body)
            assert r.status_code == 200
            assert r.json() == {"ENABLE_LDAP": None}
            doc = config_doc(stack)
            assert "enable" in doc["ldap"] and doc["ldap"]["enable"] is None
            assert stack.get(LDAP, token=admin).json() == \
                {"ENABLE_LDAP": None}
    finally:
        r = stack.post(LDAP, token=admin, json={"enable_ldap": False})
        assert r.json() == {"ENABLE_LDAP": False}


@pytest.mark.parametrize("value,typ", [
    ("maybe", "bool_parsing"), (2, "bool_parsing"), (2.0, "bool_parsing"),
    ([True], "bool_type"), ({}, "bool_type"), (0.5, "bool_type"),
])
def test_enable_ldap_wrong_type(stack, users, value, typ):
    before = config_doc(stack)
    r = stack.post(LDAP, token=users.admin.token, json={"enable_ldap": value})
    assert r.status_code == 422
    d = r.json()["detail"]
    assert len(d) == 1
    assert d[0]["loc"] == ["body", "enable_ldap"] and d[0]["type"] == typ
    assert d[0]["msg"] == ("Input should be a valid boolean" if
                           typ == "bool_type" else "Input should be a valid "
                           "boolean, unable to interpret input")
    assert config_doc(stack) == before


# -- environment and restart -------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_ldap_env_defaults_then_stored_values_win(make_stack, engine):
    env = {"ENABLE_LDAP": "True", "LDAP_SERVER_LABEL": "Env LDAP",
           "LDAP_SERVER_HOST": "env.example.com", "LDAP_SERVER_PORT": "636",
           "LDAP_SEARCH_FILTERS": "(objectClass=person)",
           "LDAP_USE_TLS": "false", "LDAP_VALIDATE_CERT": "yes",
           "LDAP_CA_CERT_FILE": "/etc/ca.pem", "LDAP_CIPHERS": "HIGH",
           "LDAP_APP_DN": "cn=env", "LDAP_SEARCH_BASE": "dc=env"}
    s = make_stack(engine, **env)
    admin = create_users(s).admin.token
    assert s.get(LDAP, token=admin).json() == {"ENABLE_LDAP": True}
    want = {**SERVER_DEFAULTS, "label": "Env LDAP",
            "host": "env.example.com", "port": 636,
            "search_filters": "(objectClass=person)", "use_tls": False,
            "validate_cert": False,     # only "true" is true in config.py
            "certificate_path": "/etc/ca.pem", "ciphers": "HIGH",
            "app_dn": "cn=env", "search_base": "dc=env"}
    assert s.get(SERVER, token=admin).json() == want
    assert "ldap" not in config_doc(s)

    # LDAP_SEARCH_FILTER wins over the LDAP_SEARCH_FILTERS fallback.
    s.restart(LDAP_SEARCH_FILTER="(uid=*)")
    got = s.get(SERVER, token=admin).json()
    assert got["search_filters"] == "(uid=*)"

    r = s.post(SERVER, token=admin, json={
        **FORM, "host": "stored.example.com", "port": 1389,
        "use_tls": True, "certificate_path": None})
    assert r.status_code == 200, r.text
    r = s.post(LDAP, token=admin, json={"enable_ldap": False})
    assert r.json() == {"ENABLE_LDAP": False}

    # After a restart with the same environment the stored values win,
    # except a stored null, which falls back to the environment.
    s.restart(LDAP_SEARCH_FILTER="(uid=*)")
    assert s.get(LDAP, token=admin).json() == {"ENABLE_LDAP": False}
    got = s.get(SERVER, token=admin).json()
    assert got == {**SERVER_DEFAULTS, **FORM, "host": "stored.example.com",
                   "port": 1389, "use_tls": True,
                   "certificate_path": "/etc/ca.pem"}

    # ENABLE_PERSISTENT_CONFIG=false: the environment wins at start.
    s.restart(ENABLE_PERSISTENT_CONFIG="false")
    assert s.get(LDAP, token=admin).json() == {"ENABLE_LDAP": True}
    assert s.get(SERVER, token=admin).json()["host"] == "env.example.com"


# -- /api/webhook ----------------------------------------------------------

def test_webhook_roundtrip(stack, users):
    admin = users.admin.token
    r = stack.get("/api/webhook", token=admin)
    assert r.status_code == 200
    assert r.json() == {"url": ""}
    try:
        r = stack.post("/api/webhook", token=admin,
                       json={"url": "https://hooks.slack.com/services/x"})
        assert r.status_code == 200
        assert r.json() == {"url": "https://hooks.slack.com/services/x"}
        assert stack.get("/api/webhook", token=admin).json() == r.json()
        assert config_doc(stack)["webhook_url"] == \
            "https://hooks.slack.com/services/x"
    finally:
        r = stack.post("/api/webhook", token=admin, json={"url": ""})
        assert r.json() == {"url": ""}
    assert config_doc(stack)["webhook_url"] == ""


@pytest.mark.parametrize("body,typ", [
    ({}, "missing"), ({"url": None}, "string_type"),
    ({"url": 5}, "string_type"), ({"url": ["x"]}, "string_type"),
])
def test_webhook_validation(stack, users, body, typ):
    before = config_doc(stack)
    r = stack.post("/api/webhook", token=users.admin.token, json=body)
    assert r.status_code == 422
    d = r.json()["detail"]
    assert len(d) == 1 and d[0]["type"] == typ
    assert d[0]["loc"] == ["body", "url"]
    assert config_doc(stack) == before


@pytest.mark.parametrize("engine", ENGINES)
def test_webhook_env_default_then_stored(make_stack, engine):
    s = make_stack(engine, WEBHOOK_URL="http://127.0.0.1:9/hook")
    admin = create_users(s).admin.token
    assert s.get("/api/webhook", token=admin).json() == \
        {"url": "http://127.0.0.1:9/hook"}
    r = s.post("/api/webhook", token=admin, json={"url": "http://db.test/"})
    assert r.json() == {"url": "http://db.test/"}
    s.restart()
    assert s.get("/api/webhook", token=admin).json() == \
        {"url": "http://db.test/"}
