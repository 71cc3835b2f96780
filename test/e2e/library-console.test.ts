// What a library prints through `console` reaches the user as coffer's own
// lines: Bun's bun:sql warns there when a worker's LISTEN connection drops.

import { describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { startWorker, until } from "../helpers/workers.ts";

const pg = await pgServer();

describe.if(pg !== null)("a library's console output", () => {
  test("comes out on stderr as coffer: lines, never raw", async () => {
    if (!pg) return;
    const { url, database } = await freshDatabase(pg, "console");
    const worker = startWorker(url, ["q", "--", "true"]);
    let stderr = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of worker.stderr) stderr += decoder.decode(chunk, { stream: true });
    })();
    const admin = new SQL(pg.url, { max: 1 });
    try {
      const listener = async () =>
        await admin`SELECT pid FROM pg_stat_activity WHERE datname = ${database} AND query LIKE 'LISTEN %'`;
      await until(async () => (await listener()).length === 1);
      // The database refuses new connections and the worker's LISTEN
      // connection is cut: bun:sql warns, retrying, while the worker idles on.
      await admin.unsafe(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
      const [{ pid }] = await listener();
      await admin`SELECT pg_terminate_backend(${pid})`;
      await until(() => stderr.includes("LISTEN"));
      worker.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
      await reading;
      expect(await new Response(worker.stdout).text()).toBe("");
      const lines = stderr.trimEnd().split("\n");
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/^coffer: warning: bun:sql LISTEN .* failed/);
    } finally {
      worker.kill();
      await admin.unsafe(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
      await admin.close();
    }
  });
});
