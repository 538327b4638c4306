"""make bench, second part: cwebui-streamd (issue 5) against baselines taken
in the same run.  Every part runs on its own fresh stack (run-stack:
lighttpd + cwebui-fcgi + cwebui-streamd, SQLite, private port).  It only
prints; nothing is asserted.

1. Added latency.  An API client (no socket) POSTs /api/chat/completions
   {"stream": true} through lighttpd -> cwebui-streamd (direct SSE), the
   model on tests/fake/provider.py with chunk_delay_ms; the baseline is the
   same request sent straight to the fake's /v1/chat/completions.  p50/p99
   of the time to the first token (from connect to the first SSE event with
   content) and of the gaps between tokens, for both, the added ms and the
   ratio.
2. Concurrent streams.  BENCH_STREAMS direct-SSE streams at once through
   lighttpd (asyncio raw HTTP client), the upstream tests/bench/sse_fake.py
   (asyncio: the threaded fake cannot serve 1,000 streams), which holds
   every stream after its first event until all are open, then sends the
   words.  CPU seconds (utime+stime, /proc/<pid>/stat) over the run and
   RSS/PSS growth (at the moment all are open, against idle) per stream of
   cwebui-streamd, next to lighttpd's (the baseline: the ratio) and the
   fake's; cwebui-fcgi's CPU (the handoffs) for information.
3. Idle Socket.IO connections.  BENCH_IDLE_CONNS WebSocket Engine.IO v4
   sessions opened straight on cwebui-streamd's unix socket (not through
   lighttpd), each connected to the default namespace ("40"), pings
   answered; RSS/PSS growth per connection against the same number of idle
   TCP connections held open to a bare lighttpd serving nothing.

RLIMIT_NOFILE is raised to its hard limit; when that is too low for the
counts asked, the counts are reduced and the output says so.
Environment: BENCH_STREAM_REQUESTS (100), BENCH_STREAM_PARALLEL (8),
BENCH_STREAM_WORDS (50), BENCH_STREAM_DELAY_MS (20), BENCH_STREAMS (1000),
BENCH_IDLE_CONNS (10000), BENCH_STREAM_PARTS (1,2,3: which parts run),
CWEBUI_WORKERS (2), CWEBUI_BUILDDIR.
"""
import asyncio
import base64
import json
import os
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

import bench

HERE = os.path.dirname(os.path.abspath(__file__))
REQUESTS = int(os.environ.get("BENCH_STREAM_REQUESTS", "100"))
PARALLEL = int(os.environ.get("BENCH_STREAM_PARALLEL", "8"))
WORDS = int(os.environ.get("BENCH_STREAM_WORDS", "50"))
DELAY_MS = int(os.environ.get("BENCH_STREAM_DELAY_MS", "20"))
STREAMS = int(os.environ.get("BENCH_STREAMS", "1000"))
IDLE = int(os.environ.get("BENCH_IDLE_CONNS", "10000"))
PARTS = os.environ.get("BENCH_STREAM_PARTS", "1,2,3").split(",")
HELD_WORDS, HELD_DELAY_MS = 20, 50     # part 2: each stream's words
MODEL = "gpt-bench"
MSGS = [{"role": "user", "content": "Say fifty words."}]
TICK = os.sysconf("SC_CLK_TCK")


# -- processes ---------------------------------------------------------

def descendants(pid):
    """{pid: basename of its executable} of every process below pid."""
    parent = {}
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % p) as f:
                parent[int(p)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    out, todo = {}, [pid]
    while todo:
        ppid = todo.pop()
        for p, pp in parent.items():
            if pp == ppid and p not in out:
                try:
                    out[p] = os.path.basename(os.readlink("/proc/%d/exe" % p))
                except OSError:
                    out[p] = "?"
                todo.append(p)
    return out


def stack_pids(stack, name):
    return [p for p, exe in descendants(stack.proc.pid).items() if exe == name]


def usage(pids):
    """(CPU seconds, RSS kB, PSS kB) summed over pids."""
    cpu = rss = pss = 0
    for pid in pids:
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / TICK
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    k, v = line.split(":", 1)
                    if k in ("Rss", "Pss"):
                        n = int(v.split()[0])
                        rss, pss = (rss + n, pss) if k == "Rss" else \
                            (rss, pss + n)
        except OSError:
            continue
    return cpu, rss, pss


def nofile(want):
    """Raises RLIMIT_NOFILE to its hard limit; returns how many
    connections of want fit (a margin kept for everything else)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return min(want, hard - 256), hard


# -- a raw asyncio HTTP/1.1 client for SSE answers ---------------------

async def body_pieces(r, head):
    """Yields the response body as it arrives (chunked, sized or up to
    EOF)."""
    h = head.lower()
    if b"\r\ntransfer-encoding: chunked" in h:
        while True:
            size = int((await r.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                return
            data = await r.readexactly(size + 2)
            yield data[:-2]
    elif b"\r\ncontent-length:" in h:
        n = int(h.split(b"\r\ncontent-length:")[1].split(b"\r\n")[0])
        yield await r.readexactly(n)
    else:
        while data := await r.read(65536):
            yield data


async def sse_post(host, port, path, body, token=None):
    """POSTs body (JSON) and reads the SSE answer; returns (status,
    [(seconds since the connect started, data of one SSE event)])."""
    t0 = time.monotonic()
    r, w = await asyncio.open_connection(host, port)
    data = json.dumps(body).encode()
    auth = b"Authorization: Bearer %s\r\n" % token.encode() if token else b""
    w.write(b"POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: "
            b"application/json\r\nContent-Length: %d\r\n%sConnection: close"
            b"\r\n\r\n%s" % (path.encode(), host.encode(), port, len(data),
                             auth, data))
    events = []
    try:
        head = await r.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        buf = b""
        async for piece in body_pieces(r, head):
            t = time.monotonic() - t0
            buf += piece
            while b"\n\n" in buf:
                ev, buf = buf.split(b"\n\n", 1)
                for line in ev.split(b"\n"):
                    if line.startswith(b"data:"):
                        events.append((t, line[5:].strip()))
    finally:
        w.close()
    return status, events


def token_times(events):
    """Times of the events carrying assistant text."""
    out = []
    for t, data in events:
        if data == b"[DONE]":
            continue
        for ch in json.loads(data).get("choices") or []:
            if (ch.get("delta") or {}).get("content"):
                out.append(t)
                break
    return out


def pct(values, p):
    """Nearest-rank percentile p (0-100) of values."""
    v = sorted(values)
    return v[max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))]


# -- stacks --------------------------------------------------------------

def post_json(url, obj, token=None):
    hdr = {"Content-Type": "application/json"}
    if token:
        hdr["Authorization"] = "Bearer " + token
    return json.loads(bench.http(url, json.dumps(obj).encode(), hdr)[1])


def stack_with(tmp, name, upstream_url):
    """A run-stack whose one OpenAI connection is upstream_url/v1, with an
    admin signed up; returns (stack, token).  The model list is cached
    (ENABLE_BASE_MODELS_CACHE, warmed here): a completion then costs no
    model-list request to the upstream, so the figures are the stream's."""
    st = bench.Stack(tmp, name, bench.BUILD, "", {
        "OPENAI_API_BASE_URLS": upstream_url + "/v1", "OPENAI_API_KEYS": "",
        "ENABLE_OLLAMA_API": "false", "ENABLE_BASE_MODELS_CACHE": "true"})
    token = bench.signup_admin(st, name + "@example.com")["token"]
    bench.http(st.url + "/api/models", None, {"Authorization": "Bearer " +
                                               token})
    return st, token


# -- 1. latency ----------------------------------------------------------

async def latency_run(host, port, path, token):
    """REQUESTS streams, PARALLEL at a time; returns (TTFTs, gaps) in ms
    and the number of failed requests."""
    ttft, gaps, failed = [], [], [0]
    left = [REQUESTS]

    async def worker():
        while left[0] > 0:
            left[0] -= 1
            status, events = await sse_post(host, port, path, {
                "model": MODEL, "messages": MSGS, "stream": True}, token)
            times = token_times(events) if status == 200 else []
            if len(times) != WORDS:
                failed[0] += 1
                continue
            ttft.append(times[0] * 1000)
            gaps.extend((b - a) * 1000 for a, b in zip(times, times[1:]))
    await asyncio.gather(*(worker() for _ in range(PARALLEL)))
    return ttft, gaps, failed[0]


def bench_latency(tmp, stacks):
    sys.path.insert(0, os.path.join(bench.ROOT, "tests", "fake"))
    from provider import FakeProvider
    fake = FakeProvider().start()
    try:
        post_json(fake.url + "/_control", {
            "models": [MODEL], "chunk_delay_ms": DELAY_MS,
            "reply": " ".join("word%d" % i for i in range(WORDS))})
        st, token = stack_with(tmp, "latency", fake.url)
        stacks.append(st)
        host, port = "127.0.0.1", st.port
        res = {}
        # one warm-up request each way, then the measured runs
        for who, h, p, path, tok in (
                ("direct", "127.0.0.1", fake.port, "/v1/chat/completions",
                 None),
                ("cwebui", host, port, "/api/chat/completions", token)):
            asyncio.run(sse_post(h, p, path, {"model": MODEL, "messages": MSGS,
                                              "stream": True}, tok))
            res[who] = asyncio.run(latency_run(h, p, path, tok))
    finally:
        fake.stop()
    print("1. streaming latency: %d requests, %d at a time, %d words, "
          "chunk_delay_ms %d (tests/fake/provider.py)"
          % (REQUESTS, PARALLEL, WORDS, DELAY_MS))
    print("   API client, POST /api/chat/completions stream:true (direct SSE)"
          " through lighttpd + cwebui-streamd,")
    print("   against the same request straight to the fake's "
          "/v1/chat/completions (model list cached)")
    print("%-36s %9s %9s %9s %9s %7s" % ("ms", "TTFT p50", "TTFT p99",
                                        "gap p50", "gap p99", "failed"))
    row = {}
    for who, label in (("direct", "direct to the fake provider"),
                       ("cwebui", "lighttpd + streamd (+ cwebui-fcgi)")):
        ttft, gaps, failed = res[who]
        if not ttft:
            print("%-36s no successful stream (%d failed)" % (label, failed))
            return
        row[who] = [pct(ttft, 50), pct(ttft, 99), pct(gaps, 50),
                    pct(gaps, 99)]
        print("%-36s %9.2f %9.2f %9.2f %9.2f %7d" % ((label,) + tuple(
            row[who]) + (failed,)))
    print("%-36s %9.2f %9.2f %9.2f %9.2f" % (("added ms",) + tuple(
        c - d for c, d in zip(row["cwebui"], row["direct"]))))
    print("%-36s %9.2f %9.2f %9.2f %9.2f" % (("ratio",) + tuple(
        c / d for c, d in zip(row["cwebui"], row["direct"]))))


# -- 2. concurrent streams -----------------------------------------------

def start_sse_fake():
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "sse_fake.py"),
                             MODEL], stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().split()[-1]
    return proc, url


def bench_concurrent(tmp, stacks):
    n, hard = nofile(STREAMS * 2)
    n = min(STREAMS, n // 2)
    fake, fake_url = start_sse_fake()
    try:
        st, token = stack_with(tmp, "streams", fake_url)
        stacks.append(st)
        body = {"model": MODEL, "messages": MSGS, "stream": True}
        # warm-up (models list, connections), then idle figures
        asyncio.run(sse_post("127.0.0.1", st.port, "/api/chat/completions",
                             body, token))
        post_json(fake_url + "/_control", {
            "hold": True, "words": HELD_WORDS, "delay_ms": HELD_DELAY_MS})
        who = {"cwebui-streamd": stack_pids(st, "cwebui-streamd"),
               "lighttpd": stack_pids(st, "lighttpd"),
               "sse_fake (asyncio)": [fake.pid],
               "cwebui-fcgi": stack_pids(st, "cwebui-fcgi")}
        before = {k: usage(p) for k, p in who.items()}
        peak, held, t0 = {}, [0], time.monotonic()

        async def watch():
            """Samples memory once all streams are held (or none was
            added for 10 s), then releases them."""
            last, since = -1, time.monotonic()
            while True:
                await asyncio.sleep(0.2)
                s = await asyncio.to_thread(
                    lambda: json.loads(bench.http(fake_url + "/_stats")[1]))
                if s["held"] != last:
                    last, since = s["held"], time.monotonic()
                if s["held"] >= n or time.monotonic() - since > 10:
                    break
            held[0] = last
            peak.update({k: usage(p) for k, p in who.items()})
            await asyncio.to_thread(post_json, fake_url + "/_release", {})

        async def run():
            w = asyncio.ensure_future(watch())
            out = await asyncio.gather(*(sse_post(
                "127.0.0.1", st.port, "/api/chat/completions", body, token)
                for _ in range(n)), return_exceptions=True)
            await w
            return out
        results = asyncio.run(run())
        wall = time.monotonic() - t0
        after = {k: usage(p) for k, p in who.items()}
    finally:
        fake.terminate()
        fake.wait()
    ok = sum(1 for x in results if not isinstance(x, BaseException) and
             x[0] == 200 and x[1] and x[1][-1][1] == b"[DONE]" and
             len(x[1]) == HELD_WORDS + 3)      # + role, finish, [DONE]
    errors = {}
    for x in results:
        if isinstance(x, BaseException):
            k = type(x).__name__
        elif x[0] != 200:
            k = "HTTP %d" % x[0]
        else:
            continue
        errors[k] = errors.get(k, 0) + 1
    print()
    print("2. %d concurrent direct-SSE streams through lighttpd (asyncio "
          "client, POST /api/chat/completions);" % n)
    if n < STREAMS:
        print("   (%d asked; RLIMIT_NOFILE hard limit %d)" % (STREAMS, hard))
    print("   upstream tests/bench/sse_fake.py: %d words %d ms apart, each "
          "stream held after its first event until all were open"
          % (HELD_WORDS, HELD_DELAY_MS))
    print("   complete streams %d/%d, open at once %d, wall %.1f s%s" % (
        ok, n, held[0], wall, ", errors %s" % errors if errors else ""))
    print("%-20s %8s %10s %14s %14s %11s" % (
        "process", "CPU s", "CPU ms/str", "RSS kB/stream", "PSS kB/stream",
        "RSS MiB"))
    per = {}
    for k in who:
        cpu = after[k][0] - before[k][0]
        rss = (peak[k][1] - before[k][1]) / max(held[0], 1)
        pss = (peak[k][2] - before[k][2]) / max(held[0], 1)
        per[k] = (cpu * 1000 / n, rss, pss)
        print("%-20s %8.2f %10.3f %14.2f %14.2f %11.1f" % (
            k, cpu, per[k][0], rss, pss, peak[k][1] / 1024))
    s, l = per["cwebui-streamd"], per["lighttpd"]
    print("cwebui-streamd / lighttpd: CPU x%s, RSS growth x%s, PSS growth x%s"
          % tuple(("%.2f" % (a / b)) if b > 0 else "-" for a, b in zip(s, l)))


# -- 3. idle Socket.IO connections ------------------------------------------

def ws_frame(data):
    """A masked (client) WebSocket text frame."""
    mask = os.urandom(4)
    assert len(data) < 126
    return bytes([0x81, 0x80 | len(data)]) + mask + bytes(
        b ^ mask[i % 4] for i, b in enumerate(data))


async def ws_read(r):
    """(opcode, payload) of the next (unmasked, server) frame."""
    b0, b1 = await r.readexactly(2)
    n = b1 & 127
    if n == 126:
        n = struct.unpack(">H", await r.readexactly(2))[0]
    elif n == 127:
        n = struct.unpack(">Q", await r.readexactly(8))[0]
    return b0 & 15, await r.readexactly(n)


async def sio_open(path):
    """A Socket.IO session on streamd's unix socket: WebSocket upgrade,
    the Engine.IO open packet, "40" and its CONNECT answer."""
    r, w = await asyncio.open_unix_connection(path)
    key = base64.b64encode(os.urandom(16))
    w.write(b"GET /ws/socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            b"Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
            % key)
    head = await r.readuntil(b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise ConnectionError(head.split(b"\r\n")[0].decode())
    _, data = await ws_read(r)
    if not data.startswith(b"0{"):
        raise ConnectionError("no open packet: %r" % data[:40])
    w.write(ws_frame(b"40"))
    _, data = await ws_read(r)
    if not data.startswith(b"40"):
        raise ConnectionError("no CONNECT answer: %r" % data[:40])
    return r, w


async def sio_idle(r, w):
    """Keeps a session: answers Engine.IO pings until the server closes."""
    try:
        while True:
            op, data = await ws_read(r)
            if op == 8:
                return
            if op == 1 and data == b"2":
                w.write(ws_frame(b"3"))
    except (asyncio.IncompleteReadError, ConnectionError):
        pass


def settle(pid, want, timeout=20):
    """Waits until pid holds at least want descriptors (accepted)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(os.listdir("/proc/%d/fd" % pid)) >= want:
            return True
        time.sleep(0.1)
    return False


def idle_lighttpd(tmp, n, hard):
    """A bare lighttpd (no backend, nothing served) taking n idle TCP
    connections; returns (connections held, RSS kB/conn, PSS kB/conn)."""
    d = os.path.join(tmp, "idle-lighttpd")
    os.makedirs(os.path.join(d, "root"))
    port = bench.free_port()
    conf = os.path.join(d, "lighttpd.conf")
    with open(conf, "w") as f:
        f.write('server.bind = "127.0.0.1"\nserver.port = %d\n'
                'server.document-root = "%s/root"\nserver.max-fds = %d\n'
                'server.max-connections = %d\n' % (port, d, hard, n + 64))
    proc = subprocess.Popen(["lighttpd", "-D", "-f", conf],
                            stderr=open(os.path.join(d, "log"), "w"))
    socks = []
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.02)
        time.sleep(0.3)
        base = len(os.listdir("/proc/%d/fd" % proc.pid))
        before = usage([proc.pid])
        for _ in range(n):
            socks.append(socket.create_connection(("127.0.0.1", port)))
        settle(proc.pid, base + n)
        time.sleep(0.5)
        held = len(os.listdir("/proc/%d/fd" % proc.pid)) - base
        after = usage([proc.pid])
        return held, (after[1] - before[1]) / max(held, 1), \
            (after[2] - before[2]) / max(held, 1)
    finally:
        for s in socks:
            s.close()
        proc.terminate()
        proc.wait()


def bench_idle(tmp, stacks):
    n, hard = nofile(IDLE)
    st = bench.Stack(tmp, "idle", bench.BUILD, "")
    stacks.append(st)
    path = os.path.join(st.dir, "run", "cwebui-streamd.sock")
    pid = stack_pids(st, "cwebui-streamd")[0]
    before = usage([pid])
    failed = {}

    async def run():
        gate = asyncio.Semaphore(128)
        conns, tasks = [], []

        async def one():
            async with gate:
                for attempt in range(5):
                    try:
                        conns.append(await sio_open(path))
                        return
                    except (OSError, ConnectionError,
                            asyncio.IncompleteReadError) as e:
                        if attempt == 4:
                            k = type(e).__name__
                            failed[k] = failed.get(k, 0) + 1
                        await asyncio.sleep(0.05)
        t = time.monotonic()
        await asyncio.gather(*(one() for _ in range(n)))
        took = time.monotonic() - t
        tasks = [asyncio.ensure_future(sio_idle(r, w)) for r, w in conns]
        await asyncio.sleep(1.0)
        after = await asyncio.to_thread(usage, [pid])
        for _, w in conns:
            w.close()
        for x in tasks:
            x.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return len(conns), took, after
    held, took, after = asyncio.run(run())
    st.stop()
    stacks.remove(st)
    s_rss = (after[1] - before[1]) / max(held, 1)
    s_pss = (after[2] - before[2]) / max(held, 1)
    l_held, l_rss, l_pss = idle_lighttpd(tmp, n, hard)
    print()
    print("3. %d idle Socket.IO connections (WebSocket, EIO=4, \"40\" "
          "connected) opened STRAIGHT to cwebui-streamd's unix socket," % n)
    print("   not through lighttpd (opened in %.1f s); baseline: as many idle "
          "TCP connections held open to a bare lighttpd serving nothing"
          % took)
    if n < IDLE:
        print("   (%d asked; RLIMIT_NOFILE hard limit %d)" % (IDLE, hard))
    if failed:
        print("   failed to open: %s" % failed)
    print("%-28s %8s %13s %13s" % ("", "conns", "RSS kB/conn", "PSS kB/conn"))
    print("%-28s %8d %13.2f %13.2f" % ("cwebui-streamd (Socket.IO)", held,
                                        s_rss, s_pss))
    print("%-28s %8d %13.2f %13.2f" % ("lighttpd (idle TCP)", l_held, l_rss,
                                        l_pss))
    print("%-28s %8s %13s %13s" % ("ratio", "", *(("%.2f" % (a / b)) if b > 0
                                                  else "-" for a, b in
                                                  ((s_rss, l_rss),
                                                   (s_pss, l_pss)))))


def main():
    tmp = tempfile.mkdtemp(prefix="cwebui-bench-stream-")
    stacks = []
    print("cwebui-streamd bench (%s workers)" % bench.WORKERS)
    try:
        for part in PARTS:
            try:
                (bench_latency, bench_concurrent, bench_idle)[int(part) - 1](
                    tmp, stacks)
            finally:
                while stacks:
                    stacks.pop().stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
