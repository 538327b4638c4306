"""Database outage.

PostgreSQL: the server is stopped under a steady mixed load, left down for
OUTAGE seconds and started again.  Requests during the outage are answered
503 {"detail": ...} within a bounded time (no hang); service resumes by
itself within 2 s after the server is back, with the same workers (no
restart); no acknowledged chat save is lost or torn.  The module runs its
own PostgreSQL cluster, so the restart disturbs no other module's stacks.

SQLite: another process holding the write lock makes requests wait for
the busy timeout (10 s) and then answer 503 {"detail": ...}; a lock held
shorter than that only delays them; the database stays intact.

The only timing assertions are the issue's explicit bounds, with generous
margins: an answer during the outage within OUTAGE_ANSWER_BOUND seconds
(connect_timeout is 5 s, a stopped server on a unix socket refuses at
once), recovery within 2 s of the server being back, and the SQLite error
after the busy timeout but before BUSY_ANSWER_BOUND seconds.
"""

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import ENGINES, PG_START, PG_STOP, PgCluster
from load import Load, report, verify_chats
from test_master import tree

OUTAGE = 3.0
OUTAGE_ANSWER_BOUND = 10.0
RECOVERY_BOUND = 2.0
BUSY_MS = 10000
BUSY_ANSWER_BOUND = 30.0
DB_UNAVAILABLE = "The database is unavailable. Please try again later."

pytestmark = pytest.mark.stack_env(CWEBUI_WORKERS="4")


def _needs(engine):
    if engine not in ENGINES:
        pytest.skip(f"CWEBUI_TEST_ENGINES leaves {engine} out")


@pytest.fixture(scope="module")
def pg_cluster():
    """This module's own PostgreSQL (overrides the session's)."""
    _needs("pg")
    d = tempfile.mkdtemp(prefix="cwebui-pgf-", dir="/tmp")
    r = subprocess.run([str(PG_START), d], capture_output=True, text=True)
    if r.returncode != 0:
        shutil.rmtree(d, ignore_errors=True)
        pytest.fail(f"tests/pg/pg-start failed:\n{r.stderr}", pytrace=False)
    yield PgCluster(d, dict(line.split("=", 1)
                            for line in r.stdout.splitlines() if "=" in line))
    subprocess.run([str(PG_STOP), d])


def pg_ctl(cluster, *args):
    """Runs pg_ctl on the cluster's data directory (as postgres when
    root, as pg-start does); fails the test when it fails."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    binary = os.path.join(os.environ["PG_BINDIR"], "pg_ctl") \
        if os.environ.get("PG_BINDIR") else found[-1]
    cmd = [binary, "-D", f"{cluster.dir}/data", "-l",
           f"{cluster.dir}/server.log", "-w", *args]
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_pg_restart_under_load(make_stack, pg_cluster):
    from conftest import create_users
    stack = make_stack("pg", CWEBUI_WORKERS="4")
    users = create_users(stack)
    master, workers = tree(stack)
    load = Load(stack, users.user, threads=4).start()
    time.sleep(2)
    t_stop = time.monotonic()
    pg_ctl(pg_cluster, "-m", "fast", "stop")
    t_down = time.monotonic()
    time.sleep(OUTAGE)
    pg_ctl(pg_cluster, "start")
    t_up = time.monotonic()
    time.sleep(RECOVERY_BOUND + 3)
    tally = load.stop()

    during = [o for o in tally.outcomes if t_down <= o.t0 < t_up - 0.5]
    failed = tally.of("clean5xx")
    late = [o for o in tally.outcomes
            if o.t0 >= t_up + RECOVERY_BOUND and o.kind != "ok"]
    slowest = max((o.t1 - o.t0 for o in failed), default=0.0)
    recovered = max((o.t1 for o in failed if o.t1 > t_up), default=t_up)
    saves = verify_chats(stack, load.ledger, users.user.id)
    c = tally.counts()
    report("db-restart[pg]", {
        **c, "outage_s": t_up - t_stop, "during_outage": len(during),
        "during_outage_503": sum(o.status == 503 for o in during),
        "slowest_503_s": slowest, "recovered_after_s": recovered - t_up,
        "saves_acked": saves["acked"], "lost": len(saves["lost"]),
        "torn": len(saves["torn"]), "same_workers": tree(stack) ==
        (master, workers)})

    assert not tally.of("other"), tally.of("other")[:10]
    assert during, "no request was sent during the outage"
    assert all(o.status == 503 and o.detail == DB_UNAVAILABLE
               for o in during), [o for o in during if o.status != 503][:5]
    assert all(o.status == 503 and o.detail == DB_UNAVAILABLE
               for o in failed), failed[:5]
    assert slowest < OUTAGE_ANSWER_BOUND, slowest
    assert not late, late[:5]
    assert any(o.kind == "ok" for o in tally.outcomes if o.t0 >= t_up)
    assert not saves["lost"] and not saves["torn"], saves
    assert tree(stack) == (master, workers), "workers were restarted"


def _hold_lock(path, seconds, locked):
    """Holds an exclusive lock on the SQLite database for seconds."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        locked.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def _under_lock(stack, load, seconds, ops):
    """Runs ops (Load.one names) in parallel while another process holds
    the write lock for seconds. Returns their outcomes."""
    path = stack.database_url[len("sqlite:///"):]
    locked = threading.Event()
    holder = threading.Thread(target=_hold_lock,
                              args=(path, seconds, locked))
    holder.start()
    assert locked.wait(30)
    start = len(load.tally.outcomes)
    threads = [threading.Thread(target=load.one, args=(op, []))
               for op in ops]
    for t in threads:
        t.start()
    for t in threads:
        t.join(BUSY_ANSWER_BOUND + 10)
    holder.join(60)
    return load.tally.outcomes[start:]


def test_sqlite_locked_database(make_stack):
    _needs("sqlite")
    from conftest import create_users
    stack = make_stack("sqlite", CWEBUI_WORKERS="4")
    users = create_users(stack)
    load = Load(stack, users.user)
    load.one("save", [])
    assert load.tally.outcomes[-1].kind == "ok"
    master, workers = tree(stack)

    # held past the busy timeout: a clean 503 after it, no hang
    ops = ("chats", "save", "models")
    held = _under_lock(stack, load, BUSY_MS / 1000 + 5, ops)
    # held shorter than the busy timeout: the requests only wait
    brief = _under_lock(stack, load, 2, ops)
    after = [load.request("chats", "GET", "/api/v1/chats/?page=1")[0]]
    load.one("save", [])
    after.append(load.tally.outcomes[-1])

    path = stack.database_url[len("sqlite:///"):]
    conn = sqlite3.connect(path)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    saves = verify_chats(stack, load.ledger, users.user.id)
    report("db-locked[sqlite]", {
        "held_requests": len(held),
        "held_503": sum(o.status == 503 for o in held),
        "held_fastest_s": min(o.t1 - o.t0 for o in held),
        "held_slowest_s": max(o.t1 - o.t0 for o in held),
        "brief_ok": sum(o.kind == "ok" for o in brief),
        "integrity": check[0][0], "saves_acked": saves["acked"],
        "lost": len(saves["lost"]), "torn": len(saves["torn"])})

    assert len(held) == len(ops)
    for o in held:
        assert o.status == 503 and o.detail == DB_UNAVAILABLE, o
        assert BUSY_MS / 1000 - 1 <= o.t1 - o.t0 < BUSY_ANSWER_BOUND, o
    assert all(o.kind == "ok" for o in brief), brief
    assert all(o.kind == "ok" for o in after), after
    assert check == [("ok",)]
    assert not saves["lost"] and not saves["torn"], saves
    assert tree(stack) == (master, workers)
