"""routers/knowledge.py GET /api/v1/knowledge/ (readable bases) and /list
(writable bases): owners, files resolved from the file table, ids of
missing files dropped from the stored row, and who sees what under
access_control and BYPASS_ADMIN_ACCESS_CONTROL. Rows are written as
Python's Knowledges.insert_new_knowledge and Files.insert_new_file write
them."""

import json
import time
import uuid

import pytest

from helpers import (access_shapes, access_cast,
                     assert_refuses_anonymous_and_pending)

P = "/api/v1/knowledge/"
L = "/api/v1/knowledge/list"


def add_kb(stack, owner, name, access_control, data=None, updated_at=None):
    kid = str(uuid.uuid4())
    now = updated_at or int(time.time())
    stack.sql("INSERT INTO knowledge (id, user_id, name, description, data, "
              "meta, access_control, created_at, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (kid, owner, name, f"about {name}", json.dumps(data), "null",
               json.dumps(access_control), now, now))
    return kid


def add_file(stack, owner, name, updated_at):
    fid = str(uuid.uuid4())
    meta = {"name": name, "content_type": "text/plain", "size": 3,
            "data": {}}
    stack.sql("INSERT INTO file (id, user_id, hash, filename, path, data, "
              "meta, access_control, created_at, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              (fid, owner, None, name, f"/data/uploads/{fid}_{name}",
               json.dumps({"status": "completed"}), json.dumps(meta),
               "null", updated_at - 5, updated_at))
    return fid, meta


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
    """user is in group G, other is not; owner (a user) owns the bases,
    whose updated_at grows in the order of SHAPES."""
    other, owner, g = access_cast(stack, admin, user)
    shapes = access_shapes(g["id"], other["id"], "read")
    ids = {}
    for i, (name, ac) in enumerate(shapes.items()):
        ids[name] = add_kb(stack, owner["id"], name, ac,
                           updated_at=1000 + i)
    return {"other": other, "owner": owner, "ids": ids}


READ = {
    # write access alone does not give read access (has_access "read")
    "user": ["group-read", "public"],
    "other": ["user-read", "public"],
    "owner": ["user-read", "group-write", "group-read", "private", "public"],
    "admin": ["user-read", "group-write", "group-read", "private", "public"],
}
WRITE = {
    "user": ["group-write"],
    "other": [],
    "owner": READ["owner"],
    "admin": READ["admin"],
}


def token_of(users, world, who):
    if who in ("other", "owner"):
        return world[who]["token"]
    return users.token(who)


def names(world, lst):
    by_id = {v: k for k, v in world["ids"].items()}
    return [by_id[k["id"]] for k in lst if k["id"] in by_id]


@pytest.mark.parametrize("who", list(READ))
def test_read_and_write_lists(stack, users, world, who):
    token = token_of(users, world, who)
    r = stack.get(P, token)
    assert r.status_code == 200, r.text
    # newest updated_at first
    assert names(world, r.json()) == READ[who]
    r = stack.get(L, token)
    assert r.status_code == 200, r.text
    assert names(world, r.json()) == WRITE[who]


def test_admin_without_bypass(stack, users, world):
    stack.restart(BYPASS_ADMIN_ACCESS_CONTROL="false")
    try:
        token = users.token("admin")
        assert names(world, stack.get(P, token).json()) == ["public"]
        assert names(world, stack.get(L, token).json()) == []
        # users are not affected
        token = users.token("user")
        assert names(world, stack.get(L, token).json()) == ["group-write"]
    finally:
        stack.restart()


def test_shape_with_owner_and_files(stack, user, world):
    owner = world["owner"]
    f_old, m_old = add_file(stack, owner["id"], "a.txt", 2000)
    f_new, m_new = add_file(stack, owner["id"], "b.txt", 3000)
    kid = add_kb(stack, owner["id"], "files", None,
                 data={"file_ids": [f_old, f_new]}, updated_at=1500)
    try:
        got = [k for k in stack.get(P, user.token).json() if k["id"] == kid]
        assert got == [{
            "id": kid, "user_id": owner["id"], "name": "files",
            "description": "about files",
            "data": {"file_ids": [f_old, f_new]}, "meta": None,
            "access_control": None, "created_at": 1500, "updated_at": 1500,
            "user": {"id": owner["id"], "name": "Owner",
                     "email": "owner@example.com", "role": "user",
                     "profile_image_url": owner["profile_image_url"]},
            # Files.get_file_metadatas_by_ids: newest updated_at first
            "files": [
                {"id": f_new, "meta": m_new, "created_at": 2995,
                 "updated_at": 3000},
                {"id": f_old, "meta": m_old, "created_at": 1995,
                 "updated_at": 2000}]}]
        # nothing was missing: the row is untouched
        row = stack.sql("SELECT data, updated_at FROM knowledge "
                        "WHERE id = ?", (kid,))[0]
        assert row["updated_at"] == 1500
    finally:
        stack.sql("DELETE FROM knowledge WHERE id = ?", (kid,))
        stack.sql("DELETE FROM file WHERE id IN (?, ?)", (f_old, f_new))


@pytest.mark.parametrize("path", [P, L])
def test_missing_files_are_dropped(stack, world, path):
    owner = world["owner"]
    fid, meta = add_file(stack, owner["id"], "c.txt", 2000)
    kid = add_kb(stack, owner["id"], "holes", {},
                 data={"file_ids": ["gone", fid, "gone2", "gone"],
                       "other": 1}, updated_at=1500)
    try:
        before = int(time.time())
        got = [k for k in stack.get(path, owner["token"]).json()
               if k["id"] == kid][0]
        # each missing id is removed once, as list.remove does
        assert got["data"] == {"file_ids": [fid, "gone"], "other": 1}
        assert got["files"] == [{"id": fid, "meta": meta,
                                 "created_at": 1995, "updated_at": 2000}]
        assert got["updated_at"] == 1500
        row = stack.sql("SELECT data, updated_at FROM knowledge "
                        "WHERE id = ?", (kid,))[0]
        assert json.loads(row["data"]) == got["data"]
        assert row["updated_at"] >= before
        got = [k for k in stack.get(path, owner["token"]).json()
               if k["id"] == kid][0]
        assert got["data"] == {"file_ids": [fid], "other": 1}
    finally:
        stack.sql("DELETE FROM knowledge WHERE id = ?", (kid,))
        stack.sql("DELETE FROM file WHERE id = ?", (fid,))


def test_data_without_files_and_missing_owner(stack, admin, world):
    kids = [add_kb(stack, "no-such-user", "orphan", None, data=None),
            add_kb(stack, "no-such-user", "empty", None, data={}),
            add_kb(stack, "no-such-user", "no-ids", None, data={"x": 1})]
    try:
        lst = {k["id"]: k for k in stack.get(P, admin.token).json()}
        for kid in kids:
            assert lst[kid]["files"] == [] and lst[kid]["user"] is None
        assert lst[kids[0]]["data"] is None
        assert lst[kids[2]]["data"] == {"x": 1}
    finally:
        for kid in kids:
            stack.sql("DELETE FROM knowledge WHERE id = ?", (kid,))
