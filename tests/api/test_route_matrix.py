"""The authorization matrix over every route of src/fcgi/routes.c.

routes.c is parsed when the tests are collected, so a route added there is
checked without touching this file:
  - it must exist in the Python 0.6.32 route list (tests/routes/, a copy of
    the reference backend-routes-0.6.32.tsv) with the same method and path
    and the auth level Python gives it, and no earlier row of the table may
    shadow it;
  - on both engines, with its path parameters filled with a dummy value and
    a body of {} for POST/PUT/PATCH, each of the four roles gets the answer
    Python gives: 401 "Not authenticated" without a token, 401
    ACCESS_PROHIBITED for a role below the route's level, and never a 5xx
    unless Python answers 5xx there too (EXPECTED_5XX).

Every provider URL points at 127.0.0.1:9 (nothing listens there) and the
proxy variables send whatever else libcurl might reach to the same place:
no request leaves the machine."""

import re

import pytest

from conftest import REPO_ROOT
from helpers import ACCESS_PROHIBITED, NOT_AUTHENTICATED

NOWHERE = "http://127.0.0.1:9"

pytestmark = pytest.mark.stack_env(
    OLLAMA_BASE_URLS=NOWHERE, OLLAMA_BASE_URL=NOWHERE,
    OPENAI_API_BASE_URLS=NOWHERE + "/v1", OPENAI_API_BASE_URL=NOWHERE + "/v1",
    OPENAI_API_KEYS="sk-none", AIOHTTP_CLIENT_TIMEOUT="3",
    AIOHTTP_CLIENT_TIMEOUT_MODEL_LIST="2",
    AIOHTTP_CLIENT_TIMEOUT_OPENAI_MODEL_LIST="2",
    AIOHTTP_CLIENT_TIMEOUT_TOOL_SERVER_DATA="2", MODELS_CACHE_TTL="0",
    http_proxy=NOWHERE, https_proxy=NOWHERE, HTTPS_PROXY=NOWHERE,
    ALL_PROXY=NOWHERE, all_proxy=NOWHERE, NO_PROXY=None, no_proxy=None)

ROUTES_C = REPO_ROOT / "src" / "fcgi" / "routes.c"
ROUTES_TSV = REPO_ROOT / "tests" / "routes" / "backend-routes-0.6.32.tsv"

# The levels a TSV auth value allows.
TSV_LEVELS = {
    "public": {"AUTH_PUBLIC", "AUTH_OPTIONAL"},
    "verified-user": {"AUTH_VERIFIED"},
    "admin": {"AUTH_ADMIN"},
}

# "special" rows whose summary does not say "any signed-in role", decided
# from the upstream source (backend/open_webui/...).
SPECIAL_LEVELS = {
    # main.py get_app_config: no auth dependency; it decodes the token
    # cookie or Bearer header itself and answers more when it names a user.
    ("GET", "/api/config"): "AUTH_OPTIONAL",
}

# Where Python 0.6.32 itself answers 500 to this matrix's request (dummy
# id, body {}, every provider unreachable): (method, path) -> (the roles
# that get it, where upstream raises it).  The roles listed must get 500.
BOTH = ("user", "admin")
ALL = ("none", "pending", "user", "admin")
EXPECTED_5XX = {
    **{(m, p): (BOTH, "utils/embeddings.py:67 raises Exception('Model not "
                "found') for a body without a known model")
       for m, p in (("POST", "/api/embeddings"),
                    ("POST", "/api/v1/embeddings"))},
    ("DELETE", "/api/v1/chats/x1"):
        (BOTH, "routers/chats.py:576 and :593 read chat.meta of None"),
    ("GET", "/ollama/api/tags/0"):
        (BOTH, "routers/ollama.py:504 HTTPException(500) on a connection "
         "error"),
    ("GET", "/ollama/api/version"):
        (ALL, "routers/ollama.py:617 HTTPException(500, OLLAMA_NOT_FOUND) "
         "when no backend answers"),
    ("GET", "/ollama/api/version/0"):
        (ALL, "routers/ollama.py:642 HTTPException(500) on a connection "
         "error"),
    ("GET", "/ollama/v1/models/0"):
        (BOTH, "routers/ollama.py:1611 reads r before assignment "
         "(UnboundLocalError) on a connection error"),
    ("POST", "/openai/audio/speech"):
        (BOTH, "routers/openai.py:353 HTTPException(401) with the "
         "OPENAI_NOT_FOUND lambda (constants.py:77) as detail: not "
         "serializable, 500"),
    # a user gets 403 here: cwebui keeps url_idx to admins (GHSA-9rpj-v7hf)
    ("GET", "/openai/models/0"):
        (("admin",), "routers/openai.py:622 HTTPException(500) on a "
         "connection error"),
    **{(m, "/openai/x1"): (BOTH, "routers/openai.py:1146 HTTPException(500) "
                           "on a connection error")
       for m in ("GET", "POST", "PUT", "DELETE")},
    **{("POST", p): (("admin",), "routers/ollama.py send_post_request "
                     "HTTPException(500) on a connection error (a stream "
                     "through cwebui-streamd)")
       for p in ("/ollama/api/pull", "/ollama/api/pull/0",
                 "/ollama/api/create", "/ollama/api/create/0")},
    **{("POST", f"/api/v1/tasks/{t}/completions"):
       (BOTH, "routers/tasks.py reads form_data[\"model\"] (KeyError) "
        "for a body without one")
       for t in ("title", "follow_up", "tags", "image_prompt", "queries",
                 "emoji", "moa")},
}

# Routes whose Python handler itself answers 401 ACCESS_PROHIBITED to a
# role that passes the auth level, for the dummy id: (method, path) -> why.
HANDLER_401 = {
    ("POST", "/api/v1/chats/x1/share"):
        "routers/chats.py:778: no chat x1 of the caller's",
    ("DELETE", "/api/v1/chats/x1/share"):
        "routers/chats.py:801: no chat x1 of the caller's",
}

ROLE_RANK = {"none": 0, "pending": 1, "user": 2, "admin": 3}
LEVEL_NEEDS = {"AUTH_PUBLIC": 0, "AUTH_OPTIONAL": 0, "AUTH_ANY": 1,
               "AUTH_VERIFIED": 2, "AUTH_ADMIN": 3}


def _routes_c():
    """[(method, pattern, handler, level)] in table order."""
    text = re.sub(r"/\*.*?\*/", "", ROUTES_C.read_text(), flags=re.S)
    rows = re.findall(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,'
                      r'\s*(AUTH_\w+)\s*,', text)
    assert rows, f"no route rows found in {ROUTES_C}"
    # /_streamd/ routes exist only for cwebui-streamd (R_STREAMD): to any
    # other request they are unregistered paths (tests/api/test_handoff.py);
    # the h_hosting_* routes exist only in the shared-hosting mode
    # (R_HOSTING, tests/api/test_hosting.py)
    return [row for row in rows if not row[1].startswith("/_streamd/")
            and not row[2].startswith("h_hosting_")]


def _tsv():
    """{(method, normalized path): (auth, summary)}."""
    lines = ROUTES_TSV.read_text().splitlines()
    head = lines[0].split("\t")
    col = {name: head.index(name)
           for name in ("method", "full_path", "auth", "summary")}
    out = {}
    for line in lines[1:]:
        f = line.split("\t")
        out[(f[col["method"]], _norm(f[col["full_path"]]))] = \
            (f[col["auth"]], f[col["summary"]])
    return out


def _norm(path):
    """Path with its {name} captures anonymous: {} and {:path}."""
    return re.sub(r"\{[^}:]*(:path)?\}",
                  lambda m: "{" + (m.group(1) or "") + "}", path)


def _regex(pattern):
    """The path_match() of lib/path.c as a regular expression."""
    out, pos = "", 0
    for m in re.finditer(r"\{[^}]*\}", pattern):
        out += re.escape(pattern[pos:m.start()])
        out += ".*" if m.group(0).endswith(":path}") else "[^/]+"
        pos = m.end()
    return re.compile(out + re.escape(pattern[pos:]) + r"\Z")


def _fillings(pattern):
    """The request paths tried for a pattern: every capture "x1"; an
    integer url_idx also 0, the first (unreachable) connection."""
    paths = [re.sub(r"\{[^}]*\}", "x1", pattern)]
    if "{url_idx}" in pattern:
        paths.append(re.sub(r"\{[^}]*\}", "0", pattern))
    return paths


ROUTES = _routes_c()
TSV = _tsv()
CASES = [(m, p, lvl, path) for m, p, _h, lvl in ROUTES
         for path in _fillings(p)]


def _expected_level(method, pattern):
    """The AUTH_* levels the TSV allows for a route, or a reason why none."""
    row = TSV.get((method, _norm(pattern)))
    if row is None:
        return None, f"{method} {pattern} is not a Python 0.6.32 route"
    auth, summary = row
    if auth in TSV_LEVELS:
        return TSV_LEVELS[auth], None
    if auth == "special" and "any signed-in role" in summary:
        return {"AUTH_ANY"}, None
    if (method, pattern) in SPECIAL_LEVELS:
        return {SPECIAL_LEVELS[(method, pattern)]}, None
    return None, (f"{method} {pattern}: TSV auth {auth!r} ({summary}) needs "
                  "an entry in SPECIAL_LEVELS")


@pytest.mark.parametrize("method,pattern,level",
                         [(m, p, lvl) for m, p, _h, lvl in ROUTES],
                         ids=[f"{m} {p}" for m, p, _h, _l in ROUTES])
def test_route_is_python_route_with_python_auth(method, pattern, level):
    levels, why = _expected_level(method, pattern)
    assert levels is not None, why
    assert level in levels, \
        f"{method} {pattern} is {level}; Python's level is {sorted(levels)}"


@pytest.mark.parametrize("method,pattern",
                         [(m, p) for m, p, _h, _l in ROUTES],
                         ids=[f"{m} {p}" for m, p, _h, _l in ROUTES])
def test_route_is_reachable(method, pattern):
    """No earlier row of the same method matches this route's own paths,
    and no row appears twice."""
    assert sum(1 for m, p, _h, _l in ROUTES
               if (m, p) == (method, pattern)) == 1
    for path in _fillings(pattern):
        first = next((m, p) for m, p, _h, _l in ROUTES
                     if m == method and _regex(p).match(path))
        assert first == (method, pattern), \
            f"{method} {path} reaches {first[1]} first"


def judge(method, path, level, role, r):
    """None when r is what Python answers a caller of rank ROLE_RANK[role]
    on this route (body {} or none, dummy ids), else what is wrong.  Only
    the "none" role is anonymous; "pending", "user" and "admin" name the
    role of the signed-in caller (JWT or API key)."""
    try:
        detail = r.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    got = f"{role}: {r.status_code} {r.text[:200]}"
    if role in EXPECTED_5XX.get((method, path), ((), ""))[0]:
        if r.status_code != 500:
            return (f"{got} (Python answers 500: "
                    f"{EXPECTED_5XX[(method, path)][1]})")
    elif r.status_code >= 500:
        return got
    elif ROLE_RANK[role] < LEVEL_NEEDS[level]:
        want = NOT_AUTHENTICATED if role == "none" else ACCESS_PROHIBITED
        if (r.status_code, detail) != (401, want):
            return f"{got} (expected 401 {want!r})"
    elif r.status_code == 401 and (
            detail == NOT_AUTHENTICATED or (detail == ACCESS_PROHIBITED
                                            and (method, path)
                                            not in HANDLER_401)):
        return f"{got} (the role may call {level})"
    elif r.status_code == 405:
        return f"{got} (the route is registered)"
    return None


@pytest.mark.parametrize("method,pattern,level,path", CASES,
                         ids=[f"{m} {path}" for m, _p, _l, path in CASES])
def test_roles(stack, users, method, pattern, level, path):
    body = {} if method in ("POST", "PUT", "PATCH") else None
    problems = []
    for role in ROLE_RANK:
        r = stack.request(method, path, users.token(role), json=body)
        problem = judge(method, path, level, role, r)
        if problem:
            problems.append(problem)
    assert not problems, f"{method} {path} ({level}):\n" + "\n".join(problems)
