// API keys' SQL on PostgreSQL, with the rules of ./rules.ts; time is the
// server's (now_ms()), so every host judges expiry by one clock.

import { type PgHandle, runPg, withNumbers } from "../../engines/postgres/handle.ts";
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

export class PgKeys {
  constructor(private readonly db: PgHandle) {}

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
      (sql) => sql`DELETE FROM api_keys WHERE name = ${name} RETURNING name`,
    );
    if ((rows as unknown[]).length === 0) throw noKey(name);
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
