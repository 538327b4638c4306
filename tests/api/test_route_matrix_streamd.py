"""The route table of cwebui-streamd (src/streamd/srv_routes.c) against
the Python backend's routes (tests/routes/backend-routes-0.6.32.tsv): every
path streamd serves is a Python 0.6.32 path; the ones it forwards to
cwebui-fcgi (relay_http) are registered there too, where
test_route_matrix.py checks them; the ones it answers itself (task_*_http)
answer each role as a verified-user route does, on both engines. A route
added to streamd's table without its row here fails."""

import re

import pytest

from conftest import REPO_ROOT
from test_route_matrix import ROUTES, TSV, _norm
from workers import no_worker_crash  # noqa: F401

SRV_ROUTES_C = REPO_ROOT / "src" / "streamd" / "srv_routes.c"

# What streamd answers itself: (method, pattern) -> TSV auth level.
OWN = {
    ("GET", "/api/tasks"): "verified-user",
    ("GET", "/api/tasks/chat/{chat_id}"): "verified-user",
    ("POST", "/api/tasks/stop/{task_id}"): "verified-user",
    ("GET", "/api/usage"): "verified-user",
    ("GET", "/api/v1/users/active"): "verified-user",
    ("GET", "/api/v1/users/{user_id}/active"): "verified-user",
}


def _srv_routes():
    """[(method or None, pattern, handler)] in table order."""
    text = re.sub(r"/\*.*?\*/", "", SRV_ROUTES_C.read_text(), flags=re.S)
    rows = re.findall(r'\{\s*(NULL|"[A-Z]+")\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*'
                      r'\}', text)
    assert rows, f"no route rows found in {SRV_ROUTES_C}"
    return [(None if m == "NULL" else m.strip('"'), p, h)
            for m, p, h in rows]


SRV = _srv_routes()


def test_every_streamd_path_is_a_python_path():
    paths = {p for _m, p in TSV}
    for method, pattern, handler in SRV:
        if handler == "rt_http":
            assert ("GET", "/ws/socket.io/") in TSV
            continue
        if method is None:
            assert _norm(pattern) in paths, pattern
        else:
            assert (method, _norm(pattern)) in TSV, (method, pattern)


def test_forwarded_routes_are_registered_in_cwebui_fcgi():
    fcgi = {(m, _norm(p)) for m, p, _h, _l in ROUTES}
    for method, pattern, handler in SRV:
        if handler != "relay_http":
            continue
        assert any(p == _norm(pattern) and (method is None or m == method)
                   for m, p in fcgi), \
            f"{pattern} is forwarded but not registered in cwebui-fcgi"


def test_own_routes_are_listed_here():
    own = {(m, p) for m, p, h in SRV if h.startswith("task_")}
    assert own == set(OWN)
    for (m, p), auth in OWN.items():
        assert TSV[(m, _norm(p))][0] == auth


@pytest.mark.parametrize("method,pattern", sorted(OWN))
def test_own_routes_answer_each_role(stack, users, method, pattern):
    path = re.sub(r"\{[^}]*\}", "x1", pattern)
    for role, want in (("none", 401), ("pending", 401), ("user", 200),
                       ("admin", 200)):
        r = stack.request(method, path, headers=users.headers(role))
        assert r.status_code == want, (role, r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/json")
    r = stack.request(method, path, headers={
        "Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    other = "POST" if method == "GET" else "GET"
    r = stack.request(other, path, headers=users.headers("admin"))
    assert (r.status_code, r.json()) == (405, {"detail":
                                                "Method Not Allowed"})
