// sio_upgrade.mjs BASE_URL [{"token", "wait_ms", "timeout_ms"}]: connects
// with long-polling first (the frontend's enable_websocket=false variant),
// waits for the upgrade to WebSocket, emits user-join with an ack (its
// arguments are returned as an array), a
// binary event (a Uint8Array, as the notes editor sends) with an ack, then
// stays idle wait_ms (longer than pingInterval + pingTimeout) and checks
// the socket is still connected. Prints {"ok", "upgraded", "join",
// "binary_ack", "connected_after_wait"}.
import { scenario, connect, once } from "./run.mjs";

scenario(async ({ base, args }) => {
  const socket = connect(base, { token: args.token,
                                 transports: ["polling", "websocket"] });
  await once(socket, "connect");
  const engine = socket.io.engine;
  if (engine.transport.name !== "websocket")
    await once(engine, "upgrade");
  const upgraded = engine.transport.name;
  // the ack's arguments, as an array
  const call = (event, data) => new Promise((resolve, reject) =>
    socket.timeout(10000).emit(event, data,
      (err, ...a) => (err ? reject(err) : resolve(a))));
  const join = await call("user-join", { auth: { token: args.token } });
  const binary_ack = await call("ydoc:document:update",
    { document_id: "note:x", update: new Uint8Array([0, 1, 2, 255]) });
  await new Promise((r) => setTimeout(r, args.wait_ms ?? 3000));
  return { upgraded, join, binary_ack, connected_after_wait: socket.connected };
});
