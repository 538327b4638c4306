// sio_smoke.mjs BASE_URL [{"token", "transports", "timeout_ms"}]:
// connects as the frontend does, waits for the connect event, then
// disconnects.  Prints {"ok", "id", "transport", "disconnect_reason"}.
import { scenario, connect, once } from "./run.mjs";

scenario(async ({ base, args }) => {
  const opts = { token: args.token };
  if (args.transports) opts.transports = args.transports;
  const socket = connect(base, opts);
  await once(socket, "connect");
  const id = socket.id;
  const transport = socket.io.engine.transport.name;
  const gone = once(socket, "disconnect");
  socket.disconnect();
  const [reason] = await gone;
  return { id, transport, disconnect_reason: reason };
});
