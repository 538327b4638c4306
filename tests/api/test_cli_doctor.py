"""`cwebui doctor`: on a good stack (settings file, key, data dir,
database, sockets, frontend, web server) every check says "ok"; breaking
one thing at a time gives a "problem: ...; fix: ..." line that names it,
and exit status 1."""

import atexit
import grp
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BUILDDIR

CWEBUI = BUILDDIR / "src" / "cli" / "cwebui"

# A stand-in for the built frontend: what doctor looks for.
FRONTEND = Path(tempfile.mkdtemp(prefix="cwebui-frontend-"))
(FRONTEND / "_app").mkdir()
(FRONTEND / "index.html").write_text("<!doctype html><html><body>"
                                     "</body></html>\n")
atexit.register(shutil.rmtree, FRONTEND, True)

pytestmark = pytest.mark.stack_env(FRONTEND_DIR=str(FRONTEND))

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name

# Every variable doctor reads; the caller's values never leak in.
SETTINGS = ("DATA_DIR", "DATABASE_URL", "WEBUI_SECRET_KEY",
            "WEBUI_JWT_SECRET_KEY", "WEBUI_SECRET_KEY_FILE", "REDIS_URL",
            "CWEBUI_LISTEN", "CWEBUI_FCGI_SOCKET", "CWEBUI_STREAMD_LISTEN",
            "FRONTEND_DIR", "CWEBUI_URL", "CWEBUI_ENV_FILE")


def settings_of(stack):
    return {"DATA_DIR": str(stack.data_dir),
            "DATABASE_URL": stack.database_url,
            "WEBUI_SECRET_KEY": stack.secret,
            "CWEBUI_LISTEN": str(stack.run_dir / "cwebui.sock"),
            "CWEBUI_STREAMD_LISTEN": str(stack.run_dir /
                                         "cwebui-streamd.sock"),
            "FRONTEND_DIR": str(FRONTEND),
            "CWEBUI_URL": stack.url}


def doctor(stack, tmp_path, *args, env_file=None, **changes):
    """Writes the stack's settings (with changes; None drops one) to a
    settings file and runs cwebui -e FILE doctor ARGS as the service user
    running the stack. Returns (exit status, {check line: ...} list)."""
    settings = {**settings_of(stack), **changes}
    if env_file is None:
        env_file = tmp_path / "cwebui.env"
        with open(env_file, "w") as f:
            f.write("# cwebui settings\n\n")
            for k, v in settings.items():
                if v is not None:
                    f.write(f'{k}="{v}"\n')
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    if "--user" not in args:
        args = ("--user", ME) + args
    if "--web-group" not in args:
        args = ("--web-group", MY_GROUP) + args
    p = subprocess.run([str(CWEBUI), "-e", str(env_file), "doctor", *args],
                       env=env, capture_output=True, text=True, timeout=120)
    lines = p.stdout.splitlines()
    assert lines and lines[-1].endswith("found"), p.stdout + p.stderr
    return p.returncode, lines[:-1]


def problems(lines):
    return [x for x in lines if not x.startswith("ok: ")]


def the_problem(rc, lines, *words):
    """Asserts exit 1 and one problem line holding every word; returns
    it."""
    assert rc == 1, lines
    bad = problems(lines)
    found = [x for x in bad if all(w in x for w in words)]
    assert found, f"no problem with {words} in {bad}"
    assert found[0].startswith("problem: ") and "; fix: " in found[0]
    return found[0]


def test_good_stack(stack, tmp_path):
    rc, lines = doctor(stack, tmp_path)
    assert problems(lines) == [] and rc == 0
    text = "\n".join(lines)
    for what in ("settings file", "WEBUI_SECRET_KEY is set", "DATA_DIR",
                 "at revision a5c220713937", "REDIS_URL is not set",
                 "cwebui-fcgi socket", "answers GET /health",
                 "cwebui-streamd socket", "Socket.IO handshake",
                 "FRONTEND_DIR", "/health through the web server",
                 "/api/config through the web server",
                 "/ws/socket.io/?EIO=4&transport=polling through",
                 "reaches the frontend"):
        assert what in text, what
    assert len(lines) == 14


def test_settings_file(stack, tmp_path):
    rc, lines = doctor(stack, tmp_path, env_file=tmp_path / "missing.env")
    the_problem(rc, lines, "settings file", "missing.env",
                "does not exist")
    bad = tmp_path / "bad.env"
    bad.write_text("".join(f"{k}={v}\n" for k, v in
                           settings_of(stack).items()) + "not a setting\n")
    rc, lines = doctor(stack, tmp_path, env_file=bad)
    the_problem(rc, lines, "line 8 of", "is not NAME=value")
    assert len(problems(lines)) == 1


def test_secret_key(stack, tmp_path):
    key = tmp_path / "key"
    rc, lines = doctor(stack, tmp_path, WEBUI_SECRET_KEY=None,
                       WEBUI_SECRET_KEY_FILE=str(key))
    the_problem(rc, lines, "no WEBUI_SECRET_KEY and no key file", str(key))
    key.write_text(stack.secret)
    key.chmod(0o644)
    rc, lines = doctor(stack, tmp_path, WEBUI_SECRET_KEY=None,
                       WEBUI_SECRET_KEY_FILE=str(key))
    the_problem(rc, lines, str(key), "readable by every local user",
                "chmod 600")
    key.chmod(0o600)
    rc, lines = doctor(stack, tmp_path, WEBUI_SECRET_KEY=None,
                       WEBUI_SECRET_KEY_FILE=str(key))
    assert rc == 0, problems(lines)
    rc, lines = doctor(stack, tmp_path, WEBUI_SECRET_KEY="t0p-s3cr3t")
    the_problem(rc, lines, "public example value")


def test_data_dir(stack, tmp_path):
    rc, lines = doctor(stack, tmp_path, DATA_DIR=str(tmp_path / "none"))
    the_problem(rc, lines, "DATA_DIR", "none", "is not a directory")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    rc, lines = doctor(stack, tmp_path, "--user", "nobody",
                       DATA_DIR=str(private))
    the_problem(rc, lines, "DATA_DIR", "not writable by the service user "
                "nobody")


def test_database(stack, tmp_path, request):
    rc, lines = doctor(stack, tmp_path,
                       DATABASE_URL="postgresql://u:pw@127.0.0.1:1/x")
    line = the_problem(rc, lines, "could not open the database",
                       "postgresql://u:***@127.0.0.1:1/x")
    assert ":pw@" not in line
    missing = tmp_path / "missing.db"
    rc, lines = doctor(stack, tmp_path, DATABASE_URL=f"sqlite:///{missing}")
    the_problem(rc, lines, str(missing), "does not exist", "cwebui migrate")
    assert not missing.exists()
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as c:
        c.execute("CREATE TABLE alembic_version (version_num TEXT)")
        c.execute("INSERT INTO alembic_version VALUES ('922e7a387820')")
    rc, lines = doctor(stack, tmp_path, DATABASE_URL=f"sqlite:///{old}")
    the_problem(rc, lines, "alembic revision 922e7a387820",
                "needs a5c220713937")
    if stack.engine == "pg":
        pg = request.getfixturevalue("pg_cluster")
        name = pg.create_database()
        try:
            rc, lines = doctor(stack, tmp_path, DATABASE_URL=pg.url(name))
        finally:
            pg.drop_database(name)
    else:
        empty = tmp_path / "empty.db"
        sqlite3.connect(empty).close()
        rc, lines = doctor(stack, tmp_path, DATABASE_URL=f"sqlite:///{empty}")
    the_problem(rc, lines, "is empty", "cwebui migrate")


def test_redis(stack, tmp_path, redis_server):
    rc, lines = doctor(stack, tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    the_problem(rc, lines, "Redis", "redis://127.0.0.1:1/0",
                "does not answer")
    rc, lines = doctor(stack, tmp_path, REDIS_URL=redis_server.url)
    assert rc == 0, problems(lines)
    assert any("answers PING" in x for x in lines)


def test_sockets(stack, tmp_path):
    rc, lines = doctor(stack, tmp_path,
                       CWEBUI_LISTEN=str(tmp_path / "nowhere.sock"))
    the_problem(rc, lines, "cwebui-fcgi socket", "nowhere.sock",
                "No such file")
    dead = str(tmp_path / "dead.sock")
    s = socket.socket(socket.AF_UNIX)
    s.bind(dead)
    s.close()
    os.chmod(dead, 0o660)
    rc, lines = doctor(stack, tmp_path, CWEBUI_LISTEN=dead)
    the_problem(rc, lines, "cwebui-fcgi does not answer", "dead.sock",
                "refused")
    rc, lines = doctor(stack, tmp_path, CWEBUI_STREAMD_LISTEN=dead)
    the_problem(rc, lines, "cwebui-streamd does not answer", "dead.sock")
    rc, lines = doctor(stack, tmp_path,
                       CWEBUI_STREAMD_LISTEN=str(tmp_path / "no.sock"))
    the_problem(rc, lines, "cwebui-streamd socket", "no.sock")
    other = "www-data" if MY_GROUP != "www-data" else "nogroup"
    rc, lines = doctor(stack, tmp_path, "--web-group", other)
    the_problem(rc, lines, "cwebui-fcgi socket", f"(group {other}) cannot "
                "connect")
    the_problem(rc, lines, "cwebui-streamd socket", f"(group {other}) "
                "cannot connect")
    os.chmod(dead, 0o666)
    rc, lines = doctor(stack, tmp_path, CWEBUI_LISTEN=dead)
    the_problem(rc, lines, "every local user can talk to it")


def test_frontend(stack, tmp_path):
    rc, lines = doctor(stack, tmp_path, FRONTEND_DIR=None)
    the_problem(rc, lines, "FRONTEND_DIR is not set")
    rc, lines = doctor(stack, tmp_path, FRONTEND_DIR=str(tmp_path))
    the_problem(rc, lines, "FRONTEND_DIR", "no index.html or no _app/")


def test_web_server(stack, tmp_path):
    rc, lines = doctor(stack, tmp_path, "--url", "http://127.0.0.1:1")
    the_problem(rc, lines, "nothing answers GET http://127.0.0.1:1/health")
    assert len(problems(lines)) == 1
    # a site where /health is not passed on: the frontend answers it
    rc, lines = doctor(stack, tmp_path, CWEBUI_URL=stack.url + "/elsewhere")
    the_problem(rc, lines, "/elsewhere/health through the web server "
                "answers", "passes /health to cwebui-fcgi")


def serve_once(path, parts, pause=0.2):
    """A stand-in for cwebui-streamd on the unix socket path: answers one
    request with the byte strings of parts, written one at a time, pause
    seconds apart, until the client goes away."""
    import threading
    import time
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    os.chmod(path, 0o660)
    srv.listen(1)

    def run():
        conn, _ = srv.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            try:
                for part in parts:
                    conn.sendall(part)
                    time.sleep(pause)
            except OSError:
                pass
        srv.close()
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_streamd_chunked(stack, tmp_path):
    """A chunked handshake is decoded chunk by chunk: data that looks like
    the last chunk does not end it; a malformed one is a problem."""
    head = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    sock = str(tmp_path / "chunked.sock")
    t = serve_once(sock, [head + b"8\r\nx\r\n0\r\n\r\n\r\n",
                          b"d\r\n{\"sid\":\"abc\"}\r\n0\r\n\r\n"])
    rc, lines = doctor(stack, tmp_path, CWEBUI_STREAMD_LISTEN=sock)
    t.join(10)
    assert any(x.startswith("ok: cwebui-streamd answers a Socket.IO "
                            "handshake") for x in lines), "\n".join(lines)
    os.unlink(sock)
    t = serve_once(sock, [head + b"zz\r\nhello\r\n0\r\n\r\n"])
    rc, lines = doctor(stack, tmp_path, CWEBUI_STREAMD_LISTEN=sock)
    t.join(10)
    the_problem(rc, lines, "cwebui-streamd does not answer",
                "malformed or incomplete chunked body")


def test_streamd_trickle(stack, tmp_path):
    """An answer that comes a byte at a time is given up after the probe's
    time limit (5 s), not after the whole megabyte it may read."""
    sock = str(tmp_path / "trickle.sock")
    t = serve_once(sock, [b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"]
                   + [b"x"] * 1000, pause=0.5)
    rc, lines = doctor(stack, tmp_path, CWEBUI_STREAMD_LISTEN=sock)
    the_problem(rc, lines, "cwebui-streamd does not answer",
                "no whole answer", "timed out")
    t.join(10)
