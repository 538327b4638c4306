"""A private redis-server for the API tests, on a unix socket in a temporary
directory, without persistence.  The fixture `redis_server` of conftest.py
makes one per test module; a stack uses it through
make_stack(engine, REDIS_URL=redis_server.url) or
pytest.mark.stack_env(REDIS_URL=...) (the harness never passes the
caller's own REDIS_URL on).

RedisServer(directory).start() -> self; attributes path (the socket),
url ("unix://" + path, the form redis-py and Open WebUI accept), log_path;
command(*args) sends one command and returns its reply (str, int, None,
list; an error reply raises RedisError); subscribe(*channels) -> a
Subscription whose next(timeout) returns the next [channel, message]
published (None on timeout); stop().
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path

START_TIMEOUT = 10


class RedisError(Exception):
    pass


def _encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class _Reader:
    """RESP2 replies from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            got = self.sock.recv(65536)
            if not got:
                raise RedisError("connection closed")
            self.buf += got
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            got = self.sock.recv(65536)
            if not got:
                raise RedisError("connection closed")
            self.buf += got
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode("utf-8",
                                                            "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise RedisError(f"bad reply {line!r}")


class Subscription:
    def __init__(self, path, channels):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.reader = _Reader(self.sock)
        self.sock.sendall(_encode(["SUBSCRIBE", *channels]))
        for _ in channels:
            self.reader.reply()          # ["subscribe", channel, count]

    def next(self, timeout=10):
        """The next published [channel, message], or None on timeout."""
        self.sock.settimeout(timeout)
        try:
            kind, channel, msg = self.reader.reply()
        except socket.timeout:
            return None
        assert kind == "message", kind
        return [channel, msg]

    def close(self):
        self.sock.close()


class RedisServer:
    def __init__(self, directory):
        self.dir = Path(directory)
        self.path = str(self.dir / "redis.sock")
        self.url = "unix://" + self.path
        self.log_path = self.dir / "redis.log"
        self._proc = None
        self._subs = []

    def start(self):
        exe = shutil.which("redis-server")
        if exe is None:
            raise RedisError("redis-server not found: install redis-server "
                             "(tests/packages.txt)")
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                [exe, "--port", "0", "--unixsocket", self.path,
                 "--unixsocketperm", "700", "--dir", str(self.dir),
                 "--save", "", "--appendonly", "no", "--daemonize", "no",
                 "--logfile", ""],
                stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if self.command("PING") == "PONG":
                    return self
            except (OSError, RedisError):
                pass
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RedisError(f"redis-server did not start; see "
                                 f"{self.log_path}")
            time.sleep(0.02)

    def command(self, *args):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(10)
            s.connect(self.path)
            s.sendall(_encode(args))
            return _Reader(s).reply()

    def subscribe(self, *channels):
        sub = Subscription(self.path, channels)
        self._subs.append(sub)
        return sub

    def stop(self):
        for sub in self._subs:
            sub.close()
        self._subs = []
        p = self._proc
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def __repr__(self):
        return f"<RedisServer {self.url}>"
