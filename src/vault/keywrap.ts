// The envelope: the master key sealed under the key derived from the
// passphrase, bound to the vault id, KDF id, parameters and salt.

import { AuthError } from "../errors.ts";
import { importAesKey, OpenFailed, open, type Sealed, seal } from "./aead.ts";
import { type KdfParams, wrapAad } from "./format.ts";

export interface WrapContext {
  vaultId: Uint8Array;
  params: KdfParams;
  salt: Uint8Array;
}

export async function wrapMasterKey(
  kek: CryptoKey,
  masterKey: Uint8Array,
  ctx: WrapContext,
): Promise<Sealed> {
  return await seal(kek, masterKey, wrapAad(ctx.vaultId, ctx.params, ctx.salt));
}

/**
 * Opens the wrapped master key. A wrong passphrase and an edited salt,
 * parameter or wrapped key look the same here, by design: both are exit 4.
 */
export async function unwrapMasterKey(
  kek: CryptoKey,
  wrapped: Sealed,
  ctx: WrapContext,
): Promise<Uint8Array> {
  try {
    return await open(kek, wrapped, wrapAad(ctx.vaultId, ctx.params, ctx.salt));
  } catch (err) {
    if (err instanceof OpenFailed) throw new AuthError("wrong passphrase", { cause: err });
    throw err;
  }
}

export async function kekFrom(derived: Uint8Array): Promise<CryptoKey> {
  try {
    return await importAesKey(derived);
  } finally {
    derived.fill(0);
  }
}
