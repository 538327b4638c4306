"""Headers that keep browsers safe: nosniff everywhere (an SVG avatar can
never run as a document), and CORS that never pairs '*' with credentials."""
import base64
import json

import pytest

from conftest import ENGINES, create_users
from fcgi_client import request as fcgi_request

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def test_nosniff_on_every_response(stack):
    for path in ("/health", "/api/config", "/api/v1/nope"):
        r = stack.get(path)
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path


def test_svg_avatar_is_never_served_as_svg(stack, users):
    url = "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()
    stack.sql('UPDATE "user" SET profile_image_url = ? WHERE id = ?',
              (url, users.user.id))
    r = stack.get(f"/api/v1/users/{users.user.id}/profile/image",
                  token=users.user.token)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "svg" not in r.headers.get("Content-Type", "")


def test_default_cors_allows_no_credentials(stack):
    r = stack.get("/api/config", headers={"Origin": "https://evil.example"})
    assert r.headers.get("Access-Control-Allow-Origin") == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers


@pytest.mark.parametrize("engine", ENGINES)
def test_listed_origin_gets_credentials(make_stack, engine):
    s = make_stack(engine, CORS_ALLOW_ORIGIN="https://a.example;https://b.example")
    r = s.get("/api/config", headers={"Origin": "https://b.example"})
    assert r.headers.get("Access-Control-Allow-Origin") == "https://b.example"
    assert r.headers.get("Access-Control-Allow-Credentials") == "true"
    r = s.get("/api/config", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers
    r = s.request("OPTIONS", "/api/v1/auths/signin", headers={
        "Origin": "https://a.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization"})
    assert r.status_code == 200
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    r = s.request("OPTIONS", "/api/v1/auths/signin", headers={
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "POST"})
    assert r.status_code == 400


def test_huge_id_list_does_not_crash_the_worker(fresh_stack):
    # a list bound as IN ($1, ..., $n) once overflowed the stack on pg
    stack = fresh_stack
    users = create_users(stack)
    r = stack.post("/api/v1/groups/create", token=users.admin.token,
                   json={"name": "big", "description": "d"})
    assert r.status_code == 200
    gid = r.json()["id"]
    ids = ["x%d" % i for i in range(400000)]
    r = stack.post(f"/api/v1/groups/id/{gid}/users/add",
                   token=users.admin.token, json={"user_ids": ids})
    assert r.status_code in (200, 400)
    assert stack.alive()
    r = stack.get(f"/api/v1/groups/id/{gid}", token=users.admin.token)
    assert r.status_code == 200
    assert r.json()["user_ids"] == []


def test_non_ascii_api_key_is_an_invalid_token(stack):
    for tok in ("sk-\xff", "sk-\xe9t\xe9"):
        r = stack.get("/api/v1/auths/",
                      headers={"Authorization": "Bearer " + tok})
        assert r.status_code == 401, tok
        assert r.json()["detail"] == ("Your session has expired or the "
                                      "token is invalid. Please sign in "
                                      "again.")


def test_forwarded_host_does_not_steer_redirects(stack):
    r = stack.get("/api/v1/auths", headers={"X-Forwarded-Host": "evil.example"})
    assert r.status_code == 307
    assert "evil.example" not in r.headers["Location"]
    assert r.headers["Location"].endswith("/api/v1/auths/")



def test_bytes_that_are_not_utf8_never_reach_the_database(stack, users):
    """%FF in a path or query reads as U+FFFD, as Python's unquote() does:
    a clean 'not found' or an empty result, never a driver error. Sent
    straight to cwebui-fcgi: web servers may refuse such paths first."""
    sock = str(stack.run_dir / "cwebui.sock")

    def get(path, token):
        st, _h, body = fcgi_request(
            path, sock, headers={"Authorization": f"Bearer {token}"})
        return st, json.loads(body)

    st, body = get("/api/v1/chats/%FF%FEx", users.user.token)
    assert st == 401 and "detail" in body
    st, body = get("/api/v1/chats/search?text=%C3%28&page=1",
                   users.user.token)
    assert st == 200 and body == []
    st, body = get("/api/v1/folders/%80", users.user.token)
    assert st == 404 and "detail" in body
    st, body = get("/api/v1/users/%ED%A0%80", users.admin.token)
    assert st in (400, 404) and "detail" in body
