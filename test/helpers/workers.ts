// `coffer queue work` as tests drive it: one store per engine (a SQLite file,
// a fresh PostgreSQL database), workers started in the background, and
// jobs read back through the library.

import { join } from "node:path";
import { type Client, connect } from "../../src/index.ts";
import { baseEnv, ensureBinary } from "./binary.ts";
import { freshDatabase, pgServer } from "./pg-server.ts";
import { tempDir } from "./tmp.ts";

const pg = await pgServer();

export interface Engine {
  name: "sqlite" | "postgres";
  /** A new, empty store: a file path or a database URL. */
  fresh(prefix: string): Promise<string>;
}

export const ENGINES: Engine[] = [
  { name: "sqlite", fresh: async (prefix) => join(tempDir(), `${prefix}.db`) },
  ...(pg
    ? [{ name: "postgres" as const, fresh: async (p: string) => (await freshDatabase(pg, p)).url }]
    : []),
];

export type Worker = Bun.Subprocess<"ignore", "pipe", "pipe">;

/** Starts `coffer queue work QUEUE flags… -- cmd…` against `db`. */
export function startWorker(
  db: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Worker {
  return Bun.spawn([ensureBinary(), "queue", "work", ...args], {
    env: baseEnv({ COFFER_DB: db, ...extraEnv }),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
}

export async function finished(
  w: Worker,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [stdout, stderr, code] = await Promise.all([
    new Response(w.stdout).text(),
    new Response(w.stderr).text(),
    w.exited,
  ]);
  return { code, stdout, stderr };
}

/** Runs `fn` on a client of `db`, closing it after. */
export async function withClient<T>(db: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await connect(db);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Polls `check` (a test's own observation, not the product) until true or `ms` pass. */
export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(20);
  }
}

/** utime + stime of `pid` in clock ticks, from /proc. */
export async function cpuTicks(pid: number): Promise<number> {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
