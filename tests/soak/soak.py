"""make soak: mixed load through the whole stack for SOAK_SECONDS, with the
memory of every process sampled; see README.md for the verdict and its
bound."""

import json
import os
import shutil
import statistics
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "api"))
sys.dont_write_bytecode = True

import requests  # noqa: E402

import conftest  # noqa: E402
from fakes import Fake  # noqa: E402
from helpers import connect_providers  # noqa: E402
from sio import Client  # noqa: E402

SECONDS = int(os.environ.get("SOAK_SECONDS", "3600"))
INTERVAL = float(os.environ.get("SOAK_INTERVAL", "10"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "4"))
ENGINE = os.environ.get("SOAK_ENGINE", "sqlite")
WARMUP = int(os.environ.get("SOAK_WARMUP",
                            str(min(300, max(60, SECONDS // 6)))))
# growth allowed after warm-up: SOAK_MAX_GROWTH_KB plus SOAK_MAX_GROWTH_PCT
# percent of the RSS after warm-up (README.md says why)
MAX_GROWTH_KB = int(os.environ.get("SOAK_MAX_GROWTH_KB", "4096"))
MAX_GROWTH_PCT = float(os.environ.get("SOAK_MAX_GROWTH_PCT", "5"))
REPLY = ("A soak answer of some length, streamed word by word so that the "
         "relay, the chat events and the saves all run. ") * 3


# -- processes ------------------------------------------------------------

def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    comm = s[s.index("(") + 1:s.rindex(")")]
    ppid = int(s[s.rindex(")") + 2:].split()[1])
    return comm, ppid


def _children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                comm, ppid = _stat(int(d))
            except (OSError, ValueError):
                continue
            if ppid == pid:
                out.append((int(d), comm))
    return out


def processes(root):
    """{name: pid} of the stack under run-stack's pid root: cwebui-fcgi
    (the master), "cwebui-fcgi worker N" (by pid order), cwebui-streamd,
    lighttpd."""
    found = {}
    for pid, comm in _children(root):
        if comm == "cwebui-fcgi":
            found["cwebui-fcgi master"] = pid
            workers = sorted(p for p, c in _children(pid)
                             if c == "cwebui-fcgi")
            for i, w in enumerate(workers):
                found[f"cwebui-fcgi worker {i + 1}"] = w
        elif comm in ("cwebui-streamd", "lighttpd"):
            found[comm] = pid
    return found


def memory(pid):
    """(RSS, PSS) of pid in KiB, or None when it is gone."""
    rss = pss = None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        return None
    return rss, pss


# -- load -----------------------------------------------------------------

class Load:
    def __init__(self, stack, users, deadline):
        self.stack = stack
        self.users = users
        self.deadline = deadline
        self.lock = threading.Lock()
        self.ops = {}
        self.errors = []

    def count(self, op, ok, detail=""):
        with self.lock:
            n = self.ops.setdefault(op, [0, 0])
            n[0 if ok else 1] += 1
            if not ok and len(self.errors) < 50:
                self.errors.append(f"{op}: {detail}"[:300])

    def req(self, op, method, path, token=None, want=200, **kw):
        try:
            r = self.stack.request(method, path, token, **kw)
        except Exception as e:
            self.count(op, False, repr(e))
            return None
        self.count(op, r.status_code == want,
                   f"{r.status_code} {r.text[:200]}")
        return r if r.status_code == want else None

    def chat(self, token):
        uid, aid = str(uuid.uuid4()), str(uuid.uuid4())
        now = int(time.time())
        msgs = {uid: {"id": uid, "parentId": None, "childrenIds": [aid],
                      "role": "user", "content": "Say something",
                      "timestamp": now, "models": ["gpt-soak"]},
                aid: {"id": aid, "parentId": uid, "childrenIds": [],
                      "role": "assistant", "content": "",
                      "model": "gpt-soak", "timestamp": now}}
        chat = {"title": "Soak", "models": ["gpt-soak"], "params": {},
                "history": {"messages": msgs, "currentId": aid},
                "messages": list(msgs.values()), "tags": [],
                "timestamp": now * 1000}
        r = self.req("chat new", "POST", "/api/v1/chats/new", token,
                     json={"chat": chat})
        if r is None:
            return None, None
        cid = r.json()["id"]
        chat["title"] = "Soak saved"
        self.req("chat save", "POST", f"/api/v1/chats/{cid}", token,
                 json={"chat": chat})
        return cid, aid

    def socket_chat(self, client, token):
        cid, aid = self.chat(token)
        if cid is None:
            return
        r = self.req("chat task", "POST", "/api/chat/completions", token,
                     json={"stream": True, "model": "gpt-soak",
                           "messages": [{"role": "user",
                                         "content": "Say something"}],
                           "params": {}, "session_id": client.sid,
                           "chat_id": cid, "id": aid, "features": {},
                           "variables": {}})
        if r is not None:
            try:
                client.wait("chat-events", lambda d: d.get("message_id")
                            == aid and (d["data"].get("data") or {}).get(
                                "done") is True, timeout=60)
                self.count("chat events", True)
            except AssertionError as e:
                self.count("chat events", False, str(e))
        with client._cond:
            client.events.clear()
        self.req("chat delete", "DELETE", f"/api/v1/chats/{cid}", token)

    def direct_stream(self, token):
        try:
            r = self.stack.post("/api/chat/completions", token, stream=True,
                                json={"model": "gpt-soak", "stream": True,
                                      "messages": [{"role": "user",
                                                    "content": "Hi"}]})
            body = r.content.decode("utf-8", "replace")
            ok = r.status_code == 200 and "data: [DONE]" in body
            self.count("stream relay", ok, f"{r.status_code} {body[:200]}")
        except Exception as e:
            self.count("stream relay", False, repr(e))

    def run(self, n):
        acct = self.users[n % len(self.users)]
        token = acct.token
        client = None
        i = 0
        while time.monotonic() < self.deadline:
            i += 1
            try:
                if client is None or i % 20 == 0:
                    if client is not None:
                        client.disconnect()
                    client = Client(self.stack.url, token=token).connect()
                    client.user_join()
                    self.count("socket session", True)
                if i % 10 == 0:
                    r = self.req("sign-in", "POST", "/api/v1/auths/signin",
                                 json={"email": acct.email,
                                       "password": acct.password})
                    if r is not None:
                        token = r.json()["token"]
                self.req("model list", "GET", "/api/models", token)
                self.req("chat list", "GET", "/api/v1/chats/?page=1", token)
                self.socket_chat(client, token)
                self.direct_stream(token)
            except Exception as e:
                self.count("loop", False, traceback.format_exc(limit=2))
                if client is not None:
                    try:
                        client.disconnect()
                    except Exception:
                        pass
                client = None
                time.sleep(0.5)
                del e
        if client is not None:
            client.disconnect()


# -- verdict --------------------------------------------------------------

def slope_kb_per_min(points):
    """Least-squares slope of [(t seconds, kb)] in KiB per minute."""
    if len(points) < 2:
        return 0.0
    mt = statistics.fmean(t for t, _ in points)
    mk = statistics.fmean(k for _, k in points)
    den = sum((t - mt) ** 2 for t, _ in points)
    if den == 0:
        return 0.0
    return 60 * sum((t - mt) * (k - mk) for t, k in points) / den


def verdict(samples, t0):
    """Prints the table; returns the names of the cwebui processes whose
    RSS grew past the bound after warm-up."""
    failed = []
    names = sorted({n for s in samples for n in s["mem"]})
    print(f"\nsoak: {SECONDS} s, warm-up {WARMUP} s, {len(samples)} samples "
          f"every {INTERVAL:g} s; RSS (PSS) in KiB")
    print(f"{'process':24} {'pid':>7} {'after warm-up':>18} {'end':>18} "
          f"{'growth':>8} {'slope/min':>9} {'bound':>7}  verdict")
    for name in names:
        pts = [(s["t"] - t0, s["mem"][name]) for s in samples
               if name in s["mem"]]
        after = [(t, m) for t, m in pts if t >= WARMUP]
        pids = {s["pids"][name] for s in samples if name in s["pids"]}
        if len(after) < 2:
            print(f"{name:24} too few samples after warm-up")
            continue
        w = after[:3]
        e = after[-3:]
        w_rss = statistics.median(m[0] for _, m in w)
        w_pss = statistics.median(m[1] for _, m in w)
        e_rss = statistics.median(m[0] for _, m in e)
        e_pss = statistics.median(m[1] for _, m in e)
        growth = e_rss - w_rss
        slope = slope_kb_per_min([(t, m[0]) for t, m in after])
        bound = MAX_GROWTH_KB + w_rss * MAX_GROWTH_PCT / 100
        judged = name.startswith("cwebui")
        ok = growth <= bound and len(pids) == 1
        if judged and not ok:
            failed.append(name)
        print(f"{name:24} {'/'.join(map(str, sorted(pids))):>7} "
              f"{f'{w_rss:.0f} ({w_pss:.0f})':>18} "
              f"{f'{e_rss:.0f} ({e_pss:.0f})':>18} {growth:8.0f} "
              f"{slope:9.1f} {bound:7.0f}  "
              f"{('ok' if ok else 'GREW' if len(pids) == 1 else 'RESTARTED') if judged else '(not judged)'}")
    return failed


def main():
    pg = None
    fake = Fake()
    root = Path(os.environ.get("SOAK_DIR") or
                f"/tmp/cwebui-soak-{os.getpid()}")
    shutil.rmtree(root / "stack", ignore_errors=True)     # a fresh stack
    root.mkdir(parents=True, exist_ok=True)
    if ENGINE == "pg":
        import subprocess
        d = root / "pg"
        out = subprocess.run([str(conftest.PG_START), str(d)], check=True,
                             capture_output=True, text=True).stdout
        settings = dict(x.split("=", 1) for x in out.splitlines() if "=" in x)
        pg = conftest.PgCluster(str(d), settings)
        db = pg.create_database()
        stack = conftest.Stack("soak", "pg", root / "stack", pg.url(db),
                               {"MODELS_CACHE_TTL": "0"}, pg, db)
    else:
        stack = conftest.Stack("soak", "sqlite", root / "stack",
                               f"sqlite:///{root / 'stack/data/webui.db'}",
                               {"MODELS_CACHE_TTL": "0"})
    samples = []
    failed = ["setup"]
    try:
        stack.start()
        users = conftest.create_users(stack)
        fake.set(models=["gpt-soak"], reply=REPLY, chunk_delay_ms=5)
        connect_providers(stack, users.admin.token, openai=[fake])
        r = stack.post("/api/v1/models/create", token=users.admin.token,
                       json={"id": "gpt-soak", "name": "gpt-soak",
                             "base_model_id": None, "meta": {},
                             "params": {}, "access_control": None})
        assert r.status_code == 200, r.text
        t0 = time.monotonic()
        load = Load(stack, [users.admin, users.user], t0 + SECONDS)
        threads = [threading.Thread(target=load.run, args=(n,), daemon=True)
                   for n in range(CLIENTS)]
        for t in threads:
            t.start()
        while time.monotonic() < t0 + SECONDS:
            procs = processes(stack._proc.pid)
            mem = {n: memory(p) for n, p in procs.items()}
            samples.append({"t": time.monotonic(), "pids": procs,
                            "mem": {n: m for n, m in mem.items() if m}})
            if not stack.alive():
                print("soak: the stack died", file=sys.stderr)
                break
            fake.clear()            # its log of requests would grow
            with load.lock:
                done = sum(a + b for a, b in load.ops.values())
            print(f"soak: {time.monotonic() - t0:6.0f} s, {done} operations, "
                  + ", ".join(f"{n.split()[-1] if 'worker' in n else n}="
                              f"{m[0]}" for n, m in sorted(
                                  samples[-1]["mem"].items())), flush=True)
            time.sleep(max(0.0, min(INTERVAL, t0 + SECONDS -
                                    time.monotonic())))
        for t in threads:
            t.join(90)
        print("\nsoak: operations (ok / failed)")
        for op, (ok, bad) in sorted(load.ops.items()):
            print(f"  {op:16} {ok:8} {bad:6}")
        for e in load.errors[:20]:
            print("  error:", e)
        failed = verdict(samples, t0)
        total = sum(a + b for a, b in load.ops.values())
        bad = sum(b for _, b in load.ops.values())
        if bad:
            failed.append(f"{bad} of {total} operations failed")
        if not stack.alive():
            failed.append("the stack died")
        with open(root / "samples.json", "w") as f:
            json.dump([{**s, "t": s["t"] - t0} for s in samples], f)
        print(f"soak: samples in {root / 'samples.json'}, stack log "
              f"{stack.log_path}")
    finally:
        stack.close()
        fake.stop()
        if pg is not None:
            import subprocess
            subprocess.run([str(conftest.PG_STOP), pg.dir])
    if failed:
        print("soak: FAILED: " + "; ".join(failed))
        return 1
    print("soak: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
