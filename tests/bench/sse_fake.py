#!/usr/bin/python3
"""A minimal asyncio OpenAI-compatible upstream for bench_stream.py: serves
many concurrent streams in one process and thread, which the threaded
tests/fake/provider.py cannot do for 1,000 streams at once.

  GET  …/models             {"object":"list","data":[{"id": MODEL, ...}]}
  POST …/chat/completions   "stream": true: SSE as OpenAI writes it (a role
                            delta, one chunk per word, a finish chunk, then
                            data: [DONE]); otherwise one chat.completion
  POST /_control            {"hold": bool, "words": n, "delay_ms": ms}: with
                            hold, each stream sends its role delta, then
                            waits for POST /_release before its words
  POST /_release            lets the held streams go on (and ends hold)
  GET  /_stats              {"connections", "held", "streams"}

Run: tests/bench/sse_fake.py [MODEL]; prints "listening on http://HOST:PORT"
and serves until SIGTERM or SIGINT.
"""
import asyncio
import json
import os
import signal
import sys
import time

MODEL = sys.argv[1] if len(sys.argv) > 1 else "gpt-bench"
conf = {"hold": False, "words": 20, "delay_ms": 50}
stats = {"connections": 0, "held": 0, "streams": 0}
release = asyncio.Event()


def chunk(obj):
    """One HTTP/1.1 chunk holding one SSE event."""
    data = b"data: " + (obj if isinstance(obj, bytes)
                        else json.dumps(obj).encode()) + b"\n\n"
    return b"%x\r\n%s\r\n" % (len(data), data)


def delta(n, d, finish=None):
    return {"id": "chatcmpl-bench%d" % n, "object": "chat.completion.chunk",
            "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "delta": d, "finish_reason": finish}]}


async def send(w, status, obj):
    body = json.dumps(obj).encode()
    w.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (status, len(body), body))
    await w.drain()


async def stream(w, n):
    """The SSE answer of stream n, held before its words when asked."""
    w.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    w.write(chunk(delta(n, {"role": "assistant", "content": ""})))
    await w.drain()
    if conf["hold"]:
        stats["held"] += 1
        try:
            await release.wait()
        finally:
            stats["held"] -= 1
    for i in range(conf["words"]):
        await asyncio.sleep(conf["delay_ms"] / 1000.0)
        w.write(chunk(delta(n, {"content": (" w%d" % i) if i else "w0"})))
        await w.drain()
    w.write(chunk(delta(n, {}, "stop")) + chunk(b"[DONE]") + b"0\r\n\r\n")
    await w.drain()


async def route(w, method, path, body):
    if path == "/_stats":
        return await send(w, 200, stats)
    if path == "/_control" and method == "POST":
        conf.update(json.loads(body))
        if conf["hold"]:
            release.clear()
        return await send(w, 200, conf)
    if path == "/_release":
        conf["hold"] = False
        release.set()
        return await send(w, 200, stats)
    if path.endswith("/models"):
        return await send(w, 200, {"object": "list", "data": [{
            "id": MODEL, "object": "model", "created": 1700000000,
            "owned_by": "openai"}]})
    if path.endswith("/chat/completions") and method == "POST":
        stats["streams"] += 1
        n = stats["streams"]
        if json.loads(body or b"{}").get("stream"):
            return await stream(w, n)
        text = " ".join("w%d" % i for i in range(conf["words"]))
        return await send(w, 200, {
            "id": "chatcmpl-bench%d" % n, "object": "chat.completion",
            "created": int(time.time()), "model": MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant",
                                                 "content": text},
                         "finish_reason": "stop"}]})
    return await send(w, 404, {"error": {"message": "no " + path}})


async def serve(r, w):
    """HTTP/1.1 with keep-alive; one request at a time per connection."""
    stats["connections"] += 1
    try:
        while True:
            head = await r.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target = lines[0].split(" ")[:2]
            size = 0
            for line in lines[1:]:
                k, _, v = line.partition(":")
                if k.strip().lower() == "content-length":
                    size = int(v)
            body = await r.readexactly(size) if size else b""
            await route(w, method, target.split("?")[0], body)
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        stats["connections"] -= 1
        w.close()


async def main():
    srv = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=4096)
    print("listening on http://127.0.0.1:%d" % srv.sockets[0].getsockname()[1],
          flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    os._exit(0)     # no cancellation noise from the open connections


if __name__ == "__main__":
    asyncio.run(main())
