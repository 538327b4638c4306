"""/api/v1/users/ (routers/users.py) on both engines: the admin's paged
list, search, groups and permissions, default permissions, the caller's
settings and info, profiles and avatars, admin updates with the
primary-admin rules, and deletion with its cascades."""

import base64
import json
import time
import uuid

import pytest

from conftest import add_user
from helpers import (ACCESS_PROHIBITED, ACTION_PROHIBITED,
                     CONFIG_DEFAULT_PERMISSIONS as CONFIG_DEFAULTS,
                     MODEL_DEFAULT_PERMISSIONS as MODEL_DEFAULTS,
                     NOT_FOUND as USER_NOT_FOUND,
                     assert_refuses_anonymous_and_pending)

U = "/api/v1/users"

EMAIL_TAKEN = ("Uh-oh! This email is already registered. Sign in with your "
               "existing account or choose another email to start anew.")
PRIMARY_ADMIN = "Could not verify primary admin status."

USER_MODEL_KEYS = {"id", "name", "email", "username", "role",
                   "profile_image_url", "bio", "gender", "date_of_birth",
                   "info", "settings", "api_key", "oauth_sub",
                   "last_active_at", "updated_at", "created_at"}
GROUP_KEYS = {"id", "user_id", "name", "description", "data", "meta",
              "permissions", "user_ids", "created_at", "updated_at"}


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806"
                    "0000001f15c4890000000d49444154789c6360000002000001"
                    "e221bc330000000049454e44ae426082")


@pytest.fixture(scope="module", autouse=True)
def primary(stack, users):
    """Makes the first sign-up unambiguously the primary admin (the others
    may share its created_at second)."""
    stack.sql('UPDATE "user" SET created_at = created_at - 1000 '
              'WHERE id = ?', (users.admin.id,))
    return users.admin


@pytest.fixture(autouse=True)
def no_worker_crash(stack):
    """Fails a test during which a worker crashed or a sanitizer spoke
    (the response may have gone out before the crash)."""
    try:
        start = stack.log_path.stat().st_size
    except OSError:
        start = 0
    yield
    time.sleep(0.05)
    with open(stack.log_path, "rb") as f:
        f.seek(start)
        text = f.read().decode("utf-8", "replace")
    for bad in ("AddressSanitizer", "runtime error:", "LeakSanitizer",
                "exited with status", "killed by signal"):
        assert bad not in text, text[-3000:]


@pytest.fixture(scope="module")
def admin2(stack, users):
    """A second admin, not the primary one."""
    data = add_user(stack, users.admin.token, "Second Admin",
                    "admin2@example.com", "Passw0rd!2", "admin")
    return data


def new_user(stack, admin_token, name, email, role="user"):
    return add_user(stack, admin_token, name, email, "Passw0rd!x", role)


def insert_group(stack, owner, user_ids, permissions=None, name="G",
                 updated_at=None):
    gid = str(uuid.uuid4())
    now = int(time.time()) if updated_at is None else updated_at
    stack.sql('INSERT INTO "group" (id, user_id, name, description, data, '
              'meta, permissions, user_ids, created_at, updated_at) '
              'VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?)',
              (gid, owner, name, "desc",
               None if permissions is None else json.dumps(permissions),
               json.dumps(user_ids), now, now))
    return gid


def delete_group(stack, gid):
    stack.sql('DELETE FROM "group" WHERE id = ?', (gid,))


def insert_chat(stack, user_id, chat_id=None):
    cid = chat_id or str(uuid.uuid4())
    now = int(time.time())
    stack.sql("INSERT INTO chat (id, user_id, title, archived, created_at, "
              "updated_at, chat, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              (cid, user_id, "t", False, now, now, "{}", "{}"))
    return cid


def detail(r):
    return r.json()["detail"]


# -- who may call what -----------------------------------------------------

VERIFIED_ROUTES = [
    ("GET", "/search"), ("GET", "/groups"), ("GET", "/permissions"),
    ("GET", "/user/settings"), ("POST", "/user/settings/update"),
    ("GET", "/user/info"), ("POST", "/user/info/update"),
    ("GET", "/{id}"), ("GET", "/{id}/profile/image"),
]
ADMIN_ROUTES = [
    ("GET", "/"), ("GET", "/all"), ("GET", "/default/permissions"),
    ("POST", "/default/permissions"), ("GET", "/{id}/oauth/sessions"),
    ("POST", "/{id}/update"), ("DELETE", "/{id}"), ("GET", "/{id}/groups"),
]


@pytest.mark.parametrize("method,path", VERIFIED_ROUTES + ADMIN_ROUTES)
def test_no_token_and_pending(stack, users, method, path):
    p = U + path.replace("{id}", users.user.id)
    body = {} if method == "POST" else None
    assert_refuses_anonymous_and_pending(stack, method, p,
                                         users.pending.token, body)


@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
def test_admin_routes_refuse_users(stack, users, method, path):
    p = U + path.replace("{id}", users.pending.id)
    r = stack.request(method, p, users.user.token,
                      json={} if method == "POST" else None)
    assert r.status_code == 401
    assert r.json() == {"detail": ACCESS_PROHIBITED}
    # nothing happened to the pending user
    assert stack.sql('SELECT COUNT(*) AS n FROM "user" WHERE id = ?',
                     (users.pending.id,))[0]["n"] == 1


def test_active_routes_served_by_streamd(stack, users):
    # the socket presence lives in cwebui-streamd (tests/api/test_chatflow.py
    # and test_redis_hosts.py connect sockets); here nobody is connected
    r = stack.get(U + "/active", users.user.token)
    assert r.status_code == 200
    assert r.json() == {"user_ids": []}
    r = stack.get(f"{U}/{users.admin.id}/active", users.user.token)
    assert r.status_code == 200
    assert r.json() == {"active": False}
    for path in (U + "/active", f"{U}/{users.admin.id}/active"):
        assert stack.get(path).status_code == 401
        assert stack.get(path, users.pending.token).status_code == 401


# -- list, all, search -----------------------------------------------------

def test_list_default(stack, users):
    r = stack.get(U + "/", users.admin.token)
    assert r.status_code == 200
    body = r.json()
    n = stack.sql('SELECT COUNT(*) AS n FROM "user"')[0]["n"]
    assert body["total"] == n
    assert len(body["users"]) == min(n, 30)
    for u in body["users"]:
        assert set(u) == USER_MODEL_KEYS
    created = [u["created_at"] for u in body["users"]]
    assert created == sorted(created, reverse=True)
    mine = {u["id"]: u for u in body["users"]}
    assert mine[users.user.id]["email"] == "user@example.com"
    assert mine[users.user.id]["role"] == "user"
    assert mine[users.pending.id]["role"] == "pending"


def test_list_without_slash_redirects(stack, users):
    r = stack.get(U, users.admin.token)
    assert r.status_code == 307
    assert r.headers["Location"].endswith(U + "/")


@pytest.fixture
def bulk(stack, users):
    """35 extra users straight in the database; removed afterwards."""
    base = int(time.time()) - 500
    ids = []
    for i in range(35):
        uid = f"bulk-{i:02d}-{uuid.uuid4().hex[:8]}"
        ids.append(uid)
        stack.sql('INSERT INTO "user" (id, name, email, role, '
                  'profile_image_url, created_at, updated_at, '
                  'last_active_at, settings, info) VALUES '
                  "(?, ?, ?, 'user', '/user.png', ?, ?, ?, 'null', 'null')",
                  (uid, f"Bulk {i:02d}", f"bulk{i:02d}@example.com",
                   base + i, base + 100 - i, base + i))
    yield ids
    for uid in ids:
        stack.sql('DELETE FROM "user" WHERE id = ?', (uid,))


def test_list_pages(stack, users, bulk):
    total = stack.sql('SELECT COUNT(*) AS n FROM "user"')[0]["n"]
    tok = users.admin.token
    p1 = stack.get(U + "/?page=1", tok).json()
    p2 = stack.get(U + "/?page=2", tok).json()
    assert p1["total"] == p2["total"] == total
    assert len(p1["users"]) == 30
    assert len(p2["users"]) == total - 30
    ids = [u["id"] for u in p1["users"] + p2["users"]]
    assert len(set(ids)) == total
    # page below 1 is page 1; no page is page 1
    assert stack.get(U + "/?page=0", tok).json() == p1
    assert stack.get(U + "/?page=-3", tok).json() == p1
    assert stack.get(U + "/", tok).json() == p1
    assert stack.get(U + "/?page=99", tok).json()["users"] == []


def test_list_page_not_int(stack, users):
    r = stack.get(U + "/?page=abc", users.admin.token)
    assert r.status_code == 422
    assert r.json() == {"detail": [{
        "type": "int_parsing", "loc": ["query", "page"],
        "msg": "Input should be a valid integer, unable to parse string "
               "as an integer",
        "input": "abc"}]}


def test_list_search_and_order(stack, users, bulk):
    tok = users.admin.token
    # case-insensitive on name or email; total still counts everyone
    total = stack.sql('SELECT COUNT(*) AS n FROM "user"')[0]["n"]
    r = stack.get(U + "/", tok, params={"query": "BULK 1"}).json()
    names = sorted(u["name"] for u in r["users"])
    assert names == [f"Bulk {i}" for i in range(10, 20)]
    assert r["total"] == total
    r = stack.get(U + "/", tok, params={"query": "Bulk03@EXAMPLE"}).json()
    assert [u["name"] for u in r["users"]] == ["Bulk 03"]
    r = stack.get(U + "/", tok, params={"query": "nobody-like-this"}).json()
    assert r["users"] == []

    def order(by, direction=None, query="bulk"):
        params = {"order_by": by, "query": query}
        if direction:
            params["direction"] = direction
        return [u["name"] for u in
                stack.get(U + "/", tok, params=params).json()["users"]]

    asc = [f"Bulk {i:02d}" for i in range(30)]
    desc = [f"Bulk {i:02d}" for i in range(34, 4, -1)]
    assert order("name", "asc") == asc
    assert order("name", "desc") == desc
    assert order("name") == desc                # anything but asc is desc
    assert order("email", "asc") == asc
    assert order("created_at", "asc") == asc
    assert order("last_active_at", "desc") == desc
    assert order("updated_at", "asc") == desc   # updated_at runs backwards
    by_role = order("role", "asc")
    assert len(by_role) == 30 and all(n.startswith("Bulk") for n in by_role)
    # an unknown order_by key is ignored (no error)
    r = stack.get(U + "/", tok, params={"order_by": "password"})
    assert r.status_code == 200
    assert len(r.json()["users"]) == 30


def test_all(stack, users):
    r = stack.get(U + "/all", users.admin.token)
    assert r.status_code == 200
    body = r.json()
    n = stack.sql('SELECT COUNT(*) AS n FROM "user"')[0]["n"]
    assert body["total"] == n and len(body["users"]) == n
    for u in body["users"]:
        assert set(u) == {"id", "name", "email", "role"}
    assert body["users"][-1]["id"] == users.admin.id   # oldest last


def test_search(stack, users):
    r = stack.get(U + "/search", users.user.token,
                  params={"query": "pEnDiNg"})
    assert r.status_code == 200
    body = r.json()
    assert body["users"] == [{"id": users.pending.id, "name": "Pending"}]
    assert body["total"] == stack.sql(
        'SELECT COUNT(*) AS n FROM "user"')[0]["n"]
    r = stack.get(U + "/search", users.user.token).json()
    assert {"id": users.admin.id, "name": "Admin"} in r["users"]
    assert all(set(u) == {"id", "name"} for u in r["users"])


# -- groups and permissions ------------------------------------------------

def test_groups(stack, users):
    uid = users.user.id
    g1 = insert_group(stack, users.admin.id, [users.admin.id, uid],
                      name="G1", updated_at=1000)
    g2 = insert_group(stack, users.admin.id, [uid], name="G2",
                      updated_at=2000)
    g3 = insert_group(stack, users.admin.id, [users.admin.id], name="G3")
    g4 = insert_group(stack, users.admin.id, [uid + "x"], name="G4")
    try:
        r = stack.get(U + "/groups", users.user.token)
        assert r.status_code == 200
        got = r.json()
        assert [g["id"] for g in got] == [g2, g1]    # newest first
        assert set(got[0]) == GROUP_KEYS
        assert got[0]["user_ids"] == [uid]
        assert got[0]["name"] == "G2"
        r = stack.get(f"{U}/{uid}/groups", users.admin.token)
        assert [g["id"] for g in r.json()] == [g2, g1]
        r = stack.get(f"{U}/{users.admin.id}/groups", users.admin.token)
        assert sorted(g["id"] for g in r.json()) == sorted([g1, g3])
        r = stack.get(f"{U}/no-such-user/groups", users.admin.token)
        assert r.status_code == 200 and r.json() == []
    finally:
        for g in (g1, g2, g3, g4):
            delete_group(stack, g)


def test_permissions_merge_groups(stack, users):
    uid = users.user.id
    r = stack.get(U + "/permissions", users.user.token)
    assert r.status_code == 200
    base = r.json()
    assert base["workspace"]["models"] is False
    assert base["chat"]["delete"] is True
    g = insert_group(stack, users.admin.id, [uid],
                     {"workspace": {"models": True, "knowledge": False},
                      "chat": {"delete": False},
                      "extra": {"thing": True}})
    try:
        got = stack.get(U + "/permissions", users.user.token).json()
        assert got["workspace"]["models"] is True     # group grants
        assert got["workspace"]["knowledge"] is False
        assert got["chat"]["delete"] is True          # true wins
        assert got["extra"] == {"thing": True}
        # not a member: unchanged
        other = stack.get(U + "/permissions", users.admin.token).json()
        assert other == base
    finally:
        delete_group(stack, g)


def test_default_permissions(stack, users):
    tok = users.admin.token
    r = stack.get(U + "/default/permissions", tok)
    assert r.status_code == 200
    # the env-seeded document with sharing off
    assert r.json() == CONFIG_DEFAULTS
    doc = {"workspace": {"models": True}, "sharing": {},
           "chat": {"delete": "no", "edit": 0, "share": "YES",
                    "unknown": True},
           "features": {"notes": False}}
    r = stack.post(U + "/default/permissions", tok, json=doc)
    assert r.status_code == 200
    want = json.loads(json.dumps(MODEL_DEFAULTS))
    want["workspace"]["models"] = True
    want["chat"].update(delete=False, edit=False, share=True)
    want["features"]["notes"] = False
    assert r.json() == want
    assert stack.get(U + "/default/permissions", tok).json() == want
    # a user's effective permissions follow
    got = stack.get(U + "/permissions", users.user.token).json()
    assert got["workspace"]["models"] is True
    assert got["chat"]["delete"] is False
    # stored in the config document
    data = json.loads(stack.sql("SELECT data FROM config")[0]["data"])
    assert data["user"]["permissions"] == want
    r = stack.post(U + "/default/permissions", tok, json=CONFIG_DEFAULTS)
    assert r.status_code == 200 and r.json() == CONFIG_DEFAULTS


def test_default_permissions_invalid(stack, users):
    tok = users.admin.token
    before = stack.get(U + "/default/permissions", tok).json()
    r = stack.post(U + "/default/permissions", tok,
                   json={"workspace": {}, "chat": {"delete": "maybe"},
                         "features": []})
    assert r.status_code == 422
    assert r.json() == {"detail": [
        {"type": "missing", "loc": ["body", "sharing"],
         "msg": "Field required",
         "input": {"workspace": {}, "chat": {"delete": "maybe"},
                   "features": []}},
        {"type": "bool_parsing", "loc": ["body", "chat", "delete"],
         "msg": "Input should be a valid boolean, unable to interpret input",
         "input": "maybe"},
        {"type": "model_attributes_type", "loc": ["body", "features"],
         "msg": "Input should be a valid dictionary or object to extract "
                "fields from",
         "input": []},
    ]}
    r = stack.post(U + "/default/permissions", tok, data="{nope",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert detail(r)[0]["type"] == "json_invalid"
    r = stack.post(U + "/default/permissions", tok, json=[1])
    assert r.status_code == 422
    assert detail(r)[0]["type"] == "model_attributes_type"
    assert stack.get(U + "/default/permissions", tok).json() == before


# -- settings and info -----------------------------------------------------

def test_settings(stack, users):
    tok = users.user.token
    stack.sql('UPDATE "user" SET settings = ? WHERE id = ?',
              ("null", users.user.id))
    r = stack.get(U + "/user/settings", tok)
    assert r.status_code == 200 and r.json() is None
    r = stack.post(U + "/user/settings/update", tok,
                   json={"ui": {"theme": "dark", "models": ["m"]},
                         "extra": 1})
    assert r.status_code == 200
    assert r.json() == {"ui": {"theme": "dark", "models": ["m"]},
                        "extra": 1}
    # top-level keys merge; ui is replaced as a whole
    r = stack.post(U + "/user/settings/update", tok,
                   json={"ui": {"theme": "light"}})
    assert r.json() == {"ui": {"theme": "light"}, "extra": 1}
    assert stack.get(U + "/user/settings", tok).json() == r.json()
    row = stack.sql('SELECT settings FROM "user" WHERE id = ?',
                    (users.user.id,))[0]
    assert json.loads(row["settings"]) == r.json()
    # absent ui means {}
    r = stack.post(U + "/user/settings/update", tok, json={})
    assert r.json() == {"ui": {}, "extra": 1}
    # ui must be an object
    r = stack.post(U + "/user/settings/update", tok, json={"ui": "x"})
    assert r.status_code == 422
    assert r.json() == {"detail": [{
        "type": "dict_type", "loc": ["body", "ui"],
        "msg": "Input should be a valid dictionary", "input": "x"}]}
    r = stack.post(U + "/user/settings/update", tok, json=["x"])
    assert r.status_code == 422


def test_settings_stored_without_ui(stack, users):
    stack.sql('UPDATE "user" SET settings = ? WHERE id = ?',
              ('{"a": 1}', users.user.id))
    r = stack.get(U + "/user/settings", users.user.token)
    assert r.json() == {"a": 1, "ui": {}}


def test_settings_tool_servers(stack, users):
    servers = [{"url": "http://tools.example", "enabled": True}]
    body = {"ui": {"toolServers": servers, "x": 1}}
    # a user without features.direct_tool_servers loses them
    r = stack.post(U + "/user/settings/update", users.user.token, json=body)
    assert r.status_code == 200
    assert r.json()["ui"] == {"x": 1}
    # an admin keeps them
    r = stack.post(U + "/user/settings/update", users.admin.token,
                   json=body)
    assert r.json()["ui"] == body["ui"]
    # a group can grant the permission
    g = insert_group(stack, users.admin.id, [users.user.id],
                     {"features": {"direct_tool_servers": True}})
    try:
        r = stack.post(U + "/user/settings/update", users.user.token,
                       json=body)
        assert r.json()["ui"] == body["ui"]
    finally:
        delete_group(stack, g)


def test_info(stack, users):
    tok = users.user.token
    stack.sql('UPDATE "user" SET info = ? WHERE id = ?',
              ("null", users.user.id))
    r = stack.get(U + "/user/info", tok)
    assert r.status_code == 200 and r.json() is None
    r = stack.post(U + "/user/info/update", tok,
                   json={"location": "1.5,2.5"})
    assert r.status_code == 200 and r.json() == {"location": "1.5,2.5"}
    r = stack.post(U + "/user/info/update", tok, json={"x": {"y": 1}})
    assert r.json() == {"location": "1.5,2.5", "x": {"y": 1}}
    assert stack.get(U + "/user/info", tok).json() == r.json()
    row = stack.sql('SELECT info FROM "user" WHERE id = ?',
                    (users.user.id,))[0]
    assert json.loads(row["info"]) == r.json()
    r = stack.post(U + "/user/info/update", tok, json=[1, 2])
    assert r.status_code == 422
    assert r.json() == {"detail": [{
        "type": "dict_type", "loc": ["body"],
        "msg": "Input should be a valid dictionary", "input": [1, 2]}]}
    r = stack.post(U + "/user/info/update", tok, data="{bad",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and detail(r)[0]["type"] == "json_invalid"
    r = stack.post(U + "/user/info/update", tok)
    assert r.status_code == 422 and detail(r)[0]["type"] == "missing"


# -- profiles --------------------------------------------------------------

def test_get_user(stack, users):
    r = stack.get(f"{U}/{users.admin.id}", users.user.token)
    assert r.status_code == 200
    assert r.json() == {"name": "Admin", "profile_image_url": "/user.png",
                        "active": False}
    r = stack.get(f"{U}/{uuid.uuid4()}", users.user.token)
    assert r.status_code == 400 and detail(r) == USER_NOT_FOUND


def test_get_user_shared_chat(stack, users):
    cid = insert_chat(stack, users.admin.id)
    try:
        r = stack.get(f"{U}/shared-{cid}", users.user.token)
        assert r.status_code == 200
        assert r.json()["name"] == "Admin"
        r = stack.get(f"{U}/shared-{uuid.uuid4()}", users.user.token)
        assert r.status_code == 400 and detail(r) == USER_NOT_FOUND
    finally:
        stack.sql("DELETE FROM chat WHERE id = ?", (cid,))


def test_oauth_sessions(stack, users):
    tok = users.admin.token
    r = stack.get(f"{U}/{users.user.id}/oauth/sessions", tok)
    assert r.status_code == 400 and detail(r) == USER_NOT_FOUND
    sid = str(uuid.uuid4())
    stack.sql("INSERT INTO oauth_session (id, user_id, provider, token, "
              "expires_at, created_at, updated_at) VALUES "
              "(?, ?, 'oidc', 'gAAAA-secret-token', 2000000000, 10, 20)",
              (sid, users.user.id))
    try:
        r = stack.get(f"{U}/{users.user.id}/oauth/sessions", tok)
        assert r.status_code == 200
        assert r.json() == [{"id": sid, "user_id": users.user.id,
                             "provider": "oidc", "expires_at": 2000000000,
                             "created_at": 10, "updated_at": 20}]
        assert "secret" not in r.text
    finally:
        stack.sql("DELETE FROM oauth_session WHERE id = ?", (sid,))


def set_image(stack, uid, url):
    stack.sql('UPDATE "user" SET profile_image_url = ? WHERE id = ?',
              (url, uid))


def test_profile_image(stack, users, admin2):
    uid, tok = admin2["id"], users.user.token
    path = f"{U}/{uid}/profile/image"
    try:
        set_image(stack, uid, "/user.png")
        r = stack.get(path, tok)
        assert r.status_code == 302 and r.headers["Location"] == "/user.png"
        set_image(stack, uid, "https://img.example/a.png?x=1")
        r = stack.get(path, tok)
        assert r.status_code == 302
        assert r.headers["Location"] == "https://img.example/a.png?x=1"
        set_image(stack, uid, "data:image/jpeg;base64,"
                  + base64.b64encode(PNG).decode())
        r = stack.get(path, tok)
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "image/png"
        assert r.headers["Content-Disposition"] == \
            "inline; filename=image.png"
        assert r.content == PNG
        # bad padding falls back to the default image
        set_image(stack, uid, "data:image/png;base64,QUJDRA=")
        r = stack.get(path, tok)
        assert r.status_code == 302 and r.headers["Location"] == "/user.png"
        set_image(stack, uid, "data:image/png;base64")
        assert stack.get(path, tok).headers["Location"] == "/user.png"
        # junk characters are skipped, as Python's b64decode does
        set_image(stack, uid, "data:image/png;base64,QU J\nDRA==")
        r = stack.get(path, tok)
        assert r.status_code == 200 and r.content == b"ABCD"
        # the cookie works too (the frontend uses an <img>)
        r = stack.get(path, cookies={"token": tok})
        assert r.status_code == 200
    finally:
        set_image(stack, uid, "/user.png")
    r = stack.get(f"{U}/{uuid.uuid4()}/profile/image", tok)
    assert r.status_code == 400 and detail(r) == USER_NOT_FOUND


# -- admin update ----------------------------------------------------------

def form(**kw):
    base = {"role": "user", "name": "N", "email": "n@example.com",
            "profile_image_url": "/user.png"}
    base.update(kw)
    return base


def test_update_user(stack, users):
    tok = users.admin.token
    u = new_user(stack, tok, "Victim", "victim@example.com")
    r = stack.post(f"{U}/{u['id']}/update", tok,
                   json=form(role="admin", name="Renamed",
                             email="ReNamed@Example.COM",
                             profile_image_url="https://x.example/p.png",
                             password="N3w-passw0rd"))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == USER_MODEL_KEYS
    assert (body["id"], body["name"], body["email"], body["role"],
            body["profile_image_url"]) == \
        (u["id"], "Renamed", "renamed@example.com", "admin",
         "https://x.example/p.png")
    auth = stack.sql("SELECT email FROM auth WHERE id = ?", (u["id"],))
    assert auth[0]["email"] == "renamed@example.com"
    r = stack.post("/api/v1/auths/signin",
                   json={"email": "renamed@example.com",
                         "password": "N3w-passw0rd"})
    assert r.status_code == 200
    # no password (or an empty one) keeps it
    r = stack.post(f"{U}/{u['id']}/update", tok,
                   json=form(email="renamed@example.com", password=""))
    assert r.status_code == 200 and r.json()["role"] == "user"
    r = stack.post("/api/v1/auths/signin",
                   json={"email": "renamed@example.com",
                         "password": "N3w-passw0rd"})
    assert r.status_code == 200


def test_update_user_errors(stack, users):
    tok = users.admin.token
    r = stack.post(f"{U}/{users.user.id}/update", tok,
                   json=form(email="PENDING@example.com"))
    assert r.status_code == 400 and detail(r) == EMAIL_TAKEN
    r = stack.post(f"{U}/{uuid.uuid4()}/update", tok, json=form())
    assert r.status_code == 400 and detail(r) == USER_NOT_FOUND
    r = stack.post(f"{U}/{users.user.id}/update", tok,
                   json={"name": 5, "password": None})
    assert r.status_code == 422
    assert r.json() == {"detail": [
        {"type": "missing", "loc": ["body", "role"], "msg": "Field required",
         "input": {"name": 5, "password": None}},
        {"type": "string_type", "loc": ["body", "name"],
         "msg": "Input should be a valid string", "input": 5},
        {"type": "missing", "loc": ["body", "email"],
         "msg": "Field required", "input": {"name": 5, "password": None}},
        {"type": "missing", "loc": ["body", "profile_image_url"],
         "msg": "Field required", "input": {"name": 5, "password": None}},
    ]}
    row = stack.sql('SELECT name, email FROM "user" WHERE id = ?',
                    (users.user.id,))[0]
    assert row == {"name": "User", "email": "user@example.com"}


def test_primary_admin_protection(stack, users, admin2):
    first = users.admin
    # another admin may not touch the primary admin (Python's 403 is
    # swallowed by its own except and comes out as this 500)
    r = stack.post(f"{U}/{first.id}/update", admin2["token"],
                   json=form(role="admin", name="Hijack",
                             email=first.email))
    assert r.status_code == 500 and detail(r) == PRIMARY_ADMIN
    # nor may the primary admin demote itself
    r = stack.post(f"{U}/{first.id}/update", first.token,
                   json=form(role="user", name="Admin", email=first.email))
    assert r.status_code == 500 and detail(r) == PRIMARY_ADMIN
    row = stack.sql('SELECT name, role FROM "user" WHERE id = ?',
                    (first.id,))[0]
    assert row == {"name": "Admin", "role": "admin"}
    # but it may edit itself
    r = stack.post(f"{U}/{first.id}/update", first.token,
                   json=form(role="admin", name="Admin", email=first.email))
    assert r.status_code == 200 and r.json()["role"] == "admin"
    # the second admin may edit others
    r = stack.post(f"{U}/{users.user.id}/update", admin2["token"],
                   json=form(role="user", name="User",
                             email="user@example.com"))
    assert r.status_code == 200


# -- delete ----------------------------------------------------------------

def test_delete_rules(stack, users, admin2):
    r = stack.delete(f"{U}/{users.admin.id}", admin2["token"])
    assert r.status_code == 500 and detail(r) == PRIMARY_ADMIN
    r = stack.delete(f"{U}/{users.admin.id}", users.admin.token)
    assert r.status_code == 500 and detail(r) == PRIMARY_ADMIN
    r = stack.delete(f"{U}/{admin2['id']}", admin2["token"])
    assert r.status_code == 403 and detail(r) == ACTION_PROHIBITED
    for uid in (users.admin.id, admin2["id"]):
        assert stack.sql('SELECT COUNT(*) AS n FROM "user" WHERE id = ?',
                         (uid,))[0]["n"] == 1
    # an id nobody has: Python deletes nothing and answers true
    r = stack.delete(f"{U}/{uuid.uuid4()}", users.admin.token)
    assert r.status_code == 200 and r.json() is True


def test_delete_cascades(stack, users):
    tok = users.admin.token
    v = new_user(stack, tok, "Doomed", "doomed@example.com")
    vid = v["id"]
    keep = insert_chat(stack, users.admin.id)
    c1 = insert_chat(stack, vid)
    c2 = insert_chat(stack, vid)
    shared = insert_chat(stack, f"shared-{c1}")
    other_shared = insert_chat(stack, f"shared-{keep}")
    g1 = insert_group(stack, users.admin.id, [users.admin.id, vid,
                                              users.user.id],
                      updated_at=100)
    g2 = insert_group(stack, users.admin.id, [users.user.id],
                      updated_at=100)
    try:
        r = stack.delete(f"{U}/{vid}", tok)
        assert r.status_code == 200 and r.json() is True
        assert stack.sql('SELECT id FROM "user" WHERE id = ?', (vid,)) == []
        assert stack.sql("SELECT id FROM auth WHERE id = ?", (vid,)) == []
        left = {row["id"] for row in stack.sql("SELECT id FROM chat")}
        assert c1 not in left and c2 not in left and shared not in left
        assert keep in left and other_shared in left
        rows = {row["id"]: row for row in stack.sql(
            'SELECT id, user_ids, updated_at FROM "group"')}
        assert json.loads(rows[g1]["user_ids"]) == [users.admin.id,
                                                    users.user.id]
        assert rows[g1]["updated_at"] > 100
        assert json.loads(rows[g2]["user_ids"]) == [users.user.id]
        assert rows[g2]["updated_at"] == 100
        r = stack.post("/api/v1/auths/signin",
                       json={"email": "doomed@example.com",
                             "password": "Passw0rd!x"})
        assert r.status_code == 400
        # the token of the deleted user no longer works
        r = stack.get("/api/v1/auths/", v["token"])
        assert r.status_code == 401
    finally:
        for cid in (keep, other_shared):
            stack.sql("DELETE FROM chat WHERE id = ?", (cid,))
        delete_group(stack, g1)
        delete_group(stack, g2)
