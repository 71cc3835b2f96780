// What an unlocked vault hands out (secrets, their versions) and takes
// (options), and the small helpers the Vault uses on its rows.

import type { KdfBounds } from "./kdf.ts";
import type { EntryRow } from "./rows.ts";

export interface VaultOptions {
  /** Tests only: exactly TEST_ONLY_KDF_BOUNDS from ./testing.ts (anything else throws). The CLI never passes it. */
  kdfBounds?: KdfBounds;
  /** Called with every value decrypted, so output can mask it (the CLI passes redactor.add). */
  onReveal?: (value: Uint8Array) => void;
}

export interface Secret {
  scope: string;
  name: string;
  version: number;
  value: Uint8Array;
  createdAt: number;
}

export interface SecretVersion {
  scope: string;
  name: string;
  version: number;
  createdAt: number;
}

/** The newest version of each secret; rows come in version order. */
export function latestOnly(entries: readonly EntryRow[]): EntryRow[] {
  const latest = new Map<string, EntryRow>();
  for (const e of entries) latest.set(`${e.scope}\0${e.name}`, e); // rows come in version order
  return [...latest.values()];
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
