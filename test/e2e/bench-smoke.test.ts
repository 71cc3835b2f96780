// The benchmark scripts at toy sizes: they must still run end to end against
// today's schema and SQL (a migration once broke one unnoticed), and print
// their table with the baseline beside each figure. Nothing here is timed.

import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ensureBinary } from "../helpers/binary.ts";

const ROOT = join(import.meta.dir, "..", "..");

const RUNS: [string, string[]][] = [
  [
    "bench-pg-queue.ts",
    [
      ["--jobs", "10", "--batches", "2", "--batch", "5", "--rounds", "1"],
      ["--procs", "2", "--contention-jobs", "20"],
    ].flat(),
  ],
  ["bench-work.ts", ["--jobs", "30", "--rounds", "1", "--cli-jobs", "3"]],
  ["bench/drain-steps.ts", ["--jobs", "30", "--rounds", "1"]],
  ["bench-serve.ts", ["--cycles", "10", "--rounds", "1", "--cli", "2", "--samples", "3"]],
  ["bench-agents.ts", ["--sessions", "50", "--messages", "300", "--rounds", "1", "--pg", "auto"]],
];

beforeAll(() => {
  ensureBinary();
});

describe("benchmark scripts at toy sizes", () => {
  for (const [script, args] of RUNS) {
    test(`${script} ${args.join(" ")} runs to its table`, () => {
      const r = Bun.spawnSync(["bun", join(ROOT, "scripts", script), ...args], {
        cwd: ROOT,
        stdin: "ignore",
        timeout: 120_000,
      });
      const out = r.stdout.toString();
      const err = r.stderr.toString();
      expect(r.exitCode, `${script} failed: ${err.slice(-600)}`).toBe(0);
      expect(out).toContain("×"); // a ratio against the baseline measured in the same run
      expect(out).not.toMatch(/NaN|Infinity/);
    });
  }
});
