"""access_control as Python's utils/access_control.py reads it, on models,
tools and functions, with BYPASS_ADMIN_ACCESS_CONTROL=false so that admins
see only what they own or were given."""

import json

import pytest

from helpers import access_cast

pytestmark = pytest.mark.stack_env(BYPASS_ADMIN_ACCESS_CONTROL="false")


@pytest.fixture(scope="module")
def world(stack, admin, user):
    """user is in group G; other is not; owner owns every model."""
    other, owner, g = access_cast(stack, admin, user)
    shapes = {
        "public": None,
        "private": {},
        "group-read": {"read": {"group_ids": [g["id"]], "user_ids": []},
                       "write": {"group_ids": [], "user_ids": []}},
        "user-read": {"read": {"group_ids": [], "user_ids": [other["id"]]},
                      "write": {"group_ids": [], "user_ids": []}},
        "group-write": {"read": {"group_ids": [g["id"]], "user_ids": []},
                        "write": {"group_ids": [g["id"]], "user_ids": []}},
    }
    for name, ac in shapes.items():
        # as Python writes it: json.dumps with its separators
        stack.sql("INSERT INTO model (id, user_id, base_model_id, name, "
                  "meta, params, created_at, updated_at, access_control, "
                  "is_active) VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?)",
                  (name, owner["id"], "base", name,
                   json.dumps({"profile_image_url": "/x.png"}), "{}",
                   json.dumps(ac), True))
    return {"other": other, "owner": owner, "group": g, "shapes": shapes}


READ = {"public": {"user", "other", "admin"}, "private": set(),
        "group-read": {"user"}, "user-read": {"other"},
        "group-write": {"user"}}
WRITE = {"group-write": {"user"}}


@pytest.mark.parametrize("shape", list(READ))
@pytest.mark.parametrize("who", ["user", "other", "admin"])
def test_model_access(stack, users, world, shape, who):
    token = (world["other"]["token"] if who == "other"
             else users.token(who))
    r = stack.get("/api/v1/models/model", token=token, params={"id": shape})
    assert r.status_code == 200
    if who in READ[shape]:
        m = r.json()
        assert m["id"] == shape
        assert m["access_control"] == world["shapes"][shape]
        assert m["meta"]["profile_image_url"] == "/x.png"
    else:
        assert r.json() is None
    listed = [m["id"] for m in stack.get("/api/v1/models/",
                                         token=token).json()]
    assert (shape in listed) == (who in WRITE.get(shape, set()))
    r = stack.post("/api/v1/models/model/update", token=token,
                   params={"id": shape},
                   json={"id": shape, "base_model_id": "base", "name": shape,
                         "meta": {"profile_image_url": "/x.png"}, "params": {},
                         "access_control": world["shapes"][shape]})
    may_write = who in WRITE.get(shape, set()) or who == "admin"
    if may_write:
        assert r.status_code == 200 and r.json()["id"] == shape
    else:
        assert r.status_code == 400
        assert r.json()["detail"].startswith("You do not have permission")
    r = stack.post("/api/v1/models/model/toggle", token=token,
                   params={"id": shape})
    assert r.status_code == (200 if may_write else 401)
    if may_write:   # toggle back
        stack.post("/api/v1/models/model/toggle", token=token,
                   params={"id": shape})
    row = stack.sql("SELECT is_active, access_control FROM model "
                    "WHERE id = ?", (shape,))[0]
    assert bool(row["is_active"]) is True
    assert json.loads(row["access_control"] or "null") == \
        world["shapes"][shape]


def test_delete_needs_write(stack, users, world):
    r = stack.delete("/api/v1/models/model/delete",
                     token=world["other"]["token"], params={"id": "public"})
    assert r.status_code == 401
    assert stack.sql("SELECT id FROM model WHERE id = ?", ("public",))


def test_tools_and_functions(stack, users, world):
    g = world["group"]["id"]
    rows = [("t-public", None, "class Tools:\n    pass\n"),
            ("t-private", {}, "class UserValves:\n    pass\n"),
            ("t-group", {"read": {"group_ids": [g], "user_ids": []}},
             "x = 1\nclass UserValves(BaseModel):\n    pass\n")]
    for i, (tid, ac, src) in enumerate(rows):
        stack.sql("INSERT INTO tool (id, user_id, name, content, specs, "
                  "meta, created_at, updated_at, valves, access_control) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (tid, world["owner"]["id"], tid, src,
                   json.dumps([{"name": "f"}]),
                   json.dumps({"description": "d", "extra": 1}), i, i,
                   "null", json.dumps(ac)))
    got = {t["id"]: t for t in stack.get("/api/v1/tools/",
                                         token=users.token("user")).json()}
    assert set(got) == {"t-public", "t-group"}
    assert got["t-group"]["has_user_valves"] is True
    assert got["t-public"]["has_user_valves"] is False
    assert got["t-group"]["meta"] == {"description": "d", "manifest": {}}
    assert got["t-group"]["specs"] == [{"name": "f"}]
    assert got["t-group"]["user"]["id"] == world["owner"]["id"]
    other = [t["id"] for t in stack.get(
        "/api/v1/tools/", token=world["other"]["token"]).json()]
    assert other == ["t-public"]
    owner = [t["id"] for t in stack.get(
        "/api/v1/tools/", token=world["owner"]["token"]).json()]
    assert owner == ["t-group", "t-private", "t-public"]   # newest first
    stack.sql("INSERT INTO function (id, user_id, name, type, content, meta, "
              "created_at, updated_at, valves, is_active, is_global) VALUES "
              "(?, ?, ?, ?, ?, ?, 1, 2, ?, ?, ?)",
              ("fn", world["owner"]["id"], "Fn", "filter", "code",
               json.dumps({"description": "f", "k": "v"}), "null", True,
               False))
    r = stack.get("/api/v1/functions/", token=users.token("user"))
    assert r.status_code == 200
    assert r.json() == [{"id": "fn", "user_id": world["owner"]["id"],
                         "type": "filter", "name": "Fn",
                         "meta": {"description": "f", "manifest": {},
                                  "k": "v"},
                         "is_active": True, "is_global": False,
                         "updated_at": 2, "created_at": 1}]
