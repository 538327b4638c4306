"""Socket.IO clients for the API tests (Debian's python3-socketio, with
python3-websocket for the websocket transport), connecting as the Open
WebUI 0.6.32 frontend does: path /ws/socket.io, auth {"token"},
websocket only unless told otherwise, no reconnection unless told
otherwise (reconnection=True: as socket.io-client, the same auth again).

Use in a test module:

    from sio import sio_connect  # noqa: F401

    def test_x(stack, user, sio_connect):
        c = sio_connect(stack, token=user.token)     # connected
        c.user_join()                                # as the frontend
        ...
        ev = c.wait_chat_event("chat:completion", chat_id=cid)

Fixture
  sio_connect     function scope factory: sio_connect(stack_or_url,
                  token=None, transports=("websocket",), timeout=10,
                  headers=None, reconnection=False) -> a connected
                  Client; every client is disconnected after the test.

Client (also usable alone: Client(url, ...).connect(), or as a context
manager)
  .sid            the session id (socket.id), sent as session_id in
                  POST /api/chat/completions
  .events         every event received, oldest first: (name, data), data
                  the first argument (None without arguments)
  .wait(event, pred=None, timeout=10)   the data of the first received
                  event named event (already received ones included) for
                  which pred(data) is true; AssertionError on timeout
  .wait_count(event, n, pred=None, timeout=10)   the first n such data
  .chat_events(chat_id=None, message_id=None, type=None)   the received
                  `chat-events` payloads {"chat_id","message_id","data":
                  {"type","data"}} matching the given fields
  .wait_chat_event(type, chat_id=None, message_id=None, timeout=10)
  .call(event, data=None, timeout=10)   emits with an ack and returns
                  the ack's data (AssertionError on timeout)
  .emit(event, data=None)
  .user_join(token=None)   emits "user-join" {"auth": {"token"}} as the
                  frontend does after connect and returns the ack
  .ack_with(fn)   fn(event, data) -> the reply to server events sent with
                  an ack (default: no arguments)
  .connected, .disconnect_reason (None while connected),
  .wait_disconnect(timeout=10), .disconnect()
  .connects       how many times the namespace connected (reconnections
                  count); .wait_connects(n, timeout=10)

JavaScript scenarios (tests/js, the frontend's own socket.io-client)
  run_js(scenario, base_url, args=None, timeout=30) -> the scenario's one
                  JSON result line as a dict ({"ok": true, ...} or
                  {"ok": false, "error"}); fails the test when node or
                  tests/js/node_modules is missing, or the scenario prints
                  no JSON line in time.
"""

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import socketio

SIO_PATH = "ws/socket.io"
JS_DIR = Path(__file__).resolve().parents[1] / "js"


def run_js(scenario, base_url, args=None, timeout=30):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: install nodejs (tests/packages.txt)",
                    pytrace=False)
    if not (JS_DIR / "node_modules" / "socket.io-client").is_dir():
        pytest.fail(f"{JS_DIR}/node_modules is missing: run "
                    "tests/install-deps tests/packages.txt", pytrace=False)
    cmd = [node, str(JS_DIR / scenario), base_url, json.dumps(args or {})]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout, cwd=JS_DIR)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{scenario}: no result within {timeout} s",
                    pytrace=False)
    lines = [x for x in p.stdout.splitlines() if x.startswith("{")]
    if len(lines) != 1:
        pytest.fail(f"{scenario}: exit {p.returncode}, expected one JSON "
                    f"line\nstdout: {p.stdout[-2000:]}\n"
                    f"stderr: {p.stderr[-2000:]}", pytrace=False)
    return json.loads(lines[0])


class Client:
    def __init__(self, url, token=None, transports=("websocket",),
                 timeout=10, headers=None, reconnection=False):
        self.url = url
        self.token = token
        self.transports = list(transports)
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.events = []
        self.disconnect_reason = None
        self.connects = 0
        self._cond = threading.Condition()
        self._ack = lambda event, data: None
        self._sio = socketio.Client(reconnection=reconnection,
                                    reconnection_delay=0.2,
                                    reconnection_delay_max=2,
                                    logger=False, handle_sigint=False)
        self._sio.on("*", self._on_event)
        self._sio.on("connect", self._on_connect)
        self._sio.on("disconnect", self._on_disconnect)

    # -- connection -----------------------------------------------------

    def connect(self):
        """Connects and waits for the namespace connect; raises
        socketio.exceptions.ConnectionError when refused or timed out."""
        auth = {"token": self.token} if self.token is not None else {}
        self._sio.connect(self.url, headers=self.headers, auth=auth,
                          transports=self.transports,
                          socketio_path=SIO_PATH, wait_timeout=self.timeout)
        return self

    @property
    def sid(self):
        return self._sio.get_sid()

    @property
    def connected(self):
        return self._sio.connected

    def disconnect(self):
        abort = getattr(self._sio, "_reconnect_abort", None)
        if abort is not None:           # stops a reconnection under way
            abort.set()
        if self._sio.connected:
            self._sio.disconnect()
        self._sio.eio.disconnect(abort=True)

    def wait_disconnect(self, timeout=10):
        """Waits until the server ends the session; returns True."""
        self._wait_until(lambda: not self._sio.connected,
                         "the server to disconnect", timeout)
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.disconnect()

    # -- receiving ------------------------------------------------------

    def _on_event(self, event, *args):
        data = args[0] if args else None
        with self._cond:
            self.events.append((event, data))
            self._cond.notify_all()
        return self._ack(event, data)

    def _on_connect(self, *args):
        with self._cond:
            self.connects += 1
            self.disconnect_reason = None
            self._cond.notify_all()

    def wait_connects(self, n, timeout=10):
        """Waits until the namespace has connected n times; returns True."""
        self._wait_until(lambda: self.connects >= n and self._sio.connected,
                         f"connect number {n}", timeout)
        return True

    def _on_disconnect(self, *args):
        with self._cond:
            self.disconnect_reason = args[0] if args else "disconnect"
            self._cond.notify_all()

    def ack_with(self, fn):
        self._ack = fn

    def _wait_until(self, cond, what, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                v = cond()
                if v:
                    return v
                left = deadline - time.monotonic()
                if left <= 0:
                    names = [e for e, _ in self.events][-20:]
                    raise AssertionError(f"socket.io {self.url}: no {what} "
                                         f"within {timeout} s (received: "
                                         f"{names})")
                # the disconnect handler notifies; polling covers the rest
                self._cond.wait(min(left, 0.1))

    def wait_count(self, event, n, pred=None, timeout=10):
        def found():
            got = [d for e, d in self.events
                   if e == event and (pred is None or pred(d))]
            return got[:n] if len(got) >= n else None
        return self._wait_until(found, f"{n} x {event!r}", timeout)

    def wait(self, event, pred=None, timeout=10):
        return self.wait_count(event, 1, pred, timeout)[0]

    @staticmethod
    def _chat_match(d, chat_id, message_id, type):
        return (isinstance(d, dict)
                and (chat_id is None or d.get("chat_id") == chat_id)
                and (message_id is None or d.get("message_id") == message_id)
                and (type is None
                     or (d.get("data") or {}).get("type") == type))

    def chat_events(self, chat_id=None, message_id=None, type=None):
        with self._cond:
            return [d for e, d in self.events if e == "chat-events"
                    and self._chat_match(d, chat_id, message_id, type)]

    def wait_chat_event(self, type, chat_id=None, message_id=None,
                        timeout=10):
        return self.wait("chat-events", lambda d: self._chat_match(
            d, chat_id, message_id, type), timeout)

    # -- sending --------------------------------------------------------

    def emit(self, event, data=None):
        self._sio.emit(event, data)

    def call(self, event, data=None, timeout=10):
        try:
            return self._sio.call(event, data, timeout=timeout)
        except socketio.exceptions.TimeoutError:
            raise AssertionError(f"socket.io {self.url}: no ack for "
                                 f"{event!r} within {timeout} s") from None

    def user_join(self, token=None, timeout=10):
        return self.call("user-join", {"auth": {"token": token or self.token}},
                         timeout)

    def __repr__(self):
        return f"<sio.Client {self.url} sid={self.sid}>"


class _ClientFactory:
    def __init__(self):
        self.clients = []

    def __call__(self, target, token=None, transports=("websocket",),
                 timeout=10, headers=None, reconnection=False):
        url = getattr(target, "url", target)
        c = Client(url, token, transports, timeout, headers, reconnection)
        self.clients.append(c)
        return c.connect()

    def close(self):
        for c in self.clients:
            try:
                c.disconnect()
            except Exception:
                pass


@pytest.fixture
def sio_connect():
    f = _ClientFactory()
    yield f
    f.close()
