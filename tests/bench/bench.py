"""make bench: cwebui-fcgi behind lighttpd, measured against two baselines
taken in the same run, behind the same lighttpd:
  static  lighttpd serving a file with the same bytes as the response;
  echo    a minimal libfcgi responder (tests/bench/fcgi_echo.c) returning the
          same bytes, with the same number of workers.
Prints req/s, p50/p99 latency and the ratio to each baseline for every
endpoint, the resident (RSS) and proportional (PSS) memory of all cwebui-fcgi
processes after the run, and the time from start to the first 200.
Environment: BENCH_SECONDS (5), BENCH_CONNECTIONS (32), CWEBUI_WORKERS (2).
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(os.environ.get("CWEBUI_BUILDDIR", ROOT))
RUN_STACK = os.path.join(ROOT, "fcgi-conf", "run-stack")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = os.environ.get("CWEBUI_WORKERS", "2")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.read()


class Stack:
    """One run-stack (lighttpd + a FastCGI program) on a private port."""

    def __init__(self, tmp, name, builddir, frontend, env=None):
        self.port = free_port()
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir)
        self.url = "http://127.0.0.1:%d" % self.port
        e = dict(os.environ, PORT=str(self.port), HOST="127.0.0.1",
                 DATA_DIR=os.path.join(self.dir, "data"),
                 RUNDIR=os.path.join(self.dir, "run"),
                 CWEBUI_BUILDDIR=builddir, FRONTEND_DIR=frontend,
                 CWEBUI_WORKERS=WORKERS, WEBUI_SECRET_KEY="bench-secret",
                 GLOBAL_LOG_LEVEL="WARNING")
        e.pop("DATABASE_URL", None)
        e.update(env or {})
        self.log = open(os.path.join(self.dir, "stack.log"), "w")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([RUN_STACK], env=e, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.first_200 = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if http(self.url + "/health")[0] == 200:
                    self.first_200 = time.monotonic() - self.t0
                    return
            except Exception:
                time.sleep(0.005)
        raise SystemExit("bench: stack %s did not start, see %s" %
                         (name, self.log.name))

    def stop(self):
        os.killpg(self.proc.pid, 15)
        self.proc.wait(timeout=40)
        self.log.close()


def wrk(url, headers=()):
    cmd = ["wrk", "-t2", "-c%d" % CONNS, "-d%ds" % SECONDS, "--latency"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    lat = {}
    for pct, val, unit in re.findall(r"\s+(50|99)%\s+([\d.]+)(us|ms|s)\b", out):
        lat[pct] = float(val) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return {"rps": rps, "p50": lat.get("50"), "p99": lat.get("99"),
            "errors": int(non2xx.group(1)) if non2xx else 0}


def memory(binary):
    """RSS and PSS (kB) summed over the processes running binary."""
    rss = pss = n = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink("/proc/%s/exe" % pid) != binary:
                continue
            with open("/proc/%s/smaps_rollup" % pid) as f:
                for line in f:
                    k, v = line.split(":", 1)
                    if k == "Rss":
                        rss += int(v.split()[0])
                    elif k == "Pss":
                        pss += int(v.split()[0])
            n += 1
        except OSError:
            continue
    return n, rss, pss


def bench_chats(cw, token, user_id):
    """Chat history against the database alone: page 1 of a user with 1,000
    chats (GET /api/v1/chats/?page=1) and one chat with a 200-message
    history (GET /api/v1/chats/{id}), each next to the same SQL run through
    the sqlite3 CLI. Prints per-request latency of a sequential loop (HTTP
    keep-alive vs one sqlite3 process per query, so the baseline includes
    process start-up) and wrk's req/s."""
    import http.client
    import sqlite3
    import uuid as uuidmod
    db = os.path.join(cw.dir, "data", "webui.db")
    con = sqlite3.connect(db)
    now = int(time.time())
    rows = []
    for i in range(1000):
        d = {"id": "", "title": "chat %d" % i, "models": ["m"],
             "history": {"messages": {"a": {"id": "a", "content": "hi %d" % i}},
                         "currentId": "a"}, "messages": []}
        rows.append((str(uuidmod.uuid4()), user_id, d["title"], json.dumps(d),
                     now - 5000 + i, now - 5000 + i, None, 0, 0, "{}", None))
    msgs, prev = {}, None
    for i in range(200):
        mid = "msg-%03d" % i
        msgs[mid] = {"id": mid, "parentId": prev, "childrenIds": [],
                     "role": "user" if i % 2 == 0 else "assistant",
                     "content": "Lorem ipsum dolor sit amet " * 20,
                     "timestamp": now}
        if prev:
            msgs[prev]["childrenIds"].append(mid)
        prev = mid
    big = {"id": "", "title": "long chat", "models": ["m"],
           "history": {"messages": msgs, "currentId": prev},
           "messages": list(msgs.values())}
    big_id = str(uuidmod.uuid4())
    rows.append((big_id, user_id, "long chat", json.dumps(big), now - 9000,
                 now - 9000, None, 0, 0, "{}", None))
    con.executemany("INSERT INTO chat (id, user_id, title, chat, created_at, "
                    "updated_at, share_id, archived, pinned, meta, folder_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    q_list = ("SELECT id, title, created_at, updated_at FROM chat WHERE "
              "user_id = '%s' AND archived = 0 AND (pinned = 0 OR pinned IS "
              "NULL) AND folder_id IS NULL ORDER BY updated_at DESC LIMIT 60 "
              "OFFSET 0" % user_id)
    q_one = "SELECT * FROM chat WHERE id = '%s' AND user_id = '%s'" % (
        big_id, user_id)
    n = 200
    print("chat history: %d sequential requests vs %d sqlite3 CLI runs; "
          "wrk as above" % (n, n))
    print("%-34s %9s %10s %10s %8s" % ("endpoint", "bytes", "ms/req",
          "sqlite3 ms", "ratio"))
    host = cw.url.split("//", 1)[1]
    for label, path, sql in (("GET /api/v1/chats/?page=1 (1000)",
                              "/api/v1/chats/?page=1", q_list),
                             ("GET /api/v1/chats/{id} (200 msgs)",
                              "/api/v1/chats/" + big_id, q_one)):
        conn = http.client.HTTPConnection(host, timeout=10)
        hdr = {"Authorization": "Bearer " + token}
        conn.request("GET", path, headers=hdr)
        r = conn.getresponse()
        size = len(r.read())
        if r.status != 200:
            raise SystemExit("bench: %s answered %d" % (path, r.status))
        t = time.monotonic()
        for _ in range(n):
            conn.request("GET", path, headers=hdr)
            conn.getresponse().read()
        http_ms = (time.monotonic() - t) * 1000 / n
        conn.close()
        t = time.monotonic()
        for _ in range(n):
            subprocess.run(["sqlite3", db, sql], stdout=subprocess.DEVNULL,
                           check=True)
        cli_ms = (time.monotonic() - t) * 1000 / n
        w = wrk(cw.url + path, ("Authorization: Bearer " + token,))
        print("%-34s %9d %10.2f %10.2f %8.2f   wrk %.0f req/s, p50 %.2f ms%s"
              % (label, size, http_ms, cli_ms, http_ms / cli_ms, w["rps"],
                 w["p50"] or 0, "  (%d non-2xx!)" % w["errors"]
                 if w["errors"] else ""))


def signup_admin(cw, email):
    """Signs up the first user of cw; returns the sign-up answer."""
    body = json.dumps({"name": "Bench Admin", "email": email,
                       "password": "bench-password"}).encode()
    _, data = http(cw.url + "/api/v1/auths/signup", body,
                   {"Content-Type": "application/json"})
    return json.loads(data)


def measure(tmp, front, echo_bin, stacks, cw, label, path, hdrs, fname):
    """wrk on cw's path, on a static file of the same bytes and on the echo
    responder returning them; returns the results."""
    req = urllib.request.Request(cw.url + path)
    for h in hdrs:
        k, v = h.split(": ", 1)
        req.add_header(k, v)
    with urllib.request.urlopen(req) as r:
        data = r.read()
    with open(os.path.join(front, fname), "wb") as f:
        f.write(data)
    res = {"label": label, "bytes": len(data)}
    res["cwebui"] = wrk(cw.url + path, hdrs)
    res["static"] = wrk(cw.url + "/" + fname)
    # the baseline responder, behind its own identical stack
    fake = os.path.join(tmp, "echo-" + fname)
    os.makedirs(os.path.join(fake, "src", "fcgi"))
    wrapper = os.path.join(fake, "src", "fcgi", "cwebui-fcgi")
    with open(wrapper, "w") as f:
        f.write("#!/bin/sh\nBENCH_BODY_FILE=%s exec %s\n" %
                (os.path.join(front, fname), echo_bin))
    os.chmod(wrapper, 0o755)
    # run-stack also starts cwebui-streamd (unused by these endpoints)
    os.makedirs(os.path.join(fake, "src", "streamd"))
    os.symlink(os.path.join(BUILD, "src", "streamd", "cwebui-streamd"),
               os.path.join(fake, "src", "streamd", "cwebui-streamd"))
    echo = Stack(tmp, "echo-" + label.split()[1].strip("/").replace("/", "-"),
                 fake, front)
    stacks.append(echo)
    res["echo"] = wrk(echo.url + path, hdrs)
    echo.stop()
    stacks.remove(echo)
    return res


def bench_models(tmp, front, echo_bin, stacks):
    """GET /api/models with three fake connections (two OpenAI, one Ollama,
    tests/fake/provider.py) warm in the base-model cache
    (ENABLE_BASE_MODELS_CACHE), on its own cwebui stack."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "fake"))
    from provider import FakeProvider
    fakes = [FakeProvider().start() for _ in range(3)]
    try:
        # connections from the environment: the lighttpd configuration
        # with a frontend does not pass /openai/ and /ollama/ through yet
        cw = Stack(tmp, "cwebui-models", BUILD, front, {
            "ENABLE_BASE_MODELS_CACHE": "true",
            "OPENAI_API_BASE_URLS": "%s/v1;%s/v1" % (fakes[0].url,
                                                    fakes[1].url),
            "OPENAI_API_KEYS": ";",
            "OLLAMA_BASE_URLS": fakes[2].url})
        stacks.append(cw)
        token = signup_admin(cw, "bm@example.com")["token"]
        auth = "Authorization: Bearer " + token
        return measure(tmp, front, echo_bin, stacks, cw,
                       "GET /api/models (3 conn)", "/api/models", (auth,),
                       "models.json")
    finally:
        for f in fakes:
            f.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="cwebui-bench-")
    front = os.path.join(tmp, "front")
    os.makedirs(front)
    with open(os.path.join(front, "index.html"), "w") as f:
        f.write("<!doctype html><title>bench</title>\n")
    fcgi_bin = os.path.join(BUILD, "src", "fcgi", "cwebui-fcgi")
    echo_bin = os.path.join(BUILD, "tests", "bench", "fcgi_echo")
    stacks = []
    try:
        cw = Stack(tmp, "cwebui", BUILD, front)
        stacks.append(cw)
        admin = signup_admin(cw, "bench@example.com")
        token = admin["token"]
        auth = "Authorization: Bearer " + token
        endpoints = [("GET /api/config", "/api/config", (), "config.json"),
                     ("GET /api/v1/auths/", "/api/v1/auths/", (auth,),
                      "auths.json")]
        results = []
        for label, path, hdrs, fname in endpoints:
            results.append(measure(tmp, front, echo_bin, stacks, cw, label,
                                   path, hdrs, fname))
        results.append(bench_models(tmp, front, echo_bin, stacks))
        nproc, rss, pss = memory(os.path.realpath(fcgi_bin))
        print("cwebui bench: %d s per run, %d connections, %s workers, wrk -t2"
              % (SECONDS, CONNS, WORKERS))
        print("%-22s %7s %10s %8s %8s %9s %9s" % ("endpoint / server", "bytes",
              "req/s", "p50 ms", "p99 ms", "x static", "x echo"))
        for res in results:
            for who in ("cwebui", "static", "echo"):
                m = res[who]
                print("%-22s %7d %10.0f %8.2f %8.2f %9s %9s%s" % (
                    (res["label"] if who == "cwebui" else "  " + who),
                    res["bytes"], m["rps"], m["p50"] or 0, m["p99"] or 0,
                    "%.2f" % (m["rps"] / res["static"]["rps"]),
                    "%.2f" % (m["rps"] / res["echo"]["rps"]),
                    "  (%d non-2xx!)" % m["errors"] if m["errors"] else ""))
        print("cwebui-fcgi memory after the run: %d processes, RSS %.1f MiB, "
              "PSS %.1f MiB" % (nproc, rss / 1024, pss / 1024))
        print("start to first 200 (GET /health through lighttpd): %.0f ms"
              % (cw.first_200 * 1000))
        bench_chats(cw, token, admin["id"])
    finally:
        for s in stacks:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
