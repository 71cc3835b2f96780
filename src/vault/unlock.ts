// From passphrase and metadata row to the vault's keys, and the check that
// the entry set is the one the last writer sealed.

import { IntegrityError } from "../errors.ts";
import { importAesKey, OpenFailed, open } from "./aead.ts";
import { deriveDigestKey, digestsEqual, entrySetDigest } from "./digest.ts";
import { entryAad, type KdfParams } from "./format.ts";
import { deriveKey, KDF_BOUNDS, type KdfBounds } from "./kdf.ts";
import { kekFrom, unwrapMasterKey } from "./keywrap.ts";
import type { EntryRow, MetaRow } from "./rows.ts";

export interface VaultKeys {
  vaultId: Uint8Array;
  /** Key-encryption key, kept to re-wrap a rotated master key without another derivation. */
  kek: CryptoKey;
  masterKey: CryptoKey;
  /** Raw master key: needed to re-wrap it under a new passphrase. */
  masterRaw: Uint8Array;
  digestKey: Uint8Array;
  /** The wrapped key this unlock opened: a change means another process re-keyed. */
  wrappedKey: Uint8Array;
}

export function metaParams(meta: MetaRow): KdfParams {
  return {
    memoryKiB: meta.kdf_memory_kib,
    iterations: meta.kdf_iterations,
    parallelism: meta.kdf_parallelism,
  };
}

/** Derives (deriveKey checks the bounds first), unwraps and imports. */
export async function unlockKeys(
  meta: MetaRow,
  passphrase: string,
  bounds: KdfBounds = KDF_BOUNDS,
): Promise<VaultKeys> {
  const params = metaParams(meta);
  const kek = await kekFrom(await deriveKey(passphrase, meta.kdf_salt, params, bounds));
  const masterRaw = await unwrapMasterKey(
    kek,
    { nonce: meta.wrap_nonce, ciphertext: meta.wrapped_key },
    { vaultId: meta.vault_id, params, salt: meta.kdf_salt },
  );
  return await keysFrom(meta.vault_id, kek, masterRaw, meta.wrapped_key);
}

export async function keysFrom(
  vaultId: Uint8Array,
  kek: CryptoKey,
  masterRaw: Uint8Array,
  wrappedKey: Uint8Array,
): Promise<VaultKeys> {
  return {
    vaultId,
    kek,
    masterKey: await importAesKey(masterRaw),
    masterRaw,
    digestKey: deriveDigestKey(masterRaw),
    wrappedKey,
  };
}

/** Throws IntegrityError when rows were deleted, added, swapped or rolled back outside coffer. */
export function verifyEntrySet(keys: VaultKeys, meta: MetaRow, entries: readonly EntryRow[]): void {
  const expected = entrySetDigest(keys.digestKey, meta.vault_id, meta.generation, entries);
  if (!digestsEqual(expected, meta.digest)) {
    throw new IntegrityError(
      "vault entries do not match their digest: rows were deleted, added or rolled back outside coffer",
    );
  }
}

/** Decrypts one stored version; a failed tag is tampering (5), naming the row. */
export async function openEntry(keys: VaultKeys, row: EntryRow): Promise<Uint8Array> {
  const aad = entryAad(keys.vaultId, row.scope, row.name, row.version);
  try {
    return await open(keys.masterKey, row, aad);
  } catch (err) {
    if (!(err instanceof OpenFailed)) throw err;
    throw new IntegrityError(
      `secret '${row.name}' (scope ${row.scope}, version ${row.version}) failed authentication: the store was altered`,
      { cause: err },
    );
  }
}
