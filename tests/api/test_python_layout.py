"""Rows written exactly as the Python backend 0.6.32 writes them are served
unchanged, and what cwebui writes has Python's shape (db-schema §5-§6)."""
import json
import time
import uuid

import bcrypt
import jwt
import pytest

PW = "python-made-pw"


def py_json(obj):
    """json.dumps with Python's default separators, as the backend stores."""
    return json.dumps(obj)


def insert_python_user(stack, email, role, settings="null", info="null",
                       api_key=None, created=None):
    uid = str(uuid.uuid4())
    now = created or int(time.time())
    hashed = bcrypt.hashpw(PW.encode(), bcrypt.gensalt(12)).decode()
    stack.sql("INSERT INTO auth (id, email, password, active) "
              "VALUES (?, ?, ?, ?)", (uid, email, hashed, True))
    stack.sql('INSERT INTO "user" (id, name, email, role, profile_image_url,'
              ' api_key, created_at, updated_at, last_active_at, settings,'
              ' info, oauth_sub, username, bio, gender, date_of_birth) '
              'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, '
              'NULL, NULL)',
              (uid, "Py " + role, email, role, "/user.png", api_key, now,
               now, now, settings, info))
    return uid


@pytest.fixture(scope="module")
def py(stack):
    """A Python-made admin with settings and an API key, a user, and the
    config row Python saves after the first signup."""
    settings = {"ui": {"models": ["llama3:8b"], "theme": "dark",
                       "notifications": {"webhook_url": ""}},
                "tools": {"valves": {"t1": {"k": "v"}}}}
    key = "sk-" + uuid.uuid4().hex
    admin = insert_python_user(stack, "py-admin@example.com", "admin",
                               settings=py_json(settings),
                               info=py_json({"location": "Zürich"}),
                               api_key=key, created=int(time.time()) - 5000)
    user = insert_python_user(stack, "py-user@example.com", "user")
    doc = {"version": 0, "ui": {"enable_signup": False,
                                "default_locale": "de-DE"}}
    if stack.engine == "sqlite":
        stack.sql("INSERT INTO config (data, version, created_at, updated_at)"
                  " VALUES (?, 0, '2025-09-30 12:00:00.000000', "
                  "'2025-09-30 12:00:00.000000')", (py_json(doc),))
    else:
        stack.sql("INSERT INTO config (data, version, created_at, updated_at)"
                  " VALUES (?::json, 0, now(), now())", (py_json(doc),))
    return {"admin": admin, "user": user, "key": key, "settings": settings}


def test_python_password_signs_in(stack, py):
    r = stack.post("/api/v1/auths/signin",
                   json={"email": "PY-ADMIN@example.com", "password": PW})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == py["admin"] and body["role"] == "admin"
    assert body["token_type"] == "Bearer"


def test_python_token_and_key_are_accepted(stack, py):
    tok = jwt.encode({"id": py["user"]}, stack.secret, algorithm="HS256")
    r = stack.get("/api/v1/auths/", token=tok)
    assert r.status_code == 200 and r.json()["email"] == "py-user@example.com"
    r = stack.get("/api/v1/auths/api_key", token=py["key"])
    assert r.status_code == 200 and r.json() == {"api_key": py["key"]}


def test_python_settings_and_info_read_back(stack, py):
    r = stack.get("/api/v1/users/user/settings", token=py["key"])
    assert r.status_code == 200 and r.json() == py["settings"]
    r = stack.get("/api/v1/users/user/info", token=py["key"])
    assert r.json() == {"location": "Zürich"}
    # the text "null" Python stores for "no settings" reads as null
    tok = jwt.encode({"id": py["user"]}, stack.secret, algorithm="HS256")
    assert stack.get("/api/v1/users/user/settings", token=tok).json() is None


def test_python_config_row_is_honoured(stack, py):
    cfg = stack.get("/api/config").json()
    assert cfg["default_locale"] == "de-DE"
    assert cfg["features"]["enable_signup"] is False
    assert "onboarding" not in cfg


def test_cwebui_writes_python_shapes(stack, py):
    admin_tok = jwt.encode({"id": py["admin"]}, stack.secret,
                           algorithm="HS256")
    r = stack.post("/api/v1/auths/add", token=admin_tok, json={
        "name": "New", "email": "New@Example.com", "password": "pw-new",
        "role": "user"})
    assert r.status_code == 200, r.text
    uid = r.json()["id"]
    assert str(uuid.UUID(uid)) == uid
    row = stack.sql('SELECT * FROM "user" WHERE id = ?', (uid,))[0]
    assert row["email"] == "new@example.com"
    assert row["created_at"] == row["updated_at"] == row["last_active_at"]
    assert row["api_key"] is None and row["oauth_sub"] is None
    assert row["settings"] in (None, "null") and row["info"] in (None, "null")
    auth = stack.sql("SELECT * FROM auth WHERE id = ?", (uid,))[0]
    assert auth["email"] == "new@example.com" and auth["active"] in (1, True)
    assert auth["password"].startswith("$2b$12$") and len(auth["password"]) == 60
    assert bcrypt.checkpw(b"pw-new", auth["password"].encode())
    # settings written by cwebui are JSON Python can load
    r = stack.post("/api/v1/users/user/settings/update", token=admin_tok,
                   json={"ui": {"theme": "light"}})
    assert r.status_code == 200
    stored = stack.sql('SELECT settings FROM "user" WHERE id = ?',
                       (py["admin"],))[0]["settings"]
    assert json.loads(stored)["ui"] == {"theme": "light"}
    # the config document stays one row that Python reads
    r = stack.post("/api/v1/auths/admin/config", token=admin_tok,
                   json=stack.get("/api/v1/auths/admin/config",
                                  token=admin_tok).json()
                   | {"DEFAULT_USER_ROLE": "user"})
    assert r.status_code == 200, r.text
    rows = stack.sql("SELECT data FROM config ORDER BY id")
    assert len(rows) == 1
    doc = json.loads(rows[0]["data"])
    assert doc["ui"]["default_user_role"] == "user"
    assert doc["ui"]["default_locale"] == "de-DE"
