// What the tamper suites share on both engines (test/e2e/tamper.test.ts on
// SQLite files, test/postgres/vault-tamper.test.ts on PostgreSQL rows): the
// rows they edit, and what a refusal must look like at the binary.

import { expect } from "bun:test";
import { coffer, type RunResult } from "./binary.ts";
import { vector } from "./vault.ts";

/** The vector's secret values: none may ever appear in an error. */
export const VECTOR_VALUES = vector.expected.map((e) =>
  Buffer.from(e.value_hex, "hex").toString("latin1"),
);

/** SQL conditions picking one vector entry (its latest version) and one secret. */
export const OPENAI = "name = 'OPENAI_API_KEY' AND version = 2";
export const BOT = "name = 'BOT_TOKEN'";

export function getSecret(
  env: Record<string, string | undefined>,
  name: string,
  scope = "global",
): RunResult {
  return coffer(["secret", "get", name, "--scope", scope], { env });
}

/** Exit `code`, nothing on stdout, one error line (hints after it), no secret value printed. */
export function expectRefused(r: RunResult, code: 4 | 5): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines[0]).toStartWith("coffer: error: ");
  expect(lines.filter((l) => l.startsWith("coffer: error:")).length).toBe(1);
  for (const l of lines.slice(1)) expect(l).toStartWith("coffer: hint: ");
  for (const v of VECTOR_VALUES) expect(r.stderr).not.toContain(v);
}
