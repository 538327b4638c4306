// sio_polling.mjs BASE_URL [{"token", "wait_ms", "timeout_ms"}]: the
// frontend's enable_websocket=false variant against a server that offers
// no upgrade (shared hosting, no cwebui-streamd): connects with
// ["polling", "websocket"], emits user-join and a binary event (as the
// notes editor sends) with acks, stays idle wait_ms (longer than
// pingInterval + pingTimeout, so pings go both ways by polling) and checks
// it is still connected and still on polling. Prints {"ok", "transport",
// "join", "binary_ack", "connected_after_wait", "transport_after_wait"}.
import { scenario, connect, once } from "./run.mjs";

scenario(async ({ base, args }) => {
  const socket = connect(base, { token: args.token,
                                 transports: ["polling", "websocket"] });
  await once(socket, "connect");
  const engine = socket.io.engine;
  const transport = engine.transport.name;
  const call = (event, data) => new Promise((resolve, reject) =>
    socket.timeout(10000).emit(event, data,
      (err, ...a) => (err ? reject(err) : resolve(a))));
  const join = await call("user-join", { auth: { token: args.token } });
  const binary_ack = await call("ydoc:document:update",
    { document_id: "note:x", update: new Uint8Array([0, 1, 2, 255]) });
  await new Promise((r) => setTimeout(r, args.wait_ms ?? 3000));
  return { transport, join, binary_ack,
           connected_after_wait: socket.connected,
           transport_after_wait: engine.transport.name };
});
