"""Headers that keep browsers safe: nosniff everywhere (an SVG avatar can
never run as a document), and CORS that never pairs '*' with credentials."""
import base64

import pytest

from conftest import create_users

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def test_nosniff_on_every_response(stack):
    for path in ("/health", "/api/config", "/api/v1/nope"):
        r = stack.get(path)
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path


def test_svg_avatar_is_never_served_as_svg(stack):
    users = create_users(stack, "sec")
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


def test_listed_origin_gets_credentials(make_stack):
    s = make_stack("sqlite", CORS_ALLOW_ORIGIN="https://a.example;https://b.example")
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
