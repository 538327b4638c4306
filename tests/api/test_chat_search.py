"""GET /api/v1/chats/search (routers/chats.py search_user_chats) on both
engines: a fixed corpus of chats, made through the API, with non-ASCII
titles and message contents, tags, a pinned, an archived and a shared chat
and chats in a folder tree; every filter of the query language and their
combinations give exactly the expected chats, newest first, 60 a page.

Case folding follows PostgreSQL in a UTF-8 locale (Unicode-aware ILIKE and
lower()); SQLite's LIKE and lower() only fold ASCII, so on SQLite Python
would miss "ÉCOLE" for "école": cwebui answers as on PostgreSQL."""

import pytest

from helpers import ACCESS_PROHIBITED, NOT_AUTHENTICATED

C = "/api/v1/chats"


# name: (title, message contents, newest first by position)
CORPUS = [
    ("uber", "Übermäßig lange Reise", ["hello world"]),
    ("jp", "日本語の勉強", ["今日は"]),
    ("ecole_title", "ÉCOLE notes", ["nothing here"]),
    ("ecole_msg", "misc", ["Je vais à l'école demain"]),
    ("emoji", "Emoji 🎉 party", ["🎉🎉"]),
    ("archived", "Archived stuff", ["old école"]),
    ("shared", "Shared thing", ["Hello again"]),
    ("in_folder", "In folder", ["folder content"]),
    ("in_sub", "In subfolder", ["x"]),
    ("wild", "100% sure_thing", []),
    ("list_content", "plain", [[{"type": "text", "text": "a needle"}]]),
]
ALL_ACTIVE = [n for n, _, _ in CORPUS if n != "archived"]


def new_chat(stack, token, title, contents):
    msgs = [{"id": f"m{i}", "role": "user", "content": c}
            for i, c in enumerate(contents)]
    r = stack.post(C + "/new", token, json={"chat": {
        "title": title, "messages": msgs,
        "history": {"messages": {m["id"]: m for m in msgs},
                    "currentId": msgs[-1]["id"] if msgs else None}}})
    assert r.status_code == 200, r.text
    return r.json()["id"]


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def corpus(stack, users):
    """Makes the corpus for users.user; returns {name: chat id}."""
    tok = users.user.token
    ids = {name: new_chat(stack, tok, title, contents)
           for name, title, contents in CORPUS}
    for name, tag in [("jp", "work"), ("shared", "work"),
                      ("shared", "Project X")]:
        ok(stack.post(f"{C}/{ids[name]}/tags", tok, json={"name": tag}))
    ok(stack.post(f"{C}/{ids['emoji']}/pin", tok))
    ok(stack.post(f"{C}/{ids['archived']}/archive", tok))
    ok(stack.post(f"{C}/{ids['shared']}/share", tok))
    top = ok(stack.post("/api/v1/folders/", tok, json={"name": "My Projects"}))
    sub = ok(stack.post("/api/v1/folders/", tok, json={"name": "Sub  Stuff"}))
    ok(stack.post(f"/api/v1/folders/{sub['id']}/update/parent", tok,
                  json={"parent_id": top["id"]}))
    ok(stack.post(f"{C}/{ids['in_folder']}/folder", tok,
                  json={"folder_id": top["id"]}))
    ok(stack.post(f"{C}/{ids['in_sub']}/folder", tok,
                  json={"folder_id": sub["id"]}))
    # a fixed order: the first of CORPUS is the newest
    for i, (name, _, _) in enumerate(CORPUS):
        stack.sql("UPDATE chat SET updated_at = ? WHERE id = ?",
                  (2000 - i, ids[name]))
    # another user's chat that would match everything
    other = new_chat(stack, users.admin.token, "Übermäßig école hello",
                     ["hello école 日本語 🎉 needle"])
    ok(stack.post(f"{C}/{other}/tags", users.admin.token,
                  json={"name": "work"}))
    return ids


def search(stack, token, text, page=None):
    params = {"text": text}
    if page is not None:
        params["page"] = page
    return ok(stack.get(C + "/search", token, params=params))


CASES = [
    ("", ALL_ACTIVE),
    ("   ", ALL_ACTIVE),
    ("übermäßig", ["uber"]),
    ("ÜBERMÄSSIG", []),
    ("ÜBERMÄẞIG lange", ["uber"]),
    ("lange reise", ["uber"]),
    ("reise lange", []),            # the rest is one phrase, not words
    ("日本語", ["jp"]),
    ("今日", ["jp"]),
    ("école", ["ecole_title", "ecole_msg"]),
    ("ÉCOLE", ["ecole_title", "ecole_msg"]),
    ("🎉", ["emoji"]),
    ("HELLO", ["uber", "shared"]),
    ("needle", ["list_content"]),
    ("100%", ["wild"]),
    ("ure%hing", ["wild"]),         # % and _ are LIKE wildcards
    ("sure_th", ["wild"]),
    ("e_thing", ["wild"]),
    ("tag:work", ["jp", "shared"]),
    ("TAG:Work", ["jp", "shared"]),
    ("tag:work hello", ["shared"]),
    ("tag:work tag:project_x", ["shared"]),
    ("tag:project_x tag:nope", []),
    ("tag:tatag:g:work", []),       # str.replace is one pass: "tag:work"
    ("tag:none", [n for n in ALL_ACTIVE if n not in ("jp", "shared")]),
    ("tag:none école", ["ecole_title", "ecole_msg"]),
    ("pinned:true", ["emoji"]),
    ("pinned:false 🎉", []),
    ("archived:true", ["archived"]),
    ("archived:true école", ["archived"]),
    ("archived:false école", ["ecole_title", "ecole_msg"]),
    ("shared:true", ["shared"]),
    ("shared:false hello", ["uber"]),
    ("shared:true tag:work", ["shared"]),
    ("folder:my_projects", ["in_folder", "in_sub"]),
    ("folder:MY_PROJECTS subfolder", ["in_sub"]),
    ("folder:sub_stuff", ["in_sub"]),
    ("folder:nowhere hello", ["uber", "shared"]),   # no folder: no filter
    ("folder:sub_stuff tag:work", []),
    ("nothing matches this", []),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0] or "empty"
                                                      for c in CASES])
def test_search(stack, users, corpus, text, expected):
    got = search(stack, users.user.token, text)
    assert [c["id"] for c in got] == [corpus[n] for n in expected]
    for c in got:
        assert set(c) == {"id", "title", "updated_at", "created_at"}


def test_search_fields(stack, users, corpus):
    got = search(stack, users.user.token, "日本語")
    row = stack.sql("SELECT title, created_at, updated_at FROM chat "
                    "WHERE id = ?", (corpus["jp"],))[0]
    assert got == [{"id": corpus["jp"], "title": "日本語の勉強",
                    "updated_at": row["updated_at"],
                    "created_at": row["created_at"]}]


def test_search_other_user_sees_own(stack, users, corpus):
    got = search(stack, users.admin.token, "hello")
    assert len(got) == 1 and got[0]["id"] not in corpus.values()


def test_search_pages(stack, users):
    tok = users.admin.token
    ids = [new_chat(stack, tok, f"bulkpage {i}", []) for i in range(65)]
    for i, cid in enumerate(ids):
        stack.sql("UPDATE chat SET updated_at = ? WHERE id = ?",
                  (5000 + i, cid))
    newest = list(reversed(ids))
    assert [c["id"] for c in search(stack, tok, "BULKPAGE")] == newest[:60]
    assert [c["id"] for c in search(stack, tok, "bulkpage", 1)] == \
        newest[:60]
    assert [c["id"] for c in search(stack, tok, "bulkpage", 2)] == \
        newest[60:]
    assert search(stack, tok, "bulkpage", 3) == []
    assert [c["id"] for c in search(stack, tok, "bulkpage", " 2 ")] == \
        newest[60:]


def test_search_validation(stack, users, corpus):
    r = stack.get(C + "/search", users.user.token)
    assert r.status_code == 422
    assert r.json() == {"detail": [{"type": "missing",
                                    "loc": ["query", "text"],
                                    "msg": "Field required",
                                    "input": None}]}
    r = stack.get(C + "/search", users.user.token,
                  params={"text": "x", "page": "two"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["query", "page"]
    assert r.json()["detail"][0]["type"] == "int_parsing"


def test_search_no_token_and_pending(stack, users, corpus):
    r = stack.get(C + "/search", params={"text": "hello"})
    assert r.status_code == 401
    assert r.json() == {"detail": NOT_AUTHENTICATED}
    r = stack.get(C + "/search", users.pending.token,
                  params={"text": "hello"})
    assert r.status_code == 401
    assert r.json() == {"detail": ACCESS_PROHIBITED}


def test_search_unused_tag_deleted(stack, users, corpus):
    """A search for one tag that finds nothing on page 1 deletes the tag
    row (Python's clean-up); a tag in use is kept."""
    uid = users.user.id
    stack.sql("INSERT INTO tag (id, name, user_id, meta) "
              "VALUES (?, ?, ?, NULL)", ("ghost", "Ghost", uid))
    assert search(stack, users.user.token, "tag:ghost", 2) == []
    assert stack.sql("SELECT id FROM tag WHERE id = ? AND user_id = ?",
                     ("ghost", uid)) != []
    assert search(stack, users.user.token, "tag:ghost") == []
    assert stack.sql("SELECT id FROM tag WHERE id = ? AND user_id = ?",
                     ("ghost", uid)) == []
    assert len(search(stack, users.user.token, "tag:work")) == 2
    assert stack.sql("SELECT id FROM tag WHERE id = ? AND user_id = ?",
                     ("work", uid)) != []


def test_search_large_documents(stack, users):
    """Matches deep in big documents, across more chats than one batch."""
    tok = users.admin.token
    filler = "lorem ipsum " * 20000
    ids = []
    for i in range(55):
        last = "Zürich Ümlaut" if i in (3, 52) else "nope"
        ids.append(new_chat(stack, tok, f"big {i}", [filler, last]))
    for i, cid in enumerate(ids):
        stack.sql("UPDATE chat SET updated_at = ? WHERE id = ?",
                  (9000 - i, cid))
    got = search(stack, tok, "zürich ümlaut")
    assert [c["id"] for c in got] == [ids[3], ids[52]]
