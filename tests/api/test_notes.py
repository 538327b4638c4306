"""routers/notes.py GET /api/v1/notes/ (notes with owners) and /list
(id, title and timestamps, 60 a page): the notes a user owns or may
WRITE (public notes are readable only, so they are not listed to others;
admins get no bypass), the features.notes permission, rows written as
Python's Notes.insert_new_note writes them (timestamps in nanoseconds)."""

import json
import time
import uuid

import pytest

from conftest import add_user
from helpers import (access_shapes, UNAUTHORIZED, access_cast,
                     assert_refuses_anonymous_and_pending)

P = "/api/v1/notes/"
L = "/api/v1/notes/list"


def add_note(stack, owner, title, access_control, ns=None):
    nid = str(uuid.uuid4())
    ns = ns or time.time_ns()
    data = {"content": {"json": None, "html": f"<p>{title}</p>",
                        "md": title}}
    stack.sql("INSERT INTO note (id, user_id, title, data, meta, "
              "access_control, created_at, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              (nid, owner, title, json.dumps(data), "null",
               json.dumps(access_control), ns, ns))
    return nid, data, ns


def test_empty(stack, admin, user):
    for who in (admin, user):
        for path in (P, L):
            r = stack.get(path, who.token)
            assert r.status_code == 200 and r.json() == []


@pytest.mark.parametrize("path", [P, L])
def test_refused_without_token_and_pending(stack, pending, path):
    assert_refuses_anonymous_and_pending(stack, "GET", path, pending.token)


@pytest.fixture(scope="module")
def world(stack, admin, user):
    """user is in group G, other is not; owner (a user) owns the notes,
    whose updated_at grows in the order of shapes."""
    other, owner, g = access_cast(stack, admin, user)
    shapes = access_shapes(g["id"], other["id"], "write")
    base = time.time_ns()
    ids = {}
    for i, (name, ac) in enumerate(shapes.items()):
        ids[name] = add_note(stack, owner["id"], name, ac, base + i)[0]
    return {"other": other, "owner": owner, "ids": ids}


VISIBLE = {
    "user": ["group-write"],
    "other": ["user-write"],
    "owner": ["user-write", "group-write", "group-read", "private",
              "public"],
    "admin": [],
}


def token_of(users, world, who):
    if who in ("other", "owner"):
        return world[who]["token"]
    return users.token(who)


def names(world, lst):
    by_id = {v: k for k, v in world["ids"].items()}
    return [by_id[n["id"]] for n in lst if n["id"] in by_id]


@pytest.mark.parametrize("who", list(VISIBLE))
def test_visibility(stack, users, world, who):
    token = token_of(users, world, who)
    for path in (P, L):
        r = stack.get(path, token)
        assert r.status_code == 200, r.text
        assert names(world, r.json()) == VISIBLE[who]


def test_shapes(stack, user, world):
    nid, data, ns = add_note(stack, user.id, "Mine", {})
    try:
        got = [n for n in stack.get(P, user.token).json() if n["id"] == nid]
        assert got == [{
            "id": nid, "user_id": user.id, "title": "Mine", "data": data,
            "meta": None, "access_control": {}, "created_at": ns,
            "updated_at": ns,
            "user": {"id": user.id, "name": user.name, "email": user.email,
                     "role": "user",
                     "profile_image_url": user.json["profile_image_url"]}}]
        got = [n for n in stack.get(L, user.token).json() if n["id"] == nid]
        assert got == [{"id": nid, "title": "Mine", "updated_at": ns,
                        "created_at": ns}]
        assert list(got[0]) == ["id", "title", "updated_at", "created_at"]
    finally:
        stack.sql("DELETE FROM note WHERE id = ?", (nid,))


def test_pages(stack, admin):
    pager = add_user(stack, admin.token, "Pager", "pager@example.com",
                     "Passw0rd!", "user")
    base = time.time_ns()
    ids = [add_note(stack, pager["id"], f"n{i}", {}, base + i)[0]
           for i in range(65)]
    # someone else's note in the middle: not counted by skip
    theirs = add_note(stack, admin.id, "theirs", {}, base + 30)[0]
    newest = ids[::-1]
    try:
        def page(p):
            r = stack.get(L, pager["token"], params={"page": p})
            assert r.status_code == 200, r.text
            return [n["id"] for n in r.json()]
        assert page(1) == newest[:60]
        assert page(2) == newest[60:]
        assert page(3) == []
        # page 0 or below: no skip, still 60
        assert page(0) == newest[:60] and page(-4) == newest[:60]
        assert page(" 2 ") == newest[60:]
        r = stack.get(L, pager["token"])
        assert [n["id"] for n in r.json()] == newest
        r = stack.get(P, pager["token"], params={"page": 2})
        assert len(r.json()) == 65
        r = stack.get(L, pager["token"], params={"page": "two"})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["query", "page"]
        assert r.json()["detail"][0]["type"] == "int_parsing"
    finally:
        for nid in ids + [theirs]:
            stack.sql("DELETE FROM note WHERE id = ?", (nid,))


def test_needs_features_notes(stack, admin, user, world):
    perms = stack.get("/api/v1/users/default/permissions",
                      admin.token).json()
    perms["features"]["notes"] = False
    r = stack.post("/api/v1/users/default/permissions", admin.token,
                   json=perms)
    assert r.status_code == 200, r.text
    try:
        for path in (P, L):
            r = stack.get(path, user.token)
            assert r.status_code == 401
            assert r.json() == {"detail": UNAUTHORIZED}
            # admins need no permission
            assert stack.get(path, admin.token).status_code == 200
    finally:
        perms["features"]["notes"] = True
        stack.post("/api/v1/users/default/permissions", admin.token,
                   json=perms)
    assert stack.get(P, user.token).status_code == 200
