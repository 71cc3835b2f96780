// Vault benchmarks: `coffer secret get` against the bare hash-wasm Argon2id
// call with the same parameters (target ≤ 1.10×), its peak RSS (≤ 130 MiB),
// `coffer run` with 100 secrets against one get, and 1,000 sets and gets in
// one unlocked session. Medians of runs in this one process; prints a table.
//
//   bun run build && bun scripts/bench-vault.ts [--runs N]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { argon2id } from "hash-wasm";
import { openStore } from "../src/store/store.ts";
import { seal } from "../src/vault/aead.ts";
import { DEFAULT_KDF_PARAMS } from "../src/vault/kdf.ts";
import { createVault, unlockVault } from "../src/vault/open.ts";

const BINARY = join(import.meta.dir, "..", "dist", "coffer");
const runsFlag = process.argv.indexOf("--runs");
const RUNS = runsFlag === -1 ? 9 : Number(process.argv[runsFlag + 1]);
const PASS = "bench passphrase";
const P = DEFAULT_KDF_PARAMS;

const dir = mkdtempSync(join(tmpdir(), "coffer-bench-"));
const env = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: dir,
  COFFER_DB: join(dir, "coffer.db"),
  COFFER_CONFIG: join(dir, "none.toml"),
  COFFER_PASSPHRASE: PASS,
};
await Bun.write(env.COFFER_CONFIG, "");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** The same call in a fresh bun process: import, WASM instantiation and memory growth included. */
const BARE_SCRIPT = `const {argon2id}=await import("hash-wasm");await argon2id({password:"p",salt:new Uint8Array(16),parallelism:${P.parallelism},iterations:${P.iterations},memorySize:${P.memoryKiB},hashLength:32,outputType:"binary"})`;

function timedBareProcess(): number {
  const t = performance.now();
  Bun.spawnSync([process.execPath, "-e", BARE_SCRIPT], { cwd: join(import.meta.dir, "..") });
  return performance.now() - t;
}

function spawnTimed(args: string[]): { ms: number; rssMiB: number } {
  const t = performance.now();
  const r = Bun.spawnSync([BINARY, ...args], { env, stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - t;
  if (r.exitCode !== 0) throw new Error(`${args.join(" ")}: ${r.stderr.toString()}`);
  return { ms, rssMiB: peakRssMiB([BINARY, ...args], env) };
}

/**
 * Peak RSS of one run of `argv`, from GNU time's %M. resourceUsage.maxRSS of
 * a spawned child was seen to report the largest child of the whole run
 * (173 MiB for a `get` that /usr/bin/time puts at 110 MiB), so it is not used.
 */
function peakRssMiB(argv: string[], childEnv?: Record<string, string>, cwd?: string): number {
  const r = Bun.spawnSync(["/usr/bin/time", "-f", "%M", ...argv], {
    env: childEnv,
    cwd,
    stdout: "ignore",
    stderr: "pipe",
  });
  const kib = Number(r.stderr.toString().trim().split("\n").at(-1));
  return Number.isFinite(kib) ? kib / 1024 : Number.NaN;
}

// The vault: default parameters, 100 secrets.
{
  using store = openStore({ path: env.COFFER_DB });
  const vault = await createVault(store, PASS, P);
  const enc = new TextEncoder();
  await vault.setMany(
    Array.from({ length: 100 }, (_, i) => ({
      name: `SECRET_${i}`,
      value: enc.encode(`sk-bench-${i}-${"x".repeat(40)}`),
    })),
  );
}

const salt = crypto.getRandomValues(new Uint8Array(16));
const bare = () =>
  argon2id({
    password: PASS,
    salt,
    parallelism: P.parallelism,
    iterations: P.iterations,
    memorySize: P.memoryKiB,
    hashLength: 32,
    outputType: "binary",
  });
await bare(); // warm the WASM once, as a long-lived caller would have

// Paired and interleaved (order alternating), so each ratio compares runs
// that saw the same machine noise; the table shows the median of the ratios.
const bareMs: number[] = [];
const getMs: number[] = [];
const getRss: number[] = [];
const runMs: number[] = [];
const coldMs: number[] = [];
const coldRatio: number[] = [];
const getRatio: number[] = [];
const runRatio: number[] = [];
for (let i = 0; i < RUNS; i++) {
  let b: number;
  let g: { ms: number; rssMiB: number };
  if (i % 2 === 0) {
    b = await timeAsync(bare);
    g = spawnTimed(["secret", "get", "SECRET_7"]);
  } else {
    g = spawnTimed(["secret", "get", "SECRET_7"]);
    b = await timeAsync(bare);
  }
  const r = spawnTimed(["run", "--", "true"]);
  const cold = timedBareProcess();
  coldMs.push(cold);
  coldRatio.push(g.ms / cold);
  bareMs.push(b);
  getMs.push(g.ms);
  getRss.push(g.rssMiB);
  runMs.push(r.ms);
  getRatio.push(g.ms / b);
  runRatio.push(r.ms / g.ms);
}
// Start-up up to the point where the KDF would begin: a store with no vault exits 3 there.
const emptyDb = join(dir, "empty.db");
const startMs: number[] = [];
const versionMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  Bun.spawnSync([BINARY, "secret", "get", "X"], { env: { ...env, COFFER_DB: emptyDb } });
  startMs.push(performance.now() - t);
  t = performance.now();
  Bun.spawnSync([BINARY, "--version"], { env });
  versionMs.push(performance.now() - t);
}

const bareRss = median(
  Array.from({ length: 5 }, () =>
    peakRssMiB([process.execPath, "-e", BARE_SCRIPT], undefined, join(import.meta.dir, "..")),
  ),
);

// 1,000 sets and gets in one unlocked session (cheap KDF not needed: one unlock).
const session = await (async () => {
  using store = openStore({ path: join(dir, "session.db") });
  const vault = await createVault(store, PASS, P);
  const enc = new TextEncoder();
  const setMs = await timeAsync(async () => {
    for (let i = 0; i < 1000; i++) await vault.set(`K_${i}`, enc.encode(`value-${i}`));
  });
  const getMs = await timeAsync(async () => {
    for (let i = 0; i < 1000; i++) await vault.get(`K_${i}`);
  });
  const reopened = await unlockVault(store, PASS);
  const batchMs = await timeAsync(() =>
    reopened.setMany(
      Array.from({ length: 1000 }, (_, i) => ({ name: `B_${i}`, value: enc.encode("v") })),
    ),
  );
  return { setMs, getMs, batchMs };
})();

// Baselines for the session: 1,000 bare seals, and 1,000 durable one-row transactions.
const key = await crypto.subtle.importKey("raw", new Uint8Array(32), "AES-GCM", false, ["encrypt"]);
const sealMs = await timeAsync(async () => {
  for (let i = 0; i < 1000; i++)
    await seal(key, new TextEncoder().encode(`value-${i}`), new Uint8Array(8));
});
const txMs = (() => {
  using store = openStore({ path: join(dir, "tx.db") });
  store.db.run("CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB) STRICT");
  const t = performance.now();
  for (let i = 0; i < 1000; i++) {
    store.write(
      () => store.db.query("INSERT INTO t VALUES (?, ?)").run(`K_${i}`, new Uint8Array(40)),
      {
        durable: true,
      },
    );
  }
  return performance.now() - t;
})();

const f = (ms: number) => `${ms.toFixed(0)} ms`;
const rows: [string, string, string, string][] = [
  [
    "secret get (wall, incl. start-up)",
    f(median(getMs)),
    `${f(median(bareMs))} bare argon2id, warm, in-process`,
    median(getRatio).toFixed(2),
  ],
  [
    "secret get (wall, incl. start-up)",
    f(median(getMs)),
    `${f(median(coldMs))} bare argon2id, fresh bun process`,
    median(coldRatio).toFixed(2),
  ],
  [
    "secret get up to the KDF (no vault: exit 3)",
    f(median(startMs)),
    `${f(median(versionMs))} coffer --version`,
    (median(startMs) / median(versionMs)).toFixed(2),
  ],
  [
    "secret get peak RSS",
    `${median(getRss).toFixed(0)} MiB`,
    `${bareRss.toFixed(0)} MiB bare argon2id process`,
    (median(getRss) / bareRss).toFixed(2),
  ],
  [
    "run -- true, 100 secrets",
    f(median(runMs)),
    `${f(median(getMs))} one get`,
    median(runRatio).toFixed(2),
  ],
  [
    "1,000 × set, one session",
    f(session.setMs),
    `${f(txMs)} 1,000 durable 1-row tx`,
    (session.setMs / txMs).toFixed(2),
  ],
  [
    "1,000 × get, one session",
    f(session.getMs),
    `${f(sealMs)} 1,000 bare AES-GCM seals`,
    (session.getMs / sealMs).toFixed(2),
  ],
  [
    "setMany of 1,000, one tx",
    f(session.batchMs),
    `${f(session.setMs)} 1,000 × set`,
    (session.batchMs / session.setMs).toFixed(2),
  ],
];
const head = ["measure", "coffer", "baseline (same run)", "ratio"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
const line = (cells: readonly string[]) =>
  `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
console.log(
  `KDF m=${P.memoryKiB} KiB t=${P.iterations} p=${P.parallelism}; medians of ${RUNS} runs; ${navigator.hardwareConcurrency} cores; bun ${Bun.version}\n`,
);
console.log(line(head));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows) console.log(line(r));
rmSync(dir, { recursive: true, force: true });
