// Creating and unlocking the vault on either engine: over a VaultRows (what
// the Client's `vault` uses), or, as before, over a sync SQLite Store.

import type { Client } from "../client.ts";
import { BusyError, NotFoundError } from "../errors.ts";
import { StoreCore } from "../store/core.ts";
import type { Store } from "../store/store.ts";
import { randomBytes } from "./aead.ts";
import { entrySetDigest } from "./digest.ts";
import type { VaultRows } from "./engine.ts";
import { type KdfParams, KEY_BYTES, SALT_BYTES, VAULT_ID_BYTES } from "./format.ts";
import { DEFAULT_KDF_PARAMS, deriveKey, KDF_BOUNDS } from "./kdf.ts";
import { kekFrom, wrapMasterKey } from "./keywrap.ts";
import { readMeta, SqliteVaultRows } from "./sqlite.ts";
import { boundsFor } from "./testing.ts";
import { keysFrom, unlockKeys, verifyEntrySet } from "./unlock.ts";
import { Vault, type VaultOptions } from "./vault.ts";

/** Whether the store holds a vault: sync on a Store, a promise on a Client. */
export function vaultExists(store: Store): boolean;
export function vaultExists(client: Client): Promise<boolean>;
export function vaultExists(target: Store | Client): boolean | Promise<boolean> {
  // StoreCore: what a Store is made of, so that this module need not load the Store itself.
  if (target instanceof StoreCore) return target.read(() => readMeta(target.db) !== undefined);
  return target.vault.exists();
}

/** Creates the vault; BusyError if another process created one meanwhile. */
export async function createVault(
  target: Store | Client,
  passphrase: string,
  params: KdfParams = DEFAULT_KDF_PARAMS,
  options: VaultOptions = {},
): Promise<Vault> {
  if (!(target instanceof StoreCore)) return await target.vault.create(passphrase, params, options);
  return await createVaultIn(new SqliteVaultRows(target), passphrase, params, options);
}

/** Unlocks the vault: NotFoundError when there is none, AuthError on a wrong passphrase. */
export async function unlockVault(
  target: Store | Client,
  passphrase: string,
  options: VaultOptions = {},
): Promise<Vault> {
  if (!(target instanceof StoreCore)) return await target.vault.unlock(passphrase, options);
  return await unlockVaultIn(new SqliteVaultRows(target), passphrase, options);
}

export async function createVaultIn(
  rows: VaultRows,
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
  if (!(await rows.insertMeta({ vaultId, params, salt, wrapped, digest }))) {
    throw new BusyError("another process created the vault at the same time", {
      hint: "run the command again",
    });
  }
  return new Vault(rows, keys, options);
}

export async function unlockVaultIn(
  rows: VaultRows,
  passphrase: string,
  options: VaultOptions = {},
): Promise<Vault> {
  const { meta, entries } = await rows.state();
  if (!meta) throw new NotFoundError("no vault yet", { hint: "coffer secret set NAME creates it" });
  const keys = await unlockKeys(meta, passphrase, boundsFor(options.kdfBounds, KDF_BOUNDS));
  verifyEntrySet(keys, meta, entries);
  return new Vault(rows, keys, options, { meta, entries });
}
