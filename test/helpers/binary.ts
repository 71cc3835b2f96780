// Runs the compiled binary as a user would: argv, env, stdin in; exit code,
// stdout and stderr out. Builds dist/coffer first if it is missing.

import { existsSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");
export const BINARY = join(ROOT, "dist", "coffer");

let built = false;

export function ensureBinary(): string {
  if (built || existsSync(BINARY)) {
    built = true;
    return BINARY;
  }
  const result = Bun.spawnSync(["bun", "run", "build"], {
    cwd: ROOT,
    stdout: "ignore",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) throw new Error(`build failed: ${result.stderr.toString()}`);
  built = true;
  return BINARY;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string | Uint8Array | "ignore" | "inherit";
  cwd?: string;
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A minimal environment: no terminal, nothing inherited that could leak into assertions. */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function coffer(args: string[], options: RunOptions = {}): RunResult {
  const stdin = options.stdin ?? "ignore";
  const result = Bun.spawnSync([ensureBinary(), ...args], {
    env: baseEnv(options.env),
    cwd: options.cwd,
    stdin:
      typeof stdin === "string" && stdin !== "ignore" && stdin !== "inherit"
        ? Buffer.from(stdin)
        : stdin,
    stdout: "pipe",
    stderr: "pipe",
    timeout: options.timeoutMs ?? 30_000,
  });
  return {
    code: result.exitCode ?? (result.signalCode ? 128 : -1),
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
  };
}

/**
 * Runs the binary on the store `db`, SIGKILLed after `killAfterMs` (null: let it finish);
 * says whether the kill landed before it ended, and how long it ran.
 */
export async function runKilledAfter(
  db: string,
  args: string[],
  killAfterMs: number | null,
): Promise<{ killed: boolean; ms: number }> {
  const started = performance.now();
  const proc = Bun.spawn([BINARY, ...args], {
    env: baseEnv({ COFFER_DB: db }),
    stdin: "ignore",
    stdout: "ignore",
    stderr: "ignore",
  });
  if (killAfterMs !== null) {
    await Bun.sleep(killAfterMs);
    proc.kill("SIGKILL");
  }
  await proc.exited;
  return { killed: proc.signalCode === "SIGKILL", ms: performance.now() - started };
}
