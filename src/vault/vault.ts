// An unlocked vault over either engine's rows (./engine.ts): every operation
// on secrets (see open.ts). Sealing is async and happens before the write;
// the engine's transaction re-checks the generation, and the write retries if it moved.

import { BusyError, IntegrityError, NotFoundError } from "../errors.ts";
import { randomBytes, type Sealed, seal } from "./aead.ts";
import { entrySetDigest } from "./digest.ts";
import type { Resealer, SealedEntry, VaultPlan, VaultRows } from "./engine.ts";
import { DEFAULT_SCOPE, entryAad, type KdfParams, KEY_BYTES, SALT_BYTES } from "./format.ts";
import { DEFAULT_KDF_PARAMS, deriveKey, KDF_BOUNDS } from "./kdf.ts";
import { kekFrom, wrapMasterKey } from "./keywrap.ts";
import { checkNewSecrets, type NewSecret } from "./names.ts";
import type { EntryRow, MetaRow, VaultState } from "./rows.ts";
import {
  latestOnly,
  type Secret,
  type SecretVersion,
  sameBytes,
  type VaultOptions,
} from "./secret.ts";
import { boundsFor } from "./testing.ts";
import { keysFrom, metaParams, openEntry, type VaultKeys, verifyEntrySet } from "./unlock.ts";

export type { Secret, SecretVersion, VaultOptions } from "./secret.ts";
export type { NewSecret };

export type State = VaultState;

/**
 * How long a write keeps trying while other writers move the generation under
 * it. Each lost race costs one re-seal; jittered pauses let a crowd of writers
 * (eight `secret set` at once) take turns instead of colliding again.
 */
const RETRY_WINDOW_MS = 15_000;

export class Vault {
  /** The last verified state, reused while the generation and digest stay the same. */
  private verified: State | undefined;

  constructor(
    private readonly rows: VaultRows,
    private keys: VaultKeys,
    private readonly options: VaultOptions,
    verified?: State,
  ) {
    this.verified = verified;
  }

  /** One version of a secret (the newest by default). */
  async get(name: string, scope = DEFAULT_SCOPE, version?: number): Promise<Secret> {
    const { entries } = await this.load();
    const versions = entries.filter((e) => e.scope === scope && e.name === name);
    const row =
      version === undefined ? versions.at(-1) : versions.find((e) => e.version === version);
    if (!row) {
      const what = version === undefined ? "" : ` version ${version}`;
      throw new NotFoundError(`no secret '${name}'${what} in scope ${scope}`);
    }
    return await this.decrypt(row);
  }

  /** The newest version of every secret, in one scope or all of them, decrypted. */
  async current(scope?: string): Promise<Secret[]> {
    const latest = latestOnly((await this.load()).entries).filter(
      (e) => !scope || e.scope === scope,
    );
    return await Promise.all(latest.map((row) => this.decrypt(row)));
  }

  async history(name: string, scope = DEFAULT_SCOPE): Promise<SecretVersion[]> {
    const rows = (await this.load()).entries.filter((e) => e.scope === scope && e.name === name);
    if (rows.length === 0) throw new NotFoundError(`no secret '${name}' in scope ${scope}`);
    return rows.map((e) => ({ scope, name, version: e.version, createdAt: e.created_at }));
  }

  async set(name: string, value: Uint8Array, scope = DEFAULT_SCOPE): Promise<number> {
    const [version] = await this.setMany([{ name, scope, value }]);
    return version as number;
  }

  /** Stores new versions of several secrets in one transaction; returns their versions. */
  async setMany(items: readonly NewSecret[]): Promise<number[]> {
    const wanted = checkNewSecrets(items);
    // A value being stored is as secret as one read back: mask it from here on.
    for (const item of wanted) this.options.onReveal?.(item.value);
    return await this.mutate(async (state) => {
      const next = new Map<string, number>();
      for (const e of state.entries) next.set(`${e.scope}\0${e.name}`, e.version + 1);
      const insert: SealedEntry[] = [];
      for (const item of wanted) {
        const key = `${item.scope}\0${item.name}`;
        const version = next.get(key) ?? 1;
        next.set(key, version + 1);
        const sealed = await this.encrypt(item.scope, item.name, version, item.value);
        insert.push({ scope: item.scope, name: item.name, version, ...sealed });
      }
      const prune = wanted.map(({ scope, name }) => ({ scope, name }));
      return { plan: { insert, prune }, result: insert.map((r) => r.version) };
    });
  }

  /** Deletes a secret with its whole history. */
  async remove(name: string, scope = DEFAULT_SCOPE): Promise<void> {
    await this.mutate(async (state) => {
      if (!state.entries.some((e) => e.scope === scope && e.name === name)) {
        throw new NotFoundError(`no secret '${name}' in scope ${scope}`);
      }
      return { plan: { remove: [{ scope, name }] }, result: undefined };
    });
  }

  /**
   * Deletes every secret of `scope` with its history; returns how many. None:
   * nothing is written (no new generation).
   */
  async removeScope(scope: string): Promise<number> {
    return await this.mutate(async (state) => {
      const names = [...new Set(state.entries.filter((e) => e.scope === scope).map((e) => e.name))];
      const remove = names.map((name) => ({ scope, name }));
      return { plan: remove.length > 0 ? { remove } : undefined, result: names.length };
    });
  }

  /**
   * This vault's keys over other rows: those of a transaction (`tx.bindVault`),
   * so that its writes commit or roll back with that transaction's other writes.
   */
  over(rows: VaultRows): Vault {
    return new Vault(rows, this.keys, this.options, this.verified);
  }

  /** A new master key; every stored version re-encrypted with it in one transaction. */
  async rotate(): Promise<number> {
    let fresh: VaultKeys | undefined;
    const count = await this.mutate(
      async (state) => {
        const masterRaw = randomBytes(KEY_BYTES);
        const wrapped = await this.wrapUnder(this.keys.kek, masterRaw, state.meta);
        fresh = await keysFrom(this.keys.vaultId, this.keys.kek, masterRaw, wrapped.ciphertext);
        const update: SealedEntry[] = [];
        for (const row of state.entries) {
          const value = await this.decrypt(row);
          const aad = entryAad(this.keys.vaultId, row.scope, row.name, row.version);
          const { scope, name, version } = row;
          update.push({ scope, name, version, ...(await seal(fresh.masterKey, value.value, aad)) });
        }
        return { plan: { update, wrappedKey: wrapped }, result: update.length };
      },
      () => fresh,
    );
    this.adopt(fresh);
    return count;
  }

  /** Re-wraps the master key under a new passphrase (new salt, given parameters). */
  async changePassphrase(
    passphrase: string,
    params: KdfParams = DEFAULT_KDF_PARAMS,
  ): Promise<void> {
    const bounds = boundsFor(this.options.kdfBounds, KDF_BOUNDS);
    const salt = randomBytes(SALT_BYTES);
    const kek = await kekFrom(await deriveKey(passphrase, salt, params, bounds));
    const ctx = { vaultId: this.keys.vaultId, params, salt };
    const wrapped = await wrapMasterKey(kek, this.keys.masterRaw, ctx);
    const fresh = { ...this.keys, kek, wrappedKey: wrapped.ciphertext };
    await this.mutate(
      async () => ({ plan: { wrap: { params, salt, wrapped } }, result: undefined }),
      () => fresh,
    );
    this.adopt(fresh);
  }

  /**
   * SQLite: folds the WAL into the file and truncates it, so that superseded
   * pages (an old wrapped key, old ciphertexts) leave no copy behind; false
   * when a reader in another process kept the WAL from being truncated.
   * PostgreSQL: nothing to do, true.
   */
  async scrubWal(): Promise<boolean> {
    return await this.rows.scrubWal();
  }

  /** Forgets the keys held in memory. */
  lock(): void {
    this.keys.masterRaw.fill(0);
    this.keys.digestKey.fill(0);
  }

  private async load(): Promise<State> {
    const meta = await this.rows.meta();
    if (!meta) throw new IntegrityError("the vault metadata disappeared");
    if (!sameBytes(meta.wrapped_key, this.keys.wrappedKey)) {
      throw new BusyError("the vault was re-keyed by another process", {
        hint: "run the command again",
      });
    }
    // Unchanged since we last verified it: the rows we hold are the authentic ones.
    const seen = this.verified;
    if (
      seen &&
      seen.meta.generation === meta.generation &&
      sameBytes(seen.meta.digest, meta.digest)
    ) {
      return seen;
    }
    const state = await this.rows.state();
    if (!state.meta) throw new IntegrityError("the vault metadata disappeared");
    verifyEntrySet(this.keys, state.meta, state.entries);
    this.verified = { meta: state.meta, entries: state.entries };
    return this.verified;
  }

  /**
   * Runs `prepare` (async: sealing) on a verified snapshot, then has the
   * engine apply its plan in one durable transaction that also reseals the
   * entry set — unless another writer moved the generation meanwhile: then again.
   */
  private async mutate<T>(
    /** An undefined plan writes nothing: the result stands as it is. */
    prepare: (state: State) => Promise<{ plan: VaultPlan | undefined; result: T }>,
    nextKeys: () => VaultKeys | undefined = () => undefined,
  ): Promise<T> {
    const deadline = performance.now() + RETRY_WINDOW_MS;
    for (let attempt = 0; attempt === 0 || performance.now() < deadline; attempt++) {
      if (attempt > 0) await Bun.sleep(Math.random() * Math.min(200, 10 * attempt));
      const state = await this.load();
      const { plan, result } = await prepare(state);
      if (!plan) return result;
      const keys = nextKeys() ?? this.keys;
      const reseal: Resealer = (generation, entries) =>
        entrySetDigest(keys.digestKey, state.meta.vault_id, generation, entries);
      const sealed = await this.rows.apply(state.meta.generation, plan, reseal);
      if (sealed) {
        this.verified = sealed; // committed: what we just sealed is the verified state
        return result;
      }
    }
    throw new BusyError("the vault kept changing under this command", {
      hint: "run it again when other writers are done",
    });
  }

  private async wrapUnder(kek: CryptoKey, masterRaw: Uint8Array, meta: MetaRow): Promise<Sealed> {
    const ctx = { vaultId: meta.vault_id, params: metaParams(meta), salt: meta.kdf_salt };
    return await wrapMasterKey(kek, masterRaw, ctx);
  }

  private adopt(fresh: VaultKeys | undefined): void {
    if (!fresh) return;
    if (fresh.masterRaw !== this.keys.masterRaw) this.keys.masterRaw.fill(0);
    this.keys = fresh;
  }

  private async encrypt(
    scope: string,
    name: string,
    version: number,
    value: Uint8Array,
  ): Promise<Sealed> {
    return await seal(
      this.keys.masterKey,
      value,
      entryAad(this.keys.vaultId, scope, name, version),
    );
  }

  private async decrypt(row: EntryRow): Promise<Secret> {
    const value = await openEntry(this.keys, row);
    this.options.onReveal?.(value);
    return {
      scope: row.scope,
      name: row.name,
      version: row.version,
      value,
      createdAt: row.created_at,
    };
  }
}
