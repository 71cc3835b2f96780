// The vault's file format in constants: version, labels and the additional
// data (AAD) every ciphertext is bound to. See docs/vault-format.md.

import { LIMITS } from "../input/limits.ts";

/** Bumped on any change to what is stored or how it is sealed. */
export const VAULT_FORMAT_VERSION = 1;

/** Argon2id, version 0x13 (1.3), as implemented by hash-wasm. */
export const KDF_ID = "argon2id-v19";

/** Domain-separation labels: each key and ciphertext says what it is for. */
export const WRAP_LABEL = "coffer.vault/v1/wrap";
export const ENTRY_LABEL = "coffer.vault/v1/entry";
export const DIGEST_LABEL = "coffer.vault/v1/entry-set";
export const DIGEST_KEY_LABEL = "coffer.vault/v1/entry-set-key";

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const SALT_BYTES = 16;
export const VAULT_ID_BYTES = 16;
export const DIGEST_BYTES = 32;

/** The largest value one secret may hold: secrets are keys and tokens, not files. */
export const MAX_VALUE_BYTES = LIMITS.secretValue;

/** Versions of one secret kept as history; older ones are deleted. */
export const HISTORY_LIMIT = 10;

export const DEFAULT_SCOPE = "global";

export interface KdfParams {
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

type Field = string | Uint8Array | number;

const utf8 = new TextEncoder();

/**
 * Encodes fields unambiguously: each as a 4-byte big-endian length then its
 * bytes; strings as UTF-8, numbers as 8-byte big-endian unsigned integers.
 */
export function encodeFields(fields: readonly Field[]): Uint8Array {
  const parts = fields.map(fieldBytes);
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const part of parts) {
    view.setUint32(at, part.length);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

function fieldBytes(field: Field): Uint8Array {
  if (typeof field === "string") return utf8.encode(field);
  if (typeof field === "number") {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt(field));
    return out;
  }
  return field;
}

/** AAD of the wrapped master key: the format, the vault, the KDF and all its inputs but the passphrase. */
export function wrapAad(vaultId: Uint8Array, params: KdfParams, salt: Uint8Array): Uint8Array {
  return encodeFields([
    WRAP_LABEL,
    VAULT_FORMAT_VERSION,
    vaultId,
    KDF_ID,
    params.memoryKiB,
    params.iterations,
    params.parallelism,
    salt,
  ]);
}

/** AAD of one secret's version: moving it to another row or vault breaks its tag. */
export function entryAad(
  vaultId: Uint8Array,
  scope: string,
  name: string,
  version: number,
): Uint8Array {
  return encodeFields([ENTRY_LABEL, VAULT_FORMAT_VERSION, vaultId, scope, name, version]);
}
