"""Harness for the black-box API tests: a real stack (lighttpd from
fcgi-conf/run-stack in front of cwebui-fcgi) on SQLite and on PostgreSQL.

Fixtures
  stack        module scope, parametrized over the engines (ids "sqlite",
               "pg"): one fresh data dir, database and run-stack per module
               and engine.  Extra environment for it: a module-level
               ``pytestmark = pytest.mark.stack_env(NAME="value")``.
  fresh_stack  the same with function scope (an empty database for each
               test); extra environment with @pytest.mark.stack_env(...).
  make_stack   factory, function scope: make_stack(engine, **env) -> Stack,
               stopped when the test ends.
  users        module scope, on `stack`: .admin (the first sign-up),
               .user (role user) and .pending (role pending), each an
               Account; .headers(role) and .token(role) for role in ROLES.
  admin, user, pending   the Accounts of `users`; admin_token is admin.token.
  fresh_users  the same three on `fresh_stack` (function scope); on any other
               stack call create_users(stack).
  pg_cluster   session scope: the private PostgreSQL (tests/pg/pg-start),
               started the first time a "pg" stack needs it.
  redis_server module scope: a private redis-server on a unix socket
               (tests/api/redis_server.py); give it to a stack with
               make_stack(engine, REDIS_URL=redis_server.url).

Stack attributes: url, engine, port, data_dir, run_dir, log_path,
database_url, secret, env; methods sql(query, params), restart(**env),
request(method, path, token=None, **kw), get/post/put/patch/delete,
alive(), died(), log_tail(lines), stop().  A test may set FRONTEND_DIR and
WEBUI_SECRET_KEY through env; the other variables run-stack reads (PORT,
DATA_DIR, DATABASE_URL, ...) belong to the harness.

Helpers (from conftest import ...): signup(stack, name, email, password)
-> response JSON; add_user(stack, admin_token, name, email, password, role);
auth_headers(token); create_users(stack) -> Users; ROLES ("none",
"pending", "user", "admin"); ENGINES.  A failing test shows the tail of its
stacks' logs; a test during which a stack died fails.

CWEBUI_BUILDDIR (default the repository root) selects the build;
CWEBUI_TEST_ENGINES="sqlite" (or "pg") runs one engine only.
WEB_SERVER (lighttpd, nginx or apache; run-stack's variable) picks the web
server in front: per stack through make_stack(engine, WEB_SERVER=...) or
stack_env, or for every stack from pytest's own environment.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

sys.dont_write_bytecode = True

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILDDIR = Path(os.environ.get("CWEBUI_BUILDDIR") or REPO_ROOT).resolve()
FCGI_BIN = BUILDDIR / "src" / "fcgi" / "cwebui-fcgi"
RUN_STACK = REPO_ROOT / "fcgi-conf" / "run-stack"
PG_START = REPO_ROOT / "tests" / "pg" / "pg-start"
PG_STOP = REPO_ROOT / "tests" / "pg" / "pg-stop"

ENGINES = [e for e in os.environ.get("CWEBUI_TEST_ENGINES", "sqlite pg")
           .replace(",", " ").split()]
for _e in ENGINES:
    if _e not in ("sqlite", "pg"):
        raise ValueError(f"CWEBUI_TEST_ENGINES: unknown engine {_e!r}")

ROLES = ("none", "pending", "user", "admin")

START_TIMEOUT = 30      # seconds for run-stack to answer GET /health
STOP_TIMEOUT = 20       # seconds for run-stack to exit after SIGTERM
LOG_TAIL_LINES = 60

# Variables the harness sets itself; the caller's values never leak in.
_CONTROLLED_ENV = ("PORT", "HOST", "DATA_DIR", "RUNDIR", "DATABASE_URL",
                   "WEBUI_SECRET_KEY", "WEBUI_SECRET_KEY_FILE",
                   "FRONTEND_DIR", "CWEBUI_BUILDDIR", "CWEBUI_LISTEN",
                   "REDIS_URL")
# Of those, a test may set these through make_stack(), stack_env or
# restart(); the others would break the harness's view of the stack.
_SETTABLE_ENV = ("FRONTEND_DIR", "WEBUI_SECRET_KEY", "REDIS_URL")


class StackError(Exception):
    pass


def auth_headers(token):
    """Returns the Authorization header for token ({} for None or "")."""
    return {"Authorization": f"Bearer {token}"} if token else {}


def signup(stack, name, email, password, **extra):
    """POST /api/v1/auths/signup; returns the response JSON.  Fails the
    test, showing status and body, unless the answer is 200."""
    r = stack.post("/api/v1/auths/signup",
                   json={"name": name, "email": email, "password": password,
                         **extra})
    assert r.status_code == 200, \
        f"signup {email}: {r.status_code} {r.text[:500]}"
    return r.json()


def add_user(stack, admin_token, name, email, password, role):
    """POST /api/v1/auths/add as the admin; returns the response JSON."""
    r = stack.post("/api/v1/auths/add", token=admin_token,
                   json={"name": name, "email": email, "password": password,
                         "role": role})
    assert r.status_code == 200, \
        f"auths/add {email} ({role}): {r.status_code} {r.text[:500]}"
    return r.json()


def _check_env(env):
    bad = [k for k in env if k in _CONTROLLED_ENV and k not in _SETTABLE_ENV]
    if bad:
        raise ValueError(f"the harness sets {', '.join(bad)} itself")


def _die_with_parent():
    """preexec_fn: SIGTERM run-stack when pytest dies, even by SIGKILL."""
    import ctypes
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _qmark_to_pyformat(query):
    """Turns ? placeholders into psycopg2's %s (and a literal % into %%),
    leaving quoted strings and identifiers alone."""
    out = []
    quote = None
    for ch in query:
        if ch == "%":
            out.append("%%")
        elif quote:
            out.append(ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        else:
            out.append(ch)
    return "".join(out)


class PgCluster:
    """The private PostgreSQL of the session: host (socket dir), port,
    user; create_database() and drop_database(name)."""

    def __init__(self, directory, settings):
        self.dir = directory
        self.host = settings["PGHOST"]
        self.port = int(settings["PGPORT"])
        self.user = settings["PGUSER"]

    def connect(self, dbname="postgres"):
        import psycopg2
        return psycopg2.connect(host=self.host, port=self.port,
                                user=self.user, dbname=dbname)

    def url(self, dbname):
        return (f"postgresql://{self.user}@/{dbname}"
                f"?host={self.host}&port={self.port}")

    def _admin(self, statement):
        conn = self.connect()
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(statement)
        finally:
            conn.close()

    def create_database(self):
        name = "cwebui_" + secrets.token_hex(6)
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name):
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Stack:
    """One run-stack (lighttpd + cwebui-fcgi) with its own data dir, run
    dir and database.  Construct, then start(); stop() when done.
    script: the program that runs the stack (a subclass may change it)."""

    script = RUN_STACK

    def __init__(self, name, engine, root, database_url, env, pg=None,
                 pg_dbname=None):
        self.name = name
        self.engine = engine
        self.root = Path(root)
        self.data_dir = self.root / "data"
        self.run_dir = self.root / "run"
        self.log_path = self.run_dir / "stack.log"
        self.database_url = database_url
        self._secret = secrets.token_urlsafe(24)
        _check_env(env)
        self.env = dict(env)            # as created; restart() starts here
        self.port = None
        self.url = None
        self._pg = pg
        self._pg_dbname = pg_dbname
        self._proc = None
        self._stopped = False           # stop() was called
        self._run_env = dict(env)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)

    # -- process --------------------------------------------------------

    def _environ(self):
        env = {k: v for k, v in os.environ.items()
               if k not in _CONTROLLED_ENV}
        env.update(CWEBUI_WORKERS="2", PYTHONDONTWRITEBYTECODE="1")
        env.update(PORT=str(self.port), HOST="127.0.0.1",
                   DATA_DIR=str(self.data_dir), RUNDIR=str(self.run_dir),
                   DATABASE_URL=self.database_url,
                   WEBUI_SECRET_KEY=self._secret,
                   CWEBUI_BUILDDIR=str(BUILDDIR))
        for k, v in self._run_env.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
        return env

    def start(self):
        """Starts run-stack and waits for GET /health to answer 200.
        Raises StackError, with the log tail, when it does not."""
        if not FCGI_BIN.is_file():
            raise StackError(f"{FCGI_BIN} does not exist: build it first, "
                             "or set CWEBUI_BUILDDIR")
        keep_port = self.port is not None
        for attempt in range(3):
            if not keep_port:
                self.port = _free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            try:
                self._start_once()
                return
            except StackError:
                in_use = "Address already in use" in self.log_tail(10)
                if not in_use or attempt == 2:
                    raise
                time.sleep(0.5)

    def _start_once(self):
        self._stopped = False
        with open(self.log_path, "ab") as log:
            log.write(f"=== {time.strftime('%H:%M:%S')} run-stack "
                      f"{self.name} port {self.port} "
                      f"{self.database_url} env "
                      f"{json.dumps(self._run_env)}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                [str(self.script)], env=self._environ(), cwd=self.root,
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform == "linux"
                else None)
        deadline = time.monotonic() + START_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            rc = self._proc.poll()
            if rc is not None:
                raise StackError(f"run-stack {self.name} exited with status "
                                 f"{rc} while starting\n{self._tail_text()}")
            try:
                r = requests.get(self.url + "/health", timeout=2)
                if r.status_code == 200:
                    return
                last = f"GET /health: {r.status_code} {r.text[:200]}"
            except requests.RequestException as e:
                last = f"GET /health: {e.__class__.__name__}"
            time.sleep(0.05)
        self.stop()
        raise StackError(f"run-stack {self.name} not ready within "
                         f"{START_TIMEOUT} s ({last})\n{self._tail_text()}")

    @property
    def secret(self):
        """The WEBUI_SECRET_KEY the running stack was given."""
        return self._run_env.get("WEBUI_SECRET_KEY") or self._secret

    def alive(self):
        return self._proc is not None and self._proc.poll() is None

    def died(self):
        """True when run-stack exited without stop() being called."""
        return (self._proc is not None and self._proc.poll() is not None
                and not self._stopped)

    def stop(self):
        """Sends SIGTERM to run-stack and waits; kills its process group
        if it does not exit in time.  Returns its exit status or None."""
        p = self._proc
        if p is None:
            return None
        self._stopped = True
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
                with open(self.log_path, "ab") as log:
                    log.write(b"=== run-stack did not stop on SIGTERM: "
                              b"killed\n")
        return p.returncode

    def restart(self, **env):
        """Restarts the stack on the same port, data dir and database.
        env goes on top of the env the stack was created with (not of the
        previous restart's); a value of None unsets the variable."""
        _check_env(env)
        self.stop()
        self._run_env = {**self.env, **env}
        self.start()

    def close(self):
        """stop(), then drop the stack's PostgreSQL database."""
        self.stop()
        if self._pg is not None and self._pg_dbname is not None:
            try:
                self._pg.drop_database(self._pg_dbname)
            except Exception:
                pass

    # -- diagnostics ----------------------------------------------------

    def log_tail(self, lines=LOG_TAIL_LINES):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
        except OSError:
            return ""
        text = data.decode("utf-8", "replace").splitlines()
        return "\n".join(text[-lines:])

    def _tail_text(self):
        return (f"--- last lines of {self.log_path} ---\n"
                f"{self.log_tail()}\n--- end ---")

    # -- HTTP -----------------------------------------------------------

    def request(self, method, path, token=None, **kw):
        """requests.request on self.url + path.  token adds a Bearer
        header; redirects are not followed unless allow_redirects=True;
        no cookie jar is kept between calls."""
        headers = dict(kw.pop("headers", None) or {})
        headers.update(auth_headers(token))
        kw.setdefault("timeout", 30)
        kw.setdefault("allow_redirects", False)
        try:
            return requests.request(method, self.url + path,
                                    headers=headers, **kw)
        except requests.ConnectionError as e:
            if not self.alive():
                raise StackError(f"{method} {path}: the stack is not "
                                 f"running\n{self._tail_text()}") from e
            raise

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token, **kw)

    def post(self, path, token=None, **kw):
        return self.request("POST", path, token, **kw)

    def put(self, path, token=None, **kw):
        return self.request("PUT", path, token, **kw)

    def patch(self, path, token=None, **kw):
        return self.request("PATCH", path, token, **kw)

    def delete(self, path, token=None, **kw):
        return self.request("DELETE", path, token, **kw)

    # -- database -------------------------------------------------------

    def sql(self, query, params=()):
        """Runs one statement on the stack's database and commits.
        Placeholders are ? on both engines; quote the table "user".
        Returns the rows as a list of dicts ([] when the statement returns
        none).  JSON columns come back as text on both engines; booleans
        are 0/1 on SQLite and False/True on PostgreSQL."""
        if self.engine == "sqlite":
            path = self.database_url[len("sqlite:///"):]
            if not os.path.exists(path):
                raise StackError(f"{path} does not exist: cwebui-fcgi did "
                                 "not create its database")
            conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True,
                                   timeout=30)
            try:
                conn.row_factory = sqlite3.Row
                cur = conn.execute(query, tuple(params))
                rows = ([dict(r) for r in cur.fetchall()]
                        if cur.description else [])
                conn.commit()
                return rows
            finally:
                conn.close()
        import psycopg2.extras
        conn = self._pg.connect(self._pg_dbname)
        try:
            psycopg2.extras.register_default_json(conn, loads=lambda s: s)
            psycopg2.extras.register_default_jsonb(conn, loads=lambda s: s)
            with conn.cursor(
                    cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                if params:
                    cur.execute(_qmark_to_pyformat(query), tuple(params))
                else:
                    cur.execute(query)
                rows = ([dict(r) for r in cur.fetchall()]
                        if cur.description else [])
            conn.commit()
            return rows
        finally:
            conn.close()

    def __repr__(self):
        return f"<Stack {self.name} {self.url}>"


class Account:
    """A user made through the API: id, name, email, password, role,
    token, headers, json (the sign-up or auths/add response)."""

    def __init__(self, stack, data, password):
        self.stack = stack
        self.json = data
        self.id = data["id"]
        self.name = data["name"]
        self.email = data["email"]
        self.role = data["role"]
        self.token = data["token"]
        self.password = password

    @property
    def headers(self):
        return auth_headers(self.token)

    def __repr__(self):
        return f"<Account {self.role} {self.email}>"


class Users:
    """admin (first sign-up), user and pending on one stack."""

    def __init__(self, stack, admin, user, pending):
        self.stack = stack
        self.admin = admin
        self.user = user
        self.pending = pending

    def token(self, role):
        """The token for a role in ROLES; None for "none"."""
        if role == "none":
            return None
        return getattr(self, role).token

    def headers(self, role):
        return auth_headers(self.token(role))


def create_users(stack, prefix=""):
    """Signs up the admin (must be the stack's first user) and has it add
    a user and a pending user.  Returns Users."""
    pw = "Passw0rd!" + prefix
    data = signup(stack, "Admin", f"{prefix}admin@example.com", pw)
    assert data["role"] == "admin", f"first sign-up is not admin: {data}"
    admin = Account(stack, data, pw)
    user = Account(stack, add_user(stack, admin.token, "User",
                                   f"{prefix}user@example.com", pw, "user"),
                   pw)
    pending = Account(stack, add_user(stack, admin.token, "Pending",
                                      f"{prefix}pending@example.com", pw,
                                      "pending"), pw)
    return Users(stack, admin, user, pending)


# -- fixtures -------------------------------------------------------------

def _sigterm_to_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "stack_env(**env): extra environment for the stack")
    # Killed with SIGTERM (timeout(1), make), pytest still tears the stacks
    # and the PostgreSQL cluster down.
    signal.signal(signal.SIGTERM, _sigterm_to_interrupt)


@pytest.fixture(scope="session")
def pg_cluster():
    d = tempfile.mkdtemp(prefix="cwebui-pg-", dir="/tmp")
    r = subprocess.run([str(PG_START), d], capture_output=True, text=True)
    if r.returncode != 0:
        shutil.rmtree(d, ignore_errors=True)
        pytest.fail(f"tests/pg/pg-start failed:\n{r.stderr}", pytrace=False)
    settings = dict(line.split("=", 1)
                    for line in r.stdout.splitlines() if "=" in line)
    yield PgCluster(d, settings)
    subprocess.run([str(PG_STOP), d])


@pytest.fixture(scope="module")
def redis_server():
    from redis_server import RedisError, RedisServer
    d = tempfile.mkdtemp(prefix="cwebui-redis-", dir="/tmp")
    try:
        server = RedisServer(d).start()
    except RedisError as e:
        shutil.rmtree(d, ignore_errors=True)
        pytest.fail(str(e), pytrace=False)
    yield server
    server.stop()
    shutil.rmtree(d, ignore_errors=True)


class _StackFactory:
    def __init__(self, request, tmp_path_factory):
        self._request = request
        self._tmp = tmp_path_factory
        self.stacks = []

    def __call__(self, engine, **env):
        if engine not in ("sqlite", "pg"):
            raise ValueError(f"unknown engine {engine!r}")
        root = self._tmp.mktemp(f"stack-{engine}-")
        name = f"{engine}:{root.name}"
        if engine == "sqlite":
            s = Stack(name, engine, root,
                      f"sqlite:///{root / 'data' / 'webui.db'}", env)
        else:
            pg = self._request.getfixturevalue("pg_cluster")
            db = pg.create_database()
            s = Stack(name, engine, root, pg.url(db), env, pg, db)
        return self._start(s)

    def _start(self, s):
        self.stacks.append(s)
        try:
            s.start()
            return s
        except StackError as e:
            error = str(e)
        pytest.fail(error, pytrace=False)

    def twin(self, other, **env):
        """A second started stack on other's database, with other's
        secret key: another host of the same installation."""
        root = self._tmp.mktemp(f"stack-{other.engine}-twin-")
        s = Stack(f"{other.engine}:{root.name}", other.engine, root,
                  other.database_url, env)
        s._secret = other._secret
        return self._start(s)

    def close(self):
        for s in reversed(self.stacks):     # twins before their database
            s.close()


def _marker_env(node):
    env = {}
    for m in reversed(list(node.iter_markers("stack_env"))):
        env.update(m.kwargs)
    return env


@pytest.fixture
def make_stack(request, tmp_path_factory):
    """make_stack(engine, **env) -> a started Stack, stopped after the
    test.  A value of None in env unsets that variable.
    make_stack.twin(stack, **env) -> another host of that stack (same
    database and secret key)."""
    f = _StackFactory(request, tmp_path_factory)
    yield f
    f.close()


@pytest.fixture(scope="module", params=ENGINES)
def stack(request, tmp_path_factory):
    f = _StackFactory(request, tmp_path_factory)
    try:
        yield f(request.param, **_marker_env(request.node))
    finally:
        f.close()


@pytest.fixture(params=ENGINES)
def fresh_stack(request, tmp_path_factory):
    f = _StackFactory(request, tmp_path_factory)
    try:
        yield f(request.param, **_marker_env(request.node))
    finally:
        f.close()


@pytest.fixture(scope="module")
def users(stack):
    return create_users(stack)


@pytest.fixture
def fresh_users(fresh_stack):
    return create_users(fresh_stack)


@pytest.fixture(scope="module")
def admin(users):
    return users.admin


@pytest.fixture(scope="module")
def admin_token(users):
    return users.admin.token


@pytest.fixture(scope="module")
def user(users):
    return users.user


@pytest.fixture(scope="module")
def pending(users):
    return users.pending


# -- reporting ------------------------------------------------------------

def _stacks_of(item):
    found = []
    for v in getattr(item, "funcargs", {}).values():
        if isinstance(v, Stack):
            cands = [v]
        elif isinstance(v, (Users, Account)):
            cands = [v.stack]
        elif isinstance(v, _StackFactory):
            cands = v.stacks
        else:
            cands = []
        for s in cands:
            if s not in found:
                found.append(s)
    return found


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test fails when its stack died during it; a failing test shows
    the tail of each of its stacks' logs."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when not in ("setup", "call"):
        return
    stacks = _stacks_of(item)
    if rep.when == "call" and rep.passed:
        dead = [s for s in stacks if s.died()]
        if dead:
            rep.outcome = "failed"
            rep.longrepr = "the stack died during the test: " + ", ".join(
                f"{s.name} (exit status {s._proc.returncode})" for s in dead)
    if rep.failed:
        for s in stacks:
            if str(s.log_path) in rep.longreprtext:
                continue            # the failure shows the log already
            rep.sections.append((f"stack {s.name} log: {s.log_path}",
                                 s.log_tail()))
