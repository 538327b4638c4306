"""routers/groups.py: group CRUD, members, and the permissions a group
grants showing up in its members' effective permissions."""

import json

import pytest

from conftest import ROLES, add_user
from helpers import NOT_FOUND


@pytest.fixture(scope="module")
def other(stack, admin):
    return add_user(stack, admin.token, "Other", "other@example.com",
                    "Passw0rd!", "user")


def create(stack, admin, name="Team", **extra):
    r = stack.post("/api/v1/groups/create", token=admin.token,
                   json={"name": name, "description": "d", **extra})
    assert r.status_code == 200, r.text
    return r.json()


def test_create_get_list(stack, admin, user):
    g = create(stack, admin, "Alpha")
    assert g["name"] == "Alpha" and g["description"] == "d"
    assert g["user_ids"] == [] and g["permissions"] is None
    assert g["user_id"] == admin.id and g["data"] is None
    r = stack.get(f"/api/v1/groups/id/{g['id']}", token=admin.token)
    assert r.status_code == 200 and r.json() == g
    row = stack.sql('SELECT * FROM "group" WHERE id = ?', (g["id"],))[0]
    assert json.loads(row["user_ids"]) == []
    assert json.loads(row["permissions"]) is None
    ids = [x["id"] for x in stack.get("/api/v1/groups/",
                                      token=admin.token).json()]
    assert g["id"] in ids
    # a non-member user sees only their groups
    assert g["id"] not in [x["id"] for x in stack.get(
        "/api/v1/groups/", token=user.token).json()]


def test_missing_group(stack, admin):
    r = stack.get("/api/v1/groups/id/nope", token=admin.token)
    assert r.status_code == 401 and r.json()["detail"] == NOT_FOUND
    r = stack.post("/api/v1/groups/id/nope/update", token=admin.token,
                   json={"name": "x", "description": "y"})
    assert r.status_code == 400
    assert r.json()["detail"] == "[ERROR: 400: [ERROR: Error updating group]]"
    r = stack.post("/api/v1/groups/id/nope/users/add", token=admin.token,
                   json={"user_ids": []})
    assert r.status_code == 400
    r = stack.delete("/api/v1/groups/id/nope/delete", token=admin.token)
    assert r.status_code == 200 and r.json() is True


def test_validation(stack, admin):
    r = stack.post("/api/v1/groups/create", token=admin.token,
                   json={"name": "x"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "description"]
    r = stack.post("/api/v1/groups/create", token=admin.token,
                   json={"name": "x", "description": "y", "permissions": 3})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "dict_type"
    g = create(stack, admin, "V")
    r = stack.post(f"/api/v1/groups/id/{g['id']}/users/add",
                   token=admin.token, json={"user_ids": [1]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "user_ids", 0]


def test_members_and_permissions(stack, admin, user, other):
    g = create(stack, admin, "Writers")
    gid = g["id"]
    # unknown ids are dropped on add
    r = stack.post(f"/api/v1/groups/id/{gid}/users/add", token=admin.token,
                   json={"user_ids": [user.id, "ghost", user.id]})
    assert r.status_code == 200, r.text
    assert r.json()["user_ids"] == [user.id]
    mine = stack.get("/api/v1/groups/", token=user.token).json()
    assert gid in [x["id"] for x in mine]
    before = stack.get("/api/v1/auths/", token=user.token).json()
    assert before["permissions"]["workspace"]["models"] is False
    perms = {"workspace": {"models": True}}
    r = stack.post(f"/api/v1/groups/id/{gid}/update", token=admin.token,
                   json={"name": "Writers", "description": "w",
                         "permissions": perms})
    assert r.status_code == 200 and r.json()["permissions"] == perms
    assert r.json()["user_ids"] == [user.id]   # kept: not in the form
    after = stack.get("/api/v1/auths/", token=user.token).json()
    assert after["permissions"]["workspace"]["models"] is True
    p = stack.get("/api/v1/users/permissions", token=user.token).json()
    assert p["workspace"]["models"] is True
    # a user outside the group does not get it
    o = stack.post("/api/v1/auths/signin", json={
        "email": "other@example.com", "password": "Passw0rd!"}).json()
    assert o["permissions"]["workspace"]["models"] is False
    # remove: the permission goes away
    r = stack.post(f"/api/v1/groups/id/{gid}/users/remove",
                   token=admin.token, json={"user_ids": [user.id]})
    assert r.status_code == 200 and r.json()["user_ids"] == []
    again = stack.get("/api/v1/auths/", token=user.token).json()
    assert again["permissions"]["workspace"]["models"] is False
    # update with user_ids replaces the members (valid ones only)
    r = stack.post(f"/api/v1/groups/id/{gid}/update", token=admin.token,
                   json={"name": "W2", "description": "w",
                         "user_ids": [other["id"], "ghost"]})
    assert r.status_code == 200 and r.json()["user_ids"] == [other["id"]]
    assert r.json()["name"] == "W2" and r.json()["permissions"] == perms
    row = stack.sql('SELECT user_ids, name FROM "group" WHERE id = ?',
                    (gid,))[0]
    assert json.loads(row["user_ids"]) == [other["id"]]
    r = stack.delete(f"/api/v1/groups/id/{gid}/delete", token=admin.token)
    assert r.status_code == 200 and r.json() is True
    assert stack.sql('SELECT id FROM "group" WHERE id = ?', (gid,)) == []


def test_python_rows(stack, admin, user):
    """A row as Python writes it (json.dumps with spaces) reads back."""
    stack.sql('INSERT INTO "group" (id, user_id, name, description, data, '
              'meta, permissions, user_ids, created_at, updated_at) VALUES '
              '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
              ("py-group", admin.id, "Py", "from python", "null", "null",
               '{"chat": {"delete": true}}', json.dumps([user.id]), 1, 2))
    r = stack.get("/api/v1/groups/id/py-group", token=admin.token)
    assert r.status_code == 200
    assert r.json()["user_ids"] == [user.id]
    assert r.json()["permissions"] == {"chat": {"delete": True}}
    assert r.json()["created_at"] == 1 and r.json()["updated_at"] == 2
    assert "py-group" in [g["id"] for g in stack.get(
        "/api/v1/groups/", token=user.token).json()]
    stack.sql('DELETE FROM "group" WHERE id = ?', ("py-group",))


ROUTES = [
    ("GET", "/api/v1/groups/", None, "verified"),
    ("POST", "/api/v1/groups/create", {"name": "n", "description": "d"},
     "admin"),
    ("GET", "/api/v1/groups/id/x", None, "admin"),
    ("POST", "/api/v1/groups/id/x/update", {"name": "n", "description": "d"},
     "admin"),
    ("POST", "/api/v1/groups/id/x/users/add", {"user_ids": []}, "admin"),
    ("POST", "/api/v1/groups/id/x/users/remove", {"user_ids": []}, "admin"),
    ("DELETE", "/api/v1/groups/id/x/delete", None, "admin"),
]


@pytest.mark.parametrize("method,path,body,level", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_auth(stack, users, method, path, body, level, role):
    r = stack.request(method, path, token=users.token(role), json=body)
    if role == "none":
        assert r.status_code == 401
    elif role == "pending" or (level == "admin" and role == "user"):
        assert r.status_code == 401
        assert r.json()["detail"].startswith("You do not have permission")
    else:
        assert r.status_code in (200, 400, 401)
        if r.status_code == 401:
            assert r.json()["detail"] == NOT_FOUND
