"""The load generator of the fault tests: a few threads sending a steady mix
of ordinary requests (sign-in, chat list, chat save, model list) to a stack
while a test breaks something underneath, then the figures.

Load(stack, account, threads=4, mix=...) .start(), .stop() -> Tally.
Every request is classified as it ends:
  ok        a 2xx answer read whole
  clean5xx  a 5xx answer read whole (its status and, when it is JSON, its
            {"detail"} are kept for the test to check)
  other     anything else: a connection error, a timeout, a body cut short,
            an unexpected 4xx, a 2xx that is not JSON
Each thread saves chats of its own only (so the order of one chat's saves
is known), and the ledger remembers every document it sent and whether the
server acknowledged it; verify_chats() compares the ledger with the rows.

Loopback only; the thread count and the per-request timeout bound the
load.  report(name, figures) prints the figures and appends them to
$CWEBUI_FAULTS_REPORT when that is set.
"""

import http.client
import json
import os
import random
import threading
import time

OPS = ("signin", "chats", "save", "models")
# the default mix: sign-ins (a slow password hash) less often than the rest
MIX = ("signin", "chats", "chats", "save", "save", "save", "models")


class Outcome:
    """One request: op, kind (ok, clean5xx, other), status, detail, the
    monotonic start and end times, and a short description for "other"."""

    __slots__ = ("op", "kind", "status", "detail", "t0", "t1", "what")

    def __init__(self, op, kind, status, detail, t0, t1, what=""):
        self.op, self.kind, self.status = op, kind, status
        self.detail, self.t0, self.t1, self.what = detail, t0, t1, what

    def __repr__(self):
        return (f"<{self.op} {self.kind} {self.status} {self.detail!r} "
                f"{self.t1 - self.t0:.2f}s {self.what}>")


class Tally:
    """All outcomes of a run, in the order they ended."""

    def __init__(self):
        self.lock = threading.Lock()
        self.outcomes = []

    def add(self, o):
        with self.lock:
            self.outcomes.append(o)

    def of(self, kind, since=None, until=None):
        return [o for o in self.outcomes if o.kind == kind and
                (since is None or o.t0 >= since) and
                (until is None or o.t1 <= until)]

    def counts(self):
        c = {"requests": len(self.outcomes), "ok": 0, "clean5xx": 0,
             "other": 0}
        for o in self.outcomes:
            c[o.kind] += 1
        statuses = sorted({o.status for o in self.outcomes
                           if o.kind == "clean5xx"})
        c["statuses_5xx"] = ",".join(map(str, statuses)) or "-"
        return c


class Ledger:
    """What the load generator believes it saved: for each chat id the
    documents sent in order, each with acked True/False; documents of
    creations whose answer never came (their id is unknown)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.chats = {}         # id -> [(doc, acked)]
        self.unknown = []       # docs of creations without an answer

    def sent(self, chat_id, doc, acked):
        with self.lock:
            if chat_id is None:
                self.unknown.append(doc)
            else:
                self.chats.setdefault(chat_id, []).append((doc, acked))

    def acked(self):
        with self.lock:
            return sum(a for docs in self.chats.values() for _, a in docs)


def _doc(marker):
    """A chat document whose pad length and marker tell a torn write."""
    pad = "x" * random.randint(50, 4000)
    mid = f"m{marker}"
    msg = {"id": mid, "role": "user", "content": f"hello {marker}",
           "parentId": None, "childrenIds": [], "timestamp": 0}
    return {"title": f"fault {marker}", "models": [], "marker": marker,
            "pad": pad, "messages": [msg],
            "history": {"messages": {mid: msg}, "currentId": mid}}


class Load:
    """Threads sending the mix to stack as account until stop()."""

    def __init__(self, stack, account, threads=4, mix=MIX, timeout=20,
                 pause=0.005):
        self.stack = stack
        self.account = account
        self.nthreads = threads
        self.mix = mix
        self.timeout = timeout
        self.pause = pause
        self.tally = Tally()
        self.ledger = Ledger()
        self._stop = threading.Event()
        self._threads = []
        self._marker = 0
        self._mlock = threading.Lock()

    # -- one request ------------------------------------------------------

    def request(self, op, method, path, body=None, token=True):
        """Sends one request, classifies and records it. Returns (outcome,
        parsed JSON or None)."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {self.account.token}"
        data = json.dumps(body).encode() if body is not None else None
        t0 = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.stack.port,
                                          timeout=self.timeout)
        status, raw, what = None, b"", ""
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            status = resp.status
            raw = resp.read()
        except (OSError, http.client.HTTPException) as e:
            what = f"{e.__class__.__name__}: {e}"
        finally:
            conn.close()
        t1 = time.monotonic()
        parsed = None
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            pass
        detail = parsed.get("detail") if isinstance(parsed, dict) else None
        if what:
            kind = "other"
        elif 200 <= status < 300:
            kind = "ok" if parsed is not None else "other"
            what = "" if parsed is not None else f"not JSON: {raw[:80]!r}"
        elif status >= 500:
            kind = "clean5xx"
        else:
            kind = "other"
            what = f"{status}: {raw[:200]!r}"
        o = Outcome(op, kind, status, detail, t0, t1, what)
        self.tally.add(o)
        return o, parsed

    # -- the mix ----------------------------------------------------------

    def _next_marker(self):
        with self._mlock:
            self._marker += 1
            return self._marker

    def _save(self, own):
        doc = _doc(self._next_marker())
        if len(own) < 3 or random.random() < 0.3:
            o, j = self.request("save", "POST", "/api/v1/chats/new",
                                {"chat": doc})
            if o.kind == "ok" and isinstance(j, dict) and "id" in j:
                own.append(j["id"])
                self.ledger.sent(j["id"], doc, True)
            else:
                self.ledger.sent(None, doc, False)
            return
        cid = random.choice(own)
        o, _ = self.request("save", "POST", f"/api/v1/chats/{cid}",
                            {"chat": doc})
        self.ledger.sent(cid, doc, o.kind == "ok")

    def one(self, op, own):
        if op == "signin":
            self.request(op, "POST", "/api/v1/auths/signin",
                         {"email": self.account.email,
                          "password": self.account.password}, token=False)
        elif op == "chats":
            self.request(op, "GET", "/api/v1/chats/?page=1")
        elif op == "models":
            self.request(op, "GET", "/api/models")
        else:
            self._save(own)

    def _run(self):
        own = []
        rnd = random.Random()
        while not self._stop.is_set():
            self.one(rnd.choice(self.mix), own)
            if self.pause:
                self._stop.wait(self.pause)

    def start(self):
        for _ in range(self.nthreads):
            t = threading.Thread(target=self._run, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self):
        """Stops the threads (each finishes its request, bounded by the
        timeout) and returns the Tally."""
        self._stop.set()
        for t in self._threads:
            t.join(self.timeout + 5)
            assert not t.is_alive(), "a load thread hangs"
        return self.tally


def verify_chats(stack, ledger, user_id):
    """Compares the ledger with the chat rows of user_id. Returns a dict:
    acked (saves the server acknowledged), verified (chats whose row holds
    their last acknowledged document or a later attempt), lost (a chat or
    an acknowledged save missing), torn (a row that is no whole document
    sent), orphans (rows of creations without an answer, each whole)."""
    rows = {r["id"]: r for r in stack.sql(
        'SELECT id, title, chat FROM "chat" WHERE user_id = ?', (user_id,))}
    sent = {}
    for docs in ledger.chats.values():
        for d, _ in docs:
            sent[d["marker"]] = d
    for d in ledger.unknown:
        sent[d["marker"]] = d
    res = {"acked": ledger.acked(), "verified": 0, "lost": [], "torn": [],
           "orphans": 0}

    def whole(row):
        try:
            doc = json.loads(row["chat"])
            d = sent[doc["marker"]]
        except (ValueError, KeyError, TypeError):
            return None
        if doc.get("pad") != d["pad"] or row["title"] != d["title"]:
            return None
        return doc["marker"]

    for cid, docs in ledger.chats.items():
        row = rows.get(cid)
        if row is None:
            res["lost"].append(cid)
            continue
        m = whole(row)
        if m is None:
            res["torn"].append(cid)
            continue
        last_ack = max((i for i, (_, a) in enumerate(docs) if a),
                       default=0)
        allowed = {d["marker"] for d, _ in docs[last_ack:]}
        if m not in allowed:
            res["lost"].append(cid)
        else:
            res["verified"] += 1
    for cid, row in rows.items():
        if cid in ledger.chats:
            continue
        if whole(row) is None:
            res["torn"].append(cid)
        else:
            res["orphans"] += 1
    return res


def report(name, figures):
    """Prints "faults: name: k=v ..." and appends the same line to the file
    named by $CWEBUI_FAULTS_REPORT when set."""
    line = f"faults: {name}: " + " ".join(
        f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
        for k, v in figures.items())
    print(line)
    path = os.environ.get("CWEBUI_FAULTS_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")
