"""/api/v1/chats/ (routers/chats.py) on both engines: the caller's chat
list and documents, create, import, merge-update, messages, pin, archive,
clone, share, delete, and the admin's views, with Python's ownership rules
and response shapes.  The search, tag and folder routes of the same router
are tested in their own files."""

import json
import time
import uuid

import pytest

from conftest import add_user
from helpers import (ACCESS_PROHIBITED, DEFAULT, NOT_FOUND,
                     assert_refuses_anonymous_and_pending)

C = "/api/v1/chats"


CHAT_KEYS = {"id", "user_id", "title", "chat", "updated_at", "created_at",
             "share_id", "archived", "pinned", "meta", "folder_id"}
TITLE_ID_KEYS = {"id", "title", "updated_at", "created_at"}


@pytest.fixture(autouse=True)
def no_worker_crash(stack):
    """A worker that crashes after answering (the master respawns it) fails
    the test: the stack log must not grow a sanitizer report or a worker
    death."""
    with open(stack.log_path, errors="replace") as f:
        f.seek(0, 2)
        start = f.tell()
    yield
    with open(stack.log_path, errors="replace") as f:
        f.seek(start)
        new = f.read()
    for bad in ("AddressSanitizer", "runtime error:", "exited with status",
                "killed by signal"):
        assert bad not in new, new[-3000:]


def doc(title="Hello", n=2, **extra):
    """A chat document shaped as the frontend saves it: a linked history
    of n messages and the flat messages list."""
    msgs, prev = {}, None
    for i in range(n):
        mid = f"m{i}"
        msgs[mid] = {"id": mid, "parentId": prev, "childrenIds": [],
                     "role": "user" if i % 2 == 0 else "assistant",
                     "content": f"message {i} \u00e9\u4e2d", "timestamp": i}
        if prev:
            msgs[prev]["childrenIds"].append(mid)
        prev = mid
    d = {"id": "", "title": title, "models": ["m1"], "params": {},
         "history": {"messages": msgs, "currentId": prev},
         "messages": list(msgs.values()), "tags": [], "timestamp": 1}
    d.update(extra)
    return d


@pytest.fixture(scope="module")
def other(stack, admin):
    """A second account with role user."""
    from conftest import Account
    data = add_user(stack, admin.token, "Other", "other@example.com",
                    "Passw0rd!", "user")
    return Account(stack, data, "Passw0rd!")


def new(stack, acct, d=None, **form):
    r = stack.post(f"{C}/new", acct.token,
                   json={"chat": d if d is not None else doc(), **form})
    assert r.status_code == 200, r.text
    return r.json()


def row(stack, chat_id):
    rows = stack.sql("SELECT * FROM chat WHERE id = ?", (chat_id,))
    return rows[0] if rows else None


# -- authentication ------------------------------------------------------

ROUTES = [
    ("GET", "/"), ("GET", "/list"), ("DELETE", "/"),
    ("GET", "/list/user/x"), ("POST", "/new"), ("POST", "/import"),
    ("GET", "/pinned"), ("GET", "/all"), ("GET", "/all/archived"),
    ("GET", "/all/db"), ("GET", "/archived"), ("POST", "/archive/all"),
    ("POST", "/unarchive/all"), ("GET", "/share/x"), ("GET", "/x"),
    ("POST", "/x"), ("POST", "/x/messages/y"), ("DELETE", "/x"),
    ("GET", "/x/pinned"), ("POST", "/x/pin"), ("POST", "/x/clone"),
    ("POST", "/x/clone/shared"), ("POST", "/x/archive"),
    ("POST", "/x/share"), ("DELETE", "/x/share"),
]
ADMIN_ONLY = {"/list/user/x", "/all/db"}


@pytest.mark.parametrize("method,path", ROUTES)
def test_no_token_and_pending_refused(stack, users, method, path):
    body = {"chat": {}} if method == "POST" else None
    assert_refuses_anonymous_and_pending(stack, method, C + path,
                                         users.pending.token, body)
    if path in ADMIN_ONLY:
        r = stack.request(method, C + path, users.user.token)
        assert r.status_code == 401
        assert r.json() == {"detail": ACCESS_PROHIBITED}


def test_message_event_route_not_served(stack, user):
    r = stack.post(f"{C}/x/messages/y/event", user.token,
                   json={"type": "t", "data": {}})
    assert r.status_code == 404


# -- create, read, update -------------------------------------------------

def test_new_and_get(stack, user, other):
    d = doc("First \u00e9t\u00e9")
    before = int(time.time())
    c = new(stack, user, d)
    assert set(c) == CHAT_KEYS
    assert c["title"] == "First \u00e9t\u00e9" and c["chat"] == d
    assert c["user_id"] == user.id and c["meta"] == {}
    assert c["archived"] is False and c["pinned"] is False
    assert c["share_id"] is None and c["folder_id"] is None
    assert before <= c["created_at"] == c["updated_at"] <= time.time() + 1
    r = stack.get(f"{C}/{c['id']}", user.token)
    assert r.status_code == 200 and r.json() == c
    r = stack.get(f"{C}/{c['id']}", other.token)
    assert r.status_code == 401 and r.json() == {"detail": NOT_FOUND}
    r = stack.get(f"{C}/{uuid.uuid4()}", user.token)
    assert r.status_code == 401 and r.json() == {"detail": NOT_FOUND}


def test_new_defaults_and_validation(stack, user):
    c = new(stack, user, {"models": []}, folder_id=None)
    assert c["title"] == "New Chat" and c["chat"] == {"models": []}
    r = stack.post(f"{C}/new", user.token, json={})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "chat"]
    assert r.json()["detail"][0]["type"] == "missing"
    r = stack.post(f"{C}/new", user.token, json={"chat": [1]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "dict_type"
    r = stack.post(f"{C}/new", user.token, json={"chat": {"title": 5}})
    assert r.status_code == 400 and r.json() == {"detail": DEFAULT}
    r = stack.post(f"{C}/new", user.token, data="{not json",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 422


def test_update_merges_top_level_keys(stack, user, other):
    d = doc("Keep me")
    c = new(stack, user, d)
    time.sleep(1.1)
    msgs = d["messages"] + [{"id": "m9", "content": "new"}]
    r = stack.post(f"{C}/{c['id']}", user.token,
                   json={"chat": {"messages": msgs, "extra": {"a": [1, 2]}}})
    assert r.status_code == 200, r.text
    got = r.json()
    want = {**d, "messages": msgs, "extra": {"a": [1, 2]}}
    assert got["chat"] == want
    assert list(got["chat"]) == list(want)     # key order as Python's
    assert got["title"] == "Keep me"
    assert got["updated_at"] > c["updated_at"]
    assert got["created_at"] == c["created_at"]
    assert stack.get(f"{C}/{c['id']}", user.token).json() == got
    stored = row(stack, c["id"])
    assert json.loads(stored["chat"]) == want
    # the title column follows the document's title
    r = stack.post(f"{C}/{c['id']}", user.token,
                   json={"chat": {"title": "Renamed"}})
    assert r.json()["title"] == "Renamed"
    assert r.json()["chat"]["messages"] == msgs
    assert row(stack, c["id"])["title"] == "Renamed"
    # someone else's chat: refused, unchanged
    r = stack.post(f"{C}/{c['id']}", other.token,
                   json={"chat": {"title": "Stolen"}})
    assert r.status_code == 401 and r.json() == {"detail": ACCESS_PROHIBITED}
    assert row(stack, c["id"])["title"] == "Renamed"


def test_malformed_update_leaves_row(stack, user):
    c = new(stack, user, doc("Intact"))
    before = row(stack, c["id"])
    hdr = {"Content-Type": "application/json"}
    bad = [
        (dict(data='{"chat": {"title": "x"', headers=hdr), 422),
        (dict(data='{"chat": {"a": 1}} trailing', headers=hdr), 422),
        (dict(json={"chat": "text"}), 422),
        (dict(json={"chat": None}), 422),
        (dict(json={"nochat": {}}), 422),
        (dict(json=[{"chat": {}}]), 422),
        (dict(json={"chat": {"title": 12}}), 400),
        (dict(json={"chat": {"title": None}}), 400),
    ]
    for kw, status in bad:
        r = stack.post(f"{C}/{c['id']}", user.token, **kw)
        assert r.status_code == status, (kw, r.text)
        assert row(stack, c["id"]) == before
    assert stack.get(f"{C}/{c['id']}", user.token).json() == c


def test_huge_document_round_trip(stack, user):
    d = doc("Huge", n=200)
    big = "x\u00e9\"\\\n" * (5 * 1024 * 1024 // 6)
    d["history"]["messages"]["m0"]["content"] = big
    d["messages"][0]["content"] = big
    c = new(stack, user, d)
    r = stack.get(f"{C}/{c['id']}", user.token)
    assert r.status_code == 200
    assert r.json()["chat"] == d
    assert len(r.content) > 5 * 1024 * 1024
    r = stack.post(f"{C}/{c['id']}", user.token,
                   json={"chat": {"note": big}})
    assert r.status_code == 200
    got = stack.get(f"{C}/{c['id']}", user.token).json()["chat"]
    assert got == {**d, "note": big}


def test_update_message(stack, user, other, admin):
    d = doc("Msgs")
    c = new(stack, user, d)
    r = stack.post(f"{C}/{c['id']}/messages/m0", user.token,
                   json={"content": "edited\u0000!"})
    assert r.status_code == 200, r.text
    got = r.json()["chat"]
    assert got["history"]["messages"]["m0"] == {
        **d["history"]["messages"]["m0"], "content": "edited!"}
    assert got["history"]["currentId"] == "m0"
    assert got["messages"] == d["messages"]
    r = stack.post(f"{C}/{c['id']}/messages/new1", user.token,
                   json={"content": "fresh"})
    assert r.json()["chat"]["history"]["messages"]["new1"] == {
        "content": "fresh"}
    r = stack.post(f"{C}/{c['id']}/messages/m0", other.token,
                   json={"content": "no"})
    assert r.status_code == 401 and r.json() == {"detail": ACCESS_PROHIBITED}
    r = stack.post(f"{C}/{uuid.uuid4()}/messages/m0", user.token,
                   json={"content": "no"})
    assert r.status_code == 401 and r.json() == {"detail": ACCESS_PROHIBITED}
    r = stack.post(f"{C}/{c['id']}/messages/m0", user.token, json={})
    assert r.status_code == 422
    # an admin may edit anyone's message (Python has no access switch)
    r = stack.post(f"{C}/{c['id']}/messages/m1", admin.token,
                   json={"content": "by admin"})
    assert r.status_code == 200
    assert r.json()["chat"]["history"]["messages"]["m1"]["content"] == \
        "by admin"


# -- lists ------------------------------------------------------------------

def test_list_pages_newest_first(stack, admin):
    from conftest import Account
    data = add_user(stack, admin.token, "Lister", "lister@example.com",
                    "Passw0rd!", "user")
    u = Account(stack, data, "Passw0rd!")
    ids = [new(stack, u, {"title": f"c{i}"})["id"] for i in range(65)]
    for i, cid in enumerate(ids):
        stack.sql("UPDATE chat SET updated_at = ? WHERE id = ?",
                  (1000 + i, cid))
    newest = list(reversed(ids))
    p1 = stack.get(f"{C}/?page=1", u.token).json()
    assert [c["id"] for c in p1] == newest[:60]
    assert all(set(c) == TITLE_ID_KEYS for c in p1)
    assert p1[0] == {"id": ids[-1], "title": "c64", "updated_at": 1064,
                     "created_at": p1[0]["created_at"]}
    p2 = stack.get(f"{C}/list?page=2", u.token).json()
    assert [c["id"] for c in p2] == newest[60:]
    assert stack.get(f"{C}/?page=3", u.token).json() == []
    everything = stack.get(f"{C}/", u.token).json()
    assert [c["id"] for c in everything] == newest
    r = stack.get(f"{C}/?page=abc", u.token)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "page"]
    # pinned chats leave the list for /pinned; archived ones leave both
    r = stack.post(f"{C}/{ids[64]}/pin", u.token)
    assert r.status_code == 200 and r.json()["pinned"] is True
    assert r.json()["updated_at"] >= int(time.time()) - 2
    assert stack.get(f"{C}/{ids[64]}/pinned", u.token).json() is True
    pinned = stack.get(f"{C}/pinned", u.token).json()
    assert [c["id"] for c in pinned] == [ids[64]]
    assert ids[64] not in [c["id"] for c in
                           stack.get(f"{C}/", u.token).json()]
    stack.post(f"{C}/{ids[64]}/archive", u.token)
    assert stack.get(f"{C}/pinned", u.token).json() == []
    # a chat in a folder is listed only with include_folders
    stack.sql("UPDATE chat SET folder_id = 'f1' WHERE id = ?", (ids[0],))
    assert ids[0] not in [c["id"] for c in
                          stack.get(f"{C}/", u.token).json()]
    assert ids[0] in [c["id"] for c in stack.get(
        f"{C}/?include_folders=true", u.token).json()]
    # pinned NULL counts as unpinned
    stack.sql("UPDATE chat SET pinned = NULL WHERE id = ?", (ids[1],))
    assert ids[1] in [c["id"] for c in stack.get(f"{C}/", u.token).json()]
    assert stack.get(f"{C}/{ids[1]}/pinned", u.token).json() is None
    r = stack.get(f"{C}/{ids[1]}/pinned", admin.token)
    assert r.status_code == 401 and r.json() == {"detail": DEFAULT}
    r = stack.post(f"{C}/{ids[1]}/pin", admin.token)
    assert r.status_code == 401 and r.json() == {"detail": DEFAULT}
    # /all has everything in full, /all/archived the archived one
    allc = stack.get(f"{C}/all", u.token).json()
    assert len(allc) == 65 and all(set(c) == CHAT_KEYS for c in allc)
    arch = stack.get(f"{C}/all/archived", u.token).json()
    assert [c["id"] for c in arch] == [ids[64]]


def test_archive_filters_and_all(stack, admin):
    from conftest import Account
    data = add_user(stack, admin.token, "Arch", "arch@example.com",
                    "Passw0rd!", "user")
    u = Account(stack, data, "Passw0rd!")
    ids = [new(stack, u, {"title": t})["id"]
           for t in ("Alpha", "beta", "Gamma alpha")]
    r = stack.post(f"{C}/{ids[0]}/archive", u.token)
    assert r.status_code == 200 and r.json()["archived"] is True
    r = stack.post(f"{C}/{ids[0]}/archive", admin.token)
    assert r.status_code == 401 and r.json() == {"detail": DEFAULT}
    assert [c["id"] for c in stack.get(f"{C}/archived", u.token).json()] \
        == [ids[0]]
    r = stack.post(f"{C}/archive/all", u.token)
    assert r.status_code == 200 and r.json() is True
    assert stack.get(f"{C}/", u.token).json() == []
    for i, cid in enumerate(ids):
        stack.sql("UPDATE chat SET updated_at = ? WHERE id = ?", (10 + i, cid))
    got = stack.get(f"{C}/archived", u.token).json()
    assert [c["id"] for c in got] == list(reversed(ids))
    got = stack.get(f"{C}/archived?query=ALPHA&order_by=title"
                    "&direction=asc", u.token).json()
    assert [c["title"] for c in got] == ["Alpha", "Gamma alpha"]
    got = stack.get(f"{C}/archived?order_by=created_at&direction=desc",
                    u.token).json()
    assert sorted(c["id"] for c in got) == sorted(ids)
    r = stack.get(f"{C}/archived?order_by=nope&direction=asc", u.token)
    assert r.status_code == 500
    r = stack.get(f"{C}/archived?order_by=title&direction=up", u.token)
    assert r.status_code == 500
    r = stack.post(f"{C}/unarchive/all", u.token)
    assert r.status_code == 200 and r.json() is True
    assert stack.get(f"{C}/archived", u.token).json() == []
    assert len(stack.get(f"{C}/", u.token).json()) == 3


# -- import / export --------------------------------------------------------

def test_import_export_round_trip(stack, user):
    d = doc("Imported \u4e2d\u6587")
    form = {"chat": d, "meta": {"tags": ["big_idea", "none"]},
            "pinned": True, "folder_id": None,
            "created_at": 1700000000, "updated_at": 1700000100}
    r = stack.post(f"{C}/import", user.token, json=form)
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["chat"] == d and c["meta"] == form["meta"]
    assert c["pinned"] is True and c["title"] == "Imported \u4e2d\u6587"
    assert (c["created_at"], c["updated_at"]) == (1700000000, 1700000100)
    exported = [x for x in stack.get(f"{C}/all", user.token).json()
                if x["id"] == c["id"]]
    assert exported == [c]
    # importing the export gives the same chat under a new id
    e = exported[0]
    r = stack.post(f"{C}/import", user.token,
                   json={k: e[k] for k in ("chat", "meta", "pinned",
                                           "folder_id", "created_at",
                                           "updated_at")})
    again = r.json()
    assert again["id"] != c["id"]
    assert {**again, "id": c["id"]} == c
    tags = stack.sql("SELECT id, name FROM tag WHERE user_id = ?",
                     (user.id,))
    assert {"id": "big_idea", "name": "Big Idea"} in tags
    assert all(t["id"] != "none" for t in tags)
    # bad forms
    r = stack.post(f"{C}/import", user.token, json={"chat": d, "meta": 3})
    assert r.status_code == 422
    r = stack.post(f"{C}/import", user.token, json={"chat": d, "meta": None})
    assert r.status_code == 400 and r.json() == {"detail": DEFAULT}
    n = len(stack.get(f"{C}/all", user.token).json())
    r = stack.post(f"{C}/import", user.token,
                   json={"chat": d, "meta": {"tags": [1]}})
    assert r.status_code == 400
    assert len(stack.get(f"{C}/all", user.token).json()) == n


def test_python_written_rows_read_back(stack, admin):
    """Rows as the Python backend writes them: json.dumps with its default
    spacing, meta {"tags": [...]}, pinned NULL, booleans of the engine."""
    from conftest import Account
    data = add_user(stack, admin.token, "Py", "py@example.com",
                    "Passw0rd!", "user")
    u = Account(stack, data, "Passw0rd!")
    d = doc("Written by Python \u00fc", n=3)
    cid = str(uuid.uuid4())
    f = False if stack.engine == "pg" else 0
    stack.sql('INSERT INTO chat (id, user_id, title, chat, created_at, '
              'updated_at, share_id, archived, pinned, meta, folder_id) '
              'VALUES (?, ?, ?, ?, ?, ?, NULL, ?, NULL, ?, NULL)',
              (cid, u.id, d["title"], json.dumps(d), 1690000000,
               1690000050, f, json.dumps({"tags": ["work", "x_y"]})))
    want = {"id": cid, "user_id": u.id, "title": d["title"], "chat": d,
            "updated_at": 1690000050, "created_at": 1690000000,
            "share_id": None, "archived": False, "pinned": None,
            "meta": {"tags": ["work", "x_y"]}, "folder_id": None}
    assert stack.get(f"{C}/{cid}", u.token).json() == want
    assert stack.get(f"{C}/all", u.token).json() == [want]
    assert stack.get(f"{C}/", u.token).json() == [
        {"id": cid, "title": d["title"], "updated_at": 1690000050,
         "created_at": 1690000000}]
    # what cwebui writes back is JSON Python reads to the same document
    stack.post(f"{C}/{cid}", u.token, json={"chat": {"x": 1}})
    stored = row(stack, cid)
    assert json.loads(stored["chat"]) == {**d, "x": 1}
    assert json.loads(stored["meta"]) == {"tags": ["work", "x_y"]}


# -- share, clone -----------------------------------------------------------

def test_share_and_unshare(stack, user, other):
    d = doc("Shared")
    c = new(stack, user, d)
    r = stack.post(f"{C}/{c['id']}/share", other.token)
    assert r.status_code == 401 and r.json() == {"detail": ACCESS_PROHIBITED}
    r = stack.post(f"{C}/{c['id']}/share", user.token)
    assert r.status_code == 200, r.text
    copy = r.json()
    assert copy["id"] != c["id"] and copy["user_id"] == f"shared-{c['id']}"
    assert copy["chat"] == d and copy["title"] == "Shared"
    assert copy["created_at"] == c["created_at"]
    assert copy["share_id"] is None and copy["archived"] is False
    assert row(stack, c["id"])["share_id"] == copy["id"]
    assert stack.get(f"{C}/{c['id']}", user.token).json()["share_id"] == \
        copy["id"]
    r = stack.get(f"{C}/share/{copy['id']}", other.token)
    assert r.status_code == 200 and r.json() == copy
    # the chat id itself is not a share id
    r = stack.get(f"{C}/share/{c['id']}", other.token)
    assert r.status_code == 401 and r.json() == {"detail": NOT_FOUND}
    # sharing again refreshes the same copy
    stack.post(f"{C}/{c['id']}", user.token, json={"chat": {"title": "v2"}})
    r = stack.post(f"{C}/{c['id']}/share", user.token)
    assert r.json()["id"] == copy["id"] and r.json()["title"] == "v2"
    assert stack.get(f"{C}/share/{copy['id']}", other.token).json()[
        "chat"]["title"] == "v2"
    n = stack.sql("SELECT COUNT(*) AS n FROM chat WHERE user_id = ?",
                  (f"shared-{c['id']}",))[0]["n"]
    assert n == 1
    # someone else cannot unshare it
    r = stack.delete(f"{C}/{c['id']}/share", other.token)
    assert r.status_code == 401 and r.json() == {"detail": ACCESS_PROHIBITED}
    r = stack.delete(f"{C}/{c['id']}/share", user.token)
    assert r.status_code == 200 and r.json() is True
    assert row(stack, copy["id"]) is None
    assert row(stack, c["id"])["share_id"] is None
    r = stack.get(f"{C}/share/{copy['id']}", other.token)
    assert r.status_code == 401 and r.json() == {"detail": NOT_FOUND}
    r = stack.delete(f"{C}/{c['id']}/share", user.token)
    assert r.status_code == 200 and r.json() is False


def test_clone_and_clone_shared(stack, user, other):
    d = doc("Orig")
    c = new(stack, user, d)
    r = stack.post(f"{C}/{c['id']}/clone", user.token, json={})
    assert r.status_code == 200, r.text
    cl = r.json()
    assert cl["id"] != c["id"] and cl["title"] == "Clone of Orig"
    assert cl["chat"] == {**d, "originalChatId": c["id"],
                          "branchPointMessageId": "m1",
                          "title": "Clone of Orig"}
    r = stack.post(f"{C}/{c['id']}/clone", user.token, json={"title": "Mine"})
    assert r.json()["title"] == "Mine"
    r = stack.post(f"{C}/{c['id']}/clone", other.token, json={})
    assert r.status_code == 401 and r.json() == {"detail": DEFAULT}
    r = stack.post(f"{C}/{c['id']}/clone/shared", other.token)
    assert r.status_code == 401 and r.json() == {"detail": DEFAULT}
    share = stack.post(f"{C}/{c['id']}/share", user.token).json()
    r = stack.post(f"{C}/{share['id']}/clone/shared", other.token)
    assert r.status_code == 200, r.text
    mine = r.json()
    assert mine["user_id"] == other.id and mine["title"] == "Clone of Orig"
    assert mine["chat"]["originalChatId"] == share["id"]
    assert stack.get(f"{C}/{mine['id']}", other.token).status_code == 200


# -- delete -----------------------------------------------------------------

def test_delete_one_and_all(stack, admin):
    from conftest import Account
    mk = [add_user(stack, admin.token, n, f"{n}@example.com", "Passw0rd!",
                   "user") for n in ("del1", "del2")]
    u, v = (Account(stack, m, "Passw0rd!") for m in mk)
    a, b = new(stack, u)["id"], new(stack, u)["id"]
    share = stack.post(f"{C}/{a}/share", u.token).json()
    theirs = new(stack, v)["id"]
    # someone else's chat is not deleted
    r = stack.delete(f"{C}/{theirs}", u.token)
    assert r.status_code == 200
    assert row(stack, theirs) is not None
    r = stack.delete(f"{C}/{a}", u.token)
    assert r.status_code == 200 and r.json() is True
    assert row(stack, a) is None and row(stack, share["id"]) is None
    assert stack.get(f"{C}/{a}", u.token).status_code == 401
    r = stack.delete(f"{C}/{uuid.uuid4()}", u.token)
    assert r.status_code == 500
    c = new(stack, u)["id"]
    share = stack.post(f"{C}/{c}/share", u.token).json()
    r = stack.delete(f"{C}/", u.token)
    assert r.status_code == 200 and r.json() is True
    assert stack.get(f"{C}/all", u.token).json() == []
    assert row(stack, share["id"]) is None and row(stack, b) is None
    assert row(stack, theirs) is not None
    # an admin deletes any chat
    r = stack.delete(f"{C}/{theirs}", admin.token)
    assert r.status_code == 200 and r.json() is True
    assert row(stack, theirs) is None


def test_delete_needs_chat_delete_permission(stack, admin, other):
    c = new(stack, other)["id"]
    perms = stack.get("/api/v1/users/default/permissions",
                      admin.token).json()
    perms["chat"]["delete"] = False
    r = stack.post("/api/v1/users/default/permissions", admin.token,
                   json=perms)
    assert r.status_code == 200, r.text
    try:
        for path in (f"{C}/{c}", f"{C}/"):
            r = stack.delete(path, other.token)
            assert r.status_code == 401
            assert r.json() == {"detail": ACCESS_PROHIBITED}
        assert row(stack, c) is not None
    finally:
        perms["chat"]["delete"] = True
        stack.post("/api/v1/users/default/permissions", admin.token,
                   json=perms)


# -- admin access -----------------------------------------------------------

def test_admin_reads_users_chats(stack, admin, user):
    c = new(stack, user, doc("For admin"))
    r = stack.get(f"{C}/list/user/{user.id}", admin.token)
    assert r.status_code == 200
    assert c["id"] in [x["id"] for x in r.json()]
    assert all(set(x) == TITLE_ID_KEYS for x in r.json())
    r = stack.get(f"{C}/list/user/{user.id}?query=for%20ADMIN", admin.token)
    assert [x["id"] for x in r.json()] == [c["id"]]
    # with ENABLE_ADMIN_CHAT_ACCESS the share route reads any chat by id
    r = stack.get(f"{C}/share/{c['id']}", admin.token)
    assert r.status_code == 200 and r.json() == c
    r = stack.get(f"{C}/share/{c['id']}", user.token)
    assert r.status_code == 401
    # but the owner-only routes stay owner-only
    r = stack.get(f"{C}/{c['id']}", admin.token)
    assert r.status_code == 401 and r.json() == {"detail": NOT_FOUND}
    r = stack.get(f"{C}/all/db", admin.token)
    assert r.status_code == 200
    assert c["id"] in [x["id"] for x in r.json()]


def test_admin_access_switched_off(stack, make_stack):
    from conftest import create_users
    s = make_stack(stack.engine, ENABLE_ADMIN_CHAT_ACCESS="false",
                   ENABLE_ADMIN_EXPORT="false")
    us = create_users(s)
    c = new(s, us.user, doc("Private"))
    share = s.post(f"{C}/{c['id']}/share", us.user.token).json()
    r = s.get(f"{C}/list/user/{us.user.id}", us.admin.token)
    assert r.status_code == 401 and r.json() == {"detail": ACCESS_PROHIBITED}
    r = s.get(f"{C}/all/db", us.admin.token)
    assert r.status_code == 401 and r.json() == {"detail": ACCESS_PROHIBITED}
    r = s.get(f"{C}/share/{c['id']}", us.admin.token)
    assert r.status_code == 401 and r.json() == {"detail": NOT_FOUND}
    r = s.get(f"{C}/share/{share['id']}", us.admin.token)
    assert r.status_code == 200 and r.json() == share
