#!/usr/bin/python3
"""A fake LLM provider for the tests: one threaded HTTP server that answers
as an OpenAI-compatible API and as an Ollama server at the same time (and
as a minimal OpenAPI and MCP tool server), with a control API through which a test sets its behaviour and reads back the
requests it received.  See tests/fake/README.md for the exact API.

Run alone:  tests/fake/provider.py [--host 127.0.0.1] [--port 0]
(prints "listening on http://HOST:PORT" and serves until SIGINT/SIGTERM).
Import:     FakeProvider(); .start(); .url; .stop()
"""

import argparse
import copy
import hashlib
import json
import select
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

CREATED = 1700000000                    # "created" of the model objects
MODIFIED_AT = "2025-09-01T10:00:00.000000000Z"
EMBED_DIM = 8
SPLIT_PAUSE_MS = 2      # pause between split_bytes pieces without chunk_delay_ms

DEFAULTS = {
    "models": ["gpt-fake", "gpt-fake-mini"],
    "ollama_models": None,      # None: the names of "models" (":latest")
    "owned_by": "openai",
    "version": "0.12.3",
    "reply": "Hello from the fake provider.",
    "api_key": None,            # required Bearer key (401 otherwise)
    "delay_ms": 0,              # number, or {path suffix: ms}
    "chunk_delay_ms": 0,        # between streamed chunks
    "split_bytes": 0,           # N > 0: stream bodies in N-byte pieces
    "hang_after_chunks": None,  # N: send N stream chunks, then stall
    "hang": False,              # bool, or [path suffix, ...]
    "fail_status": None,        # number, or {path suffix: status}
    "fail_body": None,          # raw body of the failures (default JSON)
    # tool servers (see README): OpenAPI spec, YAML text, MCP tools
    "openapi": {"openapi": "3.1.0", "info": {"title": "Fake tools",
                "version": "1.0"}, "paths": {}},
    "openapi_yaml": "openapi: 3.0.0\ninfo: {title: Fake YAML, version: 1}\n"
                    "paths: {}\n",
    "mcp_tools": [{"name": "echo", "description": "Echoes its input",
                   "inputSchema": {"type": "object", "properties": {
                       "text": {"type": "string"}}}}],
    "mcp_sse": False,           # MCP replies as an SSE stream
    "mcp_protocol": "2025-06-18",
    "oauth_metadata": None,     # /.well-known/oauth-authorization-server
    "well_known": {},           # other /.well-known/ paths: {path: doc}
    "oauth_registration": None,  # POST …/register reply (None: echo)
}


def _for_path(value, path):
    """A behaviour value that may be given per endpoint: a dict maps path
    suffixes to values (the longest suffix matching path wins), a list
    holds the suffixes for which it is true; anything else is global."""
    if isinstance(value, dict):
        best = None
        for key in value:
            if path == key or path.endswith(key):
                if best is None or len(key) > len(best):
                    best = key
        return value[best] if best is not None else None
    if isinstance(value, list):
        return any(path == k or path.endswith(k) for k in value)
    return value


def _dumps(obj):
    """JSON as the real providers write it: non-ASCII text as UTF-8."""
    return json.dumps(obj, ensure_ascii=False)


def _ollama_name(name):
    return name if ":" in name else name + ":latest"


def _digest(name):
    return hashlib.sha256(name.encode()).hexdigest()


def _embedding(text):
    h = hashlib.sha256(str(text).encode()).digest()
    return [round((b - 128) / 128.0, 6) for b in h[:EMBED_DIM]]


def _words(text):
    """Splits text into streamed pieces: each word with its leading space."""
    out = []
    for i, w in enumerate(text.split(" ")):
        out.append(w if i == 0 else " " + w)
    return out


class ClientGone(Exception):
    """The client closed the connection in the middle of a stream."""


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.seq = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.behaviour = copy.deepcopy(DEFAULTS)
            self.requests = []
            self.aborts = []
            self.in_flight = 0
            self.max_in_flight = 0

    def get(self, key, path=None):
        with self.lock:
            v = self.behaviour.get(key)
        return _for_path(v, path) if path is not None else v

    def next_id(self):
        with self.lock:
            self.seq += 1
            return self.seq


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-provider/1"
    disable_nagle_algorithm = True      # each flush is its own segment

    def log_message(self, fmt, *args):   # quiet
        pass

    # -- plumbing -------------------------------------------------------

    @property
    def st(self):
        return self.server.state

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return raw, parsed

    def _send(self, status, obj=None, ctype="application/json", raw=None):
        data = raw if raw is not None else _dumps(obj).encode()
        if isinstance(data, str):
            data = data.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_chunked(self, ctype, path, model):
        """Starts a streamed (chunked) answer; _chunk() sends its pieces,
        counted in self._stream["chunks"] for hang_after_chunks and the
        abort log."""
        self._stream = {"path": path, "model": model, "chunks": 0}
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _client_gone(self):
        """True when the client has closed its end (EOF or reset), without
        waiting."""
        try:
            if not select.select([self.connection], [], [], 0)[0]:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _stall(self):
        """hang_after_chunks: waits until the client goes away (then
        raises ClientGone) or the fake stops."""
        while not self.st.closing.is_set():
            try:
                r = select.select([self.connection], [], [], 0.05)[0]
            except OSError:
                raise ClientGone() from None
            if r and self._client_gone():
                raise ClientGone()
        self.close_connection = True
        raise ClientGone()

    def _chunk(self, text):
        """Sends one stream chunk (an SSE event, an NDJSON line): as one
        HTTP chunk, or with split_bytes in pieces of that many bytes with
        a flush and a pause after each.  chunk_delay_ms pauses after it;
        after hang_after_chunks chunks the stream stalls."""
        st, path = self.st, self._stream["path"]
        if self._client_gone():
            raise ClientGone()
        data = text.encode()
        delay = (st.get("chunk_delay_ms") or 0) / 1000.0
        n = int(st.get("split_bytes", path) or 0)
        pieces = [data[i:i + n] for i in range(0, len(data), n)] \
            if n > 0 else [data]
        for piece in pieces:
            try:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            except OSError:
                raise ClientGone() from None
            if n > 0:
                st.closing.wait(delay or SPLIT_PAUSE_MS / 1000.0)
        self._stream["chunks"] += 1
        if delay and n <= 0:
            st.closing.wait(delay)
        hang = st.get("hang_after_chunks", path)
        if hang is not None and self._stream["chunks"] >= int(hang):
            self._stall()

    def _end_chunked(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _is_ollama(self, path):
        return path.startswith("/api/")

    def _error(self, path, status, message):
        body = self.st.get("fail_body")
        if body is not None and status != 401:
            return self._send(status, raw=body)
        if self._is_ollama(path):
            return self._send(status, {"error": message})
        return self._send(status, {"error": {
            "message": message, "type": "invalid_request_error"
            if status < 500 else "server_error", "param": None,
            "code": None}})

    def _handle(self, method):
        url = urlsplit(self.path)
        path = url.path
        raw, body = self._read_body() if method != "GET" else (b"", None)
        if path.startswith("/_"):
            return self._control(method, path, body)
        st = self.st
        with st.lock:
            st.requests.append({
                "method": method, "path": path, "query": url.query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body, "raw": raw.decode("utf-8", "replace"),
                "client_port": self.client_address[1],
                "time": time.time()})
            st.in_flight += 1
            st.max_in_flight = max(st.max_in_flight, st.in_flight)
        self._stream = None
        try:
            self._serve(method, path, body)
        except ClientGone:
            self.close_connection = True
            if not st.closing.is_set():
                with st.lock:
                    st.aborts.append({"path": path,
                                      "model": self._stream["model"],
                                      "at_chunk": self._stream["chunks"]})
        finally:
            with st.lock:
                st.in_flight -= 1

    def _serve(self, method, path, body):
        st = self.st
        if st.get("hang", path):
            st.closing.wait()
            self.close_connection = True
            return
        ms = st.get("delay_ms", path) or 0
        if ms:
            st.closing.wait(ms / 1000.0)
        key = st.get("api_key")
        if key and self.headers.get("Authorization") != f"Bearer {key}":
            if self._is_ollama(path):
                return self._send(401, {"error": "unauthorized"})
            return self._send(401, {"error": {
                "message": f"Incorrect API key provided: "
                f"{self.headers.get('Authorization', '')[7:]}.",
                "type": "invalid_request_error", "param": None,
                "code": "invalid_api_key"}})
        status = st.get("fail_status", path)
        if status:
            return self._error(path, int(status), "fake failure")
        route = ROUTES.get((method, self._endpoint(path)))
        if route is None:
            if self._is_ollama(path):
                return self._send(404, raw="404 page not found",
                                  ctype="text/plain")
            return self._error(path, 404, f"Unknown path {path}")
        return route(self, path, body if isinstance(body, dict) else {})

    @staticmethod
    def _endpoint(path):
        if path.startswith("/api/"):
            return path
        if (path.startswith("/.well-known/") and
                path != "/.well-known/oauth-authorization-server"):
            return "/.well-known/"
        if path.endswith("/register"):
            return "/register"
        for suffix in ("/models", "/chat/completions", "/completions",
                       "/embeddings"):
            if path.endswith(suffix):
                return "openai:" + suffix
        return path

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_PUT(self):
        self._handle("PUT")

    # -- control API ----------------------------------------------------

    def _control(self, method, path, body):
        st = self.st
        if path == "/_control" and method == "POST":
            body = body or {}
            if body.pop("reset", False):
                st.reset()
            unknown = [k for k in body if k not in DEFAULTS]
            if unknown:
                return self._send(400, {"error": f"unknown keys {unknown}"})
            with st.lock:
                st.behaviour.update(body)
                out = copy.deepcopy(st.behaviour)
            return self._send(200, out)
        if path == "/_control" and method == "GET":
            with st.lock:
                return self._send(200, copy.deepcopy(st.behaviour))
        if path == "/_control/aborts" and method == "GET":
            with st.lock:
                return self._send(200, list(st.aborts))
        if path == "/_requests" and method == "GET":
            with st.lock:
                return self._send(200, list(st.requests))
        if path == "/_requests" and method == "DELETE":
            with st.lock:
                st.requests = []
                st.max_in_flight = st.in_flight
            return self._send(200, [])
        if path == "/_stats" and method == "GET":
            with st.lock:
                return self._send(200, {"in_flight": st.in_flight,
                                        "max_in_flight": st.max_in_flight,
                                        "requests": len(st.requests)})
        return self._send(404, {"error": "unknown control path"})

    # -- model lists ----------------------------------------------------

    def _openai_ids(self):
        out = []
        for m in self.st.get("models") or []:
            out.append(m["id"] if isinstance(m, dict) else m)
        return out

    def _ollama_entries(self):
        names = self.st.get("ollama_models")
        if names is None:
            names = self._openai_ids()
        out = []
        for m in names:
            extra = {}
            if isinstance(m, dict):
                extra = dict(m)
                m = extra.pop("name")
            name = _ollama_name(m)
            family = name.split(":")[0].split("-")[0]
            entry = {
                "name": name, "model": name, "modified_at": MODIFIED_AT,
                "size": 1000000 + len(name), "digest": _digest(name),
                "details": {"parent_model": "", "format": "gguf",
                            "family": family, "families": [family],
                            "parameter_size": "1.0B",
                            "quantization_level": "Q4_K_M"}}
            entry.update(extra)
            out.append(entry)
        return out

    def openai_models(self, path, body):
        data = []
        for m in self.st.get("models") or []:
            extra = m if isinstance(m, dict) else {"id": m}
            data.append({"id": extra["id"], "object": "model",
                         "created": CREATED,
                         "owned_by": self.st.get("owned_by"), **extra})
        return self._send(200, {"object": "list", "data": data})

    # -- OpenAI ---------------------------------------------------------

    def _openai_model(self, path, body):
        model = body.get("model")
        if model not in self._openai_ids():
            self._send(404, {"error": {
                "message": f"The model `{model}` does not exist or you do "
                "not have access to it.", "type": "invalid_request_error",
                "param": None, "code": "model_not_found"}})
            return None
        return model

    def openai_chat(self, path, body):
        model = self._openai_model(path, body)
        if model is None:
            return None
        reply = self.st.get("reply")
        cid = f"chatcmpl-fake{self.st.next_id()}"
        now = int(time.time())
        prompt_tokens = sum(len(str(m.get("content", "")).split())
                            for m in body.get("messages") or []
                            if isinstance(m, dict))
        usage = {"prompt_tokens": prompt_tokens,
                 "completion_tokens": len(_words(reply)),
                 "total_tokens": prompt_tokens + len(_words(reply))}
        if not body.get("stream"):
            return self._send(200, {
                "id": cid, "object": "chat.completion", "created": now,
                "model": model, "choices": [{
                    "index": 0, "message": {"role": "assistant",
                                            "content": reply,
                                            "refusal": None},
                    "logprobs": None, "finish_reason": "stop"}],
                "usage": usage, "system_fingerprint": None})
        self._start_chunked("text/event-stream; charset=utf-8", path, model)

        def chunk(delta, finish=None):
            obj = {"id": cid, "object": "chat.completion.chunk",
                   "created": now, "model": model, "system_fingerprint": None,
                   "choices": [{"index": 0, "delta": delta,
                                "logprobs": None, "finish_reason": finish}]}
            self._chunk("data: " + _dumps(obj) + "\n\n")

        chunk({"role": "assistant", "content": ""})
        for piece in _words(reply):
            chunk({"content": piece})
        chunk({}, "stop")
        if (body.get("stream_options") or {}).get("include_usage"):
            self._chunk("data: " + _dumps({
                "id": cid, "object": "chat.completion.chunk",
                "created": now, "model": model, "choices": [],
                "usage": usage}) + "\n\n")
        self._chunk("data: [DONE]\n\n")
        return self._end_chunked()

    def openai_completions(self, path, body):
        model = self._openai_model(path, body)
        if model is None:
            return None
        return self._send(200, {
            "id": f"cmpl-fake{self.st.next_id()}", "object": "text_completion",
            "created": int(time.time()), "model": model,
            "choices": [{"text": self.st.get("reply"), "index": 0,
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                      "total_tokens": 2}})

    def openai_embeddings(self, path, body):
        model = self._openai_model(path, body)
        if model is None:
            return None
        inp = body.get("input")
        items = inp if isinstance(inp, list) else [inp]
        return self._send(200, {
            "object": "list", "model": model,
            "data": [{"object": "embedding", "index": i,
                      "embedding": _embedding(t)}
                     for i, t in enumerate(items)],
            "usage": {"prompt_tokens": len(items),
                      "total_tokens": len(items)}})

    # -- Ollama ---------------------------------------------------------

    def _ollama_model(self, body):
        model = body.get("model") or body.get("name")
        names = [e["name"] for e in self._ollama_entries()]
        if model in names:
            return model
        if model and _ollama_name(model) in names:
            return _ollama_name(model)
        self._send(404, {"error": f"model \"{model}\" not found, try "
                         "pulling it first"})
        return None

    def ollama_tags(self, path, body):
        return self._send(200, {"models": self._ollama_entries()})

    def ollama_version(self, path, body):
        return self._send(200, {"version": self.st.get("version")})

    def ollama_ps(self, path, body):
        out = []
        for e in self._ollama_entries():
            out.append({"name": e["name"], "model": e["model"],
                        "size": e["size"], "digest": e["digest"],
                        "details": e["details"],
                        "expires_at": "2099-01-01T00:00:00Z",
                        "size_vram": e["size"]})
        return self._send(200, {"models": out})

    def ollama_show(self, path, body):
        model = self._ollama_model(body)
        if model is None:
            return None
        entry = [e for e in self._ollama_entries() if e["name"] == model][0]
        return self._send(200, {
            "license": "", "modelfile": f"FROM {model}\n",
            "parameters": "stop \"<|end|>\"", "template": "{{ .Prompt }}",
            "details": entry["details"],
            "model_info": {"general.architecture":
                           entry["details"]["family"],
                           "general.parameter_count": 1000000000},
            "capabilities": ["completion"], "modified_at": MODIFIED_AT})

    def _ollama_counts(self, reply, start):
        return {"total_duration": int((time.time() - start) * 1e9) + 1,
                "load_duration": 1000, "prompt_eval_count": 1,
                "prompt_eval_duration": 1000,
                "eval_count": len(_words(reply)), "eval_duration": 2000}

    def _ollama_answer(self, path, body, field):
        """Answers /api/chat (field "message") or /api/generate
        ("response"): NDJSON unless "stream" is false (Ollama streams by
        default), the last line done:true with the counts."""
        start = time.time()
        model = self._ollama_model(body)
        if model is None:
            return None
        reply = self.st.get("reply")

        def line(text, done):
            obj = {"model": model,
                   "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z",
                                               time.gmtime())}
            if field == "message":
                obj["message"] = {"role": "assistant", "content": text}
            else:
                obj["response"] = text
            obj["done"] = done
            if done:
                obj["done_reason"] = "stop"
                if field == "response":
                    obj["context"] = [1, 2, 3]
                obj.update(self._ollama_counts(reply, start))
            return obj

        if body.get("stream", True) is False:
            return self._send(200, line(reply, True))
        self._start_chunked("application/x-ndjson", path, model)
        for piece in _words(reply):
            self._chunk(_dumps(line(piece, False)) + "\n")
        self._chunk(_dumps(line("", True)) + "\n")
        return self._end_chunked()

    def ollama_chat(self, path, body):
        return self._ollama_answer(path, body, "message")

    def ollama_generate(self, path, body):
        return self._ollama_answer(path, body, "response")

    def ollama_embed(self, path, body):
        model = self._ollama_model(body)
        if model is None:
            return None
        inp = body.get("input")
        items = inp if isinstance(inp, list) else [inp]
        return self._send(200, {
            "model": model, "embeddings": [_embedding(t) for t in items],
            "total_duration": 1000, "load_duration": 10,
            "prompt_eval_count": len(items)})

    def ollama_embeddings(self, path, body):
        model = self._ollama_model(body)
        if model is None:
            return None
        return self._send(200, {"embedding": _embedding(body.get("prompt"))})


def _mcp_reply(self, msg, extra_headers=()):
    """Sends one JSON-RPC message as JSON or as an SSE event (with a
    notification event first, which a client must skip)."""
    if self.st.get("mcp_sse"):
        note = {"jsonrpc": "2.0", "method": "notifications/message",
                "params": {"level": "info", "data": "hi"}}
        data = (f"event: message\r\ndata: {_dumps(note)}\r\n\r\n"
                f": comment\n\nevent: message\ndata: "
                f"{_dumps(msg)}\n\n").encode()
        ctype = "text/event-stream"
    else:
        data = _dumps(msg).encode()
        ctype = "application/json"
    self.send_response(200)
    self.send_header("Content-Type", ctype)
    for k, v in extra_headers:
        self.send_header(k, v)
    self.send_header("Content-Length", str(len(data)))
    self.end_headers()
    self.wfile.write(data)


def _openapi_json(self, path, body):
    return self._send(200, self.st.get("openapi"))


def _openapi_yaml(self, path, body):
    return self._send(200, raw=self.st.get("openapi_yaml"),
                      ctype="application/yaml")


def _oauth_metadata(self, path, body):
    md = self.st.get("oauth_metadata")
    if md is None:
        return self._send(404, {"detail": "Not Found"})
    return self._send(200, md)


def _well_known(self, path, body):
    doc = (self.st.get("well_known") or {}).get(path)
    if doc is None:
        return self._send(404, {"detail": "Not Found"})
    if isinstance(doc, str):
        return self._send(200, raw=doc, ctype="text/plain")
    return self._send(200, doc)


def _oauth_register(self, path, body):
    reply = self.st.get("oauth_registration")
    if reply is None:
        reply = dict(body, client_id=f"fake-client-{self.st.next_id()}",
                     client_secret="fake-secret",
                     client_id_issued_at=CREATED,
                     client_secret_expires_at=0)
    return self._send(201, reply)


def _mcp_post(self, path, body):
    method = body.get("method")
    sid = self.headers.get("mcp-session-id")
    if method == "initialize":
        n = self.st.next_id()
        return _mcp_reply(self, {"jsonrpc": "2.0", "id": body.get("id"),
                                 "result": {
                                     "protocolVersion":
                                     self.st.get("mcp_protocol"),
                                     "capabilities": {"tools": {}},
                                     "serverInfo": {"name": "fake-mcp",
                                                    "version": "1.0"}}},
                          [("mcp-session-id", f"fake-session-{n}")])
    if not sid or not sid.startswith("fake-session-"):
        return self._send(400, {"jsonrpc": "2.0", "id": None, "error": {
            "code": -32600, "message": "Bad Request: missing session"}})
    if "id" not in body:                # a notification
        return self._send(202, raw=b"")
    if method == "tools/list":
        return _mcp_reply(self, {"jsonrpc": "2.0", "id": body["id"],
                                 "result": {"tools":
                                            self.st.get("mcp_tools")}})
    return _mcp_reply(self, {"jsonrpc": "2.0", "id": body["id"], "error": {
        "code": -32601, "message": "Method not found"}})


def _mcp_delete(self, path, body):
    return self._send(200, {})


ROUTES = {
    ("GET", "/openapi.json"): _openapi_json,
    ("GET", "/openapi.yaml"): _openapi_yaml,
    ("GET", "/.well-known/oauth-authorization-server"): _oauth_metadata,
    ("GET", "/.well-known/"): _well_known,
    ("POST", "/register"): _oauth_register,
    ("POST", "/mcp"): _mcp_post,
    ("DELETE", "/mcp"): _mcp_delete,
    ("GET", "openai:/models"): Handler.openai_models,
    ("POST", "openai:/chat/completions"): Handler.openai_chat,
    ("POST", "openai:/completions"): Handler.openai_completions,
    ("POST", "openai:/embeddings"): Handler.openai_embeddings,
    ("GET", "/api/tags"): Handler.ollama_tags,
    ("GET", "/api/version"): Handler.ollama_version,
    ("GET", "/api/ps"): Handler.ollama_ps,
    ("POST", "/api/show"): Handler.ollama_show,
    ("POST", "/api/chat"): Handler.ollama_chat,
    ("POST", "/api/generate"): Handler.ollama_generate,
    ("POST", "/api/embed"): Handler.ollama_embed,
    ("POST", "/api/embeddings"): Handler.ollama_embeddings,
}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # a client that gave up (timeout) is part of the tests
        if not isinstance(sys.exc_info()[1], (BrokenPipeError,
                                              ConnectionResetError)):
            super().handle_error(request, client_address)


class FakeProvider:
    """The server in a background thread.  start() binds (port 0 picks a
    free one); .url is "http://HOST:PORT"; stop() ends hanging requests
    and closes the socket."""

    def __init__(self, host="127.0.0.1", port=0):
        self.state = State()
        self.server = Server((host, port), Handler)
        self.server.state = self.state
        self.host, self.port = self.server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.state.closing.is_set():
            return
        self.state.closing.set()
        self.server.shutdown()
        self.server.server_close()
        if self.thread:
            self.thread.join(5)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    fake = FakeProvider(args.host, args.port).start()
    print(f"listening on {fake.url}", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
