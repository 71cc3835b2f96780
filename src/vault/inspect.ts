// Read-only, passphrase-free look at a store's vault for status, verify and
// restore; and proveUnlock, which also shows that a passphrase opens it.

import type { Database } from "bun:sqlite";
import { IntegrityError } from "../errors.ts";
import { KDF_ID } from "./format.ts";
import { checkKdfParams, KDF_BOUNDS, type KdfBounds } from "./kdf.ts";
import { countEntries, readEntries, readMeta, snapshot } from "./rows.ts";
import { boundsFor } from "./testing.ts";
import { metaParams, openEntry, unlockKeys, verifyEntrySet } from "./unlock.ts";

export type VaultInspection =
  | { present: false }
  | {
      present: true;
      formatVersion: number;
      kdf: { id: string; memoryKiB: number; iterations: number; parallelism: number };
      /** Secrets (each name in each scope once). */
      entries: number;
      /** Stored versions, history included. */
      versions: number;
      generation: number;
    };

/**
 * Validates the metadata row and every entry row (types, sizes, KDF bounds)
 * without a passphrase; throws IntegrityError when anything is malformed.
 */
export function inspectVault(db: Database): VaultInspection {
  return snapshot(db, () => {
    const meta = readMeta(db);
    if (!meta) return { present: false };
    const params = metaParams(meta);
    checkKdfParams(params);
    readEntries(db);
    const counts = countEntries(db);
    return {
      present: true,
      formatVersion: meta.format_version,
      kdf: { id: KDF_ID, ...params },
      entries: counts.secrets,
      versions: counts.versions,
      generation: meta.generation,
    };
  });
}

/**
 * Unlocks without changing anything, checks the entry-set digest and opens
 * every stored version (history included), so one flipped ciphertext byte
 * fails it; AuthError on a wrong passphrase, IntegrityError on tampering.
 */
export async function proveUnlock(
  db: Database,
  passphrase: string,
  options: { kdfBounds?: KdfBounds } = {},
): Promise<{ entries: number; versions: number }> {
  const { meta, entries } = snapshot(db, () => ({ meta: readMeta(db), entries: readEntries(db) }));
  if (!meta) throw new IntegrityError("there is no vault to unlock");
  const keys = await unlockKeys(meta, passphrase, boundsFor(options.kdfBounds, KDF_BOUNDS));
  try {
    verifyEntrySet(keys, meta, entries);
    for (const row of entries) (await openEntry(keys, row)).fill(0);
  } finally {
    keys.masterRaw.fill(0);
    keys.digestKey.fill(0);
  }
  return {
    entries: new Set(entries.map((e) => `${e.scope}\0${e.name}`)).size,
    versions: entries.length,
  };
}
