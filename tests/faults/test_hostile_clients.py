"""Slow and hostile clients.

Slowloris: SLOW connections to the web server and SLOW more straight to
cwebui-streamd's socket send the start of a request head and then one more
header line every few seconds, never finishing it.  Meanwhile ordinary
users (the mixed load, a streamd route, a Socket.IO session) are all
served.

A Socket.IO client that never reads: it joins a channel and stops reading
while another session sends it SIO_PUMP_MB of typing events; streamd drops
it once it holds more than its 8 MiB cap, and streamd's memory grows by
far less than what was sent.  No timing assertions.
"""

import json
import os
import resource
import socket
import threading
import time

import pytest
import websocket

from conftest import BUILDDIR
from load import Load, report
from sio import sio_connect  # noqa: F401
from test_channels import add_channel

SLOW = 1000
DRIP_EVERY = 3          # seconds between two header lines of a slow client
LOAD_SECONDS = 8
SIO_PUMP_MB = 40
SIO_CHUNK = 256 * 1024
STREAMD_BIN = BUILDDIR / "src" / "streamd" / "cwebui-streamd"
RSS_BOUND_MB = 32       # the 8 MiB cap plus generous slack


def _raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        want = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < need:
        pytest.skip(f"needs {need} open files")


def _streamd_pid(stack):
    binary = os.path.realpath(STREAMD_BIN)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/exe") != binary:
                continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if str(stack.run_dir).encode() in f.read():
                    return int(pid)
        except OSError:
            continue
    raise AssertionError("no cwebui-streamd for " + str(stack.run_dir))


def _rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Slowloris:
    """n connections made by connect(), each sending a request head that
    never ends; drip() adds a header line to every one still open."""

    def __init__(self, connect, n):
        self.socks = []
        self.refused = 0
        for _ in range(n):
            try:
                s = connect()
                s.sendall(b"GET /api/v1/chats/ HTTP/1.1\r\nHost: x\r\n")
                self.socks.append(s)
            except OSError:
                self.refused += 1
        self.dropped = 0

    def drip(self):
        alive = []
        for s in self.socks:
            try:
                s.sendall(b"X-Slow: 1\r\n")
                alive.append(s)
            except OSError:
                s.close()
                self.dropped += 1
        self.socks = alive

    def close(self):
        for s in self.socks:
            s.close()


def test_slowloris_does_not_stop_normal_users(stack, users, sio_connect):
    _raise_nofile(2 * SLOW + 500)

    def tcp():
        return socket.create_connection(("127.0.0.1", stack.port), 10)

    def unix():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(str(stack.run_dir / "cwebui-streamd.sock"))
        return s

    web = Slowloris(tcp, SLOW)
    streamd = Slowloris(unix, SLOW)
    stop = threading.Event()

    def dripper():
        while not stop.wait(DRIP_EVERY):
            web.drip()
            streamd.drip()
    drip = threading.Thread(target=dripper, daemon=True)
    drip.start()
    try:
        load = Load(stack, users.user, threads=2).start()
        extra = []
        end = time.monotonic() + LOAD_SECONDS
        while time.monotonic() < end:
            extra.append(load.request("usage", "GET", "/api/usage")[0])
            c = sio_connect(stack, token=users.user.token)
            extra.append(c.user_join() == {"id": users.user.id,
                                          "name": users.user.name})
            c.disconnect()
            time.sleep(0.5)
        tally = load.stop()
    finally:
        stop.set()
        drip.join(DRIP_EVERY + 30)
        open_web, open_streamd = len(web.socks), len(streamd.socks)
        web.close()
        streamd.close()
    c = tally.counts()
    report(f"slowloris[{stack.engine}]", {
        **c, "slow_web": SLOW - web.refused, "slow_streamd":
        SLOW - streamd.refused, "still_open_web": open_web,
        "still_open_streamd": open_streamd,
        "streamd_route_and_sio_ok": sum(
            (x is True) or getattr(x, "kind", "") == "ok" for x in extra),
        "streamd_route_and_sio": len(extra)})
    assert web.refused == 0 and streamd.refused == 0
    assert c["ok"] == c["requests"] and c["requests"] > 0, \
        tally.outcomes[:10]
    assert all(x is True or x.kind == "ok" for x in extra), extra


def test_socketio_client_that_never_reads(stack, admin, sio_connect):
    cid = add_channel(stack, admin.id, "faults-pump", None)[0]
    url = (stack.url.replace("http://", "ws://") +
           "/ws/socket.io/?EIO=4&transport=websocket")
    lazy = websocket.create_connection(
        url, timeout=10,
        sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),))
    assert lazy.recv().startswith("0{")
    lazy.send(json.dumps({"token": admin.token}).join(["40", ""]))
    assert lazy.recv().startswith("40")
    lazy.send("421" + json.dumps(
        ["user-join", {"auth": {"token": admin.token}}]))
    while not lazy.recv().startswith("431"):
        pass
    # from here on the lazy client reads nothing
    pid = _streamd_pid(stack)
    before = _rss_kib(pid)
    sender = sio_connect(stack, token=admin.token)
    assert sender.user_join()["id"] == admin.id
    pad = "x" * SIO_CHUNK
    peak = before
    n = SIO_PUMP_MB * 1024 * 1024 // SIO_CHUNK
    for i in range(n):
        sender.call("channel-events", {
            "channel_id": cid, "message_id": None,
            "data": {"type": "typing", "data": {"typing": True, "i": i},
                     "pad": pad}})
        peak = max(peak, _rss_kib(pid))
    # the sender got every one of its own events: it was not held up
    sender.wait_count("channel-events", n, timeout=60)
    after = _rss_kib(pid)
    # the lazy client was dropped: reading now ends at the close
    lazy.settimeout(30)
    closed = False
    got = 0
    try:
        while True:
            m = lazy.recv()
            if m in ("", None):
                closed = True
                break
            got += len(m)
    except (websocket.WebSocketConnectionClosedException, OSError):
        closed = True
    lazy.close()
    dropped = "client does not read" in stack.log_tail(400)
    report(f"sio-never-reads[{stack.engine}]", {
        "sent_mb": SIO_PUMP_MB, "rss_before_mb": before / 1024,
        "rss_peak_mb": peak / 1024, "rss_after_mb": after / 1024,
        "lazy_received_mb": got / 1048576, "lazy_closed": closed,
        "dropped_logged": dropped})
    assert closed and dropped
    assert (peak - before) / 1024 < RSS_BOUND_MB, (before, peak)
    assert got < SIO_PUMP_MB * 1048576 / 2
    # the server goes on serving
    again = sio_connect(stack, token=admin.token)
    assert again.user_join()["id"] == admin.id
