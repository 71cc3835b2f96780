// Runs the Bun scripts under test/fixtures as real, separate processes, many
// at once, so that tests can race them against each other or kill them.

import { join } from "node:path";
import type { Subprocess } from "bun";
import { baseEnv } from "./binary.ts";

export const FIXTURES = join(import.meta.dir, "..", "fixtures");

export type Fixture = Subprocess<"ignore", "pipe", "pipe">;

/** Starts `bun test/fixtures/<name>.ts ...args` without waiting for it. */
export function startFixture(name: string, args: string[]): Fixture {
  return Bun.spawn([process.execPath, join(FIXTURES, `${name}.ts`), ...args], {
    env: baseEnv(),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | number | null;
  stdout: string;
  stderr: string;
}

/** Waits for the process and collects everything it printed. */
export async function finish(proc: Fixture): Promise<Finished> {
  const [stdout, stderr] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  await proc.exited;
  return { code: proc.exitCode, signal: proc.signalCode, stdout, stderr };
}

/** Starts every command at once and waits for all of them. */
export async function runAll(starts: (() => Fixture)[]): Promise<Finished[]> {
  return await Promise.all(starts.map((start) => finish(start())));
}
