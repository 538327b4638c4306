"""The tasks router (routers/tasks.py, /api/v1/tasks/*): its settings, the
task generations over a fake provider (the prompt the provider receives,
the answer the client gets), and the background tasks of a chat answer
that cwebui-streamd asks for (POST /_streamd/chat/background, called here
over FastCGI with the CWEBUI_STREAMD param)."""

import hashlib
import hmac
import json
import uuid

import pytest

from fakes import fake_provider, make_fake_provider  # noqa: F401
from fcgi_client import request as fcgi_request
from helpers import (add_model, assert_admin_only,
                     assert_refuses_anonymous_and_pending)
from workers import no_worker_crash  # noqa: F401

pytestmark = pytest.mark.stack_env(MODELS_CACHE_TTL="0",
                                   AIOHTTP_CLIENT_TIMEOUT="3")

DEFAULTS = {
    "TASK_MODEL": "",
    "TASK_MODEL_EXTERNAL": "",
    "TITLE_GENERATION_PROMPT_TEMPLATE": "",
    "IMAGE_PROMPT_GENERATION_PROMPT_TEMPLATE": "",
    "ENABLE_AUTOCOMPLETE_GENERATION": False,
    "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH": -1,
    "TAGS_GENERATION_PROMPT_TEMPLATE": "",
    "FOLLOW_UP_GENERATION_PROMPT_TEMPLATE": "",
    "ENABLE_FOLLOW_UP_GENERATION": True,
    "ENABLE_TAGS_GENERATION": True,
    "ENABLE_TITLE_GENERATION": True,
    "ENABLE_SEARCH_QUERY_GENERATION": True,
    "ENABLE_RETRIEVAL_QUERY_GENERATION": True,
    "QUERY_GENERATION_PROMPT_TEMPLATE": "",
    "TOOLS_FUNCTION_CALLING_PROMPT_TEMPLATE": "",
}
INTERNAL = {"detail": "An internal error has occurred."}
MSGS = [{"role": "user", "content": "Tell me about stocks"},
        {"role": "assistant", "content": "Stocks are shares."}]


@pytest.fixture
def settings(stack, users):
    """Sets task settings for one test (dict of changes), restored after."""
    def put(**changes):
        r = stack.post("/api/v1/tasks/config/update", token=users.admin.token,
                       json={**DEFAULTS, **changes})
        assert r.status_code == 200, r.text
        return r.json()
    yield put
    put()


@pytest.fixture
def fake(stack, users, fake_provider):  # noqa: F811
    """fake_provider as the only (OpenAI) connection, models gpt-t and
    gpt-task."""
    fake_provider.set(models=["gpt-t", "gpt-task"])
    connect(stack, users.admin.token, openai=[fake_provider])
    return fake_provider


def connect(stack, token, openai=(), ollama=()):
    r = stack.post("/openai/config/update", token=token, json={
        "ENABLE_OPENAI_API": bool(openai),
        "OPENAI_API_BASE_URLS": [f.openai_base for f in openai],
        "OPENAI_API_KEYS": ["" for _ in openai], "OPENAI_API_CONFIGS": {}})
    assert r.status_code == 200, r.text
    r = stack.post("/ollama/config/update", token=token, json={
        "ENABLE_OLLAMA_API": bool(ollama),
        "OLLAMA_BASE_URLS": [f.ollama_base for f in ollama],
        "OLLAMA_API_CONFIGS": {}})
    assert r.status_code == 200, r.text


def task(stack, token, name, **body):
    return stack.post(f"/api/v1/tasks/{name}/completions", token=token,
                      json=body)


def sent(fake, path="/v1/chat/completions"):
    """The one chat completion the fake received (then forgotten)."""
    reqs = fake.requests(path)
    assert len(reqs) == 1, reqs
    fake.clear()
    return reqs[0]["body"]


def prompt_of(body):
    assert [m["role"] for m in body["messages"]] == ["user"]
    return body["messages"][0]["content"]


# -- settings -----------------------------------------------------------

def test_config_defaults_and_auth(stack, users):
    r = stack.get("/api/v1/tasks/config", token=users.user.token)
    assert r.status_code == 200
    assert r.json() == DEFAULTS
    assert list(r.json()) == list(DEFAULTS)
    assert_refuses_anonymous_and_pending(stack, "GET", "/api/v1/tasks/config",
                                         users.pending.token)
    assert_admin_only(stack, users, "POST", "/api/v1/tasks/config/update",
                      DEFAULTS)


def test_config_update(stack, users, settings):
    got = settings(TASK_MODEL=None, TASK_MODEL_EXTERNAL="gpt-task",
                   ENABLE_TITLE_GENERATION=False,
                   AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH="12",
                   QUERY_GENERATION_PROMPT_TEMPLATE="Q {{prompt}}")
    want = {**DEFAULTS, "TASK_MODEL": None,
            "TASK_MODEL_EXTERNAL": "gpt-task",
            "ENABLE_TITLE_GENERATION": False,
            "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH": 12,
            "QUERY_GENERATION_PROMPT_TEMPLATE": "Q {{prompt}}"}
    assert got == want
    r = stack.get("/api/v1/tasks/config", token=users.user.token)
    assert r.json() == want
    doc = stack.get("/api/v1/configs/export", token=users.admin.token).json()
    assert doc["task"]["model"]["external"] == "gpt-task"
    assert doc["task"]["title"]["enable"] is False


def test_config_update_validation(stack, users):
    body = dict(DEFAULTS)
    del body["TASK_MODEL"]
    body["ENABLE_TAGS_GENERATION"] = "maybe"
    r = stack.post("/api/v1/tasks/config/update", token=users.admin.token,
                   json=body)
    assert r.status_code == 422
    assert [(e["type"], e["loc"]) for e in r.json()["detail"]] == [
        ("missing", ["body", "TASK_MODEL"]),
        ("bool_parsing", ["body", "ENABLE_TAGS_GENERATION"])]
    assert stack.get("/api/v1/tasks/config",
                     token=users.admin.token).json() == DEFAULTS


# -- generations --------------------------------------------------------

def test_title(stack, users, fake):
    fake.set(reply='{ "title": "📉 Stock Talk" }')
    r = task(stack, users.admin.token, "title", model="gpt-t",
             messages=MSGS, chat_id="c1")
    assert r.status_code == 200, r.text
    assert r.json()["object"] == "chat.completion"
    assert r.json()["choices"][0]["message"]["content"] == \
        '{ "title": "📉 Stock Talk" }'
    body = sent(fake)
    assert body["model"] == "gpt-t" and body["stream"] is False
    # the OpenAI router renames it for a provider other than api.openai.com
    assert body["max_tokens"] == 1000
    p = prompt_of(body)
    assert p.startswith("### Task:\nGenerate a concise, 3-5 word title "
                        "with an emoji summarizing the chat history.\n")
    assert p.endswith("<chat_history>\nUSER: Tell me about stocks\n"
                      "ASSISTANT: Stocks are shares.\n</chat_history>")


def test_template_variables(stack, users, fake, settings):
    settings(TITLE_GENERATION_PROMPT_TEMPLATE=(
        "[{{prompt:start:3}}|{{PROMPT:END:2}}|{{Prompt:middletruncate:5}}|"
        "{{prompt:end:0}}|{{MESSAGES:START:1}}|{{MESSAGES:END:1}}|"
        "{{messages}}|{{USER_NAME}}|{{prompt:start:x}}]"))
    msgs = [{"role": "user", "content": "héllo wörld"},
            {"role": "assistant",
             "content": [{"type": "text", "text": "part"}]}]
    r = task(stack, users.admin.token, "title", model="gpt-t", messages=msgs)
    assert r.status_code == 200, r.text
    assert prompt_of(sent(fake)) == (
        "[hél|ld|hél...ld|héllo wörld|USER: héllo wörld|ASSISTANT: part|"
        "{{messages}}|" + users.admin.name + "|{{prompt:start:x}}]")


def test_messages_middletruncate_and_user_prompt(stack, users, fake,
                                                 settings):
    settings(TITLE_GENERATION_PROMPT_TEMPLATE="{{MESSAGES:MIDDLETRUNCATE:3}}"
             "\n--\n{{prompt}}")
    msgs = [{"role": "user", "content": f"m{i}"} for i in range(5)]
    msgs.append({"role": "user", "content": "see {{MESSAGES:END:1}}"})
    r = task(stack, users.admin.token, "title", model="gpt-t", messages=msgs)
    assert r.status_code == 200, r.text
    # the prompt is filled in first, so its own {{MESSAGES...}} is expanded
    assert prompt_of(sent(fake)) == (
        "USER: m0\nUSER: m4\nUSER: see {{MESSAGES:END:1}}\n--\n"
        "see USER: see {{MESSAGES:END:1}}")


def test_task_model(stack, users, fake, settings):
    settings(TASK_MODEL_EXTERNAL="gpt-task", TASK_MODEL="gpt-t")
    r = task(stack, users.admin.token, "tags", model="gpt-t", messages=MSGS)
    assert r.status_code == 200, r.text
    body = sent(fake)
    assert body["model"] == "gpt-task"
    assert "max_tokens" not in body
    settings(TASK_MODEL_EXTERNAL="no-such-model")
    r = task(stack, users.admin.token, "tags", model="gpt-t", messages=MSGS)
    assert sent(fake)["model"] == "gpt-t"


def test_ollama_task_model(stack, users, make_fake_provider, settings):
    o = make_fake_provider(ollama_models=["llama3:latest", "tiny:latest"],
                           reply='{"tags": ["General"]}')
    connect(stack, users.admin.token, ollama=[o])
    settings(TASK_MODEL="tiny:latest", TASK_MODEL_EXTERNAL="llama3:latest")
    r = task(stack, users.admin.token, "emoji", model="llama3:latest",
             prompt="I won!")
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == \
        '{"tags": ["General"]}'
    body = sent(o, "/api/chat")
    assert body["model"] == "tiny:latest" and body["stream"] is False
    assert body["messages"][0]["content"].endswith(
        "Message: ```I won!```")


@pytest.mark.parametrize("name,needle,extra", [
    ("follow_up", "Suggest 3-5 relevant follow-up questions", {}),
    ("tags", "Generate 1-3 broad tags", {}),
    ("image_prompt", "Generate a detailed prompt for am image generation",
     {}),
    ("queries", "determine the necessity of generating search queries",
     {"type": "web_search"}),
])
def test_generations(stack, users, fake, name, needle, extra):
    r = task(stack, users.user.token, name, model="gpt-t", messages=MSGS,
             **extra)
    # a base model without a workspace entry is refused to a user: each
    # route's own answer to the exception
    assert (r.status_code, r.json()) == {
        "tags": (500, INTERNAL),
        "queries": (400, {"detail": "Model not found"})}.get(
            name, (400, INTERNAL))
    assert fake.requests("/v1/chat/completions") == []
    r = task(stack, users.admin.token, name, model="gpt-t", messages=MSGS,
             **extra)
    assert r.status_code == 200, r.text
    p = prompt_of(sent(fake))
    assert needle in p
    assert "USER: Tell me about stocks\nASSISTANT: Stocks are shares." in p


def test_user_with_model_access(stack, users, fake):
    add_model(stack, "gpt-t", users.admin.id, access_control=None)
    try:
        r = task(stack, users.user.token, "title", model="gpt-t",
                 messages=MSGS)
        assert r.status_code == 200, r.text
        assert sent(fake)["model"] == "gpt-t"
    finally:
        stack.sql('DELETE FROM "model" WHERE id = ?', ("gpt-t",))


def test_emoji(stack, users, fake):
    r = task(stack, users.admin.token, "emoji", model="gpt-t", prompt="yay")
    assert r.status_code == 200, r.text
    body = sent(fake)
    assert body["max_tokens"] == 4
    assert prompt_of(body).startswith("Your task is to reflect the speaker")
    assert prompt_of(body).endswith("Message: ```yay```")
    r = task(stack, users.user.token, "emoji", model="gpt-t", prompt="yay")
    assert (r.status_code, r.json()) == (400, {"detail": "Model not found"})


def test_autocomplete(stack, users, fake, settings):
    r = task(stack, users.admin.token, "auto", model="gpt-t", prompt="abc")
    assert (r.status_code, r.json()) == (
        400, {"detail": "Autocompletion generation is disabled"})
    settings(ENABLE_AUTOCOMPLETE_GENERATION=True,
             AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH=5)
    r = task(stack, users.admin.token, "auto", model="gpt-t",
             prompt="ünïcödé")
    assert (r.status_code, r.json()) == (
        400, {"detail": "Input prompt exceeds maximum length of 5"})
    r = task(stack, users.admin.token, "auto", model="gpt-t", prompt="äbc",
             type="search query", messages=MSGS)
    assert r.status_code == 200, r.text
    p = prompt_of(sent(fake))
    assert "<type>search query</type>  \n<text>äbc</text>  \n" in p
    assert "<chat_history>\nUSER: Tell me about stocks" in p


def test_disabled(stack, users, fake, settings):
    settings(ENABLE_TITLE_GENERATION=False, ENABLE_TAGS_GENERATION=False,
             ENABLE_FOLLOW_UP_GENERATION=False,
             ENABLE_SEARCH_QUERY_GENERATION=False,
             ENABLE_RETRIEVAL_QUERY_GENERATION=False)
    for name, detail in (("title", "Title generation is disabled"),
                         ("tags", "Tags generation is disabled"),
                         ("follow_up", "Follow-up generation is disabled")):
        r = task(stack, users.admin.token, name, model="gpt-t", messages=MSGS)
        assert (r.status_code, r.json()) == (200, {"detail": detail})
    for typ, detail in (("web_search", "Search query generation is disabled"),
                        ("retrieval", "Query generation is disabled")):
        r = task(stack, users.admin.token, "queries", model="gpt-t",
                 messages=MSGS, type=typ)
        assert (r.status_code, r.json()) == (400, {"detail": detail})
    r = task(stack, users.admin.token, "queries", model="gpt-t",
             messages=MSGS)
    assert r.status_code == 200
    assert len(fake.requests("/v1/chat/completions")) == 1


def test_errors(stack, users, fake):
    r = task(stack, users.admin.token, "title", model="nope", messages=MSGS)
    assert (r.status_code, r.json()) == (404, {"detail": "Model not found"})
    r = task(stack, users.admin.token, "title", model="gpt-t")
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    r = task(stack, users.admin.token, "title", messages=MSGS)
    assert (r.status_code, r.text) == (500, "Internal Server Error")
    assert_refuses_anonymous_and_pending(
        stack, "POST", "/api/v1/tasks/title/completions",
        users.pending.token, {"model": "gpt-t", "messages": MSGS})
    # an upstream error passes through as the OpenAI router returns it
    fake.set(fail_status={"/chat/completions": 429})
    r = task(stack, users.admin.token, "title", model="gpt-t", messages=MSGS)
    assert r.status_code == 429
    assert r.json()["error"]["message"] == "fake failure"
    # a provider that does not answer in time: each route's own answer
    fake.set(fail_status=None, hang=["/chat/completions"])
    r = task(stack, users.admin.token, "tags", model="gpt-t", messages=MSGS)
    assert (r.status_code, r.json()) == (500, INTERNAL)
    r = task(stack, users.admin.token, "title", model="gpt-t", messages=MSGS)
    assert (r.status_code, r.json()) == (400, INTERNAL)


def test_moa(stack, users, fake):
    r = task(stack, users.admin.token, "moa", model="gpt-t", prompt="Why?",
             responses=["A", "B"])
    assert r.status_code == 200, r.text
    body = sent(fake)
    assert body["model"] == "gpt-t"
    p = prompt_of(body)
    assert p.startswith('You have been provided with a set of responses '
                        'from various models to the latest user query: '
                        '"Why?"')
    assert p.endswith('Responses from models: """A"""\n\n"""B"""')
    # a streaming answer: the hand-off, for cwebui-streamd only
    st, hd, out = fcgi(stack, "/api/v1/tasks/moa/completions",
                       {"model": "gpt-t", "prompt": "Why?",
                        "responses": ["A"], "stream": True},
                       token=users.admin.token, key=False)
    assert st == 400 and "stream" in json.loads(out)["detail"]
    st, hd, out = fcgi(stack, "/api/v1/tasks/moa/completions",
                       {"model": "gpt-t", "prompt": "Why?",
                        "responses": ["A"], "stream": True},
                       token=users.admin.token)
    assert st == 200 and hd["content-type"] == HANDOFF, (st, hd, out)
    ho = json.loads(out)
    assert ho["upstream"]["url"] == fake.openai_base + "/chat/completions"
    assert json.loads(ho["upstream"]["body"])["stream"] is True


def test_moa_stream(stack, users, fake):
    """Through the web server, cwebui-streamd forwards the request, gets
    the hand-off and streams the provider's answer."""
    r = task(stack, users.admin.token, "moa", model="gpt-t", prompt="Why?",
             responses=["A"], stream=True)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream"), \
        r.headers
    assert r.text.endswith("data: [DONE]\n\n")
    assert sent(fake)["stream"] is True


# -- background tasks (cwebui-streamd) ----------------------------------

HANDOFF = "application/x-cwebui-handoff"


def ikey(stack):
    return hmac.new(stack.secret.encode(), b"cwebui-streamd",
                    hashlib.sha256).hexdigest()


def fcgi(stack, path, body, token=None, key=True, headers=None):
    """POST path to cwebui-fcgi over FastCGI; key: send the right
    CWEBUI_STREAMD param. Returns (status, headers, body bytes)."""
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"Bearer {token}"
    return fcgi_request(path, str(stack.run_dir / "cwebui.sock"),
                        method="POST", body=json.dumps(body).encode(),
                        headers=h,
                        params={"CWEBUI_STREAMD": ikey(stack)} if key else {})


def new_chat(stack, token, model="gpt-t"):
    """A chat of two messages (user u1, assistant a1 answering it)."""
    u1, a1 = str(uuid.uuid4()), str(uuid.uuid4())
    msgs = {
        u1: {"id": u1, "parentId": None, "childrenIds": [a1], "role": "user",
             "content": "Tell me about **stocks** ![img](http://x/y.png)",
             "timestamp": 1},
        a1: {"id": a1, "parentId": u1, "childrenIds": [],
             "role": "assistant", "model": model, "timestamp": 2,
             "content": '<details type="reasoning">\nthinking\n</details>\n'
                        'Stocks are shares.'},
    }
    r = stack.post("/api/v1/chats/new", token=token, json={"chat": {
        "title": "New Chat", "models": [model],
        "history": {"messages": msgs, "currentId": a1},
        "messages": list(msgs.values())}})
    assert r.status_code == 200, r.text
    return r.json()["id"], u1, a1


def background(stack, user, chat_id, message_id, tasks, key=True,
               headers=None):
    st, _, out = fcgi(stack, "/_streamd/chat/background", {
        "user_id": user.id, "chat_id": chat_id, "message_id": message_id,
        "model": "gpt-t", "messages": [], "background_tasks": tasks},
        key=key, headers=headers)
    return st, json.loads(out)


ALL_TASKS = {"title_generation": True, "tags_generation": True,
             "follow_up_generation": True}


def test_background(stack, users, fake):
    fake.set(reply='Sure: {"title": "📈 Stocks", "tags": ["Finance", '
                   '"none", "Stock Market"], "follow_ups": ["Why?", '
                   '"How?"]} done')
    admin = users.admin
    chat_id, u1, a1 = new_chat(stack, admin.token)
    st, out = background(stack, admin, chat_id, a1, ALL_TASKS)
    assert st == 200, out
    assert out == {"events": [
        {"type": "chat:message:follow_ups",
         "data": {"follow_ups": ["Why?", "How?"]}},
        {"type": "chat:title", "data": "📈 Stocks"},
        {"type": "chat:tags", "data": ["Finance", "none", "Stock Market"]},
    ]}
    # three generations, on the cleaned conversation
    reqs = fake.requests("/v1/chat/completions")
    assert len(reqs) == 3
    prompts = [prompt_of(q["body"]) for q in reqs]
    assert "Suggest 3-5 relevant follow-up questions" in prompts[0]
    assert "Generate a concise, 3-5 word title" in prompts[1]
    assert "Generate 1-3 broad tags" in prompts[2]
    for p in prompts:
        assert ("USER: Tell me about **stocks**\n"
                "ASSISTANT: Stocks are shares.") in p
    # stored as Python stores them
    chat = stack.get(f"/api/v1/chats/{chat_id}", token=admin.token).json()
    assert chat["title"] == "📈 Stocks"
    assert chat["chat"]["title"] == "📈 Stocks"
    msg = chat["chat"]["history"]["messages"][a1]
    assert msg["followUps"] == ["Why?", "How?"]
    assert chat["chat"]["history"]["currentId"] == a1
    assert sorted(chat["meta"]["tags"]) == ["finance", "stock_market"]
    tags = stack.get(f"/api/v1/chats/{chat_id}/tags", token=admin.token)
    assert sorted(t["name"] for t in tags.json()) == ["Finance",
                                                       "Stock Market"]


def test_background_retags_and_fallbacks(stack, users, fake, settings):
    admin = users.admin
    chat_id, u1, a1 = new_chat(stack, admin.token)
    fake.set(reply='{"tags": ["Old"]}')
    st, out = background(stack, admin, chat_id, a1,
                         {"tags_generation": True})
    assert out["events"] == [{"type": "chat:tags", "data": ["Old"]}]
    # new tags replace the old ones; a tag no chat uses any more goes
    fake.set(reply='{"tags": ["New"]}')
    st, out = background(stack, admin, chat_id, a1,
                         {"tags_generation": True})
    assert out["events"] == [{"type": "chat:tags", "data": ["New"]}]
    names = [t["name"] for t in stack.get("/api/v1/chats/all/tags",
                                          token=admin.token).json()]
    assert "New" in names and "Old" not in names
    # an answer without JSON: the title falls back to the first message
    fake.set(reply="no json here")
    st, out = background(stack, admin, chat_id, a1,
                         {"title_generation": True,
                          "follow_up_generation": True})
    assert out["events"] == [{"type": "chat:title",
                              "data": "Tell me about **stocks**"}]
    chat = stack.get(f"/api/v1/chats/{chat_id}", token=admin.token).json()
    assert chat["title"] == "Tell me about **stocks**"
    # title generation off, two messages: the first message is the title;
    # the event carries the answer's content, as Python sends it
    st, out = background(stack, admin, chat_id, a1,
                         {"title_generation": False})
    assert out["events"][0]["type"] == "chat:title"
    assert out["events"][0]["data"].endswith("Stocks are shares.")
    # title generation disabled in the settings: the route's 200 detail
    # is no answer, so no title; no follow_ups in the answer: []
    settings(ENABLE_TITLE_GENERATION=False)
    fake.set(reply='{"tags": ["New"]}')
    fake.clear()
    st, out = background(stack, admin, chat_id, a1, ALL_TASKS)
    assert out["events"] == [
        {"type": "chat:message:follow_ups", "data": {"follow_ups": []}},
        {"type": "chat:tags", "data": ["New"]}]
    assert len(fake.requests("/v1/chat/completions")) == 2


def test_background_nothing_to_do(stack, users, fake):
    admin = users.admin
    chat_id, u1, a1 = new_chat(stack, admin.token, model="gone")
    # the message's model is unknown: the first task raises, the run ends
    st, out = background(stack, admin, chat_id, a1, ALL_TASKS)
    assert (st, out) == (200, {"events": []})
    r = stack.post("/api/v1/chats/new", token=admin.token,
                   json={"chat": {"title": "bare"}})
    bare = r.json()["id"]
    for cid, mid in (("no-such-chat", a1), (chat_id, "no-such-message"),
                     ("local:abc", a1), (bare, a1)):
        st, out = background(stack, admin, cid, mid, ALL_TASKS)
        assert (st, out) == (200, {"events": []})
    assert fake.requests("/v1/chat/completions") == []


def test_background_only_for_streamd(stack, users, fake):
    admin = users.admin
    chat_id, u1, a1 = new_chat(stack, admin.token)
    st, out = background(stack, admin, chat_id, a1, ALL_TASKS, key=False)
    assert (st, out) == (404, {"detail": "Not Found"})
    # a client's header is no param (HTTP_CWEBUI_STREAMD)
    st, out = background(stack, admin, chat_id, a1, ALL_TASKS, key=False,
                         headers={"CWEBUI-STREAMD": ikey(stack)})
    assert (st, out) == (404, {"detail": "Not Found"})
    st, _, out = fcgi(stack, "/_streamd/chat/background", {"chat_id": 1})
    assert st == 422
    assert fake.requests("/v1/chat/completions") == []
