"""GET /api/config for each kind of caller, the settings behind it (the
environment, the stored document and their precedence), and the small
public routes of main.py: health, version, manifest, OpenSearch."""

import json

import pytest

from conftest import ENGINES, create_users, signup
from helpers import CONFIG_DEFAULT_PERMISSIONS as DEFAULT_PERMISSIONS


ANON_KEYS = {"status", "name", "version", "default_locale", "oauth",
             "features"}
ANON_FEATURES = {
    "auth": True,
    "auth_trusted_header": False,
    "enable_signup_password_confirmation": False,
    "enable_ldap": False,
    "enable_api_key": True,
    "enable_signup": True,
    "enable_login_form": True,
    "enable_websocket": True,
    "enable_version_update_check": True,
}
MEMBER_FEATURES = {
    "enable_direct_connections": False,
    "enable_channels": False,
    "enable_notes": True,
    "enable_web_search": False,
    "enable_code_execution": True,
    "enable_code_interpreter": True,
    "enable_image_generation": False,
    "enable_autocomplete_generation": False,
    "enable_community_sharing": True,
    "enable_message_rating": True,
    "enable_user_webhooks": True,
    "enable_admin_export": True,
    "enable_admin_chat_access": True,
    "enable_google_drive_integration": False,
    "enable_onedrive_integration": False,
}
MEMBER_KEYS = ANON_KEYS | {
    "default_models", "default_prompt_suggestions", "user_count", "code",
    "audio", "file", "permissions", "google_drive", "onedrive", "ui",
    "license_metadata"}
SUGGESTION_TITLES = [
    ["Help me study", "vocabulary for a college entrance exam"],
    ["Give me ideas", "for what to do with my kids' art"],
    ["Tell me a fun fact", "about the Roman Empire"],
    ["Show me a code snippet", "of a website's sticky header"],
    ["Explain options trading",
     "if I'm familiar with buying and selling stocks"],
    ["Overcome procrastination", "give me tips"],
]


def config(stack, token=None, **kw):
    r = stack.get("/api/config", token=token, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def stored_document(stack):
    """The config table's newest document, parsed ({} when no row)."""
    rows = stack.sql("SELECT data FROM config ORDER BY id DESC")
    return json.loads(rows[0]["data"]) if rows else {}


def store_document(stack, doc):
    """Replaces the document of every config row (inserting one if none)."""
    text = json.dumps(doc)
    if stack.sql("SELECT id FROM config"):
        stack.sql("UPDATE config SET data = ?", (text,))
    else:
        stack.sql("INSERT INTO config (data, version) VALUES (?, 0)",
                  (text,))


# -- anonymous callers and onboarding ---------------------------------------

def test_onboarding_until_the_first_signup(fresh_stack):
    s = fresh_stack
    c = config(s)
    assert set(c) == ANON_KEYS | {"onboarding"}
    assert c["onboarding"] is True
    assert c["status"] is True
    assert c["name"] == "Open WebUI"
    assert c["version"] == "0.6.32"
    assert c["default_locale"] == ""
    assert c["oauth"] == {"providers": {}}
    assert c["features"] == ANON_FEATURES
    assert s.sql("SELECT id FROM config") == []

    admin = signup(s, "Admin", "admin@example.com", "Passw0rd!")
    c = config(s)
    assert "onboarding" not in c
    assert set(c) == ANON_KEYS
    # the first sign-up closes self sign-up, in the stored document too
    assert c["features"]["enable_signup"] is False
    assert stored_document(s)["ui"]["enable_signup"] is False
    # a signed-in admin never sees onboarding either
    assert "onboarding" not in config(s, admin["token"])


def test_signed_out_token_is_anonymous(stack, users):
    for bad in ["garbage", users.admin.token[:-2] + "xx",
                "sk-" + "0" * 32]:
        c = config(stack, bad)
        assert set(c) == ANON_KEYS, bad
        assert set(c["features"]) == set(ANON_FEATURES), bad


def test_api_key_is_anonymous(stack, users):
    r = stack.post("/api/v1/auths/api_key", token=users.user.token)
    assert r.status_code == 200, r.text
    key = r.json()["api_key"]
    c = config(stack, key)
    assert set(c) == ANON_KEYS
    assert "user_count" not in c


# -- signed-in callers ------------------------------------------------------

@pytest.mark.parametrize("role", ["user", "admin"])
def test_member_config(stack, users, role):
    c = config(stack, users.token(role))
    want = MEMBER_KEYS | ({"active_entries"} if role == "admin" else set())
    assert set(c) == want
    assert c["features"] == {**ANON_FEATURES, "enable_signup": False,
                             **MEMBER_FEATURES}
    assert c["default_models"] is None
    assert [p["title"] for p in c["default_prompt_suggestions"]] == \
        SUGGESTION_TITLES
    assert c["default_prompt_suggestions"][0]["content"] == (
        "Help me study vocabulary: write a sentence for me to fill in the "
        "blank, and I'll try to pick the correct option.")
    assert c["user_count"] == 3
    assert c["code"] == {"engine": "pyodide"}
    assert c["audio"] == {"tts": {"engine": "", "voice": "alloy",
                                  "split_on": "punctuation"},
                          "stt": {"engine": ""}}
    assert c["file"] == {"max_size": None, "max_count": None,
                         "image_compression": {"width": None,
                                               "height": None}}
    assert c["permissions"] == DEFAULT_PERMISSIONS
    assert c["google_drive"] == {"client_id": "", "api_key": ""}
    assert c["onedrive"] == {"client_id_personal": "",
                             "client_id_business": "",
                             "sharepoint_url": "",
                             "sharepoint_tenant_id": ""}
    assert c["ui"] == {"pending_user_overlay_title": "",
                       "pending_user_overlay_content": "",
                       "response_watermark": ""}
    assert c["license_metadata"] is None
    if role == "admin":
        assert c["active_entries"] is None


def test_pending_config(stack, users):
    c = config(stack, users.pending.token)
    assert set(c) == ANON_KEYS | {"ui"}
    assert c["ui"] == {"pending_user_overlay_title": "",
                       "pending_user_overlay_content": ""}
    # Python's check is "a user", so pending gets every feature flag
    assert c["features"] == {**ANON_FEATURES, "enable_signup": False,
                             **MEMBER_FEATURES}


def test_token_cookie(stack, users):
    c = config(stack, cookies={"token": users.user.token})
    assert c["user_count"] == 3
    # the Authorization header wins over the cookie
    c = config(stack, users.pending.token,
               cookies={"token": users.user.token})
    assert "user_count" not in c and "ui" in c


# -- settings from the environment ------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_environment(make_stack, engine):
    s = make_stack(engine, WEBUI_NAME="Acme", DEFAULT_LOCALE="fr",
                   ENABLE_SIGNUP_PASSWORD_CONFIRMATION="True",
                   ENABLE_WEBSOCKET_SUPPORT="false", OFFLINE_MODE="true",
                   ENABLE_CHANNELS="true", ENABLE_ONEDRIVE_INTEGRATION="true",
                   ONEDRIVE_CLIENT_ID="od-id", ENABLE_ONEDRIVE_BUSINESS="no",
                   RAG_FILE_MAX_SIZE="25", AUDIO_TTS_VOICE="nova",
                   USER_PERMISSIONS_CHAT_EDIT="false",
                   USER_PERMISSIONS_WORKSPACE_TOOLS_ACCESS="true",
                   PENDING_USER_OVERLAY_TITLE="Wait",
                   DEFAULT_PROMPT_SUGGESTIONS=json.dumps(
                       [{"title": ["a", "b"], "content": "c"}]),
                   WEBUI_AUTH_TRUSTED_EMAIL_HEADER="X-Email")
    c = config(s)
    assert c["name"] == "Acme (Open WebUI)"
    assert c["default_locale"] == "fr"
    assert c["features"]["enable_signup_password_confirmation"] is True
    assert c["features"]["enable_websocket"] is False
    assert c["features"]["enable_version_update_check"] is False
    assert c["features"]["auth_trusted_header"] is True

    users = create_users(s)
    c = config(s, users.user.token)
    assert c["features"]["enable_channels"] is True
    assert c["features"]["enable_onedrive_integration"] is True
    assert c["features"]["enable_onedrive_personal"] is True
    assert c["features"]["enable_onedrive_business"] is False
    assert c["onedrive"]["client_id_personal"] == "od-id"
    assert c["onedrive"]["client_id_business"] == "od-id"
    assert c["file"]["max_size"] == 25
    assert c["audio"]["tts"]["voice"] == "nova"
    assert c["permissions"]["chat"]["edit"] is False
    assert c["permissions"]["workspace"]["tools"] is True
    assert c["default_prompt_suggestions"] == [
        {"title": ["a", "b"], "content": "c"}]
    assert config(s, users.pending.token)["ui"][
        "pending_user_overlay_title"] == "Wait"


@pytest.mark.parametrize("engine", ENGINES)
def test_without_auth(make_stack, engine):
    s = make_stack(engine, WEBUI_AUTH="False", ENABLE_SIGNUP="true")
    f = config(s)["features"]
    assert f["auth"] is False
    assert f["enable_signup"] is False


# -- the stored document ----------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_stored_settings_win(make_stack, engine):
    s = make_stack(engine, DEFAULT_LOCALE="fr",
                   PENDING_USER_OVERLAY_TITLE="from env")
    users = create_users(s)
    doc = stored_document(s)
    doc["ui"].update(default_locale="de",
                     pending_user_overlay_title="from db",
                     default_models="m1,m2")
    doc.setdefault("audio", {}).setdefault("tts", {})["voice"] = "echo"
    store_document(s, doc)

    s.restart()
    c = config(s, users.admin.token)
    assert c["default_locale"] == "de"
    assert c["default_models"] == "m1,m2"
    assert c["audio"]["tts"]["voice"] == "echo"
    assert config(s, users.pending.token)["ui"][
        "pending_user_overlay_title"] == "from db"

    # not persistent: the environment wins at start
    s.restart(ENABLE_PERSISTENT_CONFIG="false")
    c = config(s, users.admin.token)
    assert c["default_locale"] == "fr"
    assert c["default_models"] is None
    assert c["audio"]["tts"]["voice"] == "alloy"
    assert config(s, users.pending.token)["ui"][
        "pending_user_overlay_title"] == "from env"
    # ... and ENABLE_SIGNUP falls back to its default too
    assert c["features"]["enable_signup"] is True


@pytest.mark.parametrize("engine", ENGINES)
def test_stored_null_is_no_value(make_stack, engine):
    s = make_stack(engine, DEFAULT_LOCALE="fr")
    store_document(s, {"version": 0, "ui": {"default_locale": None}})
    s.restart()
    assert config(s)["default_locale"] == "fr"


@pytest.mark.parametrize("engine", ENGINES)
def test_admin_change_is_saved(make_stack, engine):
    s = make_stack(engine)
    users = create_users(s)
    r = s.get("/api/v1/auths/admin/config", token=users.admin.token)
    assert r.status_code == 200, r.text
    form = r.json()
    form["ENABLE_SIGNUP"] = True
    form["ENABLE_API_KEY"] = False
    r = s.post("/api/v1/auths/admin/config", token=users.admin.token,
               json=form)
    assert r.status_code == 200, r.text
    # every worker sees it at once
    for _ in range(4):
        f = config(s)["features"]
        assert f["enable_signup"] is True
        assert f["enable_api_key"] is False
    doc = stored_document(s)
    assert doc["ui"]["enable_signup"] is True
    assert doc["auth"]["api_key"]["enable"] is False
    rows = s.sql("SELECT version, created_at, updated_at FROM config")
    assert len(rows) == 1
    assert rows[0]["version"] == 0
    assert rows[0]["created_at"] is not None
    assert rows[0]["updated_at"] is not None
    s.restart()
    assert config(s)["features"]["enable_api_key"] is False


@pytest.mark.parametrize("engine", ENGINES)
def test_reset_config_on_start(make_stack, engine):
    s = make_stack(engine, DEFAULT_LOCALE="fr")
    store_document(s, {"version": 0, "ui": {"default_locale": "de",
                                            "enable_signup": False}})
    s.restart(RESET_CONFIG_ON_START="true")
    assert s.sql("SELECT id FROM config") == []
    # the values were loaded before the rows went: they last this run
    c = config(s)
    assert c["default_locale"] == "de"
    assert c["features"]["enable_signup"] is False
    s.restart()
    c = config(s)
    assert c["default_locale"] == "fr"
    assert c["features"]["enable_signup"] is True


# -- health, version, manifest, OpenSearch ----------------------------------

def test_health(stack):
    for path in ["/health", "/health/db"]:
        r = stack.get(path)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.json() == {"status": True}


def test_version(stack):
    r = stack.get("/api/version")
    assert r.status_code == 200
    assert r.json() == {"version": "0.6.32"}


@pytest.mark.parametrize("engine", ENGINES)
def test_version_updates(make_stack, engine):
    stack = make_stack(engine)
    r = stack.get("/api/version/updates")
    assert r.status_code == 401
    tok = signup(stack, "V", "v-updates@example.com", "Passw0rd!")["token"]
    r = stack.get("/api/version/updates", token=tok)
    assert r.status_code == 200
    data = r.json()
    assert set(data) == {"current", "latest"}
    assert data["current"] == "0.6.32"
    assert isinstance(data["latest"], str) and data["latest"]
    # off: the current version, GitHub not asked
    s = make_stack(engine, OFFLINE_MODE="true")
    tok = signup(s, "V", "v-updates@example.com", "Passw0rd!")["token"]
    r = s.get("/api/version/updates", token=tok)
    assert r.json() == {"current": "0.6.32", "latest": "0.6.32"}


def test_manifest(stack):
    r = stack.get("/manifest.json")
    assert r.status_code == 200
    icon = {"src": "/static/logo.png", "type": "image/png",
            "sizes": "500x500"}
    assert r.json() == {
        "name": "Open WebUI",
        "short_name": "Open WebUI",
        "description": "Open WebUI is an open, extensible, user-friendly "
                       "interface for AI that adapts to your workflow.",
        "start_url": "/",
        "display": "standalone",
        "background_color": "#343541",
        "icons": [{**icon, "purpose": "any"},
                  {**icon, "purpose": "maskable"}],
    }


def test_opensearch(stack):
    r = stack.get("/opensearch.xml")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/xml"
    assert "<ShortName>Open WebUI</ShortName>" in r.text
    assert 'template="/?q={searchTerms}"' in r.text


@pytest.mark.parametrize("engine", ENGINES)
def test_named_manifest_and_opensearch(make_stack, engine):
    s = make_stack(engine, WEBUI_NAME="Acme",
                   WEBUI_URL="https://chat.example")
    m = s.get("/manifest.json").json()
    assert m["name"] == m["short_name"] == "Acme (Open WebUI)"
    assert m["description"].startswith("Acme (Open WebUI) is an open")
    r = s.get("/opensearch.xml")
    assert r.text == (
        '\n    <OpenSearchDescription '
        'xmlns="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:moz="http://www.mozilla.org/2006/browser/search/">\n'
        '    <ShortName>Acme (Open WebUI)</ShortName>\n'
        '    <Description>Search Acme (Open WebUI)</Description>\n'
        '    <InputEncoding>UTF-8</InputEncoding>\n'
        '    <Image width="16" height="16" type="image/x-icon">'
        'https://chat.example/static/favicon.png</Image>\n'
        '    <Url type="text/html" method="get" '
        'template="https://chat.example/?q={searchTerms}"/>\n'
        '    <moz:SearchForm>https://chat.example</moz:SearchForm>\n'
        '    </OpenSearchDescription>\n    ')
