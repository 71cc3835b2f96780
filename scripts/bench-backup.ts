// Backup and restore speed on a ~500 MiB store, and what a concurrent writer
// pays: `bun scripts/bench-backup.ts [MiB]`. Prints tables with the baseline
// beside each figure (medians of 5 idle, 3 for restore; one run per writer scenario).
// Needs the compiled binary (bun run build) and the sqlite3 shell (installed
// from Debian's packages if missing). Everything lives in a temp dir, removed at the end.

import { Database } from "bun:sqlite";
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { $ } from "bun";
import { backupStore } from "../src/backup/backup.ts";
import { openStore } from "../src/store/store.ts";

const ROOT = join(import.meta.dir, "..");
const BINARY = join(ROOT, "dist", "coffer");
const WRITER = join(ROOT, "test", "fixtures", "backup-writer.ts");
const MIB = Number(process.argv[2] ?? 500);
/** `--only idle|writer|restore` runs one part (while tuning). */
const ONLY = process.argv.includes("--only")
  ? process.argv[process.argv.indexOf("--only") + 1]
  : undefined;
const part = (name: string) => ONLY === undefined || ONLY === name;
const AFTER_MS = 10_000;
const BASELINE_MS = 3_000;

const dir = mkdtempSync(join(tmpdir(), "coffer-bench-backup-"));
const store = join(dir, "coffer.db");
const target = join(dir, "backup.db");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(0)} ms`;
const ratio = (x: number, base: number) => `${(x / base).toFixed(2)}×`;

async function ensureTools(): Promise<void> {
  if (!(await Bun.file(BINARY).exists())) await $`bun run build`.cwd(ROOT).quiet();
  if (Bun.which("sqlite3")) return;
  console.error("installing the sqlite3 shell from Debian's packages…");
  await $`apt-get update -qq && apt-get install -y -qq sqlite3`.quiet();
}

function generate(): void {
  using s = openStore({ path: store });
  s.sessions.create({ id: "bulk" });
  const text = "lorem ipsum dolor sit amet ".repeat(150); // ~4 KiB a message
  const perTx = 5000;
  const rows = Math.ceil((MIB * 1024 * 1024) / 4500);
  for (let done = 0; done < rows; done += perTx) {
    s.write(() => {
      const insert = s.db.query(
        "INSERT INTO messages (session_id, role, content, created_at) VALUES ('bulk', 'assistant', ?, ?)",
      );
      for (let i = 0; i < perTx; i++) insert.run(`${done + i} ${text}`, Date.now());
    });
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function clean(): void {
  for (const f of [target, `${target}-wal`, `${target}-shm`, `${target}-journal`])
    rmSync(f, { force: true });
}

/**
 * Reads `path` once, untimed: this VM drops page cache freely, so whichever
 * method ran first would otherwise pay for reading the store from disk.
 */
async function warm(path: string): Promise<void> {
  await $`cat ${path} > /dev/null`.quiet();
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  clean();
  await $`sync`.quiet(); // what earlier runs left to write is not charged to this one
  await warm(store);
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const cofferBackup = () => $`${BINARY} --db ${store} backup ${target} --force`.quiet();
const sqliteBackup = () => $`sqlite3 ${store} ${`.backup ${target}`}`.quiet();
const cpSync = () => $`cp ${store} ${target} && sync ${target}`.quiet();
function vacuumInto(): void {
  const db = new Database(store);
  db.run("VACUUM INTO ?", [target]);
  db.close();
  const fd = openSync(target, "r");
  fsyncSync(fd);
  closeSync(fd);
  const check = new Database(target, { readonly: true });
  check.query("PRAGMA quick_check").all();
  check.close();
}

const IDLE_METHODS: [string, () => Promise<unknown> | unknown][] = [
  ["coffer backup (binary: copy + fsync + quick_check)", cofferBackup],
  ["coffer backupStore() in-process", () => backupStore({ source: store, target })],
  ["sqlite3 .backup", sqliteBackup],
  ["cp + sync", cpSync],
  ["VACUUM INTO + fsync + quick_check", vacuumInto],
];

/** Each method 5 times; the order rotates each round so that no method always follows the same one. */
async function idle(): Promise<string[][]> {
  const runs = IDLE_METHODS.map(() => [] as number[]);
  for (let round = 0; round < 5; round++) {
    for (let k = 0; k < IDLE_METHODS.length; k++) {
      const m = (round + k) % IDLE_METHODS.length;
      const fn = IDLE_METHODS[m]?.[1];
      if (fn) runs[m]?.push(await timed(fn));
    }
  }
  const base = median(runs[2] ?? []);
  return IDLE_METHODS.map(([label], m) => {
    const t = median(runs[m] ?? []);
    return [label, ms(t), ratio(t, base), (runs[m] ?? []).map((x) => x.toFixed(0)).join(" ")];
  });
}

interface Window {
  p99: number;
  max: number;
  n: number;
}

function window(
  stats: { starts: number[]; latencies: number[] },
  from: number,
  to: number,
): Window {
  const xs: number[] = [];
  stats.starts.forEach((s, i) => {
    if (s >= from && s < to) xs.push(stats.latencies[i] ?? 0);
  });
  xs.sort((a, b) => a - b);
  return { p99: xs[Math.floor(xs.length * 0.99)] ?? NaN, max: xs.at(-1) ?? NaN, n: xs.length };
}

/** Runs `backup` while a writer commits at `rate`/s (0 = full speed); the writer's latencies by window. */
async function underWriter(
  rate: number,
  label: string,
  backup: () => Promise<unknown>,
  timeoutMs = 60_000,
) {
  await warm(store);
  const writer = Bun.spawn(["bun", WRITER, store, String(rate)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = writer.stdout.getReader();
  await reader.read(); // "ready"
  reader.releaseLock();
  await Bun.sleep(BASELINE_MS);
  clean();
  const start = performance.timeOrigin + performance.now();
  const finished = await Promise.race([
    backup().then(() => true),
    Bun.sleep(timeoutMs).then(() => false),
  ]);
  const end = performance.timeOrigin + performance.now();
  const walAfter = fileSize(`${store}-wal`);
  if (finished) await Bun.sleep(AFTER_MS);
  writer.kill("SIGTERM");
  await writer.exited;
  const stats = JSON.parse(await Bun.file(`${store}.writer-${writer.pid}.json`).text());
  rmSync(`${store}.writer-${writer.pid}.json`);
  const rel = (t: number) => t - stats.t0;
  const before = window(stats, 500, rel(start));
  const during = window(stats, rel(start), rel(end));
  const after = window(stats, rel(end), rel(end) + AFTER_MS);
  return {
    label,
    rate,
    finished,
    durationMs: end - start,
    before,
    during,
    after,
    errors: stats.errors,
    walAfter,
  };
}

/** Restore onto an existing store (so the safety copy and the lock are included) vs cp + check. */
async function restore(): Promise<string[][]> {
  const backup = join(dir, "restore-source.db");
  await $`${BINARY} --db ${store} backup ${backup}`.quiet();
  const live = join(dir, "restore-target.db");
  const coffer: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < 3; i++) {
    rmSync(`${live}.pre-restore`, { force: true });
    // The store being replaced, untimed and synced: on ext4 an fsync also writes
    // other files' pending data, so unsynced bytes here would be charged to restore.
    await $`cp ${store} ${live} && sync ${live}`.quiet();
    await warm(backup);
    let t = performance.now();
    await $`${BINARY} --db ${live} restore ${backup} --yes`.quiet();
    coffer.push(performance.now() - t);
    clean();
    await warm(backup);
    t = performance.now();
    await $`cp ${backup} ${target} && sync ${target} && sqlite3 ${target} "PRAGMA integrity_check"`.quiet();
    baseline.push(performance.now() - t);
  }
  const base = median(baseline);
  return [
    [
      "coffer restore --yes (checks, safety copy, swap)",
      ms(median(coffer)),
      ratio(median(coffer), base),
    ],
    ["cp + sync + integrity_check", ms(base), "1.00×"],
  ];
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
  console.log();
}

try {
  await ensureTools();
  const t = performance.now();
  generate();
  const size = statSync(store).size;
  console.log(
    `store: ${(size / 2 ** 20).toFixed(0)} MiB, generated in ${ms(performance.now() - t)}`,
  );
  const cpu = cpus()[0]?.model ?? "?";
  const sqliteVersion = (await $`sqlite3 --version`.text()).split(" ")[0];
  console.log(
    `machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; bun ${Bun.version}; ` +
      `sqlite3 shell ${sqliteVersion}; the source is read once, untimed, before each run\n`,
  );
  if (part("idle")) {
    console.log("Idle store (median of 5)");
    table(["method", "time", "vs sqlite3 .backup", "each run, ms"], await idle());
  }
  if (part("writer")) {
    const scenarios = [
      await underWriter(100, "coffer backup", cofferBackup),
      await underWriter(0, "coffer backup", cofferBackup),
      await underWriter(0, "VACUUM INTO + fsync", async () => vacuumInto()),
      await underWriter(100, "sqlite3 .backup", sqliteBackup, 20_000),
    ];
    console.log(
      `Under a writer (writer commit latency; "before" = the ${BASELINE_MS / 1000} s before the backup, its own baseline)`,
    );
    table(
      [
        "backup",
        "writer",
        "duration",
        "p99 before",
        "p99 during",
        "max during",
        "p99 after 10 s",
        "max after 10 s",
        "max before",
        "WAL after",
        "errors",
      ],
      scenarios.map((s) => [
        s.label,
        s.rate === 0 ? "full speed" : `${s.rate}/s`,
        s.finished ? ms(s.durationMs) : `not done in ${ms(s.durationMs)}`,
        s.before.p99.toFixed(2),
        s.during.p99.toFixed(2),
        s.during.max.toFixed(1),
        s.after.p99.toFixed(2),
        s.after.max.toFixed(1),
        s.before.max.toFixed(1),
        `${(s.walAfter / 2 ** 20).toFixed(1)} MiB`,
        String(s.errors),
      ]),
    );
  }
  if (part("restore")) {
    console.log("Restore (median of 3)");
    table(["method", "time", "vs cp + integrity_check"], await restore());
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
