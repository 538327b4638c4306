"""The Redis part of the harness: the private redis-server of the
redis_server fixture, and REDIS_URL reaching a stack.  The fan-out between
streamd instances is tested where streamd's Redis bus is."""

import os

from redis_server import RedisError

import pytest


def test_redis_server(redis_server):
    assert redis_server.url == "unix://" + redis_server.path
    assert redis_server.command("PING") == "PONG"
    assert redis_server.command("SET", "k", "héllo") == "OK"
    assert redis_server.command("GET", "k") == "héllo"
    assert redis_server.command("GET", "missing") is None
    with pytest.raises(RedisError):
        redis_server.command("NOSUCHCOMMAND")
    sub = redis_server.subscribe("cwebui:events")
    assert redis_server.command("PUBLISH", "cwebui:events", "{}") == 1
    assert sub.next() == ["cwebui:events", "{}"]
    assert sub.next(timeout=0.05) is None


def test_stack_gets_redis_url(make_stack, redis_server, monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://caller-value:1/0")
    plain = make_stack("sqlite")
    with_redis = make_stack("sqlite", REDIS_URL=redis_server.url)
    for s, want in ((plain, None), (with_redis, redis_server.url)):
        assert s.get("/health").status_code == 200
        env = open(f"/proc/{s._proc.pid}/environ", "rb").read().split(b"\0")
        env = dict(x.decode().split("=", 1) for x in env if b"=" in x)
        assert env.get("REDIS_URL") == want
    assert os.environ["REDIS_URL"] == "redis://caller-value:1/0"
