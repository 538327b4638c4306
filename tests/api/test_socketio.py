"""Socket.IO at /ws/socket.io/ (cwebui-streamd), as python-socketio 5 /
python-engineio 4 serve it for Open WebUI 0.6.32: the Engine.IO handshake
and its errors, long-polling, WebSocket and the upgrade between them,
ping/pong, binary events and acknowledgements, and the Open WebUI events
(user-join binding a session to its user and channel rooms, typing in
channels, re-validation of a bound user).  Raw Engine.IO through requests
and python3-websocket; whole clients through python3-socketio (sio.py) and
the frontend's socket.io-client (tests/js/sio_upgrade.mjs)."""

import json
import threading
import time

import pytest
import requests
import websocket

from conftest import BUILDDIR, add_user
from sio import Client, run_js, sio_connect  # noqa: F401
from test_channels import add_channel
from workers import no_worker_crash  # noqa: F401

pytestmark = [
    pytest.mark.skipif(
        not (BUILDDIR / "src" / "streamd" / "cwebui-streamd").is_file(),
        reason="cwebui-streamd not built"),
    pytest.mark.stack_env(WEBSOCKET_SERVER_PING_INTERVAL="1",
                          WEBSOCKET_SERVER_PING_TIMEOUT="2",
                          CWEBUI_STREAMD_USER_RECHECK="1"),
]

EIO = "/ws/socket.io/"
RS = "\x1e"


def handshake(stack):
    r = requests.get(stack.url + EIO, params={"EIO": "4",
                                              "transport": "polling"},
                     timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.text[0] == "0"
    return json.loads(r.text[1:])


def poll(stack, sid, timeout=10):
    r = requests.get(stack.url + EIO, params={
        "EIO": "4", "transport": "polling", "sid": sid}, timeout=timeout)
    return r.status_code, r.text


def post(stack, sid, payload):
    r = requests.post(stack.url + EIO, params={
        "EIO": "4", "transport": "polling", "sid": sid},
        data=payload.encode(), timeout=10)
    return r.status_code, r.text


class Poller:
    """Long-polls one session, keeping the packets not asked for yet and
    answering pings."""

    def __init__(self, stack, sid):
        self.stack, self.sid, self.kept = stack, sid, []

    def get(self, want):
        """The first packet starting with want (waiting for it)."""
        for _ in range(10):
            for i, p in enumerate(self.kept):
                if p.startswith(want):
                    return self.kept.pop(i)
            status, text = poll(self.stack, self.sid)
            assert status == 200, text
            for p in text.split(RS):
                if p == "2":
                    assert post(self.stack, self.sid, "3") == (200, "OK")
                else:
                    self.kept.append(p)
        raise AssertionError(f"no {want!r} packet in {self.kept}")


def test_handshake(stack):
    h = handshake(stack)
    assert len(h["sid"]) == 20
    assert h["upgrades"] == ["websocket"]
    assert h["pingInterval"] == 1000 and h["pingTimeout"] == 2000
    assert h["maxPayload"] == 1000000


@pytest.mark.parametrize("params,method,detail", [
    ({"EIO": "4", "transport": "carrier-pigeon"}, "GET",
     "Invalid transport"),
    ({"transport": "polling"}, "GET", "The client is using an unsupported "
     "version of the Socket.IO or Engine.IO protocols"),
    ({"EIO": "3", "transport": "polling"}, "GET", "The client is using an "
     "unsupported version of the Socket.IO or Engine.IO protocols"),
    ({"EIO": "4", "transport": "polling", "sid": "nope"}, "GET",
     "Invalid session"),
    ({"EIO": "4", "transport": "polling", "sid": "nope"}, "POST",
     "Invalid session"),
    ({"EIO": "4", "transport": "polling"}, "POST", "Invalid session"),
    ({"EIO": "4", "transport": "websocket"}, "GET",
     "Invalid websocket upgrade"),
])
def test_engineio_errors(stack, params, method, detail):
    r = requests.request(method, stack.url + EIO, params=params,
                         data="3" if method == "POST" else None, timeout=10)
    assert r.status_code == 400
    assert r.json() == detail


def test_method_not_allowed_and_options(stack):
    r = requests.put(stack.url + EIO, params={"EIO": "4"}, timeout=10)
    assert r.status_code == 405 and r.text == "Method Not Found"
    r = requests.options(stack.url + EIO, params={"EIO": "4"}, timeout=10)
    assert r.status_code == 200


def test_cors_default_any_origin(stack):
    r = requests.get(stack.url + EIO, params={"EIO": "4",
                                              "transport": "polling"},
                     headers={"Origin": "http://elsewhere.example"},
                     timeout=10)
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_polling_connect_events_and_acks(stack):
    sid = handshake(stack)["sid"]
    pl = Poller(stack, sid)
    assert post(stack, sid, "40") == (200, "OK")
    p = pl.get("40")
    sio_sid = json.loads(p[2:])["sid"]
    assert len(sio_sid) == 20 and sio_sid != sid
    # two packets in one payload; events of Open WebUI answer [] when the
    # handler returns nothing (user-join with a bad token, usage unbound)
    assert post(stack, sid, '421["user-join",{"auth":{"token":"bad"}}]' + RS +
                '422["usage",{"model":"m"}]') == (200, "OK")
    got = {pl.get("431"), pl.get("432")}
    assert got == {"431[]", "432[]"}
    # a binary event (one attachment, base64 in polling) with an ack: decoded
    # and answered, the session stays
    assert post(stack, sid, '451-3["ydoc:document:update",{"update":'
                '{"_placeholder":true,"num":0}}]' + RS + "bAAH/") == (200, "OK")
    assert pl.get("433") == "433[]"
    # an event without a handler (heartbeat) is not acknowledged
    assert post(stack, sid, '424["heartbeat",{}]' + RS +
                '425["usage",{"model":"m"}]') == (200, "OK")
    assert pl.get("43") == "435[]"
    # another namespace is refused, "/" stays connected
    assert post(stack, sid, "40/admin,") == (200, "OK")
    p = pl.get("44/admin,")
    assert json.loads(p[len("44/admin,"):]) == {"message": "Unable to connect"}
    # client close: the session is gone
    assert post(stack, sid, "1") == (200, "OK")
    status, text = poll(stack, sid)
    assert status == 400 and json.loads(text) == "Invalid session"


def test_polling_bad_payload_closes_the_session(stack):
    sid = handshake(stack)["sid"]
    status, text = post(stack, sid, "4hello" + RS + "9nonsense")
    assert status == 400 and json.loads(text) == "Bad Request"
    status, text = poll(stack, sid)
    assert status == 400 and json.loads(text) == "Invalid session"
    # a bad Socket.IO packet inside a good one is only dropped
    sid = handshake(stack)["sid"]
    pl = Poller(stack, sid)
    assert post(stack, sid, "40") == (200, "OK")
    pl.get("40")
    assert post(stack, sid, '42{"not":"an array"}' + RS + "4garbage" + RS +
                '421["usage",{}]') == (200, "OK")
    assert pl.get("431") == "431[]"


def test_polling_ping_and_timeout(stack):
    sid = handshake(stack)["sid"]
    t = time.monotonic()
    assert poll(stack, sid) == (200, "2")
    assert time.monotonic() - t < 5
    assert post(stack, sid, "3") == (200, "OK")
    assert poll(stack, sid) == (200, "2")       # answered: pinged again
    # no pong now: closed after pingTimeout
    assert poll(stack, sid) == (200, "1")
    status, text = poll(stack, sid)
    assert status == 400 and json.loads(text) == "Invalid session"


def test_overlapping_polls_close_the_session(stack):
    sid = handshake(stack)["sid"]
    first = {}
    th = threading.Thread(target=lambda: first.update(r=poll(stack, sid)))
    th.start()
    time.sleep(0.3)
    status, text = poll(stack, sid)
    th.join(10)
    assert status == 400 and json.loads(text) == "Bad Request"
    assert first["r"] == (200, "1")


def ws_url(stack, sid=None):
    u = stack.url.replace("http://", "ws://") + EIO + \
        "?EIO=4&transport=websocket"
    return u + (f"&sid={sid}" if sid else "")


def test_websocket_raw_and_upgrade(stack):
    # direct: the open packet comes first, without upgrades
    ws = websocket.create_connection(ws_url(stack), timeout=10)
    h = json.loads(ws.recv()[1:])
    assert h["upgrades"] == []
    ws.send("40")
    assert ws.recv().startswith('40{"sid":')
    ws.send('421["usage",{}]')
    assert ws.recv() == "431[]"
    ws.send("9bad")                             # a bad Engine.IO packet
    closed = False
    for _ in range(5):                          # closed by the server
        try:
            if ws.recv() == "":
                closed = True
        except websocket.WebSocketConnectionClosedException:
            closed = True
        if closed:
            break
    assert closed
    ws.close()
    # upgrade: 2probe/3probe, the pending poll gets a noop, then 5
    sid = handshake(stack)["sid"]
    assert post(stack, sid, "40") == (200, "OK")
    Poller(stack, sid).get("40")
    pending = {}
    th = threading.Thread(target=lambda: pending.update(r=poll(stack, sid)))
    th.start()
    ws = websocket.create_connection(ws_url(stack, sid), timeout=10)
    ws.send("2probe")
    assert ws.recv() == "3probe"
    th.join(10)
    assert pending["r"][0] == 200 and "6" in pending["r"][1].split(RS)
    ws.send("5")
    ws.send('427["usage",{}]')
    while (m := ws.recv()) == "2":
        ws.send("3")
    assert m == "437[]"
    assert poll(stack, sid) == (200, "6")       # polling is over
    ws.close()


@pytest.mark.parametrize("transports", [["websocket"],
                                        ["polling", "websocket"],
                                        ["polling"]])
def test_python_client_connect_before_and_after_login(stack, user,
                                                      sio_connect,
                                                      transports):
    c = sio_connect(stack, transports=transports)
    assert c.user_join("not-a-jwt") is None     # ack [] -> None
    assert c.user_join(user.token) == {"id": user.id, "name": user.name}
    # binary event with an ack: decoded, answered, still connected
    assert c.call("ydoc:document:update",
                  {"update": b"\x00\x01\xff" * 100}) is None
    # ping/pong across more than pingInterval + pingTimeout
    time.sleep(3.5)
    assert c.connected
    assert c.user_join(user.token) == {"id": user.id, "name": user.name}


def test_js_client_upgrade_binary_and_ping(stack, user):
    r = run_js("sio_upgrade.mjs", stack.url,
               {"token": user.token, "wait_ms": 3500})
    assert r["ok"], r
    assert r["upgraded"] == "websocket"
    assert r["join"] == [{"id": user.id, "name": user.name}]
    assert r["binary_ack"] == []
    assert r["connected_after_wait"] is True


@pytest.fixture(scope="module")
def channel(stack, admin):
    """A public channel (everyone may read) and a private one (admin only)."""
    return {"public": add_channel(stack, admin.id, "sio-public", None)[0],
            "private": add_channel(stack, admin.id, "sio-private", {})[0]}


def typing(cid):
    return {"channel_id": cid, "message_id": None,
            "data": {"type": "typing", "data": {"typing": True}}}


def test_channel_typing_reaches_the_channel_room(stack, admin, user, channel,
                                                 sio_connect):
    a = sio_connect(stack, token=admin.token)
    u = sio_connect(stack, token=user.token)
    anon = sio_connect(stack)
    bound_only = sio_connect(stack, token=user.token)   # no user-join
    assert a.user_join()["id"] == admin.id
    assert u.user_join()["id"] == user.id
    assert anon.user_join("bad") is None
    u.emit("channel-events", typing(channel["public"]))
    for c in (a, u):
        ev = c.wait("channel-events")
        assert ev["channel_id"] == channel["public"]
        assert ev["message_id"] is None
        assert ev["data"] == {"type": "typing", "data": {"typing": True}}
        assert ev["user"]["id"] == user.id
        assert ev["user"]["name"] == user.name
        assert ev["user"]["role"] == "user"
    # the user is not in the private channel's room: nothing is sent; the
    # admin's typing there reaches only the admin
    u.emit("channel-events", typing(channel["private"]))
    a.emit("channel-events", typing(channel["private"]))
    a.wait("channel-events", lambda d: d["channel_id"] == channel["private"])
    # an unbound session is ignored; a round trip orders the checks after it
    anon.emit("channel-events", typing(channel["public"]))
    for c in (anon, u, bound_only):
        assert c.call("usage", {"model": "x"}) is None
    assert [d["channel_id"] for e, d in u.events
            if e == "channel-events"] == [channel["public"]]
    assert anon.events == [] and bound_only.events == []


def typists_since(c, n, last):
    """The user ids of the typing events c got after its n-th event, once
    one from last is among them (the client handles events in threads)."""
    deadline = time.monotonic() + 10
    while True:
        ids = [d["user"]["id"] for e, d in c.events[n:]
               if e == "channel-events"]
        if last in ids or time.monotonic() > deadline:
            return ids
        time.sleep(0.05)


def test_deleted_user_is_unbound(stack, admin, channel, sio_connect):
    gone = add_user(stack, admin.token, "Gone", "sio-gone@example.com",
                    "Passw0rd!", "user")
    a = sio_connect(stack, token=admin.token)
    g = sio_connect(stack, token=gone["token"])
    assert a.user_join()["id"] == admin.id
    assert g.user_join()["id"] == gone["id"]
    g.emit("channel-events", typing(channel["public"]))
    a.wait("channel-events", lambda d: d["user"]["id"] == gone["id"])
    r = stack.delete(f"/api/v1/users/{gone['id']}", admin.token)
    assert r.status_code == 200, r.text
    # re-checked every second (CWEBUI_STREAMD_USER_RECHECK=1): once unbound
    # its typing reaches nobody while the admin's still does; the acked
    # calls order each round
    deadline = time.monotonic() + 10
    while True:
        n = len(a.events)
        g.emit("channel-events", typing(channel["public"]))
        assert g.call("usage", {"model": "x"}) is None
        a.emit("channel-events", typing(channel["public"]))
        assert a.call("usage", {"model": "x"}) is None
        new = typists_since(a, n, admin.id)
        if new == [admin.id]:
            break
        assert new == [gone["id"], admin.id]
        assert time.monotonic() < deadline, "still bound after 10 s"
        time.sleep(0.5)
    assert g.connected      # unbound, not disconnected (as Python)
