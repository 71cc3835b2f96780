// What the vault asks of an engine (./sqlite.ts, ./postgres.ts): read its rows,
// and apply a write prepared outside the transaction in one transaction that
// locks the metadata, checks the generation, writes and reseals.

import type { Sealed } from "./aead.ts";
import type { KdfParams } from "./format.ts";
import type { EntryRow, MetaRow, VaultState } from "./rows.ts";

/** A new version's row before it is written; the engine stamps created_at (its own clock). */
export type SealedEntry = Omit<EntryRow, "created_at">;

export interface SecretKey {
  scope: string;
  name: string;
}

/** One write's changes, sealed ahead: applied together or not at all. */
export interface VaultPlan {
  insert?: readonly SealedEntry[];
  /** Re-encrypted versions (rotate): new nonce and ciphertext, same coordinates. */
  update?: readonly SealedEntry[];
  /** Secrets whose history is cut to HISTORY_LIMIT versions after the inserts. */
  prune?: readonly SecretKey[];
  /** Secrets deleted with their whole history. */
  remove?: readonly SecretKey[];
  /** A new wrapped master key under the same key-encryption key (rotate). */
  wrappedKey?: Sealed;
  /** A new passphrase: KDF parameters, salt and wrapped key (passwd). */
  wrap?: { params: KdfParams; salt: Uint8Array; wrapped: Sealed };
}

/** The digest of `entries` as they stand after the plan, for `generation`. */
export type Resealer = (generation: number, entries: readonly EntryRow[]) => Uint8Array;

export interface NewMeta {
  vaultId: Uint8Array;
  params: KdfParams;
  salt: Uint8Array;
  wrapped: Sealed;
  digest: Uint8Array;
}

export interface VaultRows {
  /** The metadata row, validated; undefined when there is no vault yet. */
  meta(): Promise<MetaRow | undefined>;
  /** Metadata and every entry, validated, from one snapshot. */
  state(): Promise<{ meta: MetaRow | undefined; entries: EntryRow[] }>;
  /** Creates the metadata row; false when a vault exists already. */
  insertMeta(meta: NewMeta): Promise<boolean>;
  /**
   * In one durable transaction holding the metadata's lock: unless the
   * generation moved from `generation`, applies `plan`, reads the entries
   * back and seals them as generation + 1. Undefined when it moved.
   */
  apply(generation: number, plan: VaultPlan, reseal: Resealer): Promise<VaultState | undefined>;
  /** SQLite: folds and truncates the WAL (false when a reader kept it). PostgreSQL: true. */
  scrubWal(): Promise<boolean>;
}
