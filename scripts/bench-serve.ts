// `bun scripts/bench-serve.ts`: coffer serve over its Unix socket, beside
// baselines measured in the same run: claim+ack cycles/s with 1 and 8 clients
// (and claim once then ack with `next`, one request per job) against the
// in-process library and a shell loop of CLI calls; the latency
// from a push to the claim that was waiting for it (p50, p99).
// Flags: --cycles N (jobs per socket round) --rounds N --cli N (shell cycles) --samples N

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Client, connect } from "../src/index.ts";

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: "2000" },
    rounds: { type: "string", default: "3" },
    cli: { type: "string", default: "30" },
    samples: { type: "string", default: "100" },
  },
});
const CYCLES = Number(values.cycles);
const ROUNDS = Number(values.rounds);
const CLI_CYCLES = Number(values.cli);
const SAMPLES = Number(values.samples);
const BINARY = join(import.meta.dir, "..", "dist", "coffer");
const PASSPHRASE = "bench passphrase";
const dir = mkdtempSync(join(tmpdir(), "coffer-bench-serve-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

async function fill(client: Client, queue: string, n: number): Promise<void> {
  await client.queue.enqueueMany(
    queue,
    Array.from({ length: n }, (_, i) => ({ i })),
  );
}

/** Claim+ack until the queue is empty, in-process; cycles/s. */
async function inProcess(round: number): Promise<number> {
  const client = await connect(join(dir, `lib-${round}.db`));
  await fill(client, "q", CYCLES);
  const began = performance.now();
  for (;;) {
    const job = await client.queue.dequeue("q");
    if (!job) break;
    await client.queue.ack(job.id, { token: job.leaseToken ?? undefined });
  }
  const rate = CYCLES / ((performance.now() - began) / 1000);
  await client.close();
  return rate;
}

interface Server {
  socket: string;
  db: string;
  key: string;
  proc: Bun.Subprocess;
}

async function startServer(name: string): Promise<Server> {
  const db = join(dir, `${name}.db`);
  const socket = join(dir, `${name}.sock`);
  const client = await connect(db);
  const { key } = await client.keys.create({ name: "bench", rules: ["queue:*", "secrets:*"] });
  // A vault with the default KDF parameters, as `coffer secret set` makes it.
  const vault = await client.vault.create(PASSPHRASE);
  await vault.set("OPENAI", new TextEncoder().encode("sk-bench-0123456789abcdef"));
  vault.lock();
  await client.close();
  const proc = Bun.spawn([BINARY, "--db", db, "serve", "--socket", socket], {
    stderr: "pipe",
    stdout: "ignore",
    env: { ...process.env, COFFER_PASSPHRASE: PASSPHRASE },
  });
  for (let i = 0; i < 500; i++) {
    const ok = await fetch("http://localhost/v1/health", { unix: socket }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { socket, db, key, proc };
    await Bun.sleep(10);
  }
  throw new Error("coffer serve did not start");
}

async function post(s: Server, path: string, body: unknown): Promise<Response> {
  return fetch(`http://localhost${path}`, {
    method: "POST",
    unix: s.socket,
    headers: { authorization: `Bearer ${s.key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** `clients` loops of claim+ack over the socket until the queue is empty; cycles/s. */
async function throughSocket(s: Server, queue: string, clients: number): Promise<number> {
  const client = await connect(s.db);
  await fill(client, queue, CYCLES);
  await client.close();
  const began = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (;;) {
        const res = await post(s, `/v1/queues/${queue}/claim`, {});
        if (res.status === 204) return;
        const job = (await res.json()) as { id: number; leaseToken: string };
        const ack = await post(s, `/v1/jobs/${job.id}/ack`, { token: job.leaseToken });
        if (ack.status !== 200) throw new Error(`ack: ${ack.status}`);
        await ack.arrayBuffer();
      }
    }),
  );
  return CYCLES / ((performance.now() - began) / 1000);
}

/** `clients` loops over the socket: claim once, then ack with `next` (one request per job) until none is due; cycles/s. */
async function chainedThroughSocket(s: Server, queue: string, clients: number): Promise<number> {
  const client = await connect(s.db);
  await fill(client, queue, CYCLES);
  await client.close();
  const began = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const res = await post(s, `/v1/queues/${queue}/claim`, {});
      if (res.status === 204) return;
      let job = (await res.json()) as { id: number; leaseToken: string } | null;
      while (job) {
        const ack = await post(s, `/v1/jobs/${job.id}/ack`, { token: job.leaseToken, next: {} });
        if (ack.status !== 200) throw new Error(`ack: ${ack.status}`);
        job = ((await ack.json()) as { next: typeof job }).next;
      }
    }),
  );
  return CYCLES / ((performance.now() - began) / 1000);
}

/** A shell loop: `coffer queue pop` then `coffer queue ack ID --token T`, one process each; cycles/s. */
async function shellLoop(): Promise<number> {
  const db = join(dir, "cli.db");
  const client = await connect(db);
  await fill(client, "q", CLI_CYCLES);
  await client.close();
  const script = `for i in $(seq ${CLI_CYCLES}); do
    out=$("$C" --db "$D" queue pop q) || exit 1
    id=$(printf '%s' "$out" | sed -n 's/^  "id": \\([0-9]*\\),$/\\1/p')
    tok=$(printf '%s' "$out" | sed -n 's/^  "leaseToken": "\\(.*\\)",$/\\1/p')
    "$C" --db "$D" queue ack "$id" --token "$tok" || exit 1
  done`;
  const began = performance.now();
  const r = Bun.spawnSync(["sh", "-c", script], {
    env: { ...process.env, C: BINARY, D: db },
    stderr: "pipe",
  });
  if (r.exitCode !== 0) throw new Error(`shell loop: ${r.stderr}`);
  return CLI_CYCLES / ((performance.now() - began) / 1000);
}

/** From a push to the answer of the claim that was already waiting, in ms. */
async function wakeLatency(s: Server, via: "socket" | "library"): Promise<number[]> {
  const other = await connect(s.db);
  const out: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const waiting = post(s, `/v1/queues/wake-${via}/claim`, { wait: 10 });
    await Bun.sleep(15);
    const began = performance.now();
    if (via === "socket")
      await (await post(s, `/v1/queues/wake-${via}/jobs`, { payload: i })).arrayBuffer();
    else await other.queue.enqueue(`wake-${via}`, i);
    const res = await waiting;
    const job = (await res.json()) as { id: number; leaseToken: string };
    out.push(performance.now() - began);
    await other.queue.ack(job.id, { token: job.leaseToken });
  }
  await other.close();
  return out;
}

/** ms per GET /v1/secrets/global/OPENAI (the vault unlocked once at start). */
async function secretThroughServe(s: Server): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < 200; i++) {
    const began = performance.now();
    const res = await fetch("http://localhost/v1/secrets/global/OPENAI", {
      unix: s.socket,
      headers: { authorization: `Bearer ${s.key}` },
    });
    if (res.status !== 200) throw new Error(`secret get: ${res.status}`);
    await res.arrayBuffer();
    out.push(performance.now() - began);
  }
  return out;
}

/** ms per `coffer secret get OPENAI`: a process, a key derivation, a decryption. */
function secretThroughCli(s: Server): number[] {
  const out: number[] = [];
  for (let i = 0; i < 5; i++) {
    const began = performance.now();
    const r = Bun.spawnSync([BINARY, "--db", s.db, "secret", "get", "OPENAI"], {
      env: { ...process.env, COFFER_PASSPHRASE: PASSPHRASE },
      stdout: "pipe",
    });
    if (r.exitCode !== 0) throw new Error("coffer secret get failed");
    out.push(performance.now() - began);
  }
  return out;
}

/** The same 8-client loop against a bare Bun.serve doing only the two Client calls. */
async function floor(round: number): Promise<number> {
  const db = join(dir, `floor-${round}.db`);
  const socket = join(dir, `floor-${round}.sock`);
  const proc = Bun.spawn(["bun", join(import.meta.dir, "bench", "serve-floor.ts"), db, socket], {
    stdout: "ignore",
  });
  for (let i = 0; i < 500; i++) {
    const ok = await fetch("http://localhost/health", { unix: socket }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await Bun.sleep(10);
  }
  const rate = await throughSocket({ socket, db, key: "none", proc }, "floor", 8);
  proc.kill("SIGTERM");
  await proc.exited;
  return rate;
}

const lib: number[] = [];
const one: number[] = [];
const eight: number[] = [];
const bare: number[] = [];
const oneNext: number[] = [];
const eightNext: number[] = [];
const server = await startServer("serve");
for (let r = 0; r < ROUNDS; r++) {
  lib.push(await inProcess(r));
  one.push(await throughSocket(server, `one-${r}`, 1));
  eight.push(await throughSocket(server, `eight-${r}`, 8));
  oneNext.push(await chainedThroughSocket(server, `one-next-${r}`, 1));
  eightNext.push(await chainedThroughSocket(server, `eight-next-${r}`, 8));
  bare.push(await floor(r));
}
const cli = await shellLoop();
const viaSocket = await wakeLatency(server, "socket");
const viaLibrary = await wakeLatency(server, "library");
const secretServe = await secretThroughServe(server);
const secretCli = secretThroughCli(server);
server.proc.kill("SIGTERM");
await server.proc.exited;

const L = median(lib);
const row = (name: string, rate: number) =>
  `| ${name.padEnd(44)} | ${rate.toFixed(0).padStart(7)} | ${(rate / L).toFixed(2).padStart(12)} | ${(rate / cli).toFixed(1).padStart(12)} |`;
console.log(
  `claim+ack cycles/s (SQLite, ${CYCLES} jobs per round, median of ${ROUNDS}; shell loop ${CLI_CYCLES} cycles)\n`,
);
console.log(`| ${"".padEnd(44)} | cycles/s | × in-process | × shell loop |`);
console.log(`|${"-".repeat(46)}|---------|--------------|--------------|`);
console.log(row("in-process library (connect(), one client)", L));
console.log(row("coffer serve, 1 client over the socket", median(one)));
console.log(row("coffer serve, 8 clients over the socket", median(eight)));
console.log(row("coffer serve, 1 client, ack with next", median(oneNext)));
console.log(row("coffer serve, 8 clients, ack with next", median(eightNext)));
console.log(row("bare Bun.serve + same 2 calls, 8 clients", median(bare)));
console.log(row("shell loop: coffer queue pop + ack", cli));
console.log(`\npush → waiting claim answered (ms, ${SAMPLES} samples)\n`);
console.log("| push from                               |  p50  |  p99  |");
console.log("|-----------------------------------------|-------|-------|");
for (const [name, xs] of [
  ["the socket (POST /v1/queues/Q/jobs)", viaSocket],
  ["another connection (library enqueue)", viaLibrary],
] as const) {
  console.log(
    `| ${name.padEnd(39)} | ${pct(xs, 0.5).toFixed(1).padStart(5)} | ${pct(xs, 0.99).toFixed(1).padStart(5)} |`,
  );
}
console.log("\nsecret get (ms per call, default KDF parameters)\n");
console.log("|                                          | median | × serve |");
console.log("|------------------------------------------|--------|---------|");
const ms = median(secretServe);
console.log(
  `| GET /v1/secrets/global/OPENAI via serve   | ${ms.toFixed(2).padStart(6)} |    1.00 |`,
);
console.log(
  `| coffer secret get OPENAI (5 runs)        | ${median(secretCli).toFixed(0).padStart(6)} | ${(median(secretCli) / ms).toFixed(0).padStart(7)} |`,
);
