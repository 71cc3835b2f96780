// `bun scripts/bench-agents.ts`: the agent model's reads at scale (default
// 100,000 sessions, 1,000,000 messages) on SQLite and PostgreSQL, through the
// library: session list --where, a cursor page, message list --last 20,
// message search. Medians of --rounds; the baseline (a session read by its
// primary key) is measured in the same run on the same store.
// Flags: --sessions N --messages N --rounds N --pg URL|auto|none (auto: a private server)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SQL } from "bun";
import { type ClientTx, connect, openStore } from "../src/index.ts";
import { seedPostgres, seedSqlite } from "./bench/agent-seed.ts";

const { values } = parseArgs({
  options: {
    sessions: { type: "string", default: "100000" },
    messages: { type: "string", default: "1000000" },
    rounds: { type: "string", default: "21" },
    pg: { type: "string", default: "auto" },
  },
});
const SESSIONS = Number(values.sessions);
const MESSAGES = Number(values.messages);
const ROUNDS = Number(values.rounds);
const dir = mkdtempSync(join(tmpdir(), "coffer-bench-agents-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

type Api = Pick<ClientTx, "sessions" | "messages">;
type Op = [name: string, run: (api: Api) => Promise<unknown>];

const middle = `s${String(Math.floor(SESSIONS / 2)).padStart(7, "0")}`;

/** What each operation is; every one must return rows, or the figure measures nothing. */
function operations(cursor: string): Op[] {
  return [
    ["baseline: session by id", (api) => api.sessions.get(middle)],
    ["session list --where team=t7 (50)", (api) => api.sessions.page({ where: { team: "t7" } })],
    [
      "session list --agent bot4 --where team=t4",
      (api) => api.sessions.page({ agent: "bot4", where: { team: "t4" } }),
    ],
    ["session list --after CURSOR (50)", (api) => api.sessions.page({ after: cursor })],
    ["message list --last 20", (api) => api.messages.last(middle, 20)],
    ["message search zebra (1 in 1,000)", (api) => api.messages.search("zebra")],
    ["message search zebra --agent bot0", (api) => api.messages.search("zebra", { agent: "bot0" })],
    [
      "message search 'zebra jumps' --session",
      (api) => api.messages.search("zebra jumps", { session: "s0000000" }),
    ],
    ["message search horse (999 in 1,000)", (api) => api.messages.search("horse")],
  ];
}

async function measure(api: Api): Promise<[string, number, number][]> {
  const first = await api.sessions.page({ limit: Math.floor(SESSIONS / 2) });
  const cursor = first.next ?? "";
  const out: [string, number, number][] = [];
  for (const [name, run] of operations(cursor)) {
    const result = await run(api);
    const rows = Array.isArray(result)
      ? result.length
      : ((result as { sessions?: unknown[] })?.sessions?.length ?? 1);
    if (!rows) throw new Error(`${name} found nothing: the figure would be meaningless`);
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      await run(api);
      times.push(performance.now() - t);
    }
    out.push([name, median(times), rows]);
  }
  return out;
}

function table(engine: string, seedMs: number, rows: [string, number, number][]): void {
  const base = rows[0]?.[1] ?? 1;
  console.log(
    `\n${engine}: ${SESSIONS.toLocaleString("en")} sessions, ${MESSAGES.toLocaleString("en")} messages (seeded in ${(seedMs / 1000).toFixed(1)} s), median of ${ROUNDS}`,
  );
  console.log("| operation | rows | median | × baseline |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const [name, ms, n] of rows) {
    console.log(`| ${name} | ${n} | ${ms.toFixed(2)} ms | ${(ms / base).toFixed(1)} |`);
  }
}

async function sqlite(): Promise<void> {
  const path = join(dir, "bench.db");
  const t = performance.now();
  const store = openStore({ path });
  seedSqlite(store, SESSIONS, MESSAGES);
  const seeded = performance.now() - t;
  const api = { sessions: store.sessions, messages: store.messages } as unknown as Api;
  table("SQLite (sync Store)", seeded, await measure(api));
  store.close();
}

async function postgres(url: string): Promise<void> {
  const client = await connect(url);
  const admin = new SQL(url.replace(/\?.*$/, ""), { max: 1 });
  const t = performance.now();
  await admin`SET search_path = coffer`;
  await seedPostgres(admin, SESSIONS, MESSAGES);
  const seeded = performance.now() - t;
  await admin.close();
  table("PostgreSQL (async Client, loopback)", seeded, await measure(client));
  await client.close();
}

async function postgresUrl(): Promise<string | null> {
  if (values.pg === "none") return null;
  if (values.pg !== "auto") return values.pg ?? null;
  const { freshDatabase, pgServer, stopPgServer } = await import("../test/helpers/pg-server.ts");
  const server = await pgServer();
  if (!server) return null;
  process.on("exit", stopPgServer);
  return (await freshDatabase(server, "bench_agents")).url;
}

await sqlite();
const url = await postgresUrl();
if (url) await postgres(url);
else console.log("\nPostgreSQL: skipped (no server)");
