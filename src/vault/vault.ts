// The vault over a Store: create, unlock, and every operation on secrets.
// Crypto is async and store.write is sync, so each write seals first, then
// re-checks the generation inside the transaction and retries if it moved.

import { BusyError, IntegrityError, NotFoundError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { OpenFailed, open, randomBytes, type Sealed, seal } from "./aead.ts";
import { entrySetDigest } from "./digest.ts";
import {
  DEFAULT_SCOPE,
  entryAad,
  HISTORY_LIMIT,
  KDF_ID,
  type KdfParams,
  KEY_BYTES,
  SALT_BYTES,
  VAULT_FORMAT_VERSION,
  VAULT_ID_BYTES,
} from "./format.ts";
import {
  checkKdfParams,
  DEFAULT_KDF_PARAMS,
  deriveKey,
  KDF_BOUNDS,
  type KdfBounds,
} from "./kdf.ts";
import { kekFrom, wrapMasterKey } from "./keywrap.ts";
import { checkName, checkScope } from "./names.ts";
import { type EntryRow, type MetaRow, readEntries, readMeta, snapshot } from "./rows.ts";
import { keysFrom, metaParams, unlockKeys, type VaultKeys, verifyEntrySet } from "./unlock.ts";

export interface VaultOptions {
  /** Tests only: TEST_ONLY_KDF_BOUNDS from ./testing.ts. The CLI never passes this. */
  kdfBounds?: KdfBounds;
  /** Called with every value decrypted, so output can mask it (the CLI passes redactor.add). */
  onReveal?: (value: Uint8Array) => void;
}

export interface Secret {
  scope: string;
  name: string;
  version: number;
  value: Uint8Array;
  createdAt: number;
}

export interface SecretVersion {
  scope: string;
  name: string;
  version: number;
  createdAt: number;
}

export interface NewSecret {
  name: string;
  scope?: string | undefined;
  value: Uint8Array;
}

interface State {
  meta: MetaRow;
  entries: EntryRow[];
}

const RETRIES = 5;

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
  const bounds = options.kdfBounds ?? KDF_BOUNDS;
  checkKdfParams(params, bounds);
  const vaultId = randomBytes(VAULT_ID_BYTES);
  const salt = randomBytes(SALT_BYTES);
  const kek = await kekFrom(await deriveKey(passphrase, salt, params, bounds));
  const masterRaw = randomBytes(KEY_BYTES);
  const wrapped = await wrapMasterKey(kek, masterRaw, { vaultId, params, salt });
  const keys = await keysFrom(vaultId, kek, masterRaw, wrapped.ciphertext);
  const now = store.now();
  store.write(
    () => {
      if (readMeta(store.db)) {
        throw new BusyError("another process created the vault at the same time", {
          hint: "run the command again",
        });
      }
      store.db
        .query(
          `INSERT INTO vault_meta (id, vault_id, format_version, kdf_id, kdf_memory_kib, kdf_iterations,
             kdf_parallelism, kdf_salt, wrap_nonce, wrapped_key, generation, digest, created_at, updated_at)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
        )
        .run(
          vaultId,
          VAULT_FORMAT_VERSION,
          KDF_ID,
          params.memoryKiB,
          params.iterations,
          params.parallelism,
          salt,
          wrapped.nonce,
          wrapped.ciphertext,
          entrySetDigest(keys.digestKey, vaultId, 0, []),
          now,
          now,
        );
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
  const keys = await unlockKeys(meta, passphrase, options.kdfBounds ?? KDF_BOUNDS);
  verifyEntrySet(keys, meta, entries);
  return new Vault(store, keys, options);
}

export class Vault {
  constructor(
    private readonly store: Store,
    private keys: VaultKeys,
    private readonly options: VaultOptions,
  ) {}

  /** One version of a secret (the newest by default). */
  async get(name: string, scope = DEFAULT_SCOPE, version?: number): Promise<Secret> {
    const { entries } = this.load();
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
    const latest = latestOnly(this.load().entries).filter((e) => !scope || e.scope === scope);
    return await Promise.all(latest.map((row) => this.decrypt(row)));
  }

  async history(name: string, scope = DEFAULT_SCOPE): Promise<SecretVersion[]> {
    const rows = this.load().entries.filter((e) => e.scope === scope && e.name === name);
    if (rows.length === 0) throw new NotFoundError(`no secret '${name}' in scope ${scope}`);
    return rows.map((e) => ({ scope, name, version: e.version, createdAt: e.created_at }));
  }

  async set(name: string, value: Uint8Array, scope = DEFAULT_SCOPE): Promise<number> {
    const [version] = await this.setMany([{ name, scope, value }]);
    return version as number;
  }

  /** Stores new versions of several secrets in one transaction; returns their versions. */
  async setMany(items: readonly NewSecret[]): Promise<number[]> {
    const wanted = items.map((i) => ({
      ...i,
      scope: checkScope(i.scope ?? DEFAULT_SCOPE),
      name: checkName(i.name),
    }));
    return await this.mutate(async (state) => {
      const next = new Map<string, number>();
      for (const e of state.entries) next.set(`${e.scope}\0${e.name}`, e.version + 1);
      const now = this.store.now();
      const rows: EntryRow[] = [];
      for (const item of wanted) {
        const key = `${item.scope}\0${item.name}`;
        const version = next.get(key) ?? 1;
        next.set(key, version + 1);
        const sealed = await this.encrypt(item.scope, item.name, version, item.value);
        rows.push({ scope: item.scope, name: item.name, version, created_at: now, ...sealed });
      }
      return () => {
        for (const row of rows) this.insert(row);
        for (const item of wanted) this.prune(item.scope, item.name);
        return rows.map((r) => r.version);
      };
    });
  }

  /** Deletes a secret with its whole history. */
  async remove(name: string, scope = DEFAULT_SCOPE): Promise<void> {
    await this.mutate(async (state) => {
      if (!state.entries.some((e) => e.scope === scope && e.name === name)) {
        throw new NotFoundError(`no secret '${name}' in scope ${scope}`);
      }
      return () => {
        this.store.db
          .query("DELETE FROM vault_entries WHERE scope = ? AND name = ?")
          .run(scope, name);
      };
    });
  }

  /** A new master key; every stored version re-encrypted with it in one transaction. */
  async rotate(): Promise<number> {
    let fresh: VaultKeys | undefined;
    const count = await this.mutate(
      async (state) => {
        const masterRaw = randomBytes(KEY_BYTES);
        const wrapped = await this.wrapUnder(this.keys.kek, masterRaw, state.meta);
        fresh = await keysFrom(this.keys.vaultId, this.keys.kek, masterRaw, wrapped.ciphertext);
        const rows: EntryRow[] = [];
        for (const row of state.entries) {
          const value = await this.decrypt(row);
          const aad = entryAad(this.keys.vaultId, row.scope, row.name, row.version);
          rows.push({ ...row, ...(await seal(fresh.masterKey, value.value, aad)) });
        }
        return () => {
          const update = this.store.db.query(
            "UPDATE vault_entries SET nonce = ?, ciphertext = ? WHERE scope = ? AND name = ? AND version = ?",
          );
          for (const r of rows) update.run(r.nonce, r.ciphertext, r.scope, r.name, r.version);
          this.setWrapped(wrapped);
          return rows.length;
        };
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
    const bounds = this.options.kdfBounds ?? KDF_BOUNDS;
    checkKdfParams(params, bounds);
    const salt = randomBytes(SALT_BYTES);
    const kek = await kekFrom(await deriveKey(passphrase, salt, params, bounds));
    const ctx = { vaultId: this.keys.vaultId, params, salt };
    const wrapped = await wrapMasterKey(kek, this.keys.masterRaw, ctx);
    const fresh = { ...this.keys, kek, wrappedKey: wrapped.ciphertext };
    await this.mutate(
      async () => () => {
        this.store.db
          .query(
            `UPDATE vault_meta SET kdf_id = ?, kdf_memory_kib = ?, kdf_iterations = ?,
               kdf_parallelism = ?, kdf_salt = ?, wrap_nonce = ?, wrapped_key = ? WHERE id = 1`,
          )
          .run(
            KDF_ID,
            params.memoryKiB,
            params.iterations,
            params.parallelism,
            salt,
            wrapped.nonce,
            wrapped.ciphertext,
          );
      },
      () => fresh,
    );
    this.adopt(fresh);
  }

  /**
   * Folds the WAL into the file and truncates it, so that superseded pages
   * (an old wrapped key, old ciphertexts) leave no copy behind. False when a
   * reader in another process kept the WAL from being truncated.
   */
  scrubWal(): boolean {
    const row = this.store.db.query("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number };
    return row.busy === 0;
  }

  /** Forgets the keys held in memory. */
  lock(): void {
    this.keys.masterRaw.fill(0);
    this.keys.digestKey.fill(0);
  }

  private load(): State {
    const state = this.store.read(() =>
      snapshot(this.store.db, () => ({
        meta: readMeta(this.store.db),
        entries: readEntries(this.store.db),
      })),
    );
    if (!state.meta) throw new IntegrityError("the vault metadata disappeared");
    if (!sameBytes(state.meta.wrapped_key, this.keys.wrappedKey)) {
      throw new BusyError("the vault was re-keyed by another process", {
        hint: "run the command again",
      });
    }
    verifyEntrySet(this.keys, state.meta, state.entries);
    return { meta: state.meta, entries: state.entries };
  }

  /**
   * Runs `prepare` (async: sealing) on a verified snapshot, then applies its
   * result in one durable transaction that also reseals the entry set —
   * unless another writer moved the generation meanwhile: then again.
   */
  private async mutate<T>(
    prepare: (state: State) => Promise<() => T>,
    nextKeys: () => VaultKeys | undefined = () => undefined,
  ): Promise<T> {
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const state = this.load();
      const apply = await prepare(state);
      const done = this.store.write(
        () => {
          const meta = readMeta(this.store.db);
          if (!meta || meta.generation !== state.meta.generation) return undefined;
          const result = apply();
          this.reseal(meta, nextKeys() ?? this.keys);
          return { result };
        },
        { durable: true },
      );
      if (done) return done.result;
    }
    throw new BusyError("the vault kept changing under this command", {
      hint: "run it again when other writers are done",
    });
  }

  private reseal(meta: MetaRow, keys: VaultKeys): void {
    const db = this.store.db;
    const generation = meta.generation + 1;
    const digest = entrySetDigest(keys.digestKey, meta.vault_id, generation, readEntries(db));
    db.query("UPDATE vault_meta SET generation = ?, digest = ?, updated_at = ? WHERE id = 1").run(
      generation,
      digest,
      this.store.now(),
    );
  }

  private insert(row: EntryRow): void {
    this.store.db
      .query(
        "INSERT INTO vault_entries (scope, name, version, nonce, ciphertext, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(row.scope, row.name, row.version, row.nonce, row.ciphertext, row.created_at);
  }

  private prune(scope: string, name: string): void {
    this.store.db
      .query(
        `DELETE FROM vault_entries WHERE scope = ?1 AND name = ?2 AND version <=
           (SELECT max(version) FROM vault_entries WHERE scope = ?1 AND name = ?2) - ?3`,
      )
      .run(scope, name, HISTORY_LIMIT);
  }

  private setWrapped(wrapped: Sealed): void {
    this.store.db
      .query("UPDATE vault_meta SET wrap_nonce = ?, wrapped_key = ? WHERE id = 1")
      .run(wrapped.nonce, wrapped.ciphertext);
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
    const aad = entryAad(this.keys.vaultId, row.scope, row.name, row.version);
    let value: Uint8Array;
    try {
      value = await open(this.keys.masterKey, row, aad);
    } catch (err) {
      if (!(err instanceof OpenFailed)) throw err;
      throw new IntegrityError(
        `secret '${row.name}' (scope ${row.scope}, version ${row.version}) failed authentication: the file was altered`,
        { cause: err },
      );
    }
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

function latestOnly(entries: readonly EntryRow[]): EntryRow[] {
  const latest = new Map<string, EntryRow>();
  for (const e of entries) latest.set(`${e.scope}\0${e.name}`, e); // rows come in version order
  return [...latest.values()];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
