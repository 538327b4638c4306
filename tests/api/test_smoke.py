"""The harness and the stack's plumbing: lighttpd in front of cwebui-fcgi,
the single-page-app fallback, headers reaching the backend, direct SQL and
restarts, on both database engines."""

import pytest

from conftest import ENGINES, ROLES


NOT_FOUND = {"detail": "Not Found"}


def test_health(stack):
    r = stack.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": True}


def test_health_db(stack):
    r = stack.get("/health/db")
    assert r.status_code == 200
    assert r.json() == {"status": True}


def test_version(stack):
    r = stack.get("/api/version")
    assert r.status_code == 200
    assert r.json() == {"version": "0.6.32"}


@pytest.mark.parametrize("path", ["/api/v1/nonexistent",
                                  "/api/v1/nonexistent?x=1"])
def test_unknown_api_path_is_json_404(stack, path):
    r = stack.get(path)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == NOT_FOUND


@pytest.mark.parametrize("path", ["/", "/auth", "/c/abc"])
def test_without_frontend_other_paths_are_404(stack, path):
    r = stack.get(path)
    assert r.status_code == 404


@pytest.mark.parametrize("engine", ENGINES)
def test_frontend_spa_fallback(make_stack, tmp_path, engine):
    index = "<!doctype html><title>cwebui spa</title>\n"
    (tmp_path / "index.html").write_text(index)
    (tmp_path / "_app").mkdir()
    (tmp_path / "_app" / "start.js").write_text("export {};\n")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "favicon.png").write_bytes(b"\x89PNG fake")
    s = make_stack(engine, FRONTEND_DIR=str(tmp_path))

    for path in ["/", "/auth", "/auth?redirect=%2Fc%2Fx", "/c/abc",
                 "/admin/users", "/workspace/models/edit?id=a.b"]:
        r = s.get(path)
        assert r.status_code == 200, path
        assert r.headers["Content-Type"].startswith("text/html"), path
        assert r.text == index, path

    r = s.get("/_app/start.js")
    assert r.status_code == 200
    assert r.text == "export {};\n"
    # As Open WebUI does: a missing script is not answered with the app.
    assert s.get("/_app/missing.js").status_code == 404

    # The frontend's /static/ files are served as they are; a missing one
    # is a 404, not the app.
    r = s.get("/static/favicon.png")
    assert r.status_code == 200 and r.content == b"\x89PNG fake"
    assert s.get("/static/missing.png").status_code == 404
    # The provider routers live at the root, beside /api/: never the app.
    for path in ("/openai/config", "/ollama/config", "/openai/x/y"):
        r = s.get(path)
        assert r.status_code in (401, 404), path
        assert r.headers["Content-Type"] == "application/json", path
    # Socket.IO is not the app either: cwebui-streamd refuses a websocket
    # request without the upgrade as python-engineio does
    r = s.get("/ws/socket.io/?EIO=4&transport=websocket")
    assert r.status_code == 400 and b"<html" not in r.content.lower()
    assert r.json() == "Invalid websocket upgrade"

    r = s.get("/api/v1/nonexistent")
    assert r.status_code == 404
    assert r.json() == NOT_FOUND
    assert s.get("/health").json() == {"status": True}


def test_sql(stack):
    assert stack.sql("SELECT 1 AS one") == [{"one": 1}]
    assert stack.sql("SELECT ? AS a, '50%' AS b", ("x?%",)) == \
        [{"a": "x?%", "b": "50%"}]


def test_users_and_authorization_header(stack, users):
    # The Bearer token passes lighttpd and identifies each role.
    for role in ROLES[1:]:
        r = stack.get("/api/v1/auths/", token=users.token(role))
        assert r.status_code == 200, role
        assert r.json()["role"] == role
        assert r.json()["email"] == getattr(users, role).email
    assert stack.get("/api/v1/auths/").status_code == 401
    rows = stack.sql('SELECT role FROM "user" WHERE email = ?',
                     (users.user.email,))
    assert rows == [{"role": "user"}]


def test_restart_keeps_database(stack, users):
    stack.restart(ENABLE_SIGNUP="true")
    r = stack.get("/api/v1/auths/", token=users.admin.token)
    assert r.status_code == 200
    assert r.json()["id"] == users.admin.id
    stack.restart()
    assert stack.get("/health").status_code == 200
