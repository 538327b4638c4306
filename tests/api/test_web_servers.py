"""lighttpd, nginx and Apache each carry the whole API (issue 6): for each
web server (run-stack WEB_SERVER=..., nginx and Apache running the shipped
fcgi-conf/*-cwebui.conf snippets) and each engine, the smoke suite
(tests/smoke/smoke.py, websocket and long-polling), a WebSocket upgrade
spoken byte by byte, a server-sent-events stream that reaches the client
while the provider stalls (and whose end the web server passes on), and
the routing of the frontend, the API and Socket.IO."""

import base64
import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
from types import SimpleNamespace

import pytest
import requests

from conftest import ENGINES, REPO_ROOT, _StackFactory, _free_port
from fakes import fake_provider  # noqa: F401
from helpers import connect_providers

SMOKE = REPO_ROOT / "tests" / "smoke" / "smoke.py"
sys.path.insert(0, str(SMOKE.parent))
from smoke import ADMIN, USER, Smoke  # noqa: E402
WEB_SERVERS = {"lighttpd": "lighttpd", "nginx": "nginx", "apache": "apache2"}
INDEX = "<!doctype html><title>cwebui web server test</title>\n"
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@pytest.fixture(scope="module",
                params=[(w, e) for w in WEB_SERVERS for e in ENGINES],
                ids=lambda p: f"{p[0]}-{p[1]}")
def web_stack(request, tmp_path_factory):
    """A stack behind the web server of the parameter, with a small
    frontend; no model list cache."""
    server, engine = request.param
    if shutil.which(WEB_SERVERS[server]) is None:
        pytest.fail(f"{WEB_SERVERS[server]} not found: install "
                    "tests/packages.txt (tests/install-deps)", pytrace=False)
    front = tmp_path_factory.mktemp("frontend")
    (front / "index.html").write_text(INDEX)
    (front / "_app").mkdir()
    (front / "_app" / "start.js").write_text("export {};\n")
    (front / "static").mkdir()
    (front / "static" / "favicon.png").write_bytes(b"\x89PNG fake")
    f = _StackFactory(request, tmp_path_factory)
    try:
        yield f(engine, WEB_SERVER=server, FRONTEND_DIR=str(front),
                MODELS_CACHE_TTL="0")
    finally:
        f.close()


@pytest.fixture(scope="module")
def web_users(web_stack):
    """The smoke suite's admin and user (signed in, or up when no smoke
    run made them): .admin and .user are their tokens."""
    s = Smoke(web_stack.url, False, 20)
    admin = s.sign_in_or_up(ADMIN)
    assert admin["role"] == "admin", admin
    s.admin = admin["token"]
    user = s.account(USER)
    assert user["role"] == "user", user
    return SimpleNamespace(admin=s.admin, user=user["token"])


def run_smoke(stack, *args):
    p = subprocess.run([sys.executable, str(SMOKE), "--base-url", stack.url,
                        *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0 and p.stdout.endswith(" 0 failed\n"), \
        f"smoke.py {' '.join(args)}: exit {p.returncode}\n{p.stdout}" \
        f"\n{p.stderr[-3000:]}"
    return p.stdout


def test_smoke_websocket(web_stack):
    out = run_smoke(web_stack)
    assert "ok   socket.io: websocket" in out
    assert out.splitlines()[-1] == "10 passed, 0 failed"


def test_smoke_polling(web_stack):
    out = run_smoke(web_stack, "--polling-only")
    assert "ok   socket.io: polling" in out


# -- WebSocket, byte by byte ---------------------------------------------

def ws_frame(payload):
    """A masked client text frame (payloads under 64 KiB)."""
    mask = os.urandom(4)
    n = len(payload)
    head = (bytes([0x81, 0x80 | n]) if n < 126 else
            bytes([0x81, 0x80 | 126]) + struct.pack("!H", n))
    return head + mask + bytes(b ^ mask[i % 4]
                               for i, b in enumerate(payload))


def recv_exactly(s, n):
    out = b""
    while len(out) < n:
        d = s.recv(n - len(out))
        assert d, f"connection closed after {out!r}"
        out += d
    return out


def ws_read(s):
    """One unmasked server frame: (opcode, payload)."""
    b0, b1 = recv_exactly(s, 2)
    assert not b1 & 0x80, "the server masked its frame"
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exactly(s, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", recv_exactly(s, 8))[0]
    return b0 & 0x0F, recv_exactly(s, n)


def test_websocket_upgrade(web_stack, web_users):
    """The upgrade and both directions of the tunnel: 101 with the right
    accept key, the Engine.IO open packet, then a Socket.IO CONNECT
    with the user's token answered with the session."""
    key = base64.b64encode(os.urandom(16))
    s = socket.create_connection(("127.0.0.1", web_stack.port), timeout=15)
    with s:
        s.sendall(b"GET /ws/socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                  b"Host: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                  b"Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                  b"Sec-WebSocket-Version: 13\r\n\r\n"
                  % (web_stack.port, key))
        head = b""
        while b"\r\n\r\n" not in head:
            d = s.recv(1)
            assert d, f"closed during the handshake: {head!r}"
            head += d
        lines = head.decode("latin-1").split("\r\n")
        assert lines[0].startswith("HTTP/1.1 101 "), head
        fields = {k.lower(): v.strip() for k, _, v in
                  (x.partition(":") for x in lines[1:] if x)}
        assert fields["upgrade"].lower() == "websocket"
        assert fields["sec-websocket-accept"] == base64.b64encode(
            hashlib.sha1(key + WS_GUID).digest()).decode()
        op, data = ws_read(s)
        assert op == 1 and data.startswith(b"0{"), data
        assert json.loads(data[1:])["sid"]
        auth = json.dumps({"token": web_users.user}).encode()
        s.sendall(ws_frame(b"40" + auth))
        op, data = ws_read(s)
        assert op == 1 and data.startswith(b"40{"), data
        assert json.loads(data[2:])["sid"]


# -- server-sent events ----------------------------------------------------

def stream(stack, token):
    """POST /api/chat/completions, streamed; returns the open response."""
    r = stack.post("/api/chat/completions", token=token,
                   json={"model": "gpt-web", "stream": True,
                         "messages": [{"role": "user", "content": "hi"}]},
                   stream=True, timeout=15)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/event-stream")
    assert "Content-Length" not in r.headers
    return r


def test_sse_unbuffered(web_stack, web_users, fake_provider):  # noqa: F811
    """The provider sends the role chunk and two words, then stalls
    without ending the stream: the words reach the client anyway."""
    fake_provider.set(models=["gpt-web"], reply="one two three four",
                      hang_after_chunks=3)
    connect_providers(web_stack, web_users.admin, openai=[fake_provider])
    text = ""
    with stream(web_stack, web_users.admin) as r:
        for line in r.iter_lines():
            if line.startswith(b"data:"):
                chunk = json.loads(line[5:])
                text += chunk["choices"][0]["delta"].get("content") or ""
            if text == "one two":
                break
    assert text == "one two"


def test_sse_client_gone_aborts_upstream(web_stack, web_users,
                                         fake_provider):  # noqa: F811
    """The client closing a stream reaches the provider: the web server
    passes the close on (when it next writes) and cwebui-streamd aborts
    the upstream request before its end."""
    fake_provider.set(models=["gpt-web"], chunk_delay_ms=20,
                      reply=" ".join(f"w{i}" for i in range(400)))
    connect_providers(web_stack, web_users.admin, openai=[fake_provider])
    with stream(web_stack, web_users.admin) as r:
        assert next(r.iter_lines()).startswith(b"data:")
    aborts = fake_provider.wait_aborts(1, timeout=20)
    assert aborts[0]["path"] == "/v1/chat/completions"


# -- routing -----------------------------------------------------------------

# path -> (status, what answers): "app" index.html, "file" the file itself,
# "json" cwebui's JSON, "none" the web server's own 404, "sio" streamd.
ROUTES = {
    "/": (200, "app"),
    "/auth?redirect=%2Fc%2Fx": (200, "app"),
    "/c/abc": (200, "app"),
    "/admin/users": (200, "app"),
    "/_app/start.js": (200, "file"),
    "/_app/missing.js": (404, "none"),
    "/static/favicon.png": (200, "file"),
    "/static/missing.png": (404, "none"),
    "/health": (200, "json"),
    "/health/db": (200, "json"),
    "/api/version": (200, "json"),
    "/api/v1/nonexistent?x=1": (404, "json"),
    "/openai/config": (401, "json"),
    "/ollama/config": (401, "json"),
    "/api/tasks": (401, "json"),
    "/api/usage": (401, "json"),
    "/ws/socket.io/?EIO=4&transport=websocket": (400, "sio"),
}


@pytest.mark.parametrize("path", ROUTES)
def test_routing(web_stack, path):
    status, kind = ROUTES[path]
    r = web_stack.get(path)
    assert r.status_code == status, (path, r.text[:300])
    ctype = r.headers.get("Content-Type", "")
    if kind == "app":
        assert ctype.startswith("text/html") and r.text == INDEX, path
    elif kind == "file":
        assert r.content in (b"export {};\n", b"\x89PNG fake"), path
    elif kind == "json":
        assert ctype.startswith("application/json"), (path, ctype)
        r.json()
    elif kind == "sio":
        assert r.json() == "Invalid websocket upgrade"
    else:
        assert r.content != INDEX.encode(), path


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("server", WEB_SERVERS)
def test_without_frontend(make_stack, server, engine):
    """Without FRONTEND_DIR the API is the same; any other path is a 404
    (cwebui's JSON behind lighttpd, the web server's own behind nginx and
    Apache), never a redirection loop."""
    s = make_stack(engine, WEB_SERVER=server)
    for path in ("/", "/auth", "/c/abc", "/_app/x.js", "/static/x.png"):
        assert s.get(path).status_code == 404, path
    r = s.get("/api/v1/nonexistent")
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
    assert s.get("/health").json() == {"status": True}


def test_authorization_and_body_reach_cwebui(web_stack, web_users):
    """The Authorization header through FastCGI, and a 2 MB request body,
    plain and chunked, stored whole."""
    r = web_stack.get("/api/v1/auths/", token=web_users.user)
    assert r.status_code == 200 and r.json()["role"] == "user", r.text
    big = "x" * (2 << 20)
    body = json.dumps({"chat": {"title": "big", "messages": [
        {"role": "user", "content": big}]}}).encode()
    for data in (body, iter([body[:1000], body[1000:]])):
        r = web_stack.post("/api/v1/chats/new", token=web_users.user,
                           data=data,
                           headers={"Content-Type": "application/json"})
        assert r.status_code == 200, r.text[:300]
        assert r.json()["chat"]["messages"][0]["content"] == big


# -- the shipped lighttpd snippet --------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_shipped_lighttpd_snippet(make_stack, tmp_path, engine):
    """run-stack's lighttpd runs lighttpd.conf.in; this runs the shipped
    lighttpd-cwebui.conf (sockets and frontend pointed at a stack's) in a
    second lighttpd and passes the smoke suite through it."""
    front = tmp_path / "frontend"
    front.mkdir()
    (front / "index.html").write_text(INDEX)
    s = make_stack(engine, FRONTEND_DIR=str(front))
    snippet = (REPO_ROOT / "fcgi-conf" / "lighttpd-cwebui.conf").read_text()
    for old, new in (("/run/cwebui/fcgi.sock", s.run_dir / "cwebui.sock"),
                     ("/run/cwebui/streamd.sock",
                      s.run_dir / "cwebui-streamd.sock"),
                     ("/usr/share/cwebui/frontend", front)):
        assert old in snippet, old
        snippet = snippet.replace(old, str(new))
    (tmp_path / "cwebui.conf").write_text(snippet)
    (tmp_path / "upload").mkdir()
    port = _free_port()
    conf = tmp_path / "lighttpd.conf"
    conf.write_text(f'server.bind = "127.0.0.1"\nserver.port = {port}\n'
                    f'server.document-root = "{front}"\n'
                    f'server.upload-dirs = ( "{tmp_path}/upload" )\n'
                    f'include "{tmp_path}/cwebui.conf"\n')
    p = subprocess.run(["lighttpd", "-tt", "-f", str(conf)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    httpd = subprocess.Popen(["lighttpd", "-D", "-f", str(conf)],
                             stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        Smoke(url, False, 20).poll(
            lambda: httpd.poll() is not None or _answers(url),
            "the lighttpd with the snippet never answered")
        assert httpd.poll() is None, "lighttpd exited"
        out = run_smoke(SimpleNamespace(url=url))
        assert out.splitlines()[-1] == "10 passed, 0 failed"
        r = requests.get(url + "/c/abc", timeout=10)
        assert r.status_code == 200 and r.text == INDEX
    finally:
        httpd.terminate()
        httpd.wait(10)


def _answers(url):
    try:
        return requests.get(url + "/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False
