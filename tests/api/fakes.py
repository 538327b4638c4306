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
                  delay_ms, chunk_delay_ms, hang, fail_status, fail_body,
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
  .stop()
"""

import sys
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
