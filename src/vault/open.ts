// Creating and unlocking the vault of a Store.

import { BusyError, NotFoundError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { randomBytes } from "./aead.ts";
import { entrySetDigest } from "./digest.ts";
import { type KdfParams, KEY_BYTES, SALT_BYTES, VAULT_ID_BYTES } from "./format.ts";
import { DEFAULT_KDF_PARAMS, deriveKey, KDF_BOUNDS } from "./kdf.ts";
import { kekFrom, wrapMasterKey } from "./keywrap.ts";
import { readEntries, readMeta, snapshot } from "./rows.ts";
import { boundsFor } from "./testing.ts";
import { keysFrom, unlockKeys, verifyEntrySet } from "./unlock.ts";
import { Vault, type VaultOptions } from "./vault.ts";
import { insertMeta } from "./writes.ts";

export function vaultExists(store: Store): boolean {
  return store.read(() => readMeta(store.db) !== undefined);
}

/** Creates the vault; BusyError if another process created one meanwhile. */
export async function createVault(
  store: Store,
  passphrase: string,
  params: KdfParams = DEFAULT_KDF_PARAMS,
  options: VaultOptions = {},
): Promise<Vault> {
  const bounds = boundsFor(options.kdfBounds, KDF_BOUNDS);
  const vaultId = randomBytes(VAULT_ID_BYTES);
  const salt = randomBytes(SALT_BYTES);
  const kek = await kekFrom(await deriveKey(passphrase, salt, params, bounds));
  const masterRaw = randomBytes(KEY_BYTES);
  const wrapped = await wrapMasterKey(kek, masterRaw, { vaultId, params, salt });
  const keys = await keysFrom(vaultId, kek, masterRaw, wrapped.ciphertext);
  const digest = entrySetDigest(keys.digestKey, vaultId, 0, []);
  store.write(
    () => {
      if (readMeta(store.db)) {
        throw new BusyError("another process created the vault at the same time", {
          hint: "run the command again",
        });
      }
      insertMeta(store.db, { vaultId, params, salt, wrapped, digest, now: store.now() });
    },
    { durable: true },
  );
  return new Vault(store, keys, options);
}

/** Unlocks the vault: NotFoundError when there is none, AuthError on a wrong passphrase. */
export async function unlockVault(
  store: Store,
  passphrase: string,
  options: VaultOptions = {},
): Promise<Vault> {
  const { meta, entries } = store.read(() =>
    snapshot(store.db, () => ({ meta: readMeta(store.db), entries: readEntries(store.db) })),
  );
  if (!meta) throw new NotFoundError("no vault yet", { hint: "coffer secret set NAME creates it" });
  const keys = await unlockKeys(meta, passphrase, boundsFor(options.kdfBounds, KDF_BOUNDS));
  verifyEntrySet(keys, meta, entries);
  return new Vault(store, keys, options, { meta, entries });
}
