"""A check for API test modules: no cwebui-fcgi worker crashed.

The master restarts a worker that dies, so a test whose answer came before
the crash (e.g. a bad free at the end of the request) would still pass. Use:

    from workers import no_worker_crash  # noqa: F401

and every test of the module fails when the stack's log gained a
sanitizer report, a runtime error or a dead worker while it ran.
"""

import os

import pytest

# the last one is mod_fcgid's word for a worker that crashed (shared hosting)
BAD = ("Sanitizer", "runtime error", "killed by signal", "exited with status",
       "unexpected signal")


@pytest.fixture(autouse=True)
def no_worker_crash(stack):
    def size():
        try:
            return os.path.getsize(stack.log_path)
        except OSError:
            return 0
    start = size()
    yield
    with open(stack.log_path, "rb") as f:
        f.seek(start)
        new = f.read().decode("utf-8", "replace")
    for bad in BAD:
        assert bad not in new, new[-3000:]
