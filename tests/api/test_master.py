"""cwebui-fcgi's process model: the master respawns a worker that dies,
replaces workers on SIGHUP and after CWEBUI_MAX_REQUESTS, drains on SIGTERM;
the socket is 0660; spawned by a web server (spawn-fcgi) it serves alone."""
import json
import os
import signal
import stat
import subprocess
import time

import pytest

from conftest import FCGI_BIN, signup
from fcgi_client import request as fcgi_request

pytestmark = pytest.mark.stack_env(CWEBUI_WORKERS="3")


def procs():
    """{pid: ppid} of the processes running this build's cwebui-fcgi
    (under valgrind too: make check-valgrind)."""
    out = {}
    binary = os.path.realpath(FCGI_BIN)
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.readlink(f"/proc/{pid}/exe") != binary:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    args = f.read().split(b"\0")
                if b"--tool=memcheck" not in args or \
                        binary.encode() not in args:
                    continue
            with open(f"/proc/{pid}/stat") as f:
                out[int(pid)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    return out


def tree(stack):
    """(master pid, sorted worker pids) of stack's cwebui-fcgi."""
    sock = str(stack.run_dir / "cwebui.sock")
    for pid, ppid in procs().items():
        if ppid not in procs():
            with open(f"/proc/{pid}/environ", "rb") as f:
                if sock.encode() in f.read():
                    return pid, sorted(p for p, pp in procs().items()
                                       if pp == pid)
    raise AssertionError("no cwebui-fcgi master for " + sock)


def wait_for(cond, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_socket_mode_and_workers(stack):
    mode = stat.S_IMODE(os.stat(stack.run_dir / "cwebui.sock").st_mode)
    assert mode == 0o660
    master, workers = tree(stack)
    assert len(workers) == 3


def test_killed_worker_is_respawned(stack):
    master, workers = tree(stack)
    os.kill(workers[0], signal.SIGKILL)
    wait_for(lambda: len(tree(stack)[1]) == 3 and
             workers[0] not in tree(stack)[1])
    assert tree(stack)[0] == master
    for _ in range(10):
        assert stack.get("/health").status_code == 200


def test_sighup_replaces_all_workers(stack):
    master, workers = tree(stack)
    os.kill(master, signal.SIGHUP)
    wait_for(lambda: len(tree(stack)[1]) == 3 and
             not set(workers) & set(tree(stack)[1]))
    assert tree(stack)[0] == master
    assert stack.get("/api/version").json() == {"version": "0.6.32"}


def test_workers_recycle_after_max_requests(stack):
    stack.restart(CWEBUI_MAX_REQUESTS="5")
    _, workers = tree(stack)
    for _ in range(40):
        assert stack.get("/health").status_code == 200
    wait_for(lambda: len(tree(stack)[1]) == 3)
    assert set(workers) != set(tree(stack)[1])


def test_sigterm_drains_and_exits(stack):
    stack.restart()
    master, workers = tree(stack)
    os.kill(master, signal.SIGTERM)
    wait_for(lambda: not any(p in procs() for p in [master, *workers]))
    stack.restart()
    assert stack.get("/health").status_code == 200


def test_spawned_by_web_server(stack, tmp_path):
    """spawn-fcgi hands the socket on standard input; no CWEBUI_LISTEN."""
    sock = str(tmp_path / "spawned.sock")
    env = {k: v for k, v in os.environ.items() if k != "CWEBUI_LISTEN"}
    env.update(DATABASE_URL=stack.database_url, DATA_DIR=str(stack.data_dir),
               WEBUI_SECRET_KEY=stack.secret)
    r = subprocess.run(["spawn-fcgi", "-s", sock, "-M", "0660", "-P",
                        str(tmp_path / "pid"), "--", str(FCGI_BIN)],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    pid = int((tmp_path / "pid").read_text())
    try:
        status, hdrs, body = fcgi_request("/health", sock)
        assert status == 200 and json.loads(body) == {"status": True}
        status, _, body = fcgi_request(
            "/api/v1/auths/signin", sock, "POST",
            json.dumps({"email": "x@example.com", "password": "y"}).encode())
        assert status == 400
        status, _, body = fcgi_request("/api/v1/nope", sock)
        assert status == 404 and json.loads(body) == {"detail": "Not Found"}
    finally:
        os.kill(pid, signal.SIGTERM)


def test_not_spawned_without_socket_says_so(tmp_path):
    r = subprocess.run([str(FCGI_BIN)], env={"PATH": os.environ["PATH"],
                       "DATA_DIR": str(tmp_path)}, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert "CWEBUI_LISTEN" in r.stderr
