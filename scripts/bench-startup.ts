// `bun scripts/bench-startup.ts`: what every CLI call pays to start. A
// compiled hello-world (built here with the binary's own build options) and
// the sqlite3 shell answering `queue stats`'s query are the baselines,
// measured in the same run. Targets: --version ≤ 1.5×, queue stats ≤ 3×.
// Flags: --runs N (per command, default 40)

import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openStore } from "../src/index.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "40" } } });
const RUNS = Number(values.runs);
const ROOT = join(import.meta.dir, "..");
const dir = mkdtempSync(join(tmpdir(), "coffer-bench-startup-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

async function buildHello(): Promise<string> {
  const src = join(dir, "hello.ts");
  writeFileSync(src, `console.log("hello");\n`);
  const outfile = join(dir, "hello");
  const result = await Bun.build({
    entrypoints: [src],
    minify: true,
    bytecode: true,
    format: "esm",
    // The binary's own compile options (scripts/build.ts): no .env, bunfig, tsconfig or package.json lookups.
    compile: {
      outfile,
      autoloadDotenv: false,
      autoloadBunfig: false,
      autoloadTsconfig: false,
      autoloadPackageJson: false,
    },
  });
  if (!result.success) throw new Error("hello-world build failed");
  return outfile;
}

/**
 * Median wall time and median CPU time (user + system, from the child's
 * rusage) of `argv` in ms over RUNS runs, after two warm-ups. On a busy
 * machine the CPU time is the steadier of the two.
 */
function time(argv: string[], env: Record<string, string>): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const began = performance.now();
    const r = Bun.spawnSync(argv, { env, stdout: "ignore", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
    if (i < 2) continue;
    wall.push(performance.now() - began);
    const usage = r.resourceUsage?.cpuTime;
    cpu.push(usage ? Number(usage.user + usage.system) / 1000 : Number.NaN);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}

const db = join(dir, "coffer.db");
{
  using store = openStore({ path: db });
  store.queue.enqueueMany(
    "q",
    Array.from({ length: 1000 }, (_, i) => ({ i })),
  );
}
const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, COFFER_DB: db };
const binary = process.env.COFFER_BINARY ?? join(ROOT, "dist", "coffer");
const hello = await buildHello();
const statsQuery = "SELECT queue, status, count(*) FROM jobs GROUP BY 1, 2 ORDER BY queue;";
const version = new Database(":memory:").query("SELECT sqlite_version() AS v").get() as {
  v: string;
};

type Timing = { wall: number; cpu: number };
const rows: [string, Timing, Timing | null, string][] = [];
const helloMs = time([hello], env);
const sqliteMs = time(["sqlite3", db, statsQuery], env);
rows.push(["compiled hello-world (baseline)", helloMs, null, ""]);
rows.push(["coffer --version", time([binary, "--version"], env), helloMs, "≤ 1.5×"]);
rows.push(["sqlite3 shell, stats query (baseline)", sqliteMs, null, ""]);
rows.push(["coffer queue stats", time([binary, "queue", "stats"], env), sqliteMs, "≤ 3×"]);
rows.push(["coffer queue push", time([binary, "queue", "push", "q", "{}"], env), sqliteMs, ""]);

console.log(`coffer start-up — Bun ${Bun.version}, SQLite ${version.v}, medians of ${RUNS} runs\n`);
console.log(
  `${"command".padEnd(40)} ${"wall ms".padStart(8)} ${"ratio".padStart(6)} ${"cpu ms".padStart(7)} ${"ratio".padStart(6)}  target`,
);
for (const [name, t, base, target] of rows) {
  const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : "1.00×");
  console.log(
    `${name.padEnd(40)} ${t.wall.toFixed(2).padStart(8)} ${ratio(t.wall, base?.wall).padStart(6)} ${t.cpu.toFixed(2).padStart(7)} ${ratio(t.cpu, base?.cpu).padStart(6)}  ${target}`,
  );
}
