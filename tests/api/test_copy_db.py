"""`cwebui copy-db SOURCE DESTINATION`: an installation built through the
API on one engine is copied to an empty database on the same or the other
engine; a stack started on the copy (same secret key) accepts the same
passwords, tokens and API key and answers the same chats, tags, folders,
models, groups and settings, and every table holds as many rows."""

import datetime
import json
import os
import sqlite3
import subprocess
import time

import pytest

from conftest import BUILDDIR, ENGINES, Stack, create_users

CWEBUI = BUILDDIR / "src" / "cli" / "cwebui"

# Every table of the Open WebUI 0.6.32 schema.
TABLES = ("alembic_version", "auth", "channel", "channel_member", "chat",
          "chatidtag", "config", "document", "feedback", "file", "folder",
          "function", "group", "knowledge", "memory", "message",
          "message_reaction", "migratehistory", "model", "note",
          "oauth_session", "prompt", "tag", "tool", "user")

MEMORIES = 450      # more than two of copy-db's batches

C = "/api/v1/chats"


def cwebui(*args):
    """Runs the cwebui command (no settings file); returns the process."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DATA_DIR", "CWEBUI_ENV_FILE")}
    return subprocess.run([str(CWEBUI), "-e", "/dev/null", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def ok(r):
    assert r.status_code == 200, f"{r.request.method} {r.url}: " \
        f"{r.status_code} {r.text[:300]}"
    return r.json()


def empty_database(make_stack, tmp_path, engine):
    """A URL for an empty database (dropped with the stacks), and the
    (cluster, name) of a PostgreSQL one."""
    if engine == "sqlite":
        return f"sqlite:///{tmp_path / 'copy.db'}", None, None
    pg = make_stack._request.getfixturevalue("pg_cluster")
    name = pg.create_database()
    return pg.url(name), pg, name


def stack_on(make_stack, engine, url, secret, pg=None, dbname=None):
    """A started stack on an existing database with the given secret."""
    root = make_stack._tmp.mktemp(f"stack-{engine}-copy-")
    s = Stack(f"{engine}:{root.name}", engine, root, url, {}, pg, dbname)
    s._secret = secret
    return make_stack._start(s)


def populate(stack):
    """Users, an API key, chats with tags (one pinned, one archived, one
    in a folder), a model, a group, changed settings, and rows the API
    does not write here (file, function, many memories)."""
    users = create_users(stack)
    admin, user = users.admin, users.user
    key = ok(stack.post("/api/v1/auths/api_key", token=user.token))["api_key"]
    chats = []
    for title in ("First chat", "Ünïcode chat", "Archived chat"):
        c = ok(stack.post(f"{C}/new", token=user.token, json={"chat": {
            "title": title, "models": ["m"],
            "history": {"currentId": "m1", "messages": {"m1": {
                "id": "m1", "role": "user", "content": f"hi {title}"}}},
            "messages": [{"id": "m1", "role": "user",
                          "content": f"hi {title}"}]}}))
        chats.append(c["id"])
    ok(stack.post(f"{C}/{chats[0]}/tags", token=user.token,
                  json={"name": "Work"}))
    ok(stack.post(f"{C}/{chats[1]}/tags", token=user.token,
                  json={"name": "Work"}))
    ok(stack.post(f"{C}/{chats[1]}/tags", token=user.token,
                  json={"name": "Trip 2025"}))
    ok(stack.post(f"{C}/{chats[0]}/pin", token=user.token))
    ok(stack.post(f"{C}/{chats[2]}/archive", token=user.token))
    folder = ok(stack.post("/api/v1/folders/", token=user.token,
                           json={"name": "Projects"}))
    ok(stack.post(f"{C}/{chats[1]}/folder", token=user.token,
                  json={"folder_id": folder["id"]}))
    ok(stack.post("/api/v1/models/create", token=admin.token, json={
        "id": "preset", "name": "Preset", "base_model_id": "gpt-x",
        "meta": {"description": "a preset"}, "params": {"temperature": 0.5},
        "access_control": None}))
    g = ok(stack.post("/api/v1/groups/create", token=admin.token,
                      json={"name": "Team", "description": "the team"}))
    ok(stack.post(f"/api/v1/groups/id/{g['id']}/users/add", token=admin.token,
                  json={"user_ids": [user.id]}))
    cfg = ok(stack.get("/api/v1/auths/admin/config", token=admin.token))
    cfg.update(DEFAULT_USER_ROLE="user", WEBUI_URL="http://chat.example")
    ok(stack.post("/api/v1/auths/admin/config", token=admin.token, json=cfg))
    now = int(time.time())
    stack.sql('INSERT INTO "file" (id, user_id, filename, meta, created_at, '
              'hash, data, updated_at, path, access_control) '
              'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
              ("f1", user.id, "notes.txt",
               json.dumps({"name": "notes.txt", "size": 5}), now, "abc",
               json.dumps({"content": "hello"}), now,
               "/data/uploads/f1_notes.txt", None))
    stack.sql('INSERT INTO "function" (id, user_id, name, type, content, '
              'meta, created_at, updated_at, valves, is_active, is_global) '
              'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
              ("fn", admin.id, "Fn", "filter", "class Filter: pass", "{}",
               now, now, None, True, False))
    for i in range(MEMORIES):
        stack.sql('INSERT INTO "memory" (id, user_id, content, updated_at, '
                  'created_at) VALUES (?, ?, ?, ?, ?)',
                  (f"mem{i:04d}", user.id, f"fact {i}", now + i, now))
    return users, key, chats


def view(stack, users, chats):
    """What the API shows of the installation, with the user's and the
    admin's tokens."""
    u, a = users.user.token, users.admin.token
    out = {f"chat {c}": ok(stack.get(f"{C}/{c}", token=u)) for c in chats}
    for path in (f"{C}/all/tags", f"{C}/pinned", f"{C}/archived",
                 "/api/v1/folders/", f"{C}/list"):
        out[path] = ok(stack.get(path, token=u))
    for path in ("/api/v1/models/", "/api/v1/groups/",
                 "/api/v1/auths/admin/config", "/api/config"):
        out[path] = ok(stack.get(path, token=a))
    listed = ok(stack.get("/api/v1/users/", token=a))
    listed = listed["users"] if isinstance(listed, dict) else listed
    out["users"] = sorted((x["id"], x["email"], x["role"], x["name"])
                          for x in listed)
    return out


def rows(stack, table, order):
    """The rows of table as dicts, booleans as bool on both engines."""
    got = stack.sql(f'SELECT * FROM "{table}" ORDER BY {order}')
    return [{k: (bool(v) if k in ("is_active", "is_global") else v)
             for k, v in r.items()} for r in got]


def counts(stack):
    return {t: stack.sql(f'SELECT count(*) AS n FROM "{t}"')[0]["n"]
            for t in TABLES}


@pytest.mark.parametrize("src_engine,dst_engine",
                         [(s, d) for s in ENGINES for d in ENGINES],
                         ids=lambda e: e)
def test_copy_db(make_stack, tmp_path, src_engine, dst_engine):
    src = make_stack(src_engine)
    users, key, chats = populate(src)
    before = view(src, users, chats)
    src.stop()

    url, pg, dbname = empty_database(make_stack, tmp_path, dst_engine)
    p = cwebui("copy-db", src.database_url, url)
    assert p.returncode == 0, p.stderr
    # plain progress lines (stderr is not a terminal), a table of counts
    assert f"copied memory: {MEMORIES}/{MEMORIES} rows" in p.stderr
    assert "copied: every table holds as many rows" in p.stdout
    for t in TABLES:
        assert any(line.split()[:1] == [t] for line in p.stdout.splitlines())

    dst = stack_on(make_stack, dst_engine, url, src.secret, pg, dbname)
    assert counts(dst) == counts(src)
    assert counts(dst)["memory"] == MEMORIES
    assert rows(dst, "file", "id") == rows(src, "file", "id")
    assert rows(dst, "function", "id") == rows(src, "function", "id")
    assert rows(dst, "alembic_version", "version_num") == \
        [{"version_num": "a5c220713937"}]
    assert dst.sql("SELECT name FROM migratehistory ORDER BY id") == \
        src.sql("SELECT name FROM migratehistory ORDER BY id")

    # the tokens of the source still work, the same view comes back
    assert view(dst, users, chats) == before
    me = ok(dst.get("/api/v1/auths/", token=key))
    assert me["id"] == users.user.id
    for acct in (users.admin, users.user):
        r = ok(dst.post("/api/v1/auths/signin", json={
            "email": acct.email, "password": acct.password}))
        assert r["id"] == acct.id and r["role"] == acct.role
    if dst_engine == "sqlite":
        # booleans and times stored as SQLAlchemy stores them on SQLite
        for table, col in (("chat", "archived"), ("chat", "pinned"),
                           ("chat", "created_at"), ("auth", "active"),
                           ("function", "is_active"), ("model", "is_active"),
                           ("folder", "is_expanded"), ("user", "created_at")):
            types = dst.sql(f'SELECT DISTINCT typeof("{col}") AS t '
                            f'FROM "{table}" WHERE "{col}" IS NOT NULL')
            assert types == [{"t": "integer"}], (table, col)
    if dst_engine == "pg":
        # the sequences were moved past the copied ids
        n = dst.sql("SELECT nextval(pg_get_serial_sequence("
                    "'migratehistory', 'id')) AS n")[0]["n"]
        assert n == 19

    # a second copy into the now non-empty destination is refused cleanly
    ok(dst.post(f"{C}/new", token=users.user.token,
                json={"chat": {"title": "made on the copy"}}))
    after = counts(dst)
    p = cwebui("copy-db", src.database_url, url)
    assert p.returncode == 1
    assert "already holds data (table chat: 4 rows)" in p.stderr
    assert "nothing was written" in p.stderr
    assert counts(dst) == after

    # --force replaces the destination's data with the source's
    dst.stop()
    p = cwebui("copy-db", "--force", src.database_url, url)
    assert p.returncode == 0, p.stderr
    assert counts(dst) == counts(src)


def test_bad_urls(tmp_path):
    dst = f"sqlite:///{tmp_path / 'dst.db'}"
    p = cwebui("copy-db", "mysql://u@h/db", dst)
    assert p.returncode == 2
    assert 'the source "mysql://u@h/db" is not a database URL' in p.stderr
    p = cwebui("copy-db", f"sqlite:///{tmp_path / 'missing.db'}", dst)
    assert p.returncode == 2
    assert "missing.db does not exist" in p.stderr
    assert not (tmp_path / "missing.db").exists()
    p = cwebui("copy-db", "postgresql://u:hunter2@127.0.0.1:1/db", dst)
    assert p.returncode == 1
    assert "could not open the source database " \
        "postgresql://u:***@127.0.0.1:1/db" in p.stderr
    assert "hunter2" not in p.stderr
    p = cwebui("copy-db", "postgresql://u@127.0.0.1:1/db?password=hunter2"
               "&sslmode=disable", dst)
    assert p.returncode == 1
    assert "postgresql://u@127.0.0.1:1/db?password=***&sslmode=disable" \
        in p.stderr
    assert "hunter2" not in p.stderr
    p = cwebui("copy-db", dst, dst)
    assert p.returncode == 2 and "the same database" in p.stderr
    p = cwebui("copy-db", dst)
    assert p.returncode == 2 and "usage:" in p.stderr
    assert not (tmp_path / "dst.db").exists()


def sqlalchemy_rows(src_engine):
    """Open WebUI 0.6.32's own column types (models/*.py) for four tables,
    and rows as its code writes them: JSON columns, JSONField text, a
    Boolean that is NULL, nanosecond BigIntegers, a Date, NULLs, large and
    non-ASCII text, and on SQLite a created_at with a fraction (which
    PostgreSQL rounds as it stores it)."""
    from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date,
                            MetaData, String, Table, Text, types)

    class JSONField(types.TypeDecorator):   # open_webui.internal.db
        impl = types.Text
        cache_ok = True

        def process_bind_param(self, value, dialect):
            return json.dumps(value)

    md = MetaData()
    tables = {
        "user": Table(
            "user", md, Column("id", String, primary_key=True),
            Column("name", String), Column("email", String),
            Column("username", String(50)), Column("role", String),
            Column("profile_image_url", Text), Column("bio", Text),
            Column("gender", Text), Column("date_of_birth", Date),
            Column("info", JSONField), Column("settings", JSONField),
            Column("api_key", String), Column("oauth_sub", Text),
            Column("last_active_at", BigInteger),
            Column("updated_at", BigInteger),
            Column("created_at", BigInteger)),
        "chat": Table(
            "chat", md, Column("id", String, primary_key=True),
            Column("user_id", String), Column("title", Text),
            Column("chat", JSON), Column("created_at", BigInteger),
            Column("updated_at", BigInteger), Column("share_id", Text),
            Column("archived", Boolean), Column("pinned", Boolean),
            Column("meta", JSON), Column("folder_id", Text)),
        "message": Table(
            "message", md, Column("id", Text, primary_key=True),
            Column("user_id", Text), Column("channel_id", Text),
            Column("reply_to_id", Text), Column("parent_id", Text),
            Column("content", Text), Column("data", JSON),
            Column("meta", JSON), Column("created_at", BigInteger),
            Column("updated_at", BigInteger)),
        "note": Table(
            "note", md, Column("id", Text, primary_key=True),
            Column("user_id", Text), Column("title", Text),
            Column("data", JSON), Column("meta", JSON),
            Column("access_control", JSON),
            Column("created_at", BigInteger),
            Column("updated_at", BigInteger)),
    }
    big = "Grüße, 世界 🌍 \"quoted\" \\ back\nslash " * 30000   # ~1.1 MB
    ns = 1_761_234_567_891_234_567
    rows = {
        "user": [
            dict(id="u1", name="Zoë", email="zoe@example.com",
                 username=None, role="admin", profile_image_url="/user.png",
                 bio=None, gender=None,
                 date_of_birth=datetime.date(1990, 1, 31),
                 info=None, settings={"ui": {"theme": "dark", "x": 1.5}},
                 api_key=None, oauth_sub=None, last_active_at=1761234567,
                 updated_at=1761234567, created_at=1761234567),
            dict(id="u2", name="Bob", email="bob@example.com",
                 role="user", profile_image_url="data:image/png;base64,"
                 + "A" * 70000, last_active_at=0, updated_at=0,
                 created_at=0)],
        "chat": [
            dict(id="c1", user_id="u1", title="Ünïcode ✓",
                 chat={"title": "Ünïcode ✓", "history": {"messages": {}},
                       "n": 9007199254740993, "f": 0.1, "none": None},
                 created_at=1761234567, updated_at=1761234568,
                 share_id=None, archived=False, pinned=None, meta={},
                 folder_id=None),
            dict(id="c2", user_id="u1", title=big, chat={"big": big},
                 created_at=1761234567.5 if src_engine == "sqlite"
                 else 1761234568, updated_at=1761234567,
                 archived=True, pinned=True, meta={"tags": ["a", "b"]}),
            dict(id="c3", user_id="u2", title="", chat=None,
                 created_at=1, updated_at=2, archived=False, pinned=False,
                 meta=[])],
        "message": [
            dict(id="m1", user_id="u1", channel_id="ch", content=big,
                 data={"files": []}, meta=None, created_at=ns,
                 updated_at=ns + 1),
            dict(id="m2", user_id="u1", channel_id="ch", content=None,
                 created_at=-ns, updated_at=9223372036854775807)],
        "note": [
            dict(id="n1", user_id="u1", title="Nöte",
                 data={"content": {"md": big}}, meta={"a": None},
                 access_control=None, created_at=ns, updated_at=ns)],
    }
    return tables, rows


def sqlalchemy_url(url):
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def raw_rows(url, table):
    """Every row of table exactly as stored: SQLite's storage classes,
    PostgreSQL's text form of each value."""
    import psycopg2
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url[len("sqlite:///"):])
        try:
            cols = [r[1] for r in conn.execute(
                f"SELECT * FROM pragma_table_info('{table}')")]
            sel = ", ".join(f'"{c}", typeof("{c}")' for c in cols)
            return conn.execute(f'SELECT {sel} FROM "{table}" '
                                'ORDER BY id').fetchall()
        finally:
            conn.close()
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = %s ORDER BY ordinal_position",
                        (table,))
            sel = ", ".join(f'"{r[0]}"::text' for r in cur.fetchall())
            cur.execute(f'SELECT {sel} FROM "{table}" ORDER BY id')
            return cur.fetchall()
    finally:
        conn.close()


def fresh_database(request, tmp_path, engine, name, migrate=True):
    """An empty database of engine (with migrate, with the schema);
    returns its URL."""
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / (name + '.db')}"
    else:
        pg = request.getfixturevalue("pg_cluster")
        db = pg.create_database()
        request.addfinalizer(lambda: pg.drop_database(db))
        url = pg.url(db)
    if not migrate:
        return url
    env = {k: v for k, v in os.environ.items() if k != "CWEBUI_ENV_FILE"}
    env.update(DATABASE_URL=url, DATA_DIR=str(tmp_path))
    p = subprocess.run([str(CWEBUI), "-e", "/dev/null", "migrate"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return url


@pytest.mark.parametrize("src_engine,dst_engine",
                         [(s, d) for s in ENGINES for d in ENGINES],
                         ids=lambda e: e)
def test_copy_db_python_rows(request, tmp_path, src_engine, dst_engine):
    """Rows that SQLAlchemy wrote on one engine arrive on the other as
    SQLAlchemy itself would have stored them there (the same rows written
    by SQLAlchemy to a reference database of the destination's engine),
    even from a PostgreSQL server whose DateStyle is not ISO."""
    sa = pytest.importorskip("sqlalchemy")
    tables, rows = sqlalchemy_rows(src_engine)
    src = fresh_database(request, tmp_path, src_engine, "src")
    ref = fresh_database(request, tmp_path, dst_engine, "ref")
    for url in (src, ref):
        engine = sa.create_engine(sqlalchemy_url(url))
        with engine.begin() as conn:
            for name, t in tables.items():
                for r in rows[name]:
                    conn.execute(t.insert(), r)
        engine.dispose()
    if src_engine == "pg":
        src += "&options=-c%20DateStyle%3DGerman"
    dst = fresh_database(request, tmp_path, dst_engine, "dst", False)
    p = cwebui("copy-db", src, dst)
    assert p.returncode == 0, p.stderr
    for name in tables:
        got, want = raw_rows(dst, name), raw_rows(ref, name)
        assert len(got) == len(want), name
        for g, w in zip(got, want):
            diff = [(i, str(a)[:60], str(b)[:60])
                    for i, (a, b) in enumerate(zip(g, w)) if a != b]
            assert diff == [], (name, g[0])



@pytest.mark.skipif("pg" not in ENGINES, reason="needs PostgreSQL")
def test_copy_db_failure_writes_nothing(request, tmp_path):
    """A row PostgreSQL refuses (Python's json.dumps writes NaN, which
    SQLite keeps) in one of the last tables copied: exit 1, and not one
    row of the tables copied before it stays in the destination."""
    src = fresh_database(request, tmp_path, "sqlite", "src")
    conn = sqlite3.connect(src[len("sqlite:///"):])
    conn.execute("INSERT INTO memory (id, user_id, content, updated_at, "
                 "created_at) VALUES ('m', 'u', 'fact', 1, 1)")
    conn.execute("INSERT INTO tool (id, user_id, name, content, specs, meta, "
                 "created_at, updated_at, access_control) VALUES ('t', 'u', "
                 "'t', '', '[]', '{}', 1, 1, ?)", (json.dumps(float("nan")),))
    conn.commit()
    conn.close()
    dst = fresh_database(request, tmp_path, "pg", "dst", False)
    p = cwebui("copy-db", src, dst)
    assert p.returncode == 1
    assert "could not copy table tool" in p.stderr
    assert "nothing was written to the destination" in p.stderr
    assert "holds the empty Open WebUI schema that copy-db created" \
        in p.stderr
    for t in ("memory", "tool"):
        assert raw_rows(dst, t) == []
    assert len(raw_rows(dst, "migratehistory")) == 18
