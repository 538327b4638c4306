"""routers/channels.py GET /api/v1/channels/: the channels a user owns or
may read under access_control (admins get no bypass here), with rows
written as Python's Channels.insert_new_channel writes them (timestamps in
nanoseconds)."""

import json
import time
import uuid

import pytest

from helpers import (access_cast,
                     assert_refuses_anonymous_and_pending)

P = "/api/v1/channels/"


def add_channel(stack, owner, name, access_control, **extra):
    """A channel row as Python writes it: name lower-cased, data and meta
    None (stored as JSON null), created_at = updated_at = time_ns()."""
    cid = str(uuid.uuid4())
    now = time.time_ns()
    stack.sql("INSERT INTO channel (id, user_id, type, name, description, "
              "data, meta, access_control, created_at, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (cid, owner, extra.get("type"), name.lower(),
               extra.get("description"), json.dumps(extra.get("data")),
               json.dumps(extra.get("meta")), json.dumps(access_control),
               now, now))
    return cid, now


def test_empty(stack, admin, user):
    for who in (admin, user):
        r = stack.get(P, who.token)
        assert r.status_code == 200 and r.json() == []


def test_refused_without_token_and_pending(stack, pending):
    assert_refuses_anonymous_and_pending(stack, "GET", P, pending.token)


@pytest.fixture(scope="module")
def world(stack, admin, user):
    """user is in group G, other is not; admin owns the shared channels."""
    other, _, g = access_cast(stack, admin, user)
    none = {"group_ids": [], "user_ids": []}
    shapes = {
        "public": None,
        "private": {},
        "group-read": {"read": {"group_ids": [g["id"]], "user_ids": []},
                       "write": none},
        "user-read": {"read": {"group_ids": [], "user_ids": [other["id"]]},
                      "write": none},
        "write-only": {"write": {"group_ids": [g["id"]], "user_ids": []}},
        "null-read": {"read": None},
    }
    ids = {}
    for name, ac in shapes.items():
        ids[name] = add_channel(stack, admin.id, name, ac)[0]
    ids["users-own"] = add_channel(stack, user.id, "Users-Own", {})[0]
    return {"other": other, "ids": ids, "group": g}


EXPECTED = {
    "admin": {"public", "private", "group-read", "user-read", "write-only",
              "null-read"},
    "user": {"public", "group-read", "users-own"},
    "other": {"public", "user-read"},
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_visibility(stack, users, world, who):
    token = (world["other"]["token"] if who == "other"
             else users.token(who))
    r = stack.get(P, token)
    assert r.status_code == 200, r.text
    names = {world_name(world, c["id"]) for c in r.json()}
    assert names == EXPECTED[who]


def world_name(world, cid):
    return {v: k for k, v in world["ids"].items()}[cid]


def test_shape(stack, user, world):
    cid, ns = add_channel(stack, user.id, "Shape", None,
                          description="about", data={"k": [1]},
                          meta={"m": True}, type="group")
    try:
        got = [c for c in stack.get(P, user.token).json() if c["id"] == cid]
        assert got == [{
            "id": cid, "user_id": user.id, "type": "group", "name": "shape",
            "description": "about", "data": {"k": [1]}, "meta": {"m": True},
            "access_control": None, "created_at": ns, "updated_at": ns}]
        # nanoseconds survive as integers on both engines
        assert got[0]["created_at"] > 10 ** 18
    finally:
        stack.sql("DELETE FROM channel WHERE id = ?", (cid,))


def test_group_membership_is_read_per_request(stack, admin, user, world):
    g = world["group"]
    r = stack.post(f"/api/v1/groups/id/{g['id']}/users/remove",
                   token=admin.token, json={"user_ids": [user.id]})
    assert r.status_code == 200, r.text
    try:
        names = {world_name(world, c["id"])
                 for c in stack.get(P, user.token).json()}
        assert names == {"public", "users-own"}
    finally:
        stack.post(f"/api/v1/groups/id/{g['id']}/users/add",
                   token=admin.token, json={"user_ids": [user.id]})


@pytest.mark.parametrize("who", list(EXPECTED))
def test_list_admin_sees_all(stack, users, world, who):
    token = (world["other"]["token"] if who == "other"
             else users.token(who))
    r = stack.get(P + "list", token)
    assert r.status_code == 200, r.text
    names = {world_name(world, c["id"]) for c in r.json()}
    assert names == (set(world["ids"]) if who == "admin" else EXPECTED[who])
    assert len(r.json()) == len(names)


def test_list_refused_without_token_and_pending(stack, pending):
    assert_refuses_anonymous_and_pending(stack, "GET", P + "list",
                                         pending.token)
