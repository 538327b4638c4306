#!/usr/bin/python3
"""The black-box smoke suite: what a user of a fresh cwebui installation
does first, through whatever web server is in front of it.

    tests/smoke/smoke.py --base-url http://127.0.0.1:8080 [--polling-only]

Starts the fake LLM provider (tests/fake/provider.py) on a free loopback
port, signs the admin in (or up, as the first user), points the OpenAI
connection at the fake (POST /openai/config/update), checks the model list,
signs a second user in or up and has the admin activate it, then, as that
user: Socket.IO (websocket transport, or long-polling only with
--polling-only) and the frontend's chat flow (chat-events until done, the
answer stored in the chat), a direct server-sent-events stream read chunk by
chunk, and a check that the stream is not buffered.

Prints one line per step ("ok" or "FAIL" and why) and "N passed, M failed";
exits 0 only when every step passed.  A step whose prerequisite failed
fails too ("not run").  It changes the installation: two accounts, the
OpenAI connection, a public model entry, one chat.  See README.md.
"""

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

sys.dont_write_bytecode = True
_TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_TESTS / "api"))

import requests  # noqa: E402

from fakes import Fake  # noqa: E402
from helpers import connect_providers  # noqa: E402
from sio import Client  # noqa: E402
from test_chatflow import new_chat  # noqa: E402

MODEL = "cwebui-smoke"
REPLY = "Smoke test answer: héllo wörld, 日本語 and a few more words"
ADMIN = ("Smoke Admin", "smoke-admin@example.com", "Smoke-Passw0rd-1")
USER = ("Smoke User", "smoke-user@example.com", "Smoke-Passw0rd-2")
# The fake sends the role chunk and this many content chunks, then stalls
# until the client goes away (the unbuffered check).
HANG_AFTER = 3


class StepFailed(Exception):
    pass


def check(cond, what):
    """Raises StepFailed(what) unless cond."""
    if not cond:
        raise StepFailed(what)


def expect(r, status, what):
    """Returns r.json() when r has the status; StepFailed otherwise."""
    check(r.status_code == status,
          f"{what}: {r.status_code} {r.text[:300]!r}")
    try:
        return r.json()
    except ValueError:
        raise StepFailed(f"{what}: not JSON: {r.text[:300]!r}") from None


def sse_events(resp):
    """Yields the data: values of a server-sent-events response as they
    arrive (each a str), reading the body as the network delivers it."""
    pending = b""
    for piece in resp.iter_content(chunk_size=None):
        pending += piece
        while b"\n\n" in pending:
            event, pending = pending.split(b"\n\n", 1)
            for line in event.split(b"\n"):
                if line.startswith(b"data:"):
                    yield line[5:].strip().decode()


def delta_text(data):
    """The content of an OpenAI chat.completion.chunk ("" if none)."""
    try:
        obj = json.loads(data)
    except ValueError:
        raise StepFailed(f"stream event is not JSON: {data[:200]!r}") \
            from None
    choices = obj.get("choices") or [{}]
    return (choices[0].get("delta") or {}).get("content") or ""


class Smoke:
    """The state the steps share: base URL, fake, accounts, socket."""

    def __init__(self, base_url, polling_only, timeout):
        self.base = base_url.rstrip("/")
        self.polling_only = polling_only
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False         # loopback: never a proxy
        self.fake = None
        self.admin = None                   # token
        self.user = None                    # token
        self.sio = None
        self.passed = 0
        self.failed = 0
        self.done = set()

    # -- plumbing -------------------------------------------------------

    def req(self, method, path, token=None, **kw):
        headers = dict(kw.pop("headers", None) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        kw.setdefault("timeout", self.timeout)
        return self.http.request(method, self.base + path, headers=headers,
                                 **kw)

    def post(self, path, token=None, **kw):
        """As the tests' Stack.post (for the helpers of tests/api)."""
        return self.req("POST", path, token, **kw)

    def poll(self, fn, what):
        """Calls fn() until it returns a true value or the timeout passes
        (then StepFailed with what and the last value)."""
        deadline = time.monotonic() + self.timeout
        while True:
            v = fn()
            if v:
                return v
            if time.monotonic() > deadline:
                raise StepFailed(f"{what} (last: {str(v)[:300]})")
            time.sleep(0.1)

    def run(self, name, fn, needs=()):
        missing = [n for n in needs if n not in self.done]
        try:
            if missing:
                raise StepFailed(f"not run: {', '.join(missing)} failed")
            detail = fn()
        except StepFailed as e:
            detail, ok = str(e), False
        except Exception as e:   # an unexpected error is this step's failure
            tb = traceback.extract_tb(e.__traceback__)[-1]
            detail, ok = (f"{e.__class__.__name__}: {e} "
                          f"({Path(tb.filename).name}:{tb.lineno})"), False
        else:
            ok = True
        if ok:
            self.passed += 1
            self.done.add(name)
        else:
            self.failed += 1
        line = f"{'ok  ' if ok else 'FAIL'} {name}"
        print(line + (f": {detail}" if detail else ""), flush=True)

    def close(self):
        if self.sio is not None:
            try:
                self.sio.disconnect()
            except Exception:
                pass
        if self.fake is not None:
            self.fake.stop()

    # -- accounts -------------------------------------------------------

    def sign_in_or_up(self, who):
        """Signs in who (name, email, password), or signs up when that
        fails.  Returns the auths response JSON."""
        name, email, password = who
        r = self.req("POST", "/api/v1/auths/signin",
                     json={"email": email, "password": password})
        if r.status_code == 200:
            return r.json()
        r = self.req("POST", "/api/v1/auths/signup",
                     json={"name": name, "email": email,
                           "password": password})
        if r.status_code == 403 and self.admin:   # sign-up disabled
            return expect(self.req("POST", "/api/v1/auths/add", self.admin,
                                   json={"name": name, "email": email,
                                         "password": password,
                                         "role": "user"}),
                          200, f"add {email}")
        return expect(r, 200, f"sign-up {email}")

    # -- steps ----------------------------------------------------------

    def step_health(self):
        data = expect(self.req("GET", "/health"), 200, "GET /health")
        check(data == {"status": True}, f"GET /health: {data}")

    def step_fake(self):
        self.fake = Fake()
        self.fake.set(reset=True, models=[MODEL], reply=REPLY)
        return self.fake.url

    def step_admin(self):
        data = self.sign_in_or_up(ADMIN)
        check(data.get("role") == "admin",
              f"{ADMIN[1]} has role {data.get('role')!r}, not admin (is "
              "this installation's first user someone else?)")
        self.admin = data["token"]

    def step_connection(self):
        # the OpenAI connection is the fake; Ollama is switched off
        connect_providers(self, self.admin, openai=[self.fake])

    def model_ids(self, token):
        r = self.req("GET", "/api/models", token)
        if r.status_code != 200:
            return None
        return [m.get("id") for m in r.json().get("data") or []]

    def step_models(self):
        self.poll(lambda: MODEL in (self.model_ids(self.admin) or []),
                  f"GET /api/models never listed {MODEL}")
        # a model entry without access control: public to every user
        form = {"id": MODEL, "name": "cwebui smoke", "base_model_id": None,
                "meta": {}, "params": {}, "access_control": None,
                "is_active": True}
        r = self.req("POST", "/api/v1/models/create", self.admin, json=form)
        if r.status_code != 200:        # there from an earlier run
            expect(self.req("POST", f"/api/v1/models/model/update?id={MODEL}",
                            self.admin, json=form), 200, "model update")

    def account(self, who):
        """Signs who in or up (sign_in_or_up) and, when the account is
        pending, has the admin make it a user.  Returns the auths JSON
        with the role it has now."""
        data = self.sign_in_or_up(who)
        if data.get("role") == "pending":
            expect(self.req("POST", f"/api/v1/users/{data['id']}/update",
                            self.admin, json={
                                "role": "user", "name": data["name"],
                                "email": data["email"],
                                "profile_image_url":
                                    data.get("profile_image_url") or
                                    "/user.png"}),
                   200, "activate the user")
            data["role"] = "user"
        return data

    def step_user(self):
        data = self.account(USER)
        check(data.get("role") == "user", f"{USER[1]} has role "
              f"{data.get('role')!r}")
        self.user = data["token"]
        me = expect(self.req("GET", "/api/v1/auths/", self.user), 200,
                    "GET /api/v1/auths/")
        check(me.get("role") == "user", f"role after activation: {me}")
        self.poll(lambda: MODEL in (self.model_ids(self.user) or []),
                  f"GET /api/models never listed {MODEL} for the user")

    def step_socketio(self):
        transports = ("polling",) if self.polling_only else ("websocket",)
        self.sio = Client(self.base, token=self.user, transports=transports,
                          timeout=self.timeout).connect()
        check(self.sio.sid, "no session id")
        self.sio.user_join(timeout=self.timeout)
        return f"{transports[0]}, sid {self.sio.sid}"

    def step_chat(self):
        cid, _, aid = new_chat(self, self.user, MODEL)
        task = expect(self.req("POST", "/api/chat/completions", self.user,
                               json={
            "stream": True, "model": MODEL,
            "messages": [{"role": "user", "content": "Say something"}],
            "params": {}, "session_id": self.sio.sid, "chat_id": cid,
            "id": aid, "features": {}, "variables": {},
            "background_tasks": {}}), 200, "POST /api/chat/completions")
        check(task.get("status") is True and task.get("task_id"),
              f"no task: {task}")

        def final():
            for e in self.sio.chat_events(cid, aid, "chat:completion"):
                d = e["data"].get("data") or {}
                if d.get("done"):
                    return d
            return None
        d = self.poll(final, "no chat:completion event with done")
        check(d.get("content") == REPLY, f"final content {d.get('content')!r}")

        def stored():
            r = self.req("GET", f"/api/v1/chats/{cid}", self.user)
            if r.status_code != 200:
                return None
            m = r.json()["chat"]["history"]["messages"].get(aid) or {}
            return m if m.get("content") == REPLY else None
        self.poll(stored, "the chat never stored the answer")
        return f"chat {cid}"

    def stream(self):
        """POST /api/chat/completions without session_id, streamed;
        returns the open response."""
        r = self.req("POST", "/api/chat/completions", self.user, stream=True,
                     json={"model": MODEL, "stream": True, "messages": [
                         {"role": "user", "content": "Say something"}]})
        if r.status_code != 200:
            text = r.text[:300]
            r.close()
            raise StepFailed(f"POST /api/chat/completions: "
                             f"{r.status_code} {text!r}")
        ctype = r.headers.get("Content-Type", "")
        if not ctype.startswith("text/event-stream"):
            r.close()
            raise StepFailed(f"Content-Type {ctype!r}")
        return r

    def step_sse(self):
        with self.stream() as r:
            events = list(sse_events(r))
        check(events and events[-1] == "[DONE]",
              f"stream does not end with [DONE]: {events[-3:]}")
        text = "".join(delta_text(e) for e in events[:-1])
        check(text == REPLY, f"streamed text {text!r}")
        return f"{len(events)} events"

    def step_unbuffered(self):
        # The fake stalls after HANG_AFTER chunks and never ends the
        # stream: the first pieces can only reach us if nothing between
        # (web server, cwebui-streamd) waits for the end.
        self.fake.set(hang_after_chunks=HANG_AFTER)
        try:
            got = []
            with self.stream() as r:
                for data in sse_events(r):
                    check(data != "[DONE]", "the stalled stream ended")
                    got.append(delta_text(data))
                    if len([t for t in got if t]) >= HANG_AFTER - 1:
                        break
            return f"{len(got)} events before the end"
        except (requests.exceptions.ConnectionError,
                requests.exceptions.Timeout) as e:
            raise StepFailed(f"the first chunks did not arrive while the "
                             f"stream was open (buffered?): "
                             f"{e.__class__.__name__}") from None
        finally:
            self.fake.set(hang_after_chunks=None)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base-url", required=True,
                    help="where the web server serves cwebui, e.g. "
                    "http://127.0.0.1:8080")
    ap.add_argument("--polling-only", action="store_true",
                    help="Socket.IO over HTTP long-polling only")
    ap.add_argument("--timeout", type=float, default=20,
                    help="seconds to wait for each answer (20)")
    args = ap.parse_args(argv)

    s = Smoke(args.base_url, args.polling_only, args.timeout)
    try:
        s.run("health", s.step_health)
        s.run("fake provider", s.step_fake)
        s.run("admin", s.step_admin, ["health"])
        s.run("connection", s.step_connection, ["fake provider", "admin"])
        s.run("models", s.step_models, ["connection"])
        s.run("user", s.step_user, ["models"])
        s.run("socket.io", s.step_socketio, ["user"])
        s.run("chat over socket.io", s.step_chat, ["socket.io"])
        s.run("sse stream", s.step_sse, ["user"])
        s.run("sse unbuffered", s.step_unbuffered, ["user"])
    finally:
        s.close()
    print(f"{s.passed} passed, {s.failed} failed", flush=True)
    return 0 if s.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
