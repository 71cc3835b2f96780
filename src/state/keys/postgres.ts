// API keys' SQL on PostgreSQL, with the rules of ./rules.ts; time is the
// server's (now_ms()), so every host judges expiry by one clock.

import { type PgHandle, runPg, withNumbers } from "../../engines/postgres/handle.ts";
import type { PgTarget } from "../../engines/postgres/url.ts";
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

const TIMES = ["created_at", "last_used_at", "expires_at", "now"] as const;

function pgKey(row: Record<string, unknown>): StoredKey {
  const { now: _, ...r } = withNumbers(row, TIMES);
  return toStoredKey(r);
}

/** The channel a key's removal is announced on, so that servers drop it from their caches. */
export function keyChannel(target: Pick<PgTarget, "schema">): string {
  return `${target.schema}_keys`.slice(0, 63);
}

export class PgKeys {
  private generation = 0;
  private listening: Promise<boolean> | undefined;

  constructor(private readonly db: PgHandle) {}

  /**
   * Changes whenever the keys may have changed: on each removal's NOTIFY
   * (on the pool's one LISTEN connection, subscribed at the first call) and
   * on each (re)subscription, since notices sent while it was down are lost.
   * Without a subscription every call gives a new value: nothing is trusted.
   */
  async version(): Promise<string> {
    // Through then(): a handle that cannot listen (a transaction's) throws, and means "no".
    this.listening ??= Promise.resolve()
      .then(() =>
        this.db.sql.listen(
          keyChannel(this.db.target),
          () => this.generation++,
          () => this.generation++,
        ),
      )
      .then(
        () => true,
        () => false,
      );
    return (await this.listening) ? String(this.generation) : `x${++this.generation}`;
  }

  async create(input: NewKey): Promise<{ key: string; info: ApiKey }> {
    const a = checkNewKey(input, 0);
    const key = generateKey();
    const expiresIn = input.expiresIn ?? null;
    return runPg(this.db, async (sql) => {
      const [row] = await sql`INSERT INTO api_keys (name, key_hash, rules, created_at, expires_at)
        VALUES (${a.name}, ${hashKey(key)}, ${a.rules.join(",")}, now_ms(),
                CASE WHEN ${expiresIn}::bigint IS NULL THEN NULL ELSE now_ms() + ${expiresIn}::bigint END)
        ON CONFLICT (name) DO NOTHING RETURNING *`;
      if (!row) throw keyExists(a.name);
      return { key, info: publicKey(pgKey(row)) };
    });
  }

  list(): Promise<ApiKey[]> {
    return runPg(this.db, async (sql) => {
      const rows = await sql`SELECT * FROM api_keys ORDER BY name COLLATE "C"`;
      return (rows as Record<string, unknown>[]).map((r) => publicKey(pgKey(r)));
    });
  }

  async remove(name: string): Promise<void> {
    checkKeyName(name);
    const rows = await runPg(
      this.db,
      (sql) => sql`WITH gone AS (DELETE FROM api_keys WHERE name = ${name} RETURNING name)
        SELECT name, pg_notify(${keyChannel(this.db.target)}, name) FROM gone`,
    );
    if ((rows as unknown[]).length === 0) throw noKey(name);
    this.generation++; // this process's own removal counts before its NOTIFY comes back
  }

  find(keyHash: string): Promise<{ key: StoredKey; now: number } | null> {
    return runPg(this.db, async (sql) => {
      const [row] = await sql`SELECT *, now_ms() AS now FROM api_keys WHERE key_hash = ${keyHash}`;
      if (!row) return null;
      return { key: pgKey(row), now: Number(row.now) };
    });
  }

  async touch(name: string): Promise<void> {
    await runPg(
      this.db,
      (sql) => sql`UPDATE api_keys SET last_used_at = now_ms() WHERE name = ${name}`,
    );
  }
}
