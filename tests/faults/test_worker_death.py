"""Worker death: under a steady mixed load, a random cwebui-fcgi worker is
killed with SIGKILL every second for KILL_SECONDS.  Every request either
succeeds or fails with a whole 5xx answer, and only requests in flight on
a killed worker may fail (at most one per kill: a worker serves one request
at a time); no acknowledged chat save is lost or torn; the master brings
the pool back to WORKERS."""

import os
import random
import signal
import time

import pytest

from load import Load, report, verify_chats
from test_master import tree, wait_for

WORKERS = 4
KILL_SECONDS = 30

pytestmark = pytest.mark.stack_env(CWEBUI_WORKERS=str(WORKERS))


def test_kill_workers_under_load(stack, users):
    master, before = tree(stack)
    assert len(before) == WORKERS
    load = Load(stack, users.user, threads=4).start()
    kills = 0
    time.sleep(1)
    end = time.monotonic() + KILL_SECONDS
    while time.monotonic() < end:
        _, workers = tree(stack)
        if workers:
            try:
                os.kill(random.choice(workers), signal.SIGKILL)
                kills += 1
            except ProcessLookupError:
                pass
        time.sleep(1)
    time.sleep(1)
    tally = load.stop()
    t0 = time.monotonic()
    # the master respawns at once, or a second later for a worker killed
    # within a second of its start: 15 s is a generous bound
    wait_for(lambda: len(tree(stack)[1]) == WORKERS, timeout=15)
    back = time.monotonic() - t0
    after_master, after = tree(stack)
    saves = verify_chats(stack, load.ledger, users.user.id)
    c = tally.counts()
    report(f"worker-death[{stack.engine}]", {
        **c, "kills": kills, "saves_acked": saves["acked"],
        "chats_verified": saves["verified"], "lost": len(saves["lost"]),
        "torn": len(saves["torn"]), "orphans": saves["orphans"],
        "workers_before": len(before), "workers_after": len(after),
        "pool_back_s": back})
    others = tally.of("other")
    assert not others, others[:10]
    assert c["clean5xx"] <= kills, tally.of("clean5xx")[:10]
    assert c["ok"] > 0, c
    assert not saves["lost"] and not saves["torn"], saves
    assert saves["verified"] > 0
    assert after_master == master and len(after) == WORKERS
    # and everything works afterwards
    for op in ("signin", "chats", "save", "models"):
        o, _ = load.request(op, *{
            "signin": ("POST", "/api/v1/auths/signin"),
            "chats": ("GET", "/api/v1/chats/?page=1"),
            "save": ("POST", "/api/v1/chats/new"),
            "models": ("GET", "/api/models")}[op],
            body={"email": users.user.email,
                  "password": users.user.password} if op == "signin" else
            {"chat": {"title": "after"}} if op == "save" else None,
            token=op != "signin")
        assert o.kind == "ok", o
