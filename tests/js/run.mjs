// run.mjs: the small library the scenarios in this folder share.
//
// A scenario is run as `node tests/js/<scenario>.mjs <base url> [<json args>]`
// and prints exactly one JSON line on stdout: its result object with
// "ok": true, or {"ok": false, "error": "..."} (exit status 1).  Every
// scenario has a deadline (args.timeout_ms, default 15000 ms); sockets it
// opened through connect() are closed before the result is printed.

import { io } from "socket.io-client";

const open = new Set();

// scenario(fn): runs `await fn({base, args})` and prints its result (an
// object) as the one JSON line; a thrown error or the deadline prints
// {"ok": false, "error"}.  Never returns.
export async function scenario(fn) {
  let base = process.argv[2];
  let args = {};
  try {
    if (!base) throw new Error("usage: node SCENARIO.mjs BASE_URL [JSON_ARGS]");
    if (process.argv[3]) args = JSON.parse(process.argv[3]);
  } catch (e) {
    return finish({ ok: false, error: String(e.message || e) }, 2);
  }
  const ms = args.timeout_ms ?? 15000;
  const deadline = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`scenario timed out after ${ms} ms`)), ms).unref());
  try {
    const result = await Promise.race([fn({ base, args }), deadline]);
    finish({ ok: true, ...(result || {}) }, 0);
  } catch (e) {
    finish({ ok: false, error: String(e && e.message ? e.message : e) }, 1);
  }
}

function finish(obj, status) {
  for (const s of open) s.disconnect();
  open.clear();
  process.stdout.write(JSON.stringify(obj) + "\n", () => process.exit(status));
}

// connect(base, {token, transports, ...}): a Socket.IO client as the Open
// WebUI 0.6.32 frontend makes it (path /ws/socket.io, auth {token}), but
// without reconnection unless opts.reconnection is given.  transports
// defaults to ["websocket"] (the frontend's default); ["polling",
// "websocket"] is the enable_websocket=false variant.  Any other key goes
// to io() unchanged.  The socket is closed when the scenario ends.
export function connect(base, opts = {}) {
  const { token, ...rest } = opts;
  const socket = io(base, {
    path: "/ws/socket.io",
    transports: ["websocket"],
    reconnection: false,
    auth: token === undefined ? {} : { token },
    ...rest,
  });
  open.add(socket);
  return socket;
}

// once(socket, event, {timeoutMs, filter}): resolves with the event's
// arguments (an array) the first time it arrives and filter(...args) is
// true; rejects after timeoutMs (default 10000) or, when waiting for
// "connect", on "connect_error".
export function once(socket, event, { timeoutMs = 10000, filter } = {}) {
  return new Promise((resolve, reject) => {
    const done = (err, val) => {
      clearTimeout(timer);
      socket.off(event, on);
      socket.off("connect_error", onError);
      err ? reject(err) : resolve(val);
    };
    const on = (...a) => { if (!filter || filter(...a)) done(null, a); };
    const onError = (e) => done(new Error(`connect_error: ${e.message}`));
    const timer = setTimeout(
      () => done(new Error(`no ${event} event within ${timeoutMs} ms`)), timeoutMs);
    socket.on(event, on);
    if (event === "connect") socket.on("connect_error", onError);
  });
}

// collect(socket, event): an array that receives the arguments of every
// later `event` (one array of arguments per event).
export function collect(socket, event) {
  const got = [];
  socket.on(event, (...a) => got.push(a));
  return got;
}
