// Plaintext secrets from the config's [secrets] table move into the vault,
// then leave the file. Vault first: a crash in between repeats a no-op move.

import { readFileSync } from "node:fs";
import { replaceFileAtomically, withoutSecrets } from "../config-rewrite.ts";
import { IoError } from "../errors.ts";
import type { Vault } from "./vault.ts";

export interface PlaintextMove {
  /** Secrets written to the vault (unchanged ones are skipped). */
  moved: number;
  /** Whether the file no longer holds them. */
  removed: boolean;
}

export async function movePlaintextSecrets(
  vault: Vault,
  secrets: Readonly<Record<string, string>>,
  configPath: string,
): Promise<PlaintextMove> {
  const names = Object.keys(secrets);
  if (names.length === 0) return { moved: 0, removed: true };
  const current = new Map((await vault.current("global")).map((s) => [s.name, s.value]));
  const encoder = new TextEncoder();
  const changed = names
    .map((name) => ({ name, value: encoder.encode(secrets[name] as string) }))
    .filter(({ name, value }) => !sameBytes(current.get(name), value));
  if (changed.length > 0) await vault.setMany(changed);
  const text = withoutSecrets(readFileSync(configPath, "utf8"));
  if (text === undefined) return { moved: changed.length, removed: false };
  try {
    replaceFileAtomically(configPath, text);
  } catch (err) {
    // The secrets are safe in the vault; a read-only config only means asking the user.
    if (err instanceof IoError) return { moved: changed.length, removed: false };
    throw err;
  }
  return { moved: changed.length, removed: true };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}
