"""The frontend's own Socket.IO client (socket.io-client 4.7.5, as pinned
by Open WebUI 0.6.32; scenarios in tests/js) against /ws/socket.io/ of the
stack, and the Python client of sio.py against the same.  Needs
cwebui-streamd, which serves /ws/socket.io/ behind the web server."""

import pytest

from conftest import BUILDDIR
from sio import run_js, sio_connect  # noqa: F401

STREAMD_BIN = BUILDDIR / "src" / "streamd" / "cwebui-streamd"

needs_streamd = pytest.mark.skipif(
    not STREAMD_BIN.is_file(),
    reason=f"{STREAMD_BIN} not built: the stack has no streamd to serve "
    "/ws/socket.io/ yet")

TRANSPORTS = {"websocket": ["websocket"],
              "polling": ["polling", "websocket"]}


@needs_streamd
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_js_connect_disconnect(stack, user, transport):
    for token in (None, user.token):    # the frontend connects before login
        args = {"transports": TRANSPORTS[transport]}
        if token:
            args["token"] = token
        r = run_js("sio_smoke.mjs", stack.url, args)
        assert r["ok"], r
        assert isinstance(r["id"], str) and r["id"]
        # with polling first, the upgrade may finish before `connect`
        assert r["transport"] in TRANSPORTS[transport]
        assert r["disconnect_reason"] == "io client disconnect"


def test_js_refused_connection_is_an_error():
    # no stack: checks node and tests/js/node_modules, and that a failing
    # scenario reports instead of hanging
    r = run_js("sio_smoke.mjs", "http://127.0.0.1:1", {"timeout_ms": 5000})
    assert r["ok"] is False and "connect_error" in r["error"]


@needs_streamd
def test_python_client_user_join(stack, user, sio_connect):
    c = sio_connect(stack, token=user.token)
    assert c.sid
    assert c.user_join() == {"id": user.id, "name": user.name}
    c.disconnect()
    assert not c.connected
