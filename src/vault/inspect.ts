// Read-only, passphrase-free look at a store's vault for status, verify and
// restore; and proveUnlock, which also shows that a passphrase opens it.

import { Database } from "bun:sqlite";
import type { Client } from "../client.ts";
import { IntegrityError } from "../errors.ts";
import type { VaultRows } from "./engine.ts";
import { KDF_ID } from "./format.ts";
import { checkKdfParams, KDF_BOUNDS, type KdfBounds } from "./kdf.ts";
import { countOf, type EntryRow, type MetaRow } from "./rows.ts";
import { readEntries, readMeta, snapshot } from "./sqlite.ts";
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

/** What `coffer status` shows: a damaged vault is reported, not thrown. */
export type VaultStatus = VaultInspection | { present: true; problem: string };

/** Runs `inspect` (either engine's), turning an IntegrityError into the problem it names. */
export async function vaultStatus(
  inspect: () => VaultInspection | Promise<VaultInspection>,
): Promise<VaultStatus> {
  try {
    return await inspect();
  } catch (err) {
    if (err instanceof IntegrityError) return { present: true, problem: err.message };
    throw err;
  }
}

/**
 * Validates the metadata row and every entry row (types, sizes, KDF bounds)
 * without a passphrase; throws IntegrityError when anything is malformed.
 * Sync on a SQLite database (a store or a backup file), a promise on a Client.
 */
export function inspectVault(client: Client): Promise<VaultInspection>;
export function inspectVault(db: Database): VaultInspection;
export function inspectVault(
  target: Database | Client,
): VaultInspection | Promise<VaultInspection> {
  if (!(target instanceof Database)) return target.vault.inspect();
  const db = target;
  return snapshot(db, () => {
    const meta = readMeta(db);
    return describe(meta, meta ? readEntries(db) : []);
  });
}

/** inspectVault over either engine's rows. */
export async function inspectRows(
  rows: VaultRows,
  options: { kdfBounds?: KdfBounds } = {},
): Promise<VaultInspection> {
  const { meta, entries } = await rows.state();
  return describe(meta, entries, boundsFor(options.kdfBounds, KDF_BOUNDS));
}

function describe(
  meta: MetaRow | undefined,
  entries: readonly EntryRow[],
  bounds: KdfBounds = KDF_BOUNDS,
): VaultInspection {
  if (!meta) return { present: false };
  const params = metaParams(meta);
  checkKdfParams(params, bounds);
  const counts = countOf(entries);
  return {
    present: true,
    formatVersion: meta.format_version,
    kdf: { id: KDF_ID, ...params },
    entries: counts.secrets,
    versions: counts.versions,
    generation: meta.generation,
  };
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
  const counts = countOf(entries);
  return { entries: counts.secrets, versions: counts.versions };
}
