// Runs a coffer command inside the test process (no binary, no spawn):
// the same main() the binary runs, with its output captured.

import { setStreams } from "../../src/cli/output.ts";
import { main } from "../../src/cli.ts";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(
  argv: string[],
  env: Record<string, string> = {},
): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  setStreams({
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
  });
  try {
    const code = await main(argv, { HOME: "/nonexistent", ...env });
    return { code, stdout, stderr };
  } finally {
    setStreams({ stdout: process.stdout, stderr: process.stderr });
  }
}
