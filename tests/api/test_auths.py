"""/api/v1/auths/: onboarding, sign-up gates, sign-in (also with accounts
written as Python writes them), tokens made by PyJWT, cookies, roles, API
keys, admin settings and body validation, on both database engines."""

import base64
import contextlib
import http.server
import json
import threading
import time
import uuid
from email.utils import parsedate_to_datetime

import bcrypt
import jwt
import pytest

from conftest import ENGINES, signup
from helpers import (ACCESS_PROHIBITED, ACTION_PROHIBITED, INVALID_TOKEN,
                     UNAUTHORIZED)

A = "/api/v1/auths"

INVALID_CRED = ("The email or password provided is incorrect. Please check "
                "for typos and try logging in again.")
INVALID_EMAIL = ("The email format you entered is invalid. Please "
                 "double-check and make sure you're using a valid email "
                 "address (e.g., yourname@example.com).")
EMAIL_TAKEN = ("Uh-oh! This email is already registered. Sign in with your "
               "existing account or choose another email to start anew.")
INVALID_PASSWORD = ("The password provided is incorrect. Please check for "
                    "typos and try again.")
API_KEY_NOT_ALLOWED = "Use of API key is not enabled in the environment."
API_KEY_CREATION = "API key creation is not allowed in the environment."
API_KEY_NOT_FOUND = ("Oops! It looks like there's a hiccup. The API key is "
                     "missing. Please make sure to provide a valid API key "
                     "to access this feature.")
SIGNUP_ERROR = "An internal error occurred during signup."

ADMIN_CONFIG_KEYS = [
    "SHOW_ADMIN_DETAILS", "WEBUI_URL", "ENABLE_SIGNUP", "ENABLE_API_KEY",
    "ENABLE_API_KEY_ENDPOINT_RESTRICTIONS", "API_KEY_ALLOWED_ENDPOINTS",
    "DEFAULT_USER_ROLE", "JWT_EXPIRES_IN", "ENABLE_COMMUNITY_SHARING",
    "ENABLE_MESSAGE_RATING", "ENABLE_CHANNELS", "ENABLE_NOTES",
    "ENABLE_USER_WEBHOOKS", "PENDING_USER_OVERLAY_TITLE",
    "PENDING_USER_OVERLAY_CONTENT", "RESPONSE_WATERMARK",
]


# -- helpers ---------------------------------------------------------------

def set_cookies(r):
    """The Set-Cookie headers of a response, as {name: attributes}, where
    attributes maps lower-cased attribute names to values ("" for flags)
    and "" to the cookie value."""
    out = {}
    for line in r.raw.headers.getlist("Set-Cookie"):
        parts = [p.strip() for p in line.split(";")]
        name, _, value = parts[0].partition("=")
        attrs = {"": value}
        for p in parts[1:]:
            k, _, v = p.partition("=")
            attrs[k.lower()] = v
        out[name] = attrs
    return out


def config_doc(stack):
    """The stored settings document (the config table's row)."""
    rows = stack.sql("SELECT data FROM config ORDER BY id")
    assert len(rows) == 1, rows
    return json.loads(rows[0]["data"])


def admin_config(stack, token, **changes):
    """POSTs the current admin settings with changes; returns the answer."""
    r = stack.get(f"{A}/admin/config", token=token)
    assert r.status_code == 200, r.text
    body = {**r.json(), **changes}
    r = stack.post(f"{A}/admin/config", token=token, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def insert_python_user(stack, email, password, role="user", name="Py User"):
    """Writes the user and auth rows as Open WebUI's insert_new_auth does,
    with a bcrypt hash made by the Python bcrypt module. Returns the id."""
    uid = str(uuid.uuid4())
    now = int(time.time())
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(12)).decode()
    assert hashed.startswith("$2b$12$")
    stack.sql('INSERT INTO auth (id, email, password, active) '
              'VALUES (?, ?, ?, ?)', (uid, email, hashed, True))
    stack.sql('INSERT INTO "user" (id, name, email, role, '
              'profile_image_url, last_active_at, updated_at, created_at, '
              'api_key, settings, info, oauth_sub) '
              'VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)',
              (uid, name, email, role, "/user.png", now, now, now))
    return uid


def session(stack, token):
    return stack.get(f"{A}/", token=token)


def admin_first(stack, users):
    """Makes the admin unambiguously the first user: the tests create
    accounts within the same second, and on PostgreSQL Python's
    ORDER BY created_at alone then picks any of them."""
    stack.sql('UPDATE "user" SET created_at = ? WHERE id = ?',
              (1000, users.admin.id))


# -- onboarding and sign-up --------------------------------------------------

def test_onboarding_first_admin_closes_signup(fresh_stack):
    s = fresh_stack
    r = s.get("/api/config")
    assert r.status_code == 200
    assert r.json().get("onboarding") is True
    assert r.json()["features"]["enable_signup"] is True

    r = s.post(f"{A}/signup", json={"name": "Ada", "email": "Ada@Example.COM",
                                    "password": "pw-ada-1"})
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["role"] == "admin"
    assert first["email"] == "ada@example.com"
    assert first["name"] == "Ada"
    assert first["token_type"] == "Bearer"
    assert first["profile_image_url"] == "/user.png"
    assert first["expires_at"] is None          # JWT_EXPIRES_IN=-1
    assert isinstance(first["permissions"], dict)
    assert first["permissions"]["chat"]["controls"] is True
    c = set_cookies(r)["token"]
    assert c[""] == first["token"]
    assert "httponly" in c and c["samesite"].lower() == "lax"
    assert "expires" not in c                   # a session cookie

    # Sign-up is now closed, in the answer of /api/config and the table.
    r = s.get("/api/config")
    assert "onboarding" not in r.json()
    assert r.json()["features"]["enable_signup"] is False
    assert config_doc(s)["ui"]["enable_signup"] is False

    r = s.post(f"{A}/signup", json={"name": "Bob", "email": "bob@example.com",
                                    "password": "pw-bob-1"})
    assert r.status_code == 403
    assert r.json() == {"detail": ACCESS_PROHIBITED}
    assert s.sql('SELECT id FROM "user" WHERE email = ?',
                 ("bob@example.com",)) == []

    # The admin reopens it: the next account is pending (DEFAULT_USER_ROLE).
    cfg = admin_config(s, first["token"], ENABLE_SIGNUP=True)
    assert cfg["ENABLE_SIGNUP"] is True
    assert config_doc(s)["ui"]["enable_signup"] is True
    bob = signup(s, "Bob", "bob@example.com", "pw-bob-1")
    assert bob["role"] == "pending"
    rows = s.sql('SELECT role, profile_image_url FROM "user" WHERE id = ?',
                 (bob["id"],))
    assert rows == [{"role": "pending", "profile_image_url": "/user.png"}]
    rows = s.sql("SELECT email, active FROM auth WHERE id = ?", (bob["id"],))
    assert rows[0]["email"] == "bob@example.com" and rows[0]["active"]
    # The stored hash is one Python's bcrypt verifies.
    h = s.sql("SELECT password FROM auth WHERE id = ?", (bob["id"],))[0]
    assert h["password"].startswith("$2b$12$")
    assert bcrypt.checkpw(b"pw-bob-1", h["password"].encode())
    # Sign-up stays open after the second account.
    assert s.get("/api/config").json()["features"]["enable_signup"] is True


def test_signup_validation(stack, users):
    admin_config(stack, users.admin.token, ENABLE_SIGNUP=True)
    try:
        for bad in ["plainaddress", "@example.com", "a@b", "a@.b", "a@b.",
                    "a@@b.c"]:
            r = stack.post(f"{A}/signup", json={
                "name": "X", "email": bad, "password": "x"})
            assert r.status_code == 400, bad
            assert r.json() == {"detail": INVALID_EMAIL}, bad
        # validate_email_format's quirks: @localhost, and only the start
        # has to match.
        for good in ["root@localhost", "x@y.z trailing", "a.b@c.d@e"]:
            r = stack.post(f"{A}/signup", json={
                "name": "X", "email": good, "password": "x"})
            assert r.status_code == 200, (good, r.text)

        r = stack.post(f"{A}/signup", json={
            "name": "Dup", "email": users.user.email.upper(),
            "password": "x"})
        assert r.status_code == 400
        assert r.json() == {"detail": EMAIL_TAKEN}

        # 73 bytes (not characters): Python answers its catch-all 500.
        r = stack.post(f"{A}/signup", json={
            "name": "Long", "email": "long@example.com",
            "password": "é" * 36 + "x"})
        assert r.status_code == 500
        assert r.json() == {"detail": SIGNUP_ERROR}
        assert stack.sql('SELECT id FROM "user" WHERE email = ?',
                         ("long@example.com",)) == []
        r = stack.post(f"{A}/signup", json={
            "name": "Long", "email": "long@example.com",
            "password": "é" * 36})
        assert r.status_code == 200

        r = stack.post(f"{A}/signup", json={
            "name": "Img", "email": "img@example.com", "password": "x",
            "profile_image_url": "data:image/png;base64,AAAA"})
        assert r.status_code == 200
        assert r.json()["profile_image_url"] == "data:image/png;base64,AAAA"
    finally:
        admin_config(stack, users.admin.token, ENABLE_SIGNUP=False)


# -- sign-in ---------------------------------------------------------------

def test_signin_python_bcrypt_account(stack, users):
    uid = insert_python_user(stack, "pyuser@example.com", "säkrit-pw")
    r = stack.post(f"{A}/signin", json={"email": "PyUser@Example.com",
                                        "password": "säkrit-pw"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["id"] == uid and d["role"] == "user"
    assert d["email"] == "pyuser@example.com" and d["name"] == "Py User"
    assert d["token_type"] == "Bearer" and d["expires_at"] is None
    assert set(d) == {"token", "token_type", "expires_at", "id", "email",
                      "name", "role", "profile_image_url", "permissions"}
    # The token is PyJWT-compatible: HS256 over {"id"} with the secret.
    assert jwt.get_unverified_header(d["token"])["alg"] == "HS256"
    assert jwt.decode(d["token"], stack.secret, algorithms=["HS256"]) == \
        {"id": uid}
    c = set_cookies(r)["token"]
    assert c[""] == d["token"] and "httponly" in c
    assert c["samesite"].lower() == "lax" and c["path"] == "/"

    for email, pw in [("pyuser@example.com", "wrong"),
                      ("nobody@example.com", "säkrit-pw"),
                      ("pyuser@example.com", "")]:
        r = stack.post(f"{A}/signin", json={"email": email, "password": pw})
        assert r.status_code == 400
        assert r.json() == {"detail": INVALID_CRED}
        assert "token" not in set_cookies(r)


def test_signin_non_bcrypt_hash_is_refused(stack, users):
    uid = insert_python_user(stack, "ldapish@example.com", "pw")
    stack.sql("UPDATE auth SET password = ? WHERE id = ?",
              (str(uuid.uuid4()), uid))
    r = stack.post(f"{A}/signin", json={"email": "ldapish@example.com",
                                        "password": "pw"})
    assert r.status_code == 400
    assert r.json() == {"detail": INVALID_CRED}


def test_session_user(stack, users):
    r = session(stack, users.user.token)
    assert r.status_code == 200
    d = r.json()
    assert d["id"] == users.user.id and d["role"] == "user"
    assert d["token"] == users.user.token and d["expires_at"] is None
    for k in ("bio", "gender", "date_of_birth"):
        assert d[k] is None
    assert isinstance(d["permissions"]["workspace"], dict)
    # The cookie is set again from the Bearer token.
    assert set_cookies(r)["token"][""] == users.user.token

    # With the cookie alone.
    r = stack.get(f"{A}/", cookies={"token": users.pending.token})
    assert r.status_code == 200
    assert r.json()["id"] == users.pending.id
    assert r.json()["role"] == "pending"

    r = stack.get(f"{A}/")
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}


def test_session_permissions_include_groups(stack, users):
    gid = str(uuid.uuid4())
    now = int(time.time())
    stack.sql('INSERT INTO "group" (id, user_id, name, description, data, '
              'meta, permissions, user_ids, created_at, updated_at) '
              'VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)',
              (gid, users.admin.id, "g", "",
               json.dumps({"workspace": {"models": True}}),
               json.dumps([users.user.id]), now, now))
    try:
        p = session(stack, users.user.token).json()["permissions"]
        assert p["workspace"]["models"] is True
        assert p["chat"]["controls"] is True      # filled from the default
        p = session(stack, users.pending.token).json()["permissions"]
        assert p["workspace"]["models"] is False
    finally:
        stack.sql('DELETE FROM "group" WHERE id = ?', (gid,))


# -- tokens ----------------------------------------------------------------

def test_pyjwt_tokens(stack, users):
    uid = users.user.id
    good = jwt.encode({"id": uid}, stack.secret, algorithm="HS256")
    assert session(stack, good).json()["id"] == uid
    exp = int(time.time()) + 600
    tok = jwt.encode({"id": uid, "exp": exp}, stack.secret, algorithm="HS256")
    r = session(stack, tok)
    assert r.status_code == 200
    assert r.json()["expires_at"] == exp
    c = set_cookies(r)["token"]
    assert int(parsedate_to_datetime(c["expires"]).timestamp()) == exp

    expired = jwt.encode({"id": uid, "exp": int(time.time()) - 5},
                         stack.secret, algorithm="HS256")
    hs512 = jwt.encode({"id": uid}, stack.secret, algorithm="HS512")
    wrong = jwt.encode({"id": uid}, stack.secret + "x", algorithm="HS256")
    none = (b64url(b'{"alg":"none","typ":"JWT"}') + "." +
            b64url(json.dumps({"id": uid}).encode()) + ".")
    h, p, sig = good.split(".")
    tampered = h + "." + b64url(json.dumps(
        {"id": users.admin.id}).encode()) + "." + sig
    noid = jwt.encode({"sub": uid}, stack.secret, algorithm="HS256")
    for name, t in [("expired", expired), ("hs512", hs512),
                    ("wrong secret", wrong), ("alg none", none),
                    ("tampered", tampered), ("no id", noid),
                    ("garbage", "not.a.jwt")]:
        r = session(stack, t)
        assert r.status_code == 401, name
        assert r.json() == {"detail": UNAUTHORIZED}, name
        r = stack.get(f"{A}/", cookies={"token": t})
        assert r.status_code == 401, name

    gone = jwt.encode({"id": str(uuid.uuid4())}, stack.secret,
                      algorithm="HS256")
    r = session(stack, gone)
    assert r.status_code == 401
    assert r.json() == {"detail": INVALID_TOKEN}


def test_jwt_expiry_setting(stack, users):
    admin = users.admin.token
    cfg = admin_config(stack, admin, JWT_EXPIRES_IN="2h")
    try:
        assert cfg["JWT_EXPIRES_IN"] == "2h"
        assert config_doc(stack)["auth"]["jwt_expiry"] == "2h"
        before = int(time.time())
        r = stack.post(f"{A}/signin", json={"email": users.user.email,
                                            "password": users.user.password})
        assert r.status_code == 200
        d = r.json()
        assert before + 7200 <= d["expires_at"] <= int(time.time()) + 7200
        claims = jwt.decode(d["token"], stack.secret, algorithms=["HS256"])
        assert abs(claims["exp"] - d["expires_at"]) <= 1
        c = set_cookies(r)["token"]
        assert abs(parsedate_to_datetime(c["expires"]).timestamp()
                   - d["expires_at"]) <= 1
        assert session(stack, d["token"]).json()["expires_at"] == \
            claims["exp"]

        # Values the admin form refuses are ignored, the rest is stored.
        for bad in ["1h30m", "abc", "", "5x", "-2"]:
            cfg = admin_config(stack, admin, JWT_EXPIRES_IN=bad)
            assert cfg["JWT_EXPIRES_IN"] == "2h", bad
        for ok in ["-1", "0", "30m", "1.5d", "-1h", "100ms"]:
            assert admin_config(stack, admin,
                                JWT_EXPIRES_IN=ok)["JWT_EXPIRES_IN"] == ok
    finally:
        admin_config(stack, admin, JWT_EXPIRES_IN="-1")


# -- roles -----------------------------------------------------------------

def test_pending_user_routes(stack, users):
    admin_first(stack, users)
    t = users.pending.token
    r = stack.post(f"{A}/update/profile", token=t,
                   json={"name": "P", "profile_image_url": "/user.png"})
    assert r.status_code == 401
    assert r.json() == {"detail": ACCESS_PROHIBITED}
    assert session(stack, t).status_code == 200
    r = stack.get(f"{A}/admin/details", token=t)
    assert r.status_code == 200
    assert r.json() == {"name": "Admin", "email": users.admin.email}
    r = stack.get(f"{A}/api_key", token=t)
    assert r.status_code == 404
    assert r.json() == {"detail": API_KEY_NOT_FOUND}
    r = stack.post(f"{A}/update/password", token=t,
                   json={"password": "wrong", "new_password": "x"})
    assert r.status_code == 400
    assert r.json() == {"detail": INVALID_PASSWORD}


@pytest.mark.parametrize("method,path,body", [
    ("POST", "/add", {"name": "n", "email": "n@example.com",
                      "password": "p"}),
    ("GET", "/admin/config", None),
    ("POST", "/admin/config", {}),
])
def test_admin_only_routes(stack, users, method, path, body):
    for role in ("user", "pending"):
        r = stack.request(method, A + path, token=users.token(role),
                          json=body)
        assert r.status_code == 401, role
        assert r.json() == {"detail": ACCESS_PROHIBITED}, role
    r = stack.request(method, A + path, json=body)
    assert r.status_code == 401
    assert r.json() == {"detail": "Not authenticated"}
    assert stack.sql('SELECT id FROM "user" WHERE email = ?',
                     ("n@example.com",)) == []


def test_add_user(stack, users):
    r = stack.post(f"{A}/add", token=users.admin.token, json={
        "name": "Added", "email": "Added@Example.com", "password": "pw-a",
        "role": "user"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert set(d) == {"token", "token_type", "id", "email", "name", "role",
                      "profile_image_url"}
    assert d["email"] == "added@example.com" and d["role"] == "user"
    assert d["profile_image_url"] == "/user.png"
    # The token of /add never expires, whatever JWT_EXPIRES_IN says.
    assert "exp" not in jwt.decode(d["token"], stack.secret,
                                   algorithms=["HS256"])
    assert session(stack, d["token"]).json()["id"] == d["id"]
    assert stack.post(f"{A}/signin", json={
        "email": "added@example.com", "password": "pw-a"}).status_code == 200

    r = stack.post(f"{A}/add", token=users.admin.token, json={
        "name": "Default", "email": "default@example.com", "password": "p"})
    assert r.status_code == 200 and r.json()["role"] == "pending"
    r = stack.post(f"{A}/add", token=users.admin.token, json={
        "name": "Dup", "email": "ADDED@example.com", "password": "p"})
    assert r.status_code == 400 and r.json() == {"detail": EMAIL_TAKEN}
    r = stack.post(f"{A}/add", token=users.admin.token, json={
        "name": "Bad", "email": "bad-address", "password": "p"})
    assert r.status_code == 400 and r.json() == {"detail": INVALID_EMAIL}


def test_admin_details(stack, users):
    admin_first(stack, users)
    r = stack.get(f"{A}/admin/details", token=users.user.token)
    assert r.json() == {"name": "Admin", "email": users.admin.email}
    admin_config(stack, users.admin.token, SHOW_ADMIN_DETAILS=False)
    try:
        r = stack.get(f"{A}/admin/details", token=users.user.token)
        assert r.status_code == 400
        assert r.json() == {"detail": ACTION_PROHIBITED}
        assert config_doc(stack)["auth"]["admin"]["show"] is False
    finally:
        admin_config(stack, users.admin.token, SHOW_ADMIN_DETAILS=True)


# -- profile and password ----------------------------------------------------

def test_update_profile(stack, users):
    t = users.user.token
    r = stack.post(f"{A}/update/profile", token=t, json={
        "name": "New Name", "profile_image_url": "/new.png", "bio": "hi",
        "gender": "other", "date_of_birth": "1990-02-28"})
    assert r.status_code == 200, r.text
    assert r.json() == {"id": users.user.id, "name": "New Name",
                        "email": users.user.email, "role": "user",
                        "profile_image_url": "/new.png"}
    d = session(stack, t).json()
    assert (d["name"], d["bio"], d["gender"], d["date_of_birth"]) == \
        ("New Name", "hi", "other", "1990-02-28")
    # Absent optional fields are cleared, as Python does.
    r = stack.post(f"{A}/update/profile", token=t, json={
        "name": "User", "profile_image_url": "/user.png"})
    assert r.status_code == 200
    d = session(stack, t).json()
    assert (d["name"], d["bio"], d["gender"], d["date_of_birth"]) == \
        ("User", None, None, None)
    r = stack.post(f"{A}/update/profile", token=t, json={
        "name": "User", "profile_image_url": "/user.png",
        "date_of_birth": "1990-02-30"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "date_of_birth"]


def test_update_password(stack, users):
    r = stack.post(f"{A}/add", token=users.admin.token, json={
        "name": "Pw", "email": "pw@example.com", "password": "old-pw",
        "role": "user"})
    t = r.json()["token"]
    r = stack.post(f"{A}/update/password", token=t,
                   json={"password": "nope", "new_password": "new-pw"})
    assert r.status_code == 400
    assert r.json() == {"detail": INVALID_PASSWORD}
    r = stack.post(f"{A}/update/password", token=t,
                   json={"password": "old-pw", "new_password": "new-pw"})
    assert r.status_code == 200 and r.json() is True
    assert stack.post(f"{A}/signin", json={
        "email": "pw@example.com", "password": "old-pw"}).status_code == 400
    assert stack.post(f"{A}/signin", json={
        "email": "pw@example.com", "password": "new-pw"}).status_code == 200


# -- sign-out and cookies ------------------------------------------------------

def test_signout_clears_cookies(stack, users):
    r = stack.get(f"{A}/signout", cookies={"token": users.user.token,
                                          "oauth_session_id": "x"})
    assert r.status_code == 200
    assert r.json() == {"status": True}
    c = set_cookies(r)
    for name in ("token", "oui-session", "oauth_id_token",
                 "oauth_session_id"):
        assert name in c, name
        assert c[name][""] in ("", '""'), name
        assert c[name].get("max-age") == "0" or \
            parsedate_to_datetime(c[name]["expires"]).timestamp() < \
            time.time(), name
    # Without the OAuth session cookie it is not deleted (as Python).
    r = stack.get(f"{A}/signout")
    assert "oauth_session_id" not in set_cookies(r)


# -- API keys ----------------------------------------------------------------

def test_api_key_lifecycle(stack, users):
    t = users.user.token
    r = stack.post(f"{A}/api_key", token=t)
    assert r.status_code == 200
    key = r.json()["api_key"]
    assert key.startswith("sk-") and len(key) == 35
    int(key[3:], 16)
    assert stack.get(f"{A}/api_key", token=t).json() == {"api_key": key}
    rows = stack.sql('SELECT api_key FROM "user" WHERE id = ?',
                     (users.user.id,))
    assert rows == [{"api_key": key}]

    # The key signs in as its user; /auths/ sets no cookie for it.
    r = session(stack, key)
    assert r.status_code == 200
    assert r.json()["id"] == users.user.id and r.json()["token"] == key
    assert "token" not in set_cookies(r)

    key2 = stack.post(f"{A}/api_key", token=key).json()["api_key"]
    assert key2 != key
    assert session(stack, key).status_code == 401
    assert session(stack, key).json() == {"detail": INVALID_TOKEN}

    r = stack.delete(f"{A}/api_key", token=t)
    assert r.status_code == 200 and r.json() is True
    assert session(stack, key2).status_code == 401
    assert stack.get(f"{A}/api_key", token=t).status_code == 404


def test_api_key_endpoint_restrictions(stack, users):
    admin = users.admin.token
    key = stack.post(f"{A}/api_key", token=users.user.token).json()["api_key"]
    admin_config(stack, admin, ENABLE_API_KEY_ENDPOINT_RESTRICTIONS=True,
                 API_KEY_ALLOWED_ENDPOINTS="/api/v1/auths/api_key, /api/x")
    try:
        r = session(stack, key)
        assert r.status_code == 403
        assert r.json() == {"detail": API_KEY_NOT_ALLOWED}
        assert stack.get(f"{A}/api_key", token=key).status_code == 200
        # JWTs are not restricted.
        assert session(stack, users.user.token).status_code == 200
    finally:
        admin_config(stack, admin, ENABLE_API_KEY_ENDPOINT_RESTRICTIONS=False,
                     API_KEY_ALLOWED_ENDPOINTS="")
    assert session(stack, key).status_code == 200


@pytest.mark.parametrize("engine", ENGINES)
def test_api_keys_disabled(make_stack, engine):
    s = make_stack(engine, ENABLE_API_KEY="false")
    admin = signup(s, "A", "a@example.com", "pw")
    r = s.post(f"{A}/api_key", token=admin["token"])
    assert r.status_code == 403
    assert r.json() == {"detail": API_KEY_CREATION}
    assert s.get("/api/config").json()["features"]["enable_api_key"] is False
    # A key made while they were allowed cannot be used.
    s.sql('UPDATE "user" SET api_key = ? WHERE id = ?',
          ("sk-" + uuid.uuid4().hex, admin["id"]))
    key = s.sql('SELECT api_key FROM "user"')[0]["api_key"]
    r = session(s, key)
    assert r.status_code == 403
    assert r.json() == {"detail": API_KEY_NOT_ALLOWED}
    # The admin turns them on; the stored value wins from now on.
    assert admin_config(s, admin["token"],
                        ENABLE_API_KEY=True)["ENABLE_API_KEY"] is True
    assert config_doc(s)["auth"]["api_key"]["enable"] is True
    assert session(s, key).status_code == 200
    assert s.post(f"{A}/api_key", token=admin["token"]).status_code == 200


# -- admin settings ------------------------------------------------------------

def test_admin_config_roundtrip(stack, users):
    admin = users.admin.token
    r = stack.get(f"{A}/admin/config", token=admin)
    assert r.status_code == 200
    cfg = r.json()
    assert list(cfg) == ADMIN_CONFIG_KEYS
    assert cfg["DEFAULT_USER_ROLE"] == "pending"
    assert cfg["ENABLE_API_KEY"] is True and cfg["JWT_EXPIRES_IN"] == "-1"

    new = {**cfg, "DEFAULT_USER_ROLE": "user", "WEBUI_URL": "http://x.test",
           "PENDING_USER_OVERLAY_TITLE": "Wait", "RESPONSE_WATERMARK": None,
           "ENABLE_CHANNELS": "yes", "ENABLE_NOTES": 0}
    try:
        r = stack.post(f"{A}/admin/config", token=admin, json=new)
        assert r.status_code == 200, r.text
        got = r.json()
        assert got["DEFAULT_USER_ROLE"] == "user"
        assert got["WEBUI_URL"] == "http://x.test"
        assert got["PENDING_USER_OVERLAY_TITLE"] == "Wait"
        assert got["ENABLE_CHANNELS"] is True and got["ENABLE_NOTES"] is False
        assert stack.get(f"{A}/admin/config", token=admin).json() == got
        doc = config_doc(stack)
        assert doc["ui"]["default_user_role"] == "user"
        assert doc["webui"]["url"] == "http://x.test"
        assert doc["ui"]["pending_user_overlay_title"] == "Wait"
        assert doc["channels"]["enable"] is True
        assert doc["notes"]["enable"] is False

        # An unknown role is ignored.
        got = admin_config(stack, admin, DEFAULT_USER_ROLE="root")
        assert got["DEFAULT_USER_ROLE"] == "user"
    finally:
        r = stack.post(f"{A}/admin/config", token=admin, json=cfg)
        assert r.status_code == 200


@pytest.mark.parametrize("change,loc,typ", [
    ({"ENABLE_SIGNUP": None}, "ENABLE_SIGNUP", "bool_type"),
    ({"ENABLE_SIGNUP": "maybe"}, "ENABLE_SIGNUP", "bool_parsing"),
    ({"ENABLE_SIGNUP": 2}, "ENABLE_SIGNUP", "bool_parsing"),
    ({"WEBUI_URL": 5}, "WEBUI_URL", "string_type"),
    ({"JWT_EXPIRES_IN": None}, "JWT_EXPIRES_IN", "string_type"),
])
def test_admin_config_validation(stack, users, change, loc, typ):
    admin = users.admin.token
    before = config_doc(stack)
    cfg = stack.get(f"{A}/admin/config", token=admin).json()
    r = stack.post(f"{A}/admin/config", token=admin, json={**cfg, **change})
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["loc"] == ["body", loc] and d["type"] == typ
    assert config_doc(stack) == before


def test_admin_config_missing_field(stack, users):
    admin = users.admin.token
    cfg = stack.get(f"{A}/admin/config", token=admin).json()
    del cfg["ENABLE_NOTES"]
    del cfg["RESPONSE_WATERMARK"]          # optional
    r = stack.post(f"{A}/admin/config", token=admin, json=cfg)
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["type"] == "missing" and d["loc"] == ["body", "ENABLE_NOTES"]
    assert d["msg"] == "Field required"


# -- body validation -----------------------------------------------------------

@pytest.mark.parametrize("path,body,loc", [
    ("/signin", {"password": "x"}, "email"),
    ("/signin", {"email": "a@b.c"}, "password"),
    ("/signup", {"email": "a@b.c", "password": "x"}, "name"),
    ("/signup", {"name": "n", "email": 5, "password": "x"}, "email"),
])
def test_missing_or_mistyped_fields(stack, path, body, loc):
    r = stack.post(A + path, json=body)
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["loc"] == ["body", loc]
    assert d["type"] in ("missing", "string_type")


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"email": }'])
def test_malformed_json(stack, raw):
    r = stack.post(f"{A}/signin", data=raw,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "json_invalid"


@pytest.mark.parametrize("raw", [b"[]", b'"x"', b"1"])
def test_body_not_an_object(stack, raw):
    r = stack.post(f"{A}/signin", data=raw,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body"]


@pytest.mark.parametrize("engine", ENGINES)
def test_oversized_body(make_stack, engine):
    s = make_stack(engine, CWEBUI_MAX_BODY="1024")
    r = s.post(f"{A}/signup", json={"name": "x" * 4096, "email": "a@b.c",
                                    "password": "p"})
    assert r.status_code == 413
    assert s.sql('SELECT id FROM "user"') == []
    # A body under the limit still works.
    assert signup(s, "A", "a@example.com", "pw")["role"] == "admin"


# -- settings from the environment -----------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_signout_redirect_and_auth_off(make_stack, engine):
    s = make_stack(engine, WEBUI_AUTH="false",
                   WEBUI_AUTH_SIGNOUT_REDIRECT_URL="https://sso.test/out")
    r = s.get(f"{A}/signout")
    assert r.json() == {"status": True,
                        "redirect_url": "https://sso.test/out"}
    # Without authentication any sign-in is the local admin.
    r = s.post(f"{A}/signin", json={"email": "", "password": ""})
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["email"], d["name"], d["role"]) == \
        ("admin@localhost", "User", "admin")
    r2 = s.post(f"{A}/signin", json={"email": "x", "password": "y"})
    assert r2.status_code == 200 and r2.json()["id"] == d["id"]
    r = s.post(f"{A}/signup", json={"name": "n", "email": "n@example.com",
                                    "password": "p"})
    assert r.status_code == 403
    assert r.json() == {"detail": ACCESS_PROHIBITED}


@pytest.mark.parametrize("engine", ENGINES)
def test_trusted_email_header(make_stack, engine):
    s = make_stack(engine, WEBUI_AUTH_TRUSTED_EMAIL_HEADER="X-Email",
                   WEBUI_AUTH_TRUSTED_NAME_HEADER="X-Name")
    r = s.post(f"{A}/signin", json={"email": "", "password": ""})
    assert r.status_code == 400
    assert r.json() == {"detail": ("Your provider has not provided a trusted "
                                   "header. Please contact your "
                                   "administrator for assistance.")}
    r = s.post(f"{A}/signin", json={"email": "", "password": ""},
               headers={"X-Email": "Boss@Example.com", "X-Name": "Boss"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert (d["email"], d["name"], d["role"]) == \
        ("boss@example.com", "Boss", "admin")
    # Sign-up is closed now, so a second header user is refused.
    r = s.post(f"{A}/signin", json={"email": "", "password": ""},
               headers={"X-Email": "other@example.com"})
    assert r.status_code == 403
    # Password changes are refused while the header decides.
    r = s.post(f"{A}/update/password", token=d["token"],
               json={"password": "x", "new_password": "y"})
    assert r.status_code == 400
    assert r.json() == {"detail": ACTION_PROHIBITED}


@contextlib.contextmanager
def webhook_receiver():
    """An HTTP server on 127.0.0.1 recording the JSON posted to it: yields
    (base URL, list of (path, Content-Type, JSON body)) and a function that
    waits up to 10 s for n posts."""
    got = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", 0))
            got.append((self.path, self.headers.get("Content-Type"),
                        json.loads(self.rfile.read(n))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    def wait(n):
        deadline = time.monotonic() + 10
        while len(got) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return got

    srv = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}", wait
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize("engine", ENGINES)
def test_signup_webhook(make_stack, engine):
    with webhook_receiver() as (base, wait):
        url = f"{base}/hook"
        s = make_stack(engine, WEBHOOK_URL=url)
        d = signup(s, "Hooked Ada", "ada@example.com", "pw")
        got = wait(1)
        assert len(got) == 1
        path, ctype, payload = got[0]
        assert path == "/hook" and ctype.startswith("application/json")
        assert payload["action"] == "signup"
        assert payload["message"] == "New user signed up: Hooked Ada"
        user = json.loads(payload["user"])
        assert user["id"] == d["id"] and user["email"] == "ada@example.com"
        assert user["role"] == "admin"
        assert None not in user.values()        # exclude_none
        assert s.get("/api/webhook", token=d["token"]).json() == {"url": url}


@pytest.mark.parametrize("engine", ENGINES)
def test_signup_webhook_names_instance_once(make_stack, engine):
    """A Teams card names the instance as /api/config does: WEBUI_NAME with
    one " (Open WebUI)" suffix. The URL is set by the admin at run time."""
    with webhook_receiver() as (base, wait):
        s = make_stack(engine, WEBUI_NAME="Acme")
        assert s.get("/api/config").json()["name"] == "Acme (Open WebUI)"
        admin = signup(s, "Admin", "admin@example.com", "pw")["token"]
        url = f"{base}/webhook.office.com/x"
        r = s.post("/api/webhook", token=admin, json={"url": url})
        assert r.json() == {"url": url}
        admin_config(s, admin, ENABLE_SIGNUP=True)
        signup(s, "Bob", "bob@example.com", "pw")
        got = wait(1)
        assert len(got) == 1
        path, _, card = got[0]
        assert path == "/webhook.office.com/x"
        assert card["@type"] == "MessageCard"
        assert card["summary"] == "New user signed up: Bob"
        sec = card["sections"][0]
        assert sec["activitySubtitle"] == \
            "Acme (Open WebUI) (0.6.32) - signup"
        facts = {f["name"]: f["value"] for f in sec["facts"]}
        assert facts["email"] == "bob@example.com"
