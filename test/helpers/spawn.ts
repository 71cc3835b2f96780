// Child processes for crash and concurrency tests: start a fixture, wait for
// its "ready" line, and kill it when the test is done.

import { join } from "node:path";

export const FIXTURES = join(import.meta.dir, "..", "fixtures");

export interface Child {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `bun FIXTURE args…` and resolves once it printed "ready". */
export async function startFixture(fixture: string, args: string[]): Promise<Child> {
  const proc = Bun.spawn(["bun", join(FIXTURES, fixture), ...args], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = proc.stdout.getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${fixture} exited early: ${await new Response(proc.stderr).text()}`);
    seen += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return {
    proc,
    async kill(signal: NodeJS.Signals = "SIGKILL") {
      proc.kill(signal);
      await proc.exited;
    },
  };
}
