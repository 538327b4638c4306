"""The authorization matrix, continued from test_route_matrix.py (which
parses the route tables and checks the four roles): every route of
cwebui-fcgi (routes.c) and every route cwebui-streamd answers itself
(srv_routes.c) is called, on both engines, with

  - forged and broken credentials (helpers.forged_tokens: garbage, another
    key, alg none, HS512, an RS256 header over an HMAC, a tampered payload,
    expired, exp not a number, nbf in the future, no id, an unknown user, an
    unknown API key), an expired cookie, a bad Bearer over a good cookie, a
    non-Bearer scheme: 401 with Python's detail (utils/auth.py
    get_current_user), or, on a public route, what no token gets;
  - an API key of a user and of a pending user, and a user's token
    cookie: what that role gets;
  - the same key with API keys disabled by the admin (403), and with the
    endpoint restrictions on (403 outside API_KEY_ALLOWED_ENDPOINTS);

and every route whose path (or, for models, query) names a user-owned
object is called by user B on user A's object (OWNED): B gets Python's
answer, never A's marker string, and A's rows stay as they were.  A route
with such a parameter and no row in OWNED fails test_owned_rows.

The admin's API key gets what the admin's token gets on every route, and
the same 403s as any key when keys are off or restricted (Python checks
the key before it knows whose it is).  The admin, by token and by key, on
A's objects gets Python's answer (ADMIN, else B's): A's data where Python
lets an admin through, never elsewhere; and with ENABLE_ADMIN_CHAT_ACCESS
and BYPASS_ADMIN_ACCESS_CONTROL off on a second host of the same
installation, what Python answers then (ADMIN_RESTRICTED)."""

import re
import secrets

import pytest

from conftest import add_user
from helpers import (ACCESS_PROHIBITED, DEFAULT, INVALID_TOKEN,
                     NOT_AUTHENTICATED,
                     NOT_FOUND, UNAUTHORIZED, add_model, forged_tokens)
from test_auths import API_KEY_NOT_ALLOWED, admin_config
from test_route_matrix import (CASES, EXPECTED_5XX, ROUTES, judge,
                               pytestmark)  # noqa: F401 (the stack's env)
from test_route_matrix_streamd import OWN, SRV
from workers import no_worker_crash  # noqa: F401

# cwebui-streamd's own routes, as test_route_matrix.CASES rows.
STREAMD_CASES = [(m, p, "AUTH_VERIFIED", re.sub(r"\{[^}]*\}", "x1", p))
                 for m, p in sorted(OWN)]
MATRIX = CASES + STREAMD_CASES
MATRIX_IDS = [f"{m} {path}" for m, _p, _l, path in MATRIX]
OPEN = ("AUTH_PUBLIC", "AUTH_OPTIONAL")

# API_KEY_ALLOWED_ENDPOINTS for test_api_key_restricted.
ALLOWED = " /api/v1/chats, /api/models,/api/tasks "


def _allowed(path):
    """Python's check of the endpoint restrictions (utils/auth.py)."""
    return any(path == a or path.startswith(a + "/")
               for a in (x.strip() for x in ALLOWED.split(",")))


def _call(stack, method, path, headers=None, cookies=None):
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return stack.request(method, path, headers=headers, cookies=cookies,
                         json=body)


def _judge_key(method, path, level, role, r):
    """judge() for a caller with an API key that may be used here."""
    if r.status_code == 403 and _detail(r) == API_KEY_NOT_ALLOWED:
        return f"{role}: 403 {r.text[:200]} (the key may be used here)"
    return judge(method, path, level, role, r)


def _detail(r):
    try:
        return r.json().get("detail")
    except (ValueError, AttributeError):
        return None


class Keys:
    """The API keys of the module's user, pending user and admin."""

    def __init__(self, stack, users):
        self.stack = stack
        self.by_role = {}
        for role in ("user", "pending", "admin"):
            key = "sk-" + secrets.token_hex(16)
            self.by_role[role] = (getattr(users, role).id, key)
        self.restore()

    def restore(self):
        """Stores the keys again (a route may have replaced them)."""
        for uid, key in self.by_role.values():
            self.stack.sql('UPDATE "user" SET api_key = ? WHERE id = ?',
                           (key, uid))

    def key(self, role):
        return self.by_role[role][1]


@pytest.fixture(scope="module")
def keys(stack, users):
    return Keys(stack, users)


@pytest.fixture(scope="module")
def forged(stack, users):
    return forged_tokens(stack.secret, users.user.id)


def _credential_cases(users, forged):
    """[(name, headers, cookies, detail)]: callers get_current_user refuses
    with 401 and that detail."""
    expired = forged["expired"][0]
    out = [(name, {"Authorization": f"Bearer {tok}"}, None, detail)
           for name, (tok, detail) in forged.items()]
    out += [
        ("expired-cookie", None, {"token": expired}, UNAUTHORIZED),
        # the Bearer header wins over the cookie
        ("bad-bearer-good-cookie", {"Authorization": "Bearer not.a.jwt"},
         {"token": users.user.token}, UNAUTHORIZED),
        ("basic-scheme", {"Authorization": "Basic dXNlcjpwdw=="}, None,
         NOT_AUTHENTICATED),
        ("empty-bearer", {"Authorization": "Bearer "}, None,
         NOT_AUTHENTICATED),
    ]
    return out


@pytest.mark.parametrize("method,pattern,level,path", MATRIX, ids=MATRIX_IDS)
def test_credentials(stack, users, keys, forged, method, pattern, level,
                     path):
    problems = []
    anon = _call(stack, method, path)
    for name, headers, cookies, want in _credential_cases(users, forged):
        r = _call(stack, method, path, headers, cookies)
        got = f"{name}: {r.status_code} {r.text[:200]}"
        if level in OPEN:
            # no auth dependency: the credential is not looked at
            if r.status_code != anon.status_code or (
                    r.status_code >= 500 and "none" not in
                    EXPECTED_5XX.get((method, path), ((), ""))[0]):
                problems.append(f"{got} (no token: {anon.status_code})")
        elif (r.status_code, _detail(r)) != (401, want):
            problems.append(f"{got} (expected 401 {want!r})")
    for role in ("user", "pending"):
        r = _call(stack, method, path,
                  {"Authorization": f"Bearer {keys.key(role)}"})
        problem = _judge_key(method, path, level, role, r)
        if problem:
            problems.append(f"API key of the {problem}")
    r = _call(stack, method, path, cookies={"token": users.user.token})
    problem = judge(method, path, level, "user", r)
    if problem:
        problems.append(f"token cookie of the {problem}")
    # the admin's key gets what the admin's token gets (the key first: a
    # route may replace it)
    by_key = _call(stack, method, path,
                   {"Authorization": f"Bearer {keys.key('admin')}"})
    by_token = _call(stack, method, path, users.admin.headers)
    problem = _judge_key(method, path, level, "admin", by_key)
    if problem:
        problems.append(f"API key of the {problem}")
    elif by_key.status_code != by_token.status_code:
        problems.append(f"API key of the admin: {by_key.status_code} "
                        f"{by_key.text[:200]}, token: "
                        f"{by_token.status_code} {by_token.text[:200]}")
    if path.startswith("/api/v1/auths/api_key"):
        keys.restore()
    assert not problems, f"{method} {path} ({level}):\n" + "\n".join(problems)


def _with_config(stack, users, keys, changes, expect):
    """Sets the admin settings changes, calls every route of MATRIX with the
    user's and the admin's API key and an unknown one, restores the
    settings; returns the problems.  expect(path) -> None when the key is
    let in (judged as its owner's role), else the 403 detail: Python's
    checks of the key come before the user is known, so they are the same
    for an admin."""
    admin = users.admin.token
    old = admin_config(stack, admin)
    admin_config(stack, admin, **changes)
    problems = []
    try:
        for method, _p, level, path in MATRIX:
            for key, role in ((keys.key("user"), "user"),
                              (keys.key("admin"), "admin"),
                              ("sk-" + "0" * 32, None)):
                h = {"Authorization": f"Bearer {key}"}
                r = _call(stack, method, path, h)
                got = f"{method} {path} ({key[:5]}..): {r.status_code} " \
                      f"{r.text[:200]}"
                want = None if level in OPEN else expect(path)
                if level in OPEN:
                    if r.status_code != _call(stack, method,
                                              path).status_code:
                        problems.append(f"{got} (as without a key)")
                elif want is not None:
                    if (r.status_code, _detail(r)) != (403, want):
                        problems.append(f"{got} (expected 403 {want!r})")
                elif role:
                    problem = _judge_key(method, path, level, role, r)
                    if problem:
                        problems.append(f"{method} {path}: {problem}")
                elif (r.status_code, _detail(r)) != (401, INVALID_TOKEN):
                    problems.append(f"{got} (expected 401 INVALID_TOKEN)")
            if path.startswith("/api/v1/auths/api_key"):
                keys.restore()
    finally:
        admin_config(stack, admin, **{k: old[k] for k in changes})
    return problems


def test_api_key_disabled(stack, users, keys):
    """utils/auth.py: with ENABLE_API_KEY off, any sk- credential is 403
    API_KEY_NOT_ALLOWED on a route that authenticates."""
    problems = _with_config(stack, users, keys, {"ENABLE_API_KEY": False},
                            lambda path: API_KEY_NOT_ALLOWED)
    assert not problems, "\n".join(problems)


def test_api_key_restricted(stack, users, keys):
    """utils/auth.py: with the endpoint restrictions on, a key works on the
    listed paths and below them (before the key is looked up), 403
    elsewhere; JWTs are not restricted."""
    problems = _with_config(
        stack, users, keys, {"ENABLE_API_KEY_ENDPOINT_RESTRICTIONS": True,
                             "API_KEY_ALLOWED_ENDPOINTS": ALLOWED},
        lambda path: None if _allowed(path) else API_KEY_NOT_ALLOWED)
    assert not problems, "\n".join(problems)


# -- another user's objects ---------------------------------------------------

MARK = "authz-" + secrets.token_hex(6)
ADMIN_ONLY = (401, ACCESS_PROHIBITED)
ANY = object()      # any 200 body
# an image: its bytes, or (cwebui) a 302 to the frontend's default file
# where Python sends that file
IMAGE = ((200, 302), ANY)

# Path parameters that name no user-owned object.
NOT_OWNED = {"url_idx", "path", "action_id", "task_id"}

# Routes naming a user-owned object, in the path or (models) the query:
# (method, pattern) -> (kind, body, status, detail or 200 body): what Python
# 0.6.32 answers user B on user A's object (routers/<file>.py).
OWNED = {
    # chats.py: get_chat_by_id_and_user_id(id, B) misses
    ("GET", "/api/v1/chats/{id}"): ("chat", None, 401, NOT_FOUND),
    ("POST", "/api/v1/chats/{id}"): ("chat", {"chat": {"title": "B"}},
                                     401, ACCESS_PROHIBITED),
    ("POST", "/api/v1/chats/{id}/messages/{message_id}"):
        ("chat", {"content": "B"}, 401, ACCESS_PROHIBITED),
    # delete_chat_by_id_and_user_id(id, B) deletes nothing and says True
    ("DELETE", "/api/v1/chats/{id}"): ("chat", None, 200, True),
    ("GET", "/api/v1/chats/{id}/pinned"): ("chat", None, 401, DEFAULT),
    ("POST", "/api/v1/chats/{id}/pin"): ("chat", None, 401, DEFAULT),
    ("POST", "/api/v1/chats/{id}/clone"): ("chat", {}, 401, DEFAULT),
    # a chat id is no share id (get_chat_by_share_id)
    ("POST", "/api/v1/chats/{id}/clone/shared"): ("chat", None, 401,
                                                  DEFAULT),
    ("GET", "/api/v1/chats/share/{share_id}"): ("chat", None, 401,
                                                NOT_FOUND),
    ("POST", "/api/v1/chats/{id}/archive"): ("chat", None, 401, DEFAULT),
    ("POST", "/api/v1/chats/{id}/share"): ("chat", None, 401,
                                           ACCESS_PROHIBITED),
    ("DELETE", "/api/v1/chats/{id}/share"): ("chat", None, 401,
                                             ACCESS_PROHIBITED),
    ("POST", "/api/v1/chats/{id}/folder"): ("chat", {"folder_id": None},
                                            401, DEFAULT),
    ("GET", "/api/v1/chats/{id}/tags"): ("chat", None, 401, NOT_FOUND),
    ("POST", "/api/v1/chats/{id}/tags"): ("chat", {"name": "b"}, 401,
                                          DEFAULT),
    ("DELETE", "/api/v1/chats/{id}/tags"): ("chat", {"name": "b"}, 401,
                                            NOT_FOUND),
    ("DELETE", "/api/v1/chats/{id}/tags/all"): ("chat", None, 401,
                                                NOT_FOUND),
    ("GET", "/api/v1/chats/folder/{folder_id}"): ("folder", None, 200, []),
    ("GET", "/api/v1/chats/folder/{folder_id}/list"): ("folder", None, 200,
                                                       []),
    ("GET", "/api/v1/chats/list/user/{user_id}"): ("user", None,
                                                   *ADMIN_ONLY),
    # main.py list_tasks_by_chat_id_endpoint (cwebui-streamd)
    ("GET", "/api/tasks/chat/{chat_id}"): ("chat", None, 200,
                                           {"task_ids": []}),
    # folders.py: get_folder_by_id_and_user_id(id, B) misses: 404
    ("GET", "/api/v1/folders/{id}"): ("folder", None, 404, NOT_FOUND),
    ("POST", "/api/v1/folders/{id}/update"): ("folder", {"name": "B"}, 404,
                                              NOT_FOUND),
    ("POST", "/api/v1/folders/{id}/update/parent"):
        ("folder", {"parent_id": None}, 404, NOT_FOUND),
    ("POST", "/api/v1/folders/{id}/update/expanded"):
        ("folder", {"is_expanded": True}, 404, NOT_FOUND),
    ("DELETE", "/api/v1/folders/{id}"): ("folder", None, 404, NOT_FOUND),
    # users.py: any verified user sees a name, an image and a status
    ("GET", "/api/v1/users/{user_id}"): ("user", None, 200, ANY),
    ("GET", "/api/v1/users/{user_id}/profile/image"): ("user", None,
                                                       *IMAGE),
    ("GET", "/api/v1/users/{user_id}/active"): ("user", None, 200, ANY),
    ("GET", "/api/v1/users/{user_id}/oauth/sessions"): ("user", None,
                                                        *ADMIN_ONLY),
    ("POST", "/api/v1/users/{user_id}/update"):
        ("user", {"role": "admin", "name": "B", "email": "b@example.com",
                  "profile_image_url": "/user.png"}, *ADMIN_ONLY),
    ("DELETE", "/api/v1/users/{user_id}"): ("user", None, *ADMIN_ONLY),
    ("GET", "/api/v1/users/{user_id}/groups"): ("user", None, *ADMIN_ONLY),
    # groups.py: admin only
    ("GET", "/api/v1/groups/id/{id}"): ("group", None, *ADMIN_ONLY),
    ("POST", "/api/v1/groups/id/{id}/update"):
        ("group", {"name": "B", "description": ""}, *ADMIN_ONLY),
    ("POST", "/api/v1/groups/id/{id}/users/add"):
        ("group", {"user_ids": []}, *ADMIN_ONLY),
    ("POST", "/api/v1/groups/id/{id}/users/remove"):
        ("group", {"user_ids": []}, *ADMIN_ONLY),
    ("DELETE", "/api/v1/groups/id/{id}/delete"): ("group", None,
                                                  *ADMIN_ONLY),
    # models.py (?id=): a model B may not read is null; its image is
    # anybody's
    ("GET", "/api/v1/models/model"): ("model", None, 200, None),
    ("GET", "/api/v1/models/model/profile/image"): ("model", None,
                                                    *IMAGE),
    ("POST", "/api/v1/models/model/toggle"): ("model", None, 401,
                                              UNAUTHORIZED),
    ("POST", "/api/v1/models/model/update"):
        ("model", {"id": "x", "name": "B", "meta": {}, "params": {}}, 400,
         ACCESS_PROHIBITED),
    ("DELETE", "/api/v1/models/model/delete"): ("model", None, 401,
                                                UNAUTHORIZED),
}

# The rows that show what each kind of object is: checked unchanged after
# every call on it.
SNAPSHOTS = {
    "chat": ['SELECT * FROM chat WHERE id = ?',
             'SELECT * FROM tag WHERE user_id = ?'],
    "folder": ['SELECT * FROM folder WHERE id = ?'],
    "user": ['SELECT * FROM "user" WHERE id = ?'],
    "group": ['SELECT * FROM "group" WHERE id = ?'],
    "model": ['SELECT * FROM model WHERE id = ?'],
}


def _param_routes():
    """[(method, pattern)] of both tables with a path parameter."""
    out = [(m, p) for m, p, _h, _l in ROUTES if "{" in p]
    out += [(m, p) for m, p, h in SRV if m and h.startswith("task_")
            and "{" in p]
    return out


def test_owned_rows():
    """Every route with a parameter naming an object has its OWNED row;
    every row is a registered route."""
    registered = {(m, p) for m, p, _h, _l in ROUTES} | set(OWN)
    missing = [f"{m} {p}" for m, p in _param_routes()
               if (m, p) not in OWNED and
               set(re.findall(r"\{(\w+)", p)) - NOT_OWNED]
    assert not missing, ("routes naming an object without an OWNED row: " +
                         ", ".join(missing))
    stale = [k for k in OWNED if k not in registered]
    assert not stale, f"OWNED rows of unregistered routes: {stale}"


class Objects:
    """User A ("Alice", a plain user) and what she owns, each holding
    MARK: a chat with a message and a tag, in a folder, shared; a private
    model; a group of the admin with her in it.  tag tells apart the
    objects of one stack; alice: the Alice of other objects, to own these
    too (default: a new one)."""

    def __init__(self, stack, users, tag="", alice=None, only=None):
        """only: the one kind of object to make (default: all)."""
        admin = users.admin.token
        self.alice = alice or add_user(stack, admin, "Alice",
                                       f"alice{tag}.{MARK}@example.com",
                                       "Passw0rd!", "user")
        uid = self.alice["id"]
        self.params = {"user": {"user_id": uid}}
        self.snapshot_args = {"user": (uid,)}
        for kind in ("chat", "model", "group"):
            if only in (None, kind):
                getattr(self, "_" + kind)(stack, admin, tag)

    def _add(self, kind, params, *snapshot_args):
        self.params[kind] = params
        self.snapshot_args[kind] = snapshot_args

    def _chat(self, stack, admin, tag):
        """A chat with a tag, in a folder, shared."""
        t = self.alice["token"]
        mid = "m-" + MARK
        r = stack.post("/api/v1/chats/new", t, json={"chat": {
            "title": f"chat {MARK}", "models": ["m"],
            "history": {"currentId": mid, "messages": {mid: {
                "id": mid, "role": "user", "content": f"secret {MARK}",
                "parentId": None, "childrenIds": []}}},
            "messages": [{"id": mid, "role": "user",
                          "content": f"secret {MARK}"}]}})
        assert r.status_code == 200, r.text
        chat = r.json()["id"]
        r = stack.post("/api/v1/folders/", t, json={"name": f"f{tag} {MARK}"})
        assert r.status_code == 200, r.text
        folder = r.json()["id"]
        for path, body in ((f"/api/v1/chats/{chat}/tags", {"name": MARK}),
                           (f"/api/v1/chats/{chat}/folder",
                            {"folder_id": folder}),
                           (f"/api/v1/chats/{chat}/share", None)):
            r = stack.post(path, t, json=body)
            assert r.status_code == 200, (path, r.text)
        self._add("chat", {"id": chat, "message_id": mid, "share_id": chat,
                           "chat_id": chat}, chat, self.alice["id"])
        self._add("folder", {"id": folder, "folder_id": folder}, folder)

    def _model(self, stack, admin, tag):
        """A private model."""
        model = "authz-model-" + secrets.token_hex(4)
        add_model(stack, model, self.alice["id"], access_control={})
        stack.sql("UPDATE model SET name = ? WHERE id = ?",
                  (f"model {MARK}", model))
        self._add("model", {"id": model}, model)

    def _group(self, stack, admin, tag):
        """A group of the admin with Alice in it."""
        r = stack.post("/api/v1/groups/create", admin,
                       json={"name": f"g{tag} {MARK}", "description": MARK})
        assert r.status_code == 200, r.text
        group = r.json()["id"]
        r = stack.post(f"/api/v1/groups/id/{group}/users/add", admin,
                       json={"user_ids": [self.alice["id"]]})
        assert r.status_code == 200, r.text
        self._add("group", {"id": group}, group)

    def path(self, kind, pattern):
        """pattern with kind's ids filled in (models: ?id=)."""
        vals = self.params[kind]
        path = re.sub(r"\{(\w+)\}", lambda m: vals[m.group(1)], pattern)
        return path + f"?id={vals['id']}" if kind == "model" else path

    def snapshot(self, stack, kind):
        args = self.snapshot_args[kind]
        return [stack.sql(q, args[:q.count("?")]) for q in SNAPSHOTS[kind]]


@pytest.fixture(scope="module")
def objects(stack, users):
    return Objects(stack, users)


@pytest.mark.parametrize("method,pattern", sorted(OWNED),
                         ids=[f"{m} {p}" for m, p in sorted(OWNED)])
def test_other_users_object(stack, users, objects, method, pattern):
    kind, body, status, want = OWNED[(method, pattern)]
    path = objects.path(kind, pattern)
    before = objects.snapshot(stack, kind)
    r = stack.request(method, path, users.user.token, json=body)
    assert MARK not in r.text, f"{method} {path}: A's data: {r.text[:300]}"
    if not isinstance(status, tuple) and status != 200:
        assert (r.status_code, _detail(r)) == (status, want), \
            f"{method} {path}: {r.status_code} {r.text[:300]}"
    else:
        assert r.status_code in (status if isinstance(status, tuple)
                                 else (status,)), \
            f"{method} {path}: {r.status_code} {r.text[:300]}"
        if want is not ANY:
            assert r.json() == want, f"{method} {path}: {r.text[:300]}"
    assert objects.snapshot(stack, kind) == before, \
        f"{method} {path} changed A's {kind}"


# -- the admin on another user's objects --------------------------------------

SEES = object()     # a 200 body that holds A's marker
ADMINS = "admin's"

# Where Python 0.6.32 answers the admin on user A's object otherwise than
# user B (OWNED): (method, pattern) -> (status, detail or 200 body, writes),
# with ENABLE_ADMIN_CHAT_ACCESS and BYPASS_ADMIN_ACCESS_CONTROL on (their
# defaults).  writes: True when the call changes A's objects, ADMINS when
# it writes the admin's own rows naming them (both get fresh objects).
# Every other OWNED row is a check of the owner's id only: the admin gets
# B's answer.
ADMIN = {
    # chats.py: "chat.user_id != user.id and user.role != 'admin'"
    ("POST", "/api/v1/chats/{id}/messages/{message_id}"): (200, SEES, True),
    # the admin deletes by id alone
    ("DELETE", "/api/v1/chats/{id}"): (200, True, True),
    # an admin clones any chat by id (into a chat of its own, in A's folder)
    ("POST", "/api/v1/chats/{id}/clone/shared"): (200, SEES, ADMINS),
    # ENABLE_ADMIN_CHAT_ACCESS: any chat by id
    ("GET", "/api/v1/chats/share/{share_id}"): (200, SEES, False),
    ("GET", "/api/v1/chats/list/user/{user_id}"): (200, SEES, False),
    # users.py: A has no OAuth session
    ("GET", "/api/v1/users/{user_id}/oauth/sessions"): (400, NOT_FOUND,
                                                        False),
    ("POST", "/api/v1/users/{user_id}/update"): (200, ANY, True),
    ("DELETE", "/api/v1/users/{user_id}"): (200, True, True),
    ("GET", "/api/v1/users/{user_id}/groups"): (200, SEES, False),
    # groups.py (the admin's group, A in it)
    ("GET", "/api/v1/groups/id/{id}"): (200, SEES, False),
    ("POST", "/api/v1/groups/id/{id}/update"): (200, ANY, True),
    ("POST", "/api/v1/groups/id/{id}/users/add"): (200, SEES, True),
    ("POST", "/api/v1/groups/id/{id}/users/remove"): (200, SEES, True),
    ("DELETE", "/api/v1/groups/id/{id}/delete"): (200, True, True),
    # models.py: BYPASS_ADMIN_ACCESS_CONTROL; "user.role == 'admin'"
    ("GET", "/api/v1/models/model"): (200, SEES, False),
    ("POST", "/api/v1/models/model/toggle"): (200, SEES, True),
    ("POST", "/api/v1/models/model/update"): (200, ANY, True),
    ("DELETE", "/api/v1/models/model/delete"): (200, True, True),
}

# With ENABLE_ADMIN_CHAT_ACCESS=false and BYPASS_ADMIN_ACCESS_CONTROL=false,
# the rows that read them: the share route looks the id up as a share id,
# the chat list is refused, a model the admin may not read is null; and the
# chat routes that let an admin in without reading them.
ADMIN_RESTRICTED = {
    **{k: ADMIN[k] for k in (
        ("POST", "/api/v1/chats/{id}/messages/{message_id}"),
        ("POST", "/api/v1/chats/{id}/clone/shared"))},
    ("GET", "/api/v1/chats/share/{share_id}"): (401, NOT_FOUND, False),
    ("GET", "/api/v1/chats/list/user/{user_id}"): (401, ACCESS_PROHIBITED,
                                                   False),
    ("GET", "/api/v1/models/model"): (200, None, False),
}


def _admin_body(objects, method, pattern):
    """OWNED's body, with an address nobody has for a user update."""
    body = OWNED[(method, pattern)][1]
    if pattern.endswith("/update") and "email" in (body or {}):
        body = {**body, "email": f"b.{objects.alice['id']}@example.com"}
    return body


def _admin_on(stack, users, objects, table, method, pattern, headers,
              db=None):
    """Calls the route on stack as the admin (headers) on A's objects
    (fresh ones, made on db, when the call writes) and returns the
    problems: table's answer, or B's, and A's marker only where Python
    shows it.  db: the stack of the database (default stack)."""
    db = db or stack
    kind, _b, status, want = OWNED[(method, pattern)]
    writes = False
    if (method, pattern) in table:
        status, want, writes = table[(method, pattern)]
    if writes:
        objects = Objects(db, users, "-" + secrets.token_hex(4),
                          None if kind == "user" else objects.alice, kind)
    path = objects.path(kind, pattern)
    before = objects.snapshot(db, kind)
    r = stack.request(method, path, headers=headers,
                      json=_admin_body(objects, method, pattern))
    got = f"{method} {path}: {r.status_code} {r.text[:300]}"
    statuses = status if isinstance(status, tuple) else (status,)
    if r.status_code not in statuses:
        return [f"{got} (expected {status})"]
    problems = []
    if want is SEES:
        if MARK not in r.text:
            problems.append(f"{got} (without A's data)")
    elif MARK in r.text:
        problems.append(f"{got} (A's data)")
    if want not in (SEES, ANY) and status != 200:
        if _detail(r) != want:
            problems.append(f"{got} (expected {want!r})")
    elif want not in (SEES, ANY) and r.json() != want:
        problems.append(f"{got} (expected {want!r})")
    after = objects.snapshot(db, kind)
    if writes is not True and after != before:
        problems.append(f"{method} {path} changed A's {kind}")
    if method == "DELETE" and writes is True and after[0]:
        problems.append(f"{method} {path} left A's {kind}")
    return problems


@pytest.mark.parametrize("method,pattern", sorted(OWNED),
                         ids=[f"{m} {p}" for m, p in sorted(OWNED)])
def test_admin_on_other_users_object(stack, users, keys, objects, method,
                                     pattern):
    """The admin's token and the admin's API key get Python's answer on
    A's objects (ADMIN, else B's)."""
    problems = []
    for how, headers in (
            ("token", users.admin.headers),
            ("API key", {"Authorization": f"Bearer {keys.key('admin')}"})):
        problems += [f"{how}: {p}" for p in
                     _admin_on(stack, users, objects, ADMIN, method, pattern,
                               headers)]
    assert not problems, "\n".join(problems)


def test_admin_restricted(stack, users, keys, objects, make_stack):
    """A second host of the same installation with ENABLE_ADMIN_CHAT_ACCESS
    and BYPASS_ADMIN_ACCESS_CONTROL off: the rows of ADMIN_RESTRICTED as the
    admin (token and API key)."""
    twin = make_stack.twin(stack, **{**stack.env,
                                     "ENABLE_ADMIN_CHAT_ACCESS": "false",
                                     "BYPASS_ADMIN_ACCESS_CONTROL": "false"})
    problems = []
    for method, pattern in sorted(ADMIN_RESTRICTED):
        for headers in (users.admin.headers,
                        {"Authorization": f"Bearer {keys.key('admin')}"}):
            problems += _admin_on(twin, users, objects, ADMIN_RESTRICTED,
                                  method, pattern, headers, stack)
    assert not problems, "\n".join(problems)
