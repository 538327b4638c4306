"""What several API test files share: the Python backend's error messages
(constants.py ERROR_MESSAGES), the default user permissions, the checks
that a route refuses callers without the role it needs, and rows written as
the Python backend writes them."""

import base64
import hashlib
import hmac
import json
import time
import uuid

from conftest import add_user

NOT_AUTHENTICATED = "Not authenticated"
ACCESS_PROHIBITED = ("You do not have permission to access this resource. "
                     "Please contact your administrator for assistance.")
ACTION_PROHIBITED = ("The requested action has been restricted as a "
                     "security measure.")
NOT_FOUND = "We could not find what you're looking for :/"
DEFAULT = "Something went wrong :/"
UNAUTHORIZED = "401 Unauthorized"
INVALID_TOKEN = ("Your session has expired or the token is invalid. Please "
                 "sign in again.")

# The UserPermissions model's own defaults (routers/users.py).
MODEL_DEFAULT_PERMISSIONS = {
    "workspace": {"models": False, "knowledge": False, "prompts": False,
                  "tools": False},
    "sharing": {"public_models": True, "public_knowledge": True,
                "public_prompts": True, "public_tools": True,
                "public_notes": True},
    "chat": {"controls": True, "valves": True, "system_prompt": True,
             "params": True, "file_upload": True, "delete": True,
             "delete_message": True, "continue_response": True,
             "regenerate_response": True, "rate_response": True,
             "edit": True, "share": True, "export": True, "stt": True,
             "tts": True, "call": True, "multiple_models": True,
             "temporary": True, "temporary_enforced": False},
    "features": {"direct_tool_servers": False, "web_search": True,
                 "image_generation": True, "code_interpreter": True,
                 "notes": True},
}
# DEFAULT_USER_PERMISSIONS of config.py: sharing is off there.
CONFIG_DEFAULT_PERMISSIONS = {
    **MODEL_DEFAULT_PERMISSIONS,
    "sharing": {k: False for k in MODEL_DEFAULT_PERMISSIONS["sharing"]}}


def assert_refuses_anonymous_and_pending(stack, method, path, pending_token,
                                         body=None):
    """A verified route: 401 "Not authenticated" without a token, 401
    ACCESS_PROHIBITED for a pending user."""
    r = stack.request(method, path, json=body)
    assert r.status_code == 401
    assert r.json() == {"detail": NOT_AUTHENTICATED}
    r = stack.request(method, path, pending_token, json=body)
    assert r.status_code == 401
    assert r.json() == {"detail": ACCESS_PROHIBITED}


def assert_admin_only(stack, users, method, path, body=None):
    """An admin route: refused (401 or 403) without a token, for a pending
    user and for a user (ACCESS_PROHIBITED)."""
    for role in ("none", "pending", "user"):
        r = stack.request(method, path, token=users.token(role), json=body)
        assert r.status_code in (401, 403), (role, r.text)
        if role == "user":
            assert r.json()["detail"] == ACCESS_PROHIBITED


def add_model(stack, model_id, owner, access_control=None, base=None,
              params=None):
    """A workspace model row as Python's Models.insert_new_model writes it
    (access_control None is public, {} private)."""
    now = int(time.time())
    stack.sql('DELETE FROM "model" WHERE id = ?', (model_id,))
    stack.sql('INSERT INTO "model" (id, user_id, base_model_id, name, meta, '
              'params, created_at, updated_at, access_control, is_active) '
              'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
              (model_id, owner, base, model_id, "{}",
               json.dumps(params or {}), now, now,
               None if access_control is None else json.dumps(access_control),
               True))


def access_cast(stack, admin, user):
    """The cast of the access_control tests: two more users, "other" and
    "owner", and a group G holding user (not other). Returns (other, owner,
    group) as the API returned them."""
    other = add_user(stack, admin.token, "Other", "other@example.com",
                     "Passw0rd!", "user")
    owner = add_user(stack, admin.token, "Owner", "owner@example.com",
                     "Passw0rd!", "user")
    g = stack.post("/api/v1/groups/create", token=admin.token,
                   json={"name": "G", "description": ""}).json()
    r = stack.post(f"/api/v1/groups/id/{g['id']}/users/add",
                   token=admin.token, json={"user_ids": [user.id]})
    assert r.status_code == 200, r.text
    return other, owner, g


def access_shapes(group_id, user_id, user_op):
    """The access_control documents the list tests store, by name: public
    (null), private ({}), group-read, group-write, and user-<user_op> for
    user_id alone ("read" or "write")."""
    none = {"group_ids": [], "user_ids": []}
    group = {"group_ids": [group_id], "user_ids": []}
    user = {"group_ids": [], "user_ids": [user_id]}
    return {
        "public": None,
        "private": {},
        "group-read": {"read": group, "write": none},
        "group-write": {"read": none, "write": group},
        f"user-{user_op}": {"read": user if user_op == "read" else none,
                            "write": user if user_op == "write" else none},
    }


def connect_providers(stack, token, openai=(), ollama=(), keys=None,
                      openai_configs=None, ollama_configs=None):
    """Points the OpenAI and Ollama connections at the given fakes
    (tests/api/fakes.py); keys: the OpenAI keys ("" each by default)."""
    r = stack.post("/openai/config/update", token=token, json={
        "ENABLE_OPENAI_API": bool(openai),
        "OPENAI_API_BASE_URLS": [f.openai_base for f in openai],
        "OPENAI_API_KEYS": list(keys) if keys else ["" for _ in openai],
        "OPENAI_API_CONFIGS": openai_configs or {},
    })
    assert r.status_code == 200, r.text
    r = stack.post("/ollama/config/update", token=token, json={
        "ENABLE_OLLAMA_API": bool(ollama),
        "OLLAMA_BASE_URLS": [f.ollama_base for f in ollama],
        "OLLAMA_API_CONFIGS": ollama_configs or {},
    })
    assert r.status_code == 200, r.text


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signed(header, payload, key, digest=hashlib.sha256):
    """A JWT with these header and payload, HMAC-signed with key."""
    head = (_b64url(json.dumps(header).encode()) + "." +
            _b64url(json.dumps(payload).encode()))
    sig = hmac.new(key.encode(), head.encode(), digest).digest()
    return head + "." + _b64url(sig)


def forged_tokens(secret, user_id):
    """{name: (token, detail)}: tokens naming user_id that Python's
    get_current_user (utils/auth.py; PyJWT, HS256 only) refuses with 401
    and that detail, secret being the stack's WEBUI_SECRET_KEY.  A token
    with an unknown user id and an unknown API key come last."""
    hs256 = {"alg": "HS256", "typ": "JWT"}
    now = int(time.time())
    good = _signed(hs256, {"id": user_id}, secret)
    h, _p, sig = good.split(".")
    return {
        "garbage": ("not.a.jwt", UNAUTHORIZED),
        "wrong-key": (_signed(hs256, {"id": user_id}, secret + "x"),
                      UNAUTHORIZED),
        "alg-none": (_b64url(b'{"alg":"none","typ":"JWT"}') + "." +
                     _b64url(json.dumps({"id": user_id}).encode()) + ".",
                     UNAUTHORIZED),
        "alg-none-signed": (_signed({"alg": "none"}, {"id": user_id},
                                    secret), UNAUTHORIZED),
        "hs512": (_signed({"alg": "HS512", "typ": "JWT"}, {"id": user_id},
                          secret, hashlib.sha512), UNAUTHORIZED),
        "rs256-hmac": (_signed({"alg": "RS256", "typ": "JWT"},
                               {"id": user_id}, secret), UNAUTHORIZED),
        "tampered": (h + "." + _b64url(json.dumps(
            {"id": user_id, "x": 1}).encode()) + "." + sig, UNAUTHORIZED),
        "expired": (_signed(hs256, {"id": user_id, "exp": now - 60}, secret),
                    UNAUTHORIZED),
        "exp-not-a-number": (_signed(hs256, {"id": user_id, "exp": "never"},
                                     secret), UNAUTHORIZED),
        "not-before-future": (_signed(hs256, {"id": user_id,
                                              "nbf": now + 3600}, secret),
                              UNAUTHORIZED),
        "no-id": (_signed(hs256, {"sub": user_id}, secret), UNAUTHORIZED),
        "unknown-user": (_signed(hs256, {"id": str(uuid.uuid4())}, secret),
                         INVALID_TOKEN),
        "unknown-api-key": ("sk-" + "0" * 32, INVALID_TOKEN),
    }
