// The floor under coffer serve's claim+ack figure: a bare Bun.serve on a Unix
// socket doing the same two Client calls per cycle, with none of serve's
// guards, keys, routing or validation. Run as a child by bench-serve.ts.
// Usage: bun scripts/bench/serve-floor.ts DB SOCKET

import { connect } from "../../src/index.ts";

const [db, socket] = process.argv.slice(2) as [string, string];
const client = await connect(db);
const server = Bun.serve({
  unix: socket,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    if (path === "/health") return new Response("ok");
    const body = (await req.json()) as { token?: string };
    if (path.endsWith("/claim")) {
      const job = await client.queue.dequeue(path.split("/")[3] ?? "");
      return job ? Response.json(job) : new Response(null, { status: 204 });
    }
    const id = Number(path.split("/")[3]);
    await client.queue.ack(id, { token: body.token });
    return Response.json({ id, status: "completed" });
  },
});
process.on("SIGTERM", async () => {
  server.stop(true);
  await client.close();
  process.exit(0);
});
