import { mkdtempSync, rmSync, statSync } from "node:fs";
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
/**
 * Every run writes a new file, all deleted at the end: the file system here is
 * mounted with -o discard, and deleting 500 MiB between runs slowed whichever
 * run came next by up to 1 s.
 */
let runs = 0;
let target = join(dir, "out-0.db");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(0)} ms`;

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
  target = join(dir, `out-${++runs}.db`);
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

const cofferBackup = async () => {
  const r = await $`${BINARY} --db ${store} backup ${target} --json`.quiet();
  const out = JSON.parse(r.text());
  if (process.env.BENCH_DEBUG) console.error(r.stderr.toString());
  if (process.env.BENCH_DEBUG) console.error(out);
};
const sqliteBackup = () => $`sqlite3 ${store} ${`.backup ${target}`}`.quiet();
const cpSync = () => $`cp ${store} ${target} && sync ${target}`.quiet();
/** In its own process, like every contender: the sqlite3 shell, then sync and quick_check. */
const vacuumInto = () =>
  $`sqlite3 ${store} ${`VACUUM INTO '${target}'`} && sync ${target} && sqlite3 ${target} "PRAGMA quick_check"`.quiet();

const IDLE_METHODS: [string, () => Promise<unknown> | unknown][] = [
  ["coffer backup (binary: copy + fsync + quick_check)", cofferBackup],
  ["coffer backupStore() in-process", () => backupStore({ source: store, target })],
  ["sqlite3 .backup", sqliteBackup],
  ["cp + sync", cpSync],
  ["VACUUM INTO + fsync + quick_check", vacuumInto],
];

const BASELINE = 2; // sqlite3 .backup

/**
 * Each method 5 times; the order rotates each round so that no method always
 * follows the same one. The disk's speed drifts (writes to fresh blocks of a
 * thin-provisioned virtual disk), so each ratio is the median of per-round
 * ratios to the baseline's run in the same round, as in bench-vault.
 */
async function idle(): Promise<string[][]> {
  const runs = IDLE_METHODS.map(() => [] as number[]);
  for (let round = 0; round < 5; round++) {
    for (let k = 0; k < IDLE_METHODS.length; k++) {
      const m = (round + k) % IDLE_METHODS.length;
      const fn = IDLE_METHODS[m]?.[1];
      if (fn) runs[m]?.push(await timed(fn));
    }
  }
  const base = runs[BASELINE] ?? [];
  return IDLE_METHODS.map(([label], m) => {
    const xs = runs[m] ?? [];
    const ratios = xs.map((x, r) => x / (base[r] ?? Number.NaN));
    return [
      label,
      ms(median(xs)),
      `${median(ratios).toFixed(2)}×`,
      xs.map((x) => x.toFixed(0)).join(" "),
    ];
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

/**
 * Restore onto an existing store (so the lock and the safety copy are timed) vs
 * cp + sync + integrity_check, and vs the same plus a synced copy of the old
 * store set aside, which is the work coffer does. Ratios per round, as above.
 */
async function restore(): Promise<string[][]> {
  const backup = join(dir, "restore-source.db");
  await $`${BINARY} --db ${store} backup ${backup}`.quiet();
  const runs = { coffer: [] as number[], plain: [] as number[], aside: [] as number[] };
  for (let round = 0; round < 3; round++) {
    // The store being replaced, untimed and synced: on ext4 an fsync also writes
    // other files' pending data, so unsynced bytes here would be charged to restore.
    const live = join(dir, `live-${round}.db`);
    await $`cp ${store} ${live} && sync ${live}`.quiet();
    await warm(backup);
    const t = performance.now();
    await $`${BINARY} --db ${live} restore ${backup} --yes`.quiet();
    runs.coffer.push(performance.now() - t);
    runs.plain.push(
      await timed(() =>
        $`cp ${backup} ${target} && sync ${target} && sqlite3 ${target} "PRAGMA integrity_check"`.quiet(),
      ),
    );
    const old = join(dir, `old-${round}.db`);
    await $`cp ${store} ${old} && sync ${old}`.quiet();
    runs.aside.push(
      await timed(() =>
        $`cp ${old} ${old}.aside && sync ${old}.aside && cp ${backup} ${target} && sync ${target} && sqlite3 ${target} "PRAGMA integrity_check"`.quiet(),
      ),
    );
  }
  const perRound = (xs: number[]) => median(xs.map((x, r) => x / (runs.plain[r] ?? Number.NaN)));
  const row = (label: string, xs: number[]) => [
    label,
    ms(median(xs)),
    `${perRound(xs).toFixed(2)}×`,
    xs.map((x) => x.toFixed(0)).join(" "),
  ];
  return [
    row("coffer restore --yes (stage + checks, safety copy, swap)", runs.coffer),
    row("cp + sync + integrity_check", runs.plain),
    row("cp old aside + sync, then cp + sync + integrity_check", runs.aside),
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
    console.log("Idle store (median of 5; ratio = median of per-round ratios)");
    table(["method", "time", "vs sqlite3 .backup", "each run, ms"], await idle());
  }
  if (part("writer")) {
    const scenarios = [
      await underWriter(100, "coffer backup", cofferBackup),
      await underWriter(0, "coffer backup", cofferBackup),
      await underWriter(0, "VACUUM INTO + fsync", vacuumInto),
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
    console.log("Restore (median of 3; ratio = median of per-round ratios)");
    table(["method", "time", "vs cp + integrity_check", "each run, ms"], await restore());
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
