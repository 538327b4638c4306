"""Fake LLM providers for the API tests (tests/fake/provider.py).

Use in a test module:

    from fakes import fake_provider, make_fake_provider  # noqa: F401

Fixtures
  fake_provider        function scope: one started fake, stopped after the
                       test.
  make_fake_provider   function scope factory: make_fake_provider() -> a new
                       started fake (for tests with several connections);
                       all are stopped after the test.

A fake (class Fake) has
  .url            "http://127.0.0.1:PORT"
  .openai_base    .url + "/v1"   (an OpenAI API base URL)
  .ollama_base    .url           (an Ollama base URL)
  .set(**behaviour)   POST /_control; keys (see tests/fake/README.md):
                  models, ollama_models, owned_by, version, reply, api_key,
                  delay_ms, chunk_delay_ms, split_bytes, hang_after_chunks,
                  hang, fail_status, fail_body,
                  openapi, openapi_yaml, mcp_tools, mcp_sse, mcp_protocol,
                  oauth_metadata, well_known, oauth_registration;
                  reset=True first returns every key to its default and
                  forgets the recorded requests.
  .requests(path=None, method=None)   the recorded requests, oldest first,
                  each {"method", "path", "query", "headers" (lower-case
                  names), "body" (parsed JSON or None), "raw",
                  "client_port", "time"}; path filters on an exact path.
  .clear()        forgets the recorded requests (and max_in_flight).
  .stats()        {"in_flight", "max_in_flight", "requests"}.
  .aborts()       the streams the client closed before their end, oldest
                  first: [{"path", "model", "at_chunk"}] (cleared by
                  reset=True).
  .wait_aborts(n, timeout=10)   waits until at least n aborts are logged
                  and returns them; fails the test on timeout.
  .wait_stats(timeout=10, **want)   waits until .stats() has the wanted
                  values (e.g. in_flight=0) and returns it.
  .stop()
"""

import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fake"))
from provider import FakeProvider  # noqa: E402


class Fake:
    def __init__(self):
        self._p = FakeProvider().start()
        self.url = self._p.url
        self.openai_base = self.url + "/v1"
        self.ollama_base = self.url

    def set(self, **behaviour):
        r = requests.post(self.url + "/_control", json=behaviour, timeout=10)
        assert r.status_code == 200, f"fake /_control: {r.text}"
        return r.json()

    def requests(self, path=None, method=None):
        r = requests.get(self.url + "/_requests", timeout=10)
        r.raise_for_status()
        return [q for q in r.json()
                if (path is None or q["path"] == path)
                and (method is None or q["method"] == method)]

    def clear(self):
        requests.delete(self.url + "/_requests", timeout=10)

    def stats(self):
        return requests.get(self.url + "/_stats", timeout=10).json()

    def aborts(self):
        r = requests.get(self.url + "/_control/aborts", timeout=10)
        r.raise_for_status()
        return r.json()

    def _wait(self, get, ok, what, timeout):
        deadline = time.monotonic() + timeout
        while True:
            v = get()
            if ok(v):
                return v
            if time.monotonic() >= deadline:
                raise AssertionError(f"fake {self.url}: {what} not reached "
                                     f"within {timeout} s (last: {v})")
            time.sleep(0.02)

    def wait_aborts(self, n, timeout=10):
        return self._wait(self.aborts, lambda a: len(a) >= n,
                          f"{n} aborts", timeout)

    def wait_stats(self, timeout=10, **want):
        return self._wait(self.stats, lambda s: all(
            s.get(k) == v for k, v in want.items()), f"stats {want}",
            timeout)

    def stop(self):
        self._p.stop()

    def __repr__(self):
        return f"<Fake {self.url}>"


class _FakeFactory:
    def __init__(self):
        self.fakes = []

    def __call__(self, **behaviour):
        fake = Fake()
        self.fakes.append(fake)
        if behaviour:
            fake.set(**behaviour)
        return fake

    def close(self):
        for fake in self.fakes:
            fake.stop()


@pytest.fixture
def fake_provider():
    fake = Fake()
    yield fake
    fake.stop()


@pytest.fixture
def make_fake_provider():
    factory = _FakeFactory()
    yield factory
    factory.close()
