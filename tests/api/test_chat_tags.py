"""Chat tags on both engines (routers/chats.py): GET /api/v1/chats/all/tags,
POST /api/v1/chats/tags, GET/POST/DELETE /api/v1/chats/{id}/tags and
DELETE /api/v1/chats/{id}/tags/all, checked against the stored rows: the
tag table (id = the name with spaces as underscores, lower-cased; the name
as first given) and chat.meta.tags (the ids)."""

import json

import pytest

from helpers import ACCESS_PROHIBITED, DEFAULT, NOT_AUTHENTICATED, NOT_FOUND

C = "/api/v1/chats"


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def new_chat(stack, token, title, **extra):
    r = stack.post(C + "/new", token, json={"chat": {"title": title,
                                                     "messages": []},
                                            **extra})
    return ok(r)["id"]


def meta_tags(stack, chat_id):
    row = stack.sql("SELECT meta FROM chat WHERE id = ?", (chat_id,))[0]
    return json.loads(row["meta"]).get("tags")


def tag_rows(stack, user_id):
    return {r["id"]: (r["name"], r["meta"]) for r in stack.sql(
        "SELECT id, name, meta FROM tag WHERE user_id = ?", (user_id,))}


def tag_model(tid, name, uid):
    return {"id": tid, "name": name, "user_id": uid, "meta": None}


def test_add_get_remove_round_trip(stack, users):
    tok, uid = users.user.token, users.user.id
    a = new_chat(stack, tok, "tags a")
    before = stack.sql("SELECT updated_at FROM chat WHERE id = ?", (a,))[0]

    got = ok(stack.post(f"{C}/{a}/tags", tok, json={"name": "Project X"}))
    assert got == [tag_model("project_x", "Project X", uid)]
    assert meta_tags(stack, a) == ["project_x"]
    assert tag_rows(stack, uid)["project_x"] == ("Project X", None)

    # the same tag under another spelling is not added twice
    got = ok(stack.post(f"{C}/{a}/tags", tok, json={"name": "project x"}))
    assert got == [tag_model("project_x", "Project X", uid)]
    assert meta_tags(stack, a) == ["project_x"]

    got = ok(stack.post(f"{C}/{a}/tags", tok, json={"name": "Ünïcode Tag"}))
    assert sorted(t["id"] for t in got) == ["project_x", "ünïcode_tag"]
    assert sorted(meta_tags(stack, a)) == ["project_x", "ünïcode_tag"]
    assert tag_rows(stack, uid)["ünïcode_tag"] == ("Ünïcode Tag", None)

    got = ok(stack.get(f"{C}/{a}/tags", tok))
    assert sorted(t["id"] for t in got) == ["project_x", "ünïcode_tag"]
    # tags leave updated_at alone, as in Python
    assert stack.sql("SELECT updated_at FROM chat WHERE id = ?",
                     (a,))[0] == before

    got = ok(stack.delete(f"{C}/{a}/tags", tok, json={"name": "PROJECT X"}))
    assert got == [tag_model("ünïcode_tag", "Ünïcode Tag", uid)]
    assert meta_tags(stack, a) == ["ünïcode_tag"]
    assert "project_x" not in tag_rows(stack, uid)

    assert ok(stack.delete(f"{C}/{a}/tags/all", tok)) is True
    assert meta_tags(stack, a) == []
    assert "ünïcode_tag" not in tag_rows(stack, uid)
    assert ok(stack.get(f"{C}/{a}/tags", tok)) == []


def test_tag_none_refused(stack, users):
    tok = users.user.token
    a = new_chat(stack, tok, "none")
    for name in ("None", "none", "NONE"):
        r = stack.post(f"{C}/{a}/tags", tok, json={"name": name})
        assert r.status_code == 400
        assert r.json() == {"detail": "[ERROR: Tag name cannot be 'None']"}
    assert not meta_tags(stack, a)
    assert "none" not in tag_rows(stack, users.user.id)


def test_tags_shared_across_chats(stack, users):
    tok, uid = users.user.token, users.user.id
    a = new_chat(stack, tok, "shared a")
    b = new_chat(stack, tok, "shared b")
    ok(stack.post(f"{C}/{a}/tags", tok, json={"name": "Common"}))
    ok(stack.post(f"{C}/{b}/tags", tok, json={"name": "common"}))
    ok(stack.post(f"{C}/{b}/tags", tok, json={"name": "only b"}))
    assert tag_rows(stack, uid)["common"] == ("Common", None)
    assert [r["id"] for r in stack.sql(
        "SELECT id FROM tag WHERE user_id = ? AND id = ?",
        (uid, "common"))] == ["common"]

    got = ok(stack.post(C + "/tags", tok, json={"name": "COMMON"}))
    assert sorted(c["id"] for c in got) == sorted([a, b])
    assert set(got[0]) == {"id", "title", "updated_at", "created_at"}

    all_tags = ok(stack.get(C + "/all/tags", tok))
    assert {t["id"] for t in all_tags} >= {"common", "only_b"}
    assert all(t["user_id"] == uid for t in all_tags)

    # removing it from one chat keeps the row; from the last one, not
    ok(stack.delete(f"{C}/{a}/tags", tok, json={"name": "common"}))
    assert "common" in tag_rows(stack, uid)
    assert ok(stack.post(C + "/tags", tok, json={"name": "common"})) == \
        [c for c in got if c["id"] == b]
    assert ok(stack.delete(f"{C}/{b}/tags/all", tok)) is True
    rows = tag_rows(stack, uid)
    assert "common" not in rows and "only_b" not in rows
    assert meta_tags(stack, b) == []


def test_tags_of_another_user(stack, users):
    tok = users.user.token
    a = new_chat(stack, users.admin.token, "admin's")
    ok(stack.post(f"{C}/{a}/tags", users.admin.token, json={"name": "mine"}))
    r = stack.get(f"{C}/{a}/tags", tok)
    assert (r.status_code, r.json()) == (401, {"detail": NOT_FOUND})
    r = stack.post(f"{C}/{a}/tags", tok, json={"name": "theirs"})
    assert (r.status_code, r.json()) == (401, {"detail": DEFAULT})
    r = stack.delete(f"{C}/{a}/tags", tok, json={"name": "mine"})
    assert (r.status_code, r.json()) == (401, {"detail": NOT_FOUND})
    r = stack.delete(f"{C}/{a}/tags/all", tok)
    assert (r.status_code, r.json()) == (401, {"detail": NOT_FOUND})
    r = stack.get(f"{C}/no-such-chat/tags", tok)
    assert (r.status_code, r.json()) == (401, {"detail": NOT_FOUND})
    assert meta_tags(stack, a) == ["mine"]
    assert "mine" in tag_rows(stack, users.admin.id)
    assert "theirs" not in tag_rows(stack, users.user.id)
    # the other user's tags are not listed, nor their chats by tag
    assert all(t["user_id"] == users.user.id
               for t in ok(stack.get(C + "/all/tags", tok)))
    assert ok(stack.post(C + "/tags", tok, json={"name": "mine"})) == []
    assert "mine" in tag_rows(stack, users.admin.id)


def test_chats_by_tag_deletes_unused_row(stack, users):
    tok, uid = users.user.token, users.user.id
    stack.sql("INSERT INTO tag (id, name, user_id, meta) "
              "VALUES (?, ?, ?, NULL)", ("orphan", "Orphan", uid))
    assert ok(stack.post(C + "/tags", tok,
                         json={"name": "Orphan", "skip": 0,
                               "limit": 10})) == []
    assert "orphan" not in tag_rows(stack, uid)


def test_archived_chats_do_not_keep_a_tag(stack, users):
    """count_chats_by_tag_name_and_user_id leaves archived chats out."""
    tok, uid = users.user.token, users.user.id
    a = new_chat(stack, tok, "arch a")
    b = new_chat(stack, tok, "arch b")
    ok(stack.post(f"{C}/{a}/tags", tok, json={"name": "cold"}))
    ok(stack.post(f"{C}/{b}/tags", tok, json={"name": "cold"}))
    stack.sql("UPDATE chat SET archived = ? WHERE id = ?", (True, a))
    ok(stack.delete(f"{C}/{b}/tags", tok, json={"name": "cold"}))
    assert "cold" not in tag_rows(stack, uid)
    assert meta_tags(stack, a) == ["cold"]
    # listing by tag includes archived chats
    assert [c["id"] for c in ok(stack.post(C + "/tags", tok,
                                           json={"name": "cold"}))] == [a]


def test_python_written_meta(stack, users):
    """meta written by Python (json.dumps, other keys, a repeated id) is
    read and rewritten keeping the other keys."""
    tok, uid = users.user.token, users.user.id
    a = new_chat(stack, tok, "py meta")
    stack.sql("UPDATE chat SET meta = ? WHERE id = ?",
              (json.dumps({"tags": ["x", "y", "x"], "other": {"k": 1}}), a))
    for tid in ("x", "y"):
        stack.sql("INSERT INTO tag (id, name, user_id, meta) "
                  "VALUES (?, ?, ?, ?)", (tid, tid.upper(), uid,
                                          json.dumps({"color": tid})))
    got = ok(stack.get(f"{C}/{a}/tags", tok))
    assert sorted((t["id"], t["name"], t["meta"]["color"]) for t in got) == \
        [("x", "X", "x"), ("y", "Y", "y")]
    ok(stack.delete(f"{C}/{a}/tags", tok, json={"name": "y"}))
    meta = json.loads(stack.sql("SELECT meta FROM chat WHERE id = ?",
                                (a,))[0]["meta"])
    assert meta == {"tags": ["x"], "other": {"k": 1}}
    assert "y" not in tag_rows(stack, uid)


def test_validation(stack, users):
    tok = users.user.token
    a = new_chat(stack, tok, "valid")
    r = stack.post(f"{C}/{a}/tags", tok, json={})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "missing"
    assert r.json()["detail"][0]["loc"] == ["body", "name"]
    r = stack.post(f"{C}/{a}/tags", tok, json={"name": 5})
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "string_type"
    r = stack.delete(f"{C}/{a}/tags", tok)
    assert r.status_code == 422
    r = stack.post(C + "/tags", tok, json={"name": "x", "skip": "a"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "skip"]
    r = stack.post(C + "/tags", tok, data="{nope",
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert meta_tags(stack, a) in (None, [])


ROUTES = [("GET", "/all/tags"), ("POST", "/tags"), ("GET", "/{id}/tags"),
          ("POST", "/{id}/tags"), ("DELETE", "/{id}/tags"),
          ("DELETE", "/{id}/tags/all")]


@pytest.mark.parametrize("method,path", ROUTES)
def test_no_token_and_pending(stack, users, method, path):
    a = new_chat(stack, users.user.token, "auth")
    ok(stack.post(f"{C}/{a}/tags", users.user.token, json={"name": "keep"}))
    p = C + path.replace("{id}", a)
    body = {"name": "keep"} if path.endswith("tags") and \
        method != "GET" else None
    r = stack.request(method, p, json=body)
    assert (r.status_code, r.json()) == (401, {"detail": NOT_AUTHENTICATED})
    r = stack.request(method, p, users.pending.token, json=body)
    assert (r.status_code, r.json()) == (401, {"detail": ACCESS_PROHIBITED})
    assert meta_tags(stack, a) == ["keep"]
