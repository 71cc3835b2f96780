// For the serve tests: the compiled binary's `coffer serve` as a child process,
// started on a store of the test's own, and requests over its Unix socket.

import { join } from "node:path";
import { baseEnv, coffer, ensureBinary } from "./binary.ts";
import { tempDir } from "./tmp.ts";

export interface Served {
  proc: Bun.Subprocess<"ignore", "ignore", "pipe">;
  db: string;
  socket: string;
  /** The TCP port, with --listen. */
  port: number | undefined;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ServeOptions {
  db?: string;
  dir?: string;
  args?: string[];
  env?: Record<string, string | undefined>;
}

/** Starts `coffer serve` and resolves once it says where it listens. */
export async function serve(options: ServeOptions = {}): Promise<Served> {
  const dir = options.dir ?? tempDir("coffer-serve-");
  const db = options.db ?? join(dir, "c.db");
  const socket = join(dir, "s.sock");
  const args = options.args ?? [];
  const proc = Bun.spawn([ensureBinary(), "--db", db, "serve", "--socket", socket, ...args], {
    env: baseEnv(options.env),
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let text = "";
  const reader = proc.stderr.getReader();
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      text += new TextDecoder().decode(value);
    }
  })();
  const wantTcp = args.includes("--listen");
  const deadline = Date.now() + 10_000;
  while (!(text.includes("serving on unix:") && (!wantTcp || /serving on https?:/.test(text)))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await pump;
      throw new Error(`coffer serve did not start (exit ${proc.exitCode}): ${text}`);
    }
    await Bun.sleep(10);
  }
  const port = /serving on https?:\/\/.*:(\d+)/.exec(text)?.[1];
  return {
    proc,
    db,
    socket,
    port: port === undefined ? undefined : Number(port),
    stderr: () => text,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (proc.exitCode === null) proc.kill(signal);
      const code = await proc.exited;
      await pump;
      return code;
    },
  };
}

/** A new key with `rules`, made with the CLI on `db`. */
export function makeKey(db: string, name: string, rules: string, extra: string[] = []): string {
  const r = coffer(["--db", db, "key", "create", name, "--allow", rules, ...extra]);
  if (r.code !== 0) throw new Error(`key create failed: ${r.stderr}`);
  return r.stdout.trim();
}

export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** One request over the socket; a body object is sent as JSON. */
export async function call(
  socket: string,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(`http://localhost${path}`, { method, headers, body, unix: socket });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}
