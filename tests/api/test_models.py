"""routers/models.py: workspace models (create, list, get, toggle, update,
delete, import, export, sync, profile image) and who may do what."""

import base64
import json

import pytest

from conftest import ROLES
from helpers import NOT_FOUND

TAKEN = ("Uh-oh! This model id is already registered. Please choose "
         "another model id string.")


def form(mid, **extra):
    return {"id": mid, "base_model_id": "gpt-4", "name": mid.upper(),
            "meta": {"description": "a preset"}, "params": {"temperature": 0.5},
            **extra}


def create(stack, token, mid, **extra):
    return stack.post("/api/v1/models/create", token=token,
                      json=form(mid, **extra))


def test_create_and_read_back(stack, admin):
    r = create(stack, admin.token, "m-one")
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["id"] == "m-one" and m["user_id"] == admin.id
    assert m["is_active"] is True and m["access_control"] is None
    assert m["meta"] == {"profile_image_url": "/static/favicon.png",
                         "description": "a preset", "capabilities": None}
    assert m["params"] == {"temperature": 0.5}
    row = stack.sql("SELECT * FROM model WHERE id = ?", ("m-one",))[0]
    assert json.loads(row["meta"]) == m["meta"]
    assert json.loads(row["params"]) == m["params"]
    assert row["access_control"] in (None, "null")
    assert bool(row["is_active"]) is True
    r = stack.get("/api/v1/models/model", token=admin.token,
                  params={"id": "m-one"})
    assert r.status_code == 200 and r.json() == m
    r = create(stack, admin.token, "m-one")
    assert r.status_code == 401 and r.json()["detail"] == TAKEN
    lst = stack.get("/api/v1/models/", token=admin.token).json()
    one = [x for x in lst if x["id"] == "m-one"][0]
    assert one["user"]["id"] == admin.id and one["user"]["email"]
    exp = stack.get("/api/v1/models/export", token=admin.token).json()
    assert [x for x in exp if x["id"] == "m-one"][0] == m


def test_validation(stack, admin):
    r = stack.post("/api/v1/models/create", token=admin.token,
                   json={"id": "x", "name": "x", "params": {}})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "meta"]
    r = stack.post("/api/v1/models/create", token=admin.token,
                   json=form("x", access_control=[1]))
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "dict_type"
    r = stack.post("/api/v1/models/create", token=admin.token,
                   json=form("x", meta={"description": 5}))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "meta", "description"]
    r = stack.get("/api/v1/models/model", token=admin.token)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "id"]
    assert stack.sql("SELECT id FROM model WHERE id = ?", ("x",)) == []


def test_user_needs_workspace_permission(stack, admin, user):
    r = create(stack, user.token, "u-model")
    assert r.status_code == 401 and r.json()["detail"] == "401 Unauthorized"
    g = stack.post("/api/v1/groups/create", token=admin.token,
                   json={"name": "makers", "description": "",
                         "permissions": {"workspace": {"models": True}}}).json()
    stack.post(f"/api/v1/groups/id/{g['id']}/users/add", token=admin.token,
               json={"user_ids": [user.id]})
    r = create(stack, user.token, "u-model")
    assert r.status_code == 200 and r.json()["user_id"] == user.id
    # the owner lists, toggles, updates and deletes it
    assert "u-model" in [m["id"] for m in stack.get(
        "/api/v1/models/", token=user.token).json()]
    r = stack.post("/api/v1/models/model/toggle", token=user.token,
                   params={"id": "u-model"})
    assert r.status_code == 200 and r.json()["is_active"] is False
    r = stack.post("/api/v1/models/model/update", token=user.token,
                   params={"id": "u-model"},
                   json=form("ignored", name="Renamed"))
    assert r.status_code == 200, r.text
    assert r.json()["id"] == "u-model" and r.json()["name"] == "Renamed"
    assert r.json()["is_active"] is True
    r = stack.delete("/api/v1/models/model/delete", token=user.token,
                     params={"id": "u-model"})
    assert r.status_code == 200 and r.json() is True
    assert stack.sql("SELECT id FROM model WHERE id = ?", ("u-model",)) == []
    stack.delete(f"/api/v1/groups/id/{g['id']}/delete", token=admin.token)


def test_missing_model(stack, user):
    for method, path in (("GET", "/api/v1/models/model"),
                         ("POST", "/api/v1/models/model/toggle"),
                         ("DELETE", "/api/v1/models/model/delete")):
        r = stack.request(method, path, token=user.token,
                          params={"id": "none"})
        assert r.status_code == 401 and r.json()["detail"] == NOT_FOUND
    r = stack.post("/api/v1/models/model/update", token=user.token,
                   params={"id": "none"}, json=form("none"))
    assert r.status_code == 401 and r.json()["detail"] == NOT_FOUND


def test_profile_image(stack, admin, user):
    png = b"\x89PNG\r\n\x1a\nfake"
    url = "data:image/svg+xml;base64," + base64.b64encode(png).decode()
    create(stack, admin.token, "img-data",
           meta={"profile_image_url": url})
    create(stack, admin.token, "img-http",
           meta={"profile_image_url": "https://example.com/a.png"})
    r = stack.get("/api/v1/models/model/profile/image", token=user.token,
                  params={"id": "img-data"}, allow_redirects=False)
    assert r.status_code == 200 and r.content == png
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r = stack.get("/api/v1/models/model/profile/image", token=user.token,
                  params={"id": "img-http"}, allow_redirects=False)
    assert r.status_code == 302
    assert r.headers["Location"] == "https://example.com/a.png"
    r = stack.get("/api/v1/models/model/profile/image", token=user.token,
                  params={"id": "nope"}, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/favicon.png"


def test_import_export_sync(stack, admin):
    r = stack.post("/api/v1/models/import", token=admin.token, json={
        "models": [{"id": "imp-a", "name": "A", "base_model_id": "b"},
                   {"name": "no id is skipped"}]})
    assert r.status_code == 200 and r.json() is True
    row = stack.sql("SELECT * FROM model WHERE id = ?", ("imp-a",))[0]
    assert row["user_id"] == admin.id and json.loads(row["params"]) == {}
    # an existing one is updated, keeping what the item does not give
    stack.sql("UPDATE model SET access_control = ? WHERE id = ?",
              ('{"read": {"group_ids": [], "user_ids": []}}', "imp-a"))
    r = stack.post("/api/v1/models/import", token=admin.token, json={
        "models": [{"id": "imp-a", "name": "A2"}]})
    assert r.status_code == 200
    m = stack.get("/api/v1/models/model", token=admin.token,
                  params={"id": "imp-a"}).json()
    assert m["name"] == "A2" and m["base_model_id"] == "b"
    assert m["access_control"] == {"read": {"group_ids": [], "user_ids": []}}
    # a bad item: 500 and nothing written
    r = stack.post("/api/v1/models/import", token=admin.token, json={
        "models": [{"id": "imp-b", "name": "B"}, {"id": "imp-c", "name": 3}]})
    assert r.status_code == 500
    assert stack.sql("SELECT id FROM model WHERE id = ?", ("imp-b",)) == []
    # sync: the table becomes exactly the list
    exp = stack.get("/api/v1/models/export", token=admin.token).json()
    keep = [x for x in exp if x["id"] == "imp-a"][0]
    new = dict(keep, id="sync-new", created_at=5, updated_at=5)
    r = stack.post("/api/v1/models/sync", token=admin.token,
                   json={"models": [keep, new]})
    assert r.status_code == 200, r.text
    assert sorted(m["id"] for m in r.json()) == ["imp-a", "sync-new"]
    rows = stack.sql("SELECT id, created_at FROM model ORDER BY id")
    assert [x["id"] for x in rows] == ["imp-a", "sync-new"]
    assert rows[1]["created_at"] == 5
    r = stack.post("/api/v1/models/sync", token=admin.token,
                   json={"models": [{"id": "x"}]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][:3] == ["body", "models", 0]
    r = stack.delete("/api/v1/models/delete/all", token=admin.token)
    assert r.status_code == 200 and r.json() is True
    assert stack.sql("SELECT id FROM model") == []


def test_base_models(stack, admin):
    stack.sql("INSERT INTO model (id, user_id, base_model_id, name, meta, "
              "params, created_at, updated_at, access_control, is_active) "
              "VALUES (?, ?, NULL, ?, ?, ?, 1, 1, NULL, ?)",
              ("gpt-base", admin.id, "Base", '{"profile_image_url": null}',
               "{}", True))
    r = stack.get("/api/v1/models/base", token=admin.token)
    assert r.status_code == 200
    b = [m for m in r.json() if m["id"] == "gpt-base"][0]
    assert b["meta"]["profile_image_url"] is None
    assert b["base_model_id"] is None
    assert "gpt-base" not in [m["id"] for m in stack.get(
        "/api/v1/models/", token=admin.token).json()]


ROUTES = [
    ("GET", "/api/v1/models/", "verified"),
    ("GET", "/api/v1/models/base", "admin"),
    ("POST", "/api/v1/models/create", "verified"),
    ("GET", "/api/v1/models/export", "admin"),
    ("POST", "/api/v1/models/import", "admin"),
    ("POST", "/api/v1/models/sync", "admin"),
    ("GET", "/api/v1/models/model", "verified"),
    ("GET", "/api/v1/models/model/profile/image", "verified"),
    ("POST", "/api/v1/models/model/toggle", "verified"),
    ("POST", "/api/v1/models/model/update", "verified"),
    ("DELETE", "/api/v1/models/model/delete", "verified"),
    ("DELETE", "/api/v1/models/delete/all", "admin"),
    ("GET", "/api/v1/tools/", "verified"),
    ("GET", "/api/v1/functions/", "verified"),
]


@pytest.mark.parametrize("method,path,level", ROUTES)
@pytest.mark.parametrize("role", ("none", "pending", "user"))
def test_auth(stack, users, method, path, level, role):
    r = stack.request(method, path, token=users.token(role),
                      params={"id": "zz"},
                      json=None if method == "GET" else {"models": []},
                      allow_redirects=False)
    if role == "none":
        assert r.status_code == 401
    elif role == "pending" or level == "admin":
        assert r.status_code == 401
        assert r.json()["detail"].startswith("You do not have permission")
    else:
        assert r.status_code in (200, 302, 401, 422)


def test_admin_bypass_default(stack, admin, user):
    """BYPASS_ADMIN_ACCESS_CONTROL defaults to true: an admin reads and
    lists a user's private model."""
    stack.sql("INSERT INTO model (id, user_id, base_model_id, name, meta, "
              "params, created_at, updated_at, access_control, is_active) "
              "VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?)",
              ("private-u", user.id, "b", "P", "{}", "{}", "{}", True))
    r = stack.get("/api/v1/models/model", token=admin.token,
                  params={"id": "private-u"})
    assert r.status_code == 200 and r.json()["id"] == "private-u"
    assert r.json()["access_control"] == {}
    assert "private-u" in [m["id"] for m in stack.get(
        "/api/v1/models/", token=admin.token).json()]
    stack.sql("DELETE FROM model WHERE id = ?", ("private-u",))
