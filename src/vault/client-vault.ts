// The Client's `vault` (SPEC §10): the same vault on either engine, over that
// engine's VaultRows.

import type { VaultRows } from "./engine.ts";
import type { KdfParams } from "./format.ts";
import { inspectRows, type VaultInspection } from "./inspect.ts";
import type { KdfBounds } from "./kdf.ts";
import { createVaultIn, unlockVaultIn } from "./open.ts";
import type { Vault, VaultOptions } from "./vault.ts";

export interface ClientVault {
  /** Whether the store holds a vault; a damaged one (entries, no metadata) is an IntegrityError. */
  exists(): Promise<boolean>;
  /** Creates the vault; BusyError if another process created one meanwhile. */
  create(passphrase: string, params?: KdfParams, options?: VaultOptions): Promise<Vault>;
  /** NotFoundError when there is none, AuthError on a wrong passphrase. */
  unlock(passphrase: string, options?: VaultOptions): Promise<Vault>;
  /** Presence, format, KDF parameters and counts, without a passphrase (kdfBounds: tests only). */
  inspect(options?: { kdfBounds?: KdfBounds }): Promise<VaultInspection>;
}

export function clientVault(rows: VaultRows): ClientVault {
  return {
    exists: async () => (await rows.meta()) !== undefined,
    create: (passphrase, params, options) => createVaultIn(rows, passphrase, params, options),
    unlock: (passphrase, options) => unlockVaultIn(rows, passphrase, options),
    inspect: (options) => inspectRows(rows, options),
  };
}
