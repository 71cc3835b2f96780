// The keyed digest over the whole entry set and the generation counter: a
// deleted, added, swapped or rolled-back row changes it (docs/vault-format.md).

import { timingSafeEqual } from "node:crypto";
import { DIGEST_KEY_LABEL, DIGEST_LABEL, encodeFields } from "./format.ts";

export interface DigestedEntry {
  scope: string;
  name: string;
  version: number;
  nonce: Uint8Array;
  created_at: number;
}

function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  // Synchronous, so the digest can be recomputed inside a write transaction.
  return new Bun.CryptoHasher("sha256", key).update(data).digest() as Uint8Array;
}

/** The digest key is derived from the master key, so only a holder of the passphrase can reseal. */
export function deriveDigestKey(masterKey: Uint8Array): Uint8Array {
  return new Uint8Array(hmac(masterKey, new TextEncoder().encode(DIGEST_KEY_LABEL)));
}

/**
 * HMAC-SHA256 over the label, vault id, generation, entry count and each
 * entry's coordinates and nonce in (scope, name, version) order. The nonce
 * stands for the ciphertext: under one key, nonce and AAD admit one valid ciphertext.
 */
export function entrySetDigest(
  key: Uint8Array,
  vaultId: Uint8Array,
  generation: number,
  entries: readonly DigestedEntry[],
): Uint8Array {
  const hasher = new Bun.CryptoHasher("sha256", key);
  hasher.update(encodeFields([DIGEST_LABEL, vaultId, generation, entries.length]));
  for (const e of [...entries].sort(compareEntries)) {
    hasher.update(encodeFields([e.scope, e.name, e.version, e.created_at, e.nonce]));
  }
  return new Uint8Array(hasher.digest() as Uint8Array);
}

export function compareEntries(a: DigestedEntry, b: DigestedEntry): number {
  if (a.scope !== b.scope) return a.scope < b.scope ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.version - b.version;
}

export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
