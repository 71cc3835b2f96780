// API keys on SQLite: create (only the hash stored), list, remove, find by hash,
// mark used. Rules (format, grammar, rows): ./rules.ts.

import type { StoreCore } from "../../store/core.ts";
import {
  type ApiKey,
  checkKeyName,
  checkNewKey,
  generateKey,
  hashKey,
  keyExists,
  type NewKey,
  noKey,
  publicKey,
  type StoredKey,
  toStoredKey,
} from "./rules.ts";

export type { ApiKey, NewKey, StoredKey } from "./rules.ts";

export class Keys {
  /** Key writes made through this connection (data_version counts only the others'). */
  private own = 0;

  constructor(private readonly store: StoreCore) {}

  /**
   * Changes whenever the keys may have changed: after a commit by any other
   * connection (PRAGMA data_version: no page is read) or a key write through
   * this one. A key read while this stayed the same is still what the store holds.
   */
  version(): string {
    const row = this.store.db.query("PRAGMA data_version").get() as { data_version: number };
    return `${row.data_version}.${this.own}`;
  }

  /** Stores a new key's hash; the key itself is returned once and kept nowhere. */
  create(input: NewKey): { key: string; info: ApiKey } {
    const now = this.store.now();
    const a = checkNewKey(input, now);
    const key = generateKey();
    const row = this.store.write(() => {
      const db = this.store.db;
      if (db.query("SELECT 1 FROM api_keys WHERE name = ?").get(a.name)) throw keyExists(a.name);
      return db
        .query(
          `INSERT INTO api_keys (name, key_hash, rules, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(a.name, hashKey(key), a.rules.join(","), now, a.expiresAt);
    });
    return { key, info: publicKey(toStoredKey(row)) };
  }

  list(): ApiKey[] {
    const rows = this.store.read(() =>
      this.store.db.query("SELECT * FROM api_keys ORDER BY name").all(),
    );
    return rows.map((r) => publicKey(toStoredKey(r)));
  }

  remove(name: string): void {
    checkKeyName(name);
    const changed = this.store.write(
      () => this.store.db.query("DELETE FROM api_keys WHERE name = ?").run(name).changes,
    );
    this.own++;
    if (changed === 0) throw noKey(name);
  }

  /** The key whose hash is `keyHash`, and the store's clock to judge its expiry by. */
  find(keyHash: string): { key: StoredKey; now: number } | null {
    const row = this.store.read(() =>
      this.store.db.query("SELECT * FROM api_keys WHERE key_hash = ?").get(keyHash),
    );
    return row ? { key: toStoredKey(row), now: this.store.now() } : null;
  }

  touch(name: string): void {
    this.store.write(() =>
      this.store.db
        .query("UPDATE api_keys SET last_used_at = ? WHERE name = ?")
        .run(this.store.now(), name),
    );
  }
}
