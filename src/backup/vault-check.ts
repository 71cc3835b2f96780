// The vault part of verify and restore: its metadata and entry rows must be
// well formed (read-only, no passphrase), and, when a passphrase is given,
// the vault in the backup must unlock, its entry set check out and every
// version of every secret decrypt.

import type { Database } from "bun:sqlite";
import { AuthError, CofferError } from "../errors.ts";
import { inspectVault, proveUnlock } from "../vault/inspect.ts";
import type { KdfBounds } from "../vault/kdf.ts";
import type { Check } from "./inspect.ts";

/** Throws IntegrityError when the vault rows are malformed; describes the vault otherwise. */
export function checkVault(db: Database): string {
  const vault = inspectVault(db);
  if (!vault.present) return "no vault in this file";
  const { kdf } = vault;
  return `${vault.entries} secret(s), ${vault.versions} version(s), ${kdf.id} m=${kdf.memoryKiB} KiB t=${kdf.iterations} p=${kdf.parallelism}`;
}

export interface UnlockProof {
  check: (db: Database) => Promise<Check>;
  /** The wrong-passphrase error, kept so the CLI can exit 4 rather than 5. */
  authError: () => AuthError | undefined;
}

/** A check that the vault unlocks with `passphrase`; no vault at all passes. */
export function unlockProof(passphrase: string, kdfBounds?: KdfBounds): UnlockProof {
  let failure: AuthError | undefined;
  return {
    authError: () => failure,
    async check(db) {
      if (!inspectVault(db).present)
        return { name: "vault unlock", ok: true, detail: "no vault to unlock" };
      try {
        const proof = await proveUnlock(db, passphrase, kdfBounds ? { kdfBounds } : {});
        return {
          name: "vault unlock",
          ok: true,
          detail: `unlocked; entry set of ${proof.entries} secret(s) checks out, all ${proof.versions} version(s) decrypt`,
        };
      } catch (err) {
        if (err instanceof AuthError) failure = err;
        if (err instanceof CofferError)
          return { name: "vault unlock", ok: false, detail: err.message };
        throw err;
      }
    },
  };
}
