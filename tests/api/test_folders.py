"""/api/v1/folders/ (routers/folders.py) and the folder routes of
routers/chats.py on both engines: nested folders, rename, expand and
collapse, moves with the sibling-name rule, chats dropped into folders and
listed, deletion of a folder tree with its chats and the chat.delete
permission, ownership, and rows shaped as Python writes them."""

import json
import time
import uuid

import pytest

from conftest import add_user
from helpers import (ACCESS_PROHIBITED, NOT_FOUND,
                     assert_refuses_anonymous_and_pending)

F = "/api/v1/folders"
C = "/api/v1/chats"

EXISTS = "[ERROR: Folder already exists]"

FOLDER_KEYS = {"id", "parent_id", "user_id", "name", "items", "meta", "data",
               "is_expanded", "created_at", "updated_at"}
LIST_KEYS = {"id", "name", "meta", "parent_id", "is_expanded", "created_at",
             "updated_at"}
CHAT_KEYS = {"id", "user_id", "title", "chat", "updated_at", "created_at",
             "share_id", "archived", "pinned", "meta", "folder_id"}


@pytest.fixture(scope="module")
def other(stack, users):
    """A second verified user."""
    email = "other@example.com"
    add_user(stack, users.admin.token, "Other", email, "Passw0rd!o", "user")
    r = stack.post("/api/v1/auths/signin",
                   json={"email": email, "password": "Passw0rd!o"})
    assert r.status_code == 200
    return r.json()


def mkfolder(stack, tok, name, parent=None, **extra):
    r = stack.post(F + "/", tok, json={"name": name, **extra})
    assert r.status_code == 200, r.text
    f = r.json()
    if parent is not None:
        r = stack.post(F + f"/{f['id']}/update/parent", tok,
                       json={"parent_id": parent})
        assert r.status_code == 200, r.text
        f = r.json()
    return f


def mkchat(stack, user_id, title, folder_id=None, pinned=False,
           archived=False, updated_at=None):
    """A chat row as Python's Chats.insert_new_chat writes it."""
    cid = str(uuid.uuid4())
    now = updated_at or int(time.time())
    doc = json.dumps({"title": title, "models": ["m"],
                      "history": {"messages": {}, "currentId": None},
                      "messages": []})
    stack.sql("INSERT INTO chat (id, user_id, title, share_id, archived, "
              "created_at, updated_at, chat, pinned, meta, folder_id) "
              "VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?)",
              (cid, user_id, title, archived, now, now, doc, pinned,
               json.dumps({}), folder_id))
    return cid


def folder_row(stack, fid):
    rows = stack.sql("SELECT * FROM folder WHERE id = ?", (fid,))
    return rows[0] if rows else None


def listed(stack, tok):
    r = stack.get(F + "/", tok)
    assert r.status_code == 200
    return {f["id"]: f for f in r.json()}


# -- who may call what -----------------------------------------------------

ROUTES = [
    ("GET", F + "/"), ("POST", F + "/"), ("GET", F + "/{id}"),
    ("POST", F + "/{id}/update"), ("POST", F + "/{id}/update/parent"),
    ("POST", F + "/{id}/update/expanded"), ("DELETE", F + "/{id}"),
    ("GET", C + "/folder/{id}"), ("GET", C + "/folder/{id}/list"),
    ("POST", C + "/{id}/folder"),
]


@pytest.mark.parametrize("method,path", ROUTES)
def test_no_token_and_pending(stack, users, method, path):
    fid = mkfolder(stack, users.admin.token, f"auth-{uuid.uuid4()}")["id"]
    p = path.replace("{id}", fid)
    body = {"name": "x", "is_expanded": True} if method == "POST" else None
    assert_refuses_anonymous_and_pending(stack, method, p,
                                         users.pending.token, body)
    # nothing changed
    row = folder_row(stack, fid)
    assert row is not None and row["name"].startswith("auth-")
    assert not row["is_expanded"]


def test_items_route_is_not_served(stack, users):
    f = mkfolder(stack, users.user.token, "no-items")
    r = stack.post(F + f"/{f['id']}/update/items", users.user.token,
                   json={"items": {"chat_ids": []}})
    assert r.status_code == 404


# -- create, read, nest ----------------------------------------------------

def test_create_and_get(stack, users):
    tok = users.user.token
    before = int(time.time())
    r = stack.post(F + "/", tok, json={
        "name": "Projects", "data": {"system_prompt": "be brief"},
        "meta": {"icon": "📁", "x": 1}, "parent_id": "ignored"})
    assert r.status_code == 200
    f = r.json()
    assert set(f) == FOLDER_KEYS
    assert f["name"] == "Projects" and f["user_id"] == users.user.id
    assert f["parent_id"] is None and f["is_expanded"] is False
    assert f["items"] is None
    assert f["data"] == {"system_prompt": "be brief"}
    assert f["meta"] == {"icon": "📁", "x": 1}
    assert before <= f["created_at"] == f["updated_at"] <= time.time() + 1
    uuid.UUID(f["id"], version=4)
    # read back through both routes
    assert stack.get(F + f"/{f['id']}", tok).json() == f
    item = listed(stack, tok)[f["id"]]
    assert set(item) == LIST_KEYS
    assert item["meta"] == {"icon": "📁"}      # FolderMetadataResponse
    # stored as Python stores it
    row = folder_row(stack, f["id"])
    assert json.loads(row["items"]) is None
    assert json.loads(row["data"]) == {"system_prompt": "be brief"}
    assert row["created_at"] == f["created_at"]


def test_create_invalid(stack, users):
    tok = users.user.token
    r = stack.post(F + "/", tok, json={"data": {}})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "name"]
    assert r.json()["detail"][0]["type"] == "missing"
    r = stack.post(F + "/", tok, json={"name": 5})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "string_type"
    r = stack.post(F + "/", tok, json={"name": "bad", "data": [1]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "data"]
    assert r.json()["detail"][0]["type"] == "dict_type"
    r = stack.post(F + "/", tok, data="{", headers={
        "Content-Type": "application/json"})
    assert r.status_code == 422
    # the extra "items" field must be a dict, as FolderModel wants
    r = stack.post(F + "/", tok, json={"name": "bad", "items": [1]})
    assert r.status_code == 400
    assert r.json() == {"detail": "[ERROR: Error creating folder]"}
    assert stack.sql("SELECT COUNT(*) AS n FROM folder WHERE name = ?",
                     ("bad",))[0]["n"] == 0


def test_nested_folders(stack, users):
    tok = users.user.token
    a = mkfolder(stack, tok, "nest-A")
    b = mkfolder(stack, tok, "nest-B", a["id"])
    c = mkfolder(stack, tok, "nest-C", b["id"])
    assert b["parent_id"] == a["id"] and c["parent_id"] == b["id"]
    got = listed(stack, tok)
    assert got[a["id"]]["parent_id"] is None
    assert got[b["id"]]["parent_id"] == a["id"]
    assert got[c["id"]]["parent_id"] == b["id"]
    # move C to the root, then under A
    r = stack.post(F + f"/{c['id']}/update/parent", tok, json={})
    assert r.status_code == 200 and r.json()["parent_id"] is None
    r = stack.post(F + f"/{c['id']}/update/parent", tok,
                   json={"parent_id": a["id"]})
    assert r.status_code == 200 and r.json()["parent_id"] == a["id"]
    assert folder_row(stack, c["id"])["parent_id"] == a["id"]
    r = stack.post(F + f"/{c['id']}/update/parent", tok,
                   json={"parent_id": 3})
    assert r.status_code == 422


def test_duplicate_names(stack, users):
    tok = users.user.token
    a = mkfolder(stack, tok, "Dup")
    # at the root, any case
    for name in ("Dup", "dUP"):
        r = stack.post(F + "/", tok, json={"name": name})
        assert r.status_code == 400 and r.json() == {"detail": EXISTS}
    # another user may use the name
    assert stack.post(F + "/", users.admin.token,
                      json={"name": "Dup"}).status_code == 200
    # siblings under a parent
    x = mkfolder(stack, tok, "dup-x", a["id"])
    y = mkfolder(stack, tok, "dup-y", a["id"])
    r = stack.post(F + f"/{y['id']}/update", tok, json={"name": "DUP-X"})
    assert r.status_code == 400 and r.json() == {"detail": EXISTS}
    assert folder_row(stack, y["id"])["name"] == "dup-y"
    # renaming to its own name (another case) is fine
    r = stack.post(F + f"/{y['id']}/update", tok, json={"name": "DUP-Y"})
    assert r.status_code == 200 and r.json()["name"] == "DUP-Y"
    # moving into a folder holding that name is refused
    z = mkfolder(stack, tok, "dup-x")
    r = stack.post(F + f"/{z['id']}/update/parent", tok,
                   json={"parent_id": a["id"]})
    assert r.status_code == 400 and r.json() == {"detail": EXISTS}
    assert folder_row(stack, z["id"])["parent_id"] is None
    # as in Python, "moving" to the current parent finds the folder itself
    r = stack.post(F + f"/{x['id']}/update/parent", tok,
                   json={"parent_id": a["id"]})
    assert r.status_code == 400 and r.json() == {"detail": EXISTS}


def test_rename_and_merge(stack, users):
    tok = users.user.token
    f = mkfolder(stack, tok, "merge", data={"a": 1, "files": []},
                 meta={"icon": "x"})
    time.sleep(1.1)
    r = stack.post(F + f"/{f['id']}/update", tok,
                   json={"name": "merged", "data": {"b": {"c": 2}},
                         "meta": {"color": "red"}})
    assert r.status_code == 200
    g = r.json()
    assert g["name"] == "merged"
    assert g["data"] == {"a": 1, "files": [], "b": {"c": 2}}
    assert g["meta"] == {"icon": "x", "color": "red"}
    assert g["updated_at"] > f["updated_at"]
    assert g["created_at"] == f["created_at"]
    # a shallow merge: a nested object is replaced
    r = stack.post(F + f"/{f['id']}/update", tok, json={"data": {"b": {}}})
    assert r.json()["data"] == {"a": 1, "files": [], "b": {}}
    # null data, meta or name fail in Python's update: 200 null, unchanged
    before = folder_row(stack, f["id"])
    for body in ({"data": None}, {"meta": None}, {"name": None}):
        r = stack.post(F + f"/{f['id']}/update", tok, json=body)
        assert r.status_code == 200 and r.json() is None
    assert folder_row(stack, f["id"]) == before
    r = stack.post(F + f"/{f['id']}/update", tok, json={"meta": "x"})
    assert r.status_code == 422


def test_expand_collapse(stack, users):
    tok = users.user.token
    f = mkfolder(stack, tok, "expand")
    for val, want in ((True, True), (False, False), ("yes", True),
                      (0, False)):
        r = stack.post(F + f"/{f['id']}/update/expanded", tok,
                       json={"is_expanded": val})
        assert r.status_code == 200 and r.json()["is_expanded"] is want
        assert listed(stack, tok)[f["id"]]["is_expanded"] is want
        assert bool(folder_row(stack, f["id"])["is_expanded"]) is want
    r = stack.post(F + f"/{f['id']}/update/expanded", tok, json={})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "missing"
    r = stack.post(F + f"/{f['id']}/update/expanded", tok,
                   json={"is_expanded": "maybe"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "bool_parsing"
    r = stack.post(F + f"/{f['id']}/update/expanded", tok,
                   json={"is_expanded": None})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "bool_type"
    r = stack.post(F + "/nope/update/expanded", tok,
                   json={"is_expanded": True})
    assert r.status_code == 404 and r.json() == {"detail": NOT_FOUND}


# -- chats in folders ------------------------------------------------------

def test_chats_into_folders(stack, users):
    tok, uid = users.user.token, users.user.id
    a = mkfolder(stack, tok, "chats-A")
    b = mkfolder(stack, tok, "chats-B", a["id"])
    t0 = int(time.time()) - 1000
    c1 = mkchat(stack, uid, "one", updated_at=t0)
    c2 = mkchat(stack, uid, "two", pinned=True, updated_at=t0 + 1)
    c3 = mkchat(stack, uid, "three", updated_at=t0 + 2)
    c4 = mkchat(stack, uid, "archived", a["id"], archived=True)
    c5 = mkchat(stack, uid, "pinned-in", a["id"], pinned=True)
    # drag and drop: c1, c2 into A, c3 into B
    for cid, fid in ((c1, a["id"]), (c2, a["id"]), (c3, b["id"])):
        r = stack.post(C + f"/{cid}/folder", tok, json={"folder_id": fid})
        assert r.status_code == 200
        got = r.json()
        assert set(got) == CHAT_KEYS
        assert got["folder_id"] == fid and got["pinned"] is False
        assert got["updated_at"] >= t0 + 900
    row = stack.sql("SELECT folder_id, pinned FROM chat WHERE id = ?",
                    (c2,))[0]
    assert row["folder_id"] == a["id"] and not row["pinned"]
    # full chats of A and the folders below, neither pinned nor archived
    r = stack.get(C + f"/folder/{a['id']}", tok)
    assert r.status_code == 200
    chats = r.json()
    assert {c["id"] for c in chats} == {c1, c2, c3}
    assert set(chats[0]) == CHAT_KEYS
    assert chats[0]["chat"]["models"] == ["m"]
    assert [c["updated_at"] for c in chats] == sorted(
        (c["updated_at"] for c in chats), reverse=True)
    assert {c["id"] for c in stack.get(C + f"/folder/{b['id']}",
                                       tok).json()} == {c3}
    # the paged list of A itself
    r = stack.get(C + f"/folder/{a['id']}/list", tok)
    assert r.status_code == 200
    assert {c["id"] for c in r.json()} == {c1, c2}
    assert all(set(c) == {"title", "id", "updated_at"} for c in r.json())
    assert stack.get(C + f"/folder/{a['id']}/list?page=2",
                     tok).json() == []
    assert {c["id"] for c in stack.get(
        C + f"/folder/{a['id']}/list?page=1", tok).json()} == {c1, c2}
    r = stack.get(C + f"/folder/{a['id']}/list?page=x", tok)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "page"]
    # out of the folder again
    r = stack.post(C + f"/{c3}/folder", tok, json={"folder_id": None})
    assert r.status_code == 200 and r.json()["folder_id"] is None
    assert stack.get(C + f"/folder/{b['id']}", tok).json() == []
    r = stack.post(C + f"/{c3}/folder", tok, json={"folder_id": 1})
    assert r.status_code == 422
    del c4, c5


def test_folder_list_pages(stack, users):
    tok, uid = users.user.token, users.user.id
    f = mkfolder(stack, tok, "paged")
    t0 = int(time.time()) - 5000
    ids = [mkchat(stack, uid, f"p{i}", f["id"], updated_at=t0 + i)
           for i in range(65)]
    p1 = stack.get(C + f"/folder/{f['id']}/list?page=1", tok).json()
    p2 = stack.get(C + f"/folder/{f['id']}/list?page=2", tok).json()
    assert [c["id"] for c in p1] == ids[::-1][:60]
    assert [c["id"] for c in p2] == ids[::-1][60:]
    r = stack.get(C + f"/folder/{f['id']}/list?page=0", tok)
    if stack.engine == "pg":    # OFFSET -60 fails there, as for Python
        assert r.status_code == 400
        assert r.json() == {"detail": "Something went wrong :/"}
    else:                       # SQLite takes a negative OFFSET as 0
        assert [c["id"] for c in r.json()] == ids[::-1][:60]


# -- deletion --------------------------------------------------------------

def test_delete_tree_with_chats(stack, users):
    tok, uid = users.user.token, users.user.id
    a = mkfolder(stack, tok, "del-A")
    b = mkfolder(stack, tok, "del-B", a["id"])
    c = mkfolder(stack, tok, "del-C", b["id"])
    keep = mkfolder(stack, tok, "del-keep")
    in_a = mkchat(stack, uid, "in A", a["id"])
    in_c = mkchat(stack, uid, "in C", c["id"], archived=True)
    in_keep = mkchat(stack, uid, "kept", keep["id"])
    loose = mkchat(stack, uid, "loose")
    r = stack.delete(F + f"/{a['id']}", tok)
    assert r.status_code == 200 and r.json() is True
    for fid in (a["id"], b["id"], c["id"]):
        assert folder_row(stack, fid) is None
        assert stack.get(F + f"/{fid}", tok).status_code == 404
    for cid in (in_a, in_c):
        assert stack.sql("SELECT id FROM chat WHERE id = ?", (cid,)) == []
    assert folder_row(stack, keep["id"]) is not None
    for cid in (in_keep, loose):
        assert len(stack.sql("SELECT id FROM chat WHERE id = ?",
                             (cid,))) == 1
    r = stack.delete(F + f"/{a['id']}", tok)
    assert r.status_code == 404 and r.json() == {"detail": NOT_FOUND}


def test_delete_survives_a_parent_loop(stack, users):
    tok = users.user.token
    a = mkfolder(stack, tok, "loop-A")
    b = mkfolder(stack, tok, "loop-B", a["id"])
    # Python does not refuse a move under the folder's own child
    r = stack.post(F + f"/{a['id']}/update/parent", tok,
                   json={"parent_id": b["id"]})
    assert r.status_code == 200
    assert {c["id"] for c in stack.get(C + f"/folder/{a['id']}",
                                       tok).json()} == set()
    r = stack.delete(F + f"/{a['id']}", tok)
    assert r.status_code == 200 and r.json() is True
    assert folder_row(stack, a["id"]) is None
    assert folder_row(stack, b["id"]) is None


def test_delete_needs_chat_delete_permission(stack, users):
    tok, uid = users.user.token, users.user.id
    adm = users.admin.token
    perms = stack.get("/api/v1/users/default/permissions", adm).json()
    off = json.loads(json.dumps(perms))
    off["chat"]["delete"] = False
    assert stack.post("/api/v1/users/default/permissions", adm,
                      json=off).status_code == 200
    try:
        full = mkfolder(stack, tok, "perm-full")
        cid = mkchat(stack, uid, "perm chat", full["id"])
        empty = mkfolder(stack, tok, "perm-empty")
        r = stack.delete(F + f"/{full['id']}", tok)
        assert r.status_code == 403
        assert r.json() == {"detail": ACCESS_PROHIBITED}
        assert folder_row(stack, full["id"]) is not None
        assert len(stack.sql("SELECT id FROM chat WHERE id = ?",
                             (cid,))) == 1
        # an empty folder needs no permission
        assert stack.delete(F + f"/{empty['id']}", tok).json() is True
        # an admin needs none either
        af = mkfolder(stack, adm, "perm-admin")
        mkchat(stack, users.admin.id, "admin chat", af["id"])
        assert stack.delete(F + f"/{af['id']}", adm).json() is True
    finally:
        assert stack.post("/api/v1/users/default/permissions", adm,
                          json=perms).status_code == 200
    assert stack.delete(F + f"/{full['id']}", tok).json() is True


# -- ownership -------------------------------------------------------------

def test_other_users_folder(stack, users, other):
    tok = other["token"]
    f = mkfolder(stack, users.user.token, "private", data={"k": "v"})
    cid = mkchat(stack, users.user.id, "private chat", f["id"])
    for method, path, body in (
            ("GET", F + f"/{f['id']}", None),
            ("POST", F + f"/{f['id']}/update", {"name": "stolen"}),
            ("POST", F + f"/{f['id']}/update/parent", {"parent_id": None}),
            ("POST", F + f"/{f['id']}/update/expanded",
             {"is_expanded": True}),
            ("DELETE", F + f"/{f['id']}", None)):
        r = stack.request(method, path, tok, json=body)
        assert r.status_code == 404, (method, path)
        assert r.json() == {"detail": NOT_FOUND}
    assert f["id"] not in listed(stack, tok)
    assert stack.get(C + f"/folder/{f['id']}", tok).json() == []
    assert stack.get(C + f"/folder/{f['id']}/list", tok).json() == []
    # someone else's chat cannot be moved: 401 as in Python
    r = stack.post(C + f"/{cid}/folder", tok, json={"folder_id": None})
    assert r.status_code == 401
    assert r.json() == {"detail": "Something went wrong :/"}
    row = folder_row(stack, f["id"])
    assert row["name"] == "private" and not row["is_expanded"]
    assert stack.sql("SELECT folder_id FROM chat WHERE id = ?",
                     (cid,))[0]["folder_id"] == f["id"]


# -- rows as Python writes them --------------------------------------------

def test_python_rows_read_back(stack, users):
    uid, tok = users.user.id, users.user.token
    pid, cid = str(uuid.uuid4()), str(uuid.uuid4())
    meta = {"icon": "🚀", "model_ids": ["gpt"]}
    data = {"system_prompt": "Réponds en français", "model_ids": ["gpt"]}
    items = {"chat_ids": ["x"], "file_ids": []}
    ins = ("INSERT INTO folder (id, parent_id, user_id, name, items, meta, "
           "data, is_expanded, created_at, updated_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    stack.sql(ins, (pid, None, uid, "Élan", json.dumps(items),
                    json.dumps(meta), json.dumps(data), True, 1700000000,
                    1700000100))
    stack.sql(ins, (cid, pid, uid, "child", "null", "null", "null", False,
                    1700000200, 1700000300))
    before = [folder_row(stack, pid), folder_row(stack, cid)]
    got = listed(stack, tok)
    assert got[pid] == {"id": pid, "name": "Élan", "meta": {"icon": "🚀"},
                        "parent_id": None, "is_expanded": True,
                        "created_at": 1700000000, "updated_at": 1700000100}
    assert got[cid] == {"id": cid, "name": "child", "meta": None,
                        "parent_id": pid, "is_expanded": False,
                        "created_at": 1700000200, "updated_at": 1700000300}
    assert stack.get(F + f"/{pid}", tok).json() == {
        "id": pid, "parent_id": None, "user_id": uid, "name": "Élan",
        "items": items, "meta": meta, "data": data, "is_expanded": True,
        "created_at": 1700000000, "updated_at": 1700000100}
    assert stack.get(F + f"/{cid}", tok).json()["data"] is None
    # reading changed nothing
    assert [folder_row(stack, pid), folder_row(stack, cid)] == before
    # a rename keeps the other columns as they were
    r = stack.post(F + f"/{cid}/update", tok, json={"name": "kid"})
    assert r.status_code == 200
    row = folder_row(stack, cid)
    assert row["name"] == "kid" and row["items"] == "null"
    assert row["data"] == "null" and row["meta"] == "null"


def test_list_prunes_unreadable_files(stack, users, other):
    uid, tok = users.user.id, users.user.token
    now = int(time.time())
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    for fid, owner in ((mine, uid), (theirs, other["id"])):
        stack.sql("INSERT INTO file (id, user_id, filename, created_at) "
                  "VALUES (?, ?, ?, ?)", (fid, owner, "f.txt", now))
    kb = str(uuid.uuid4())
    stack.sql("INSERT INTO knowledge (id, user_id, name, created_at, "
              "access_control) VALUES (?, ?, ?, ?, ?)",
              (kb, other["id"], "kb", now, "null"))
    files = [{"type": "file", "id": mine}, {"type": "file", "id": theirs},
             {"type": "collection", "id": kb},
             {"type": "collection", "id": "missing"},
             {"type": "web", "url": "https://example.com"}]
    fid = str(uuid.uuid4())
    stack.sql("INSERT INTO folder (id, parent_id, user_id, name, items, "
              "meta, data, is_expanded, created_at, updated_at) "
              "VALUES (?, NULL, ?, ?, 'null', 'null', ?, ?, ?, ?)",
              (fid, uid, "with files",
               json.dumps({"files": files, "k": 1}), False, 1, 2))
    listed(stack, tok)
    row = folder_row(stack, fid)
    assert json.loads(row["data"]) == {
        "files": [files[0], files[2], files[4]], "k": 1}
    assert row["updated_at"] >= now
    # a foreign file cannot be attached through an update either
    r = stack.post(F + f"/{fid}/update", tok,
                   json={"data": {"files": [{"type": "file",
                                             "id": theirs}]}})
    assert r.status_code == 200 and r.json()["data"]["files"] == []
