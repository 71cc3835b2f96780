// The vault's SQL on PostgreSQL: the same rows as on SQLite, in bytea and
// bigint. Writers serialize on the metadata row (SELECT … FOR UPDATE), so the
// digest and generation stay consistent across hosts; time is the server's.

import type { SQL } from "bun";
import { sqlState } from "../engines/postgres/errors.ts";
import {
  inPgTransaction,
  type PgHandle,
  READ_SNAPSHOT,
  runPg,
} from "../engines/postgres/handle.ts";
import type { NewMeta, Resealer, VaultPlan, VaultRows } from "./engine.ts";
import { HISTORY_LIMIT, KDF_ID, VAULT_FORMAT_VERSION } from "./format.ts";
import {
  type EntryRow,
  type MetaRow,
  malformedTables,
  parseEntries,
  parseMeta,
  type VaultState,
} from "./rows.ts";

export class PgVaultRows implements VaultRows {
  constructor(private readonly db: PgHandle) {}

  meta(): Promise<MetaRow | undefined> {
    return runPg(this.db, (sql) => guarded(() => readMeta(sql)));
  }

  /** One REPEATABLE READ snapshot, so meta and entries agree. */
  state(): Promise<{ meta: MetaRow | undefined; entries: EntryRow[] }> {
    return runPg(this.db, (sql) =>
      guarded(async () => {
        // Inside a caller's snapshot (status reads everything in one): its reads agree already.
        if ("savepoint" in sql)
          return { meta: await readMeta(sql), entries: await readEntries(sql) };
        return (await sql.begin(READ_SNAPSHOT, async (tx) => ({
          meta: await readMeta(tx),
          entries: await readEntries(tx),
        }))) as { meta: MetaRow | undefined; entries: EntryRow[] };
      }),
    );
  }

  insertMeta(m: NewMeta): Promise<boolean> {
    return inPgTransaction(this.db, ({ sql }) =>
      guarded(async () => {
        // Entries without metadata are a damaged vault (readMeta throws), never a place to create one.
        if (await readMeta(sql)) return false;
        const rows = await sql`INSERT INTO vault_meta (id, vault_id, format_version, kdf_id,
            kdf_memory_kib, kdf_iterations, kdf_parallelism, kdf_salt, wrap_nonce, wrapped_key,
            generation, digest, created_at, updated_at)
          VALUES (1, ${m.vaultId}, ${VAULT_FORMAT_VERSION}, ${KDF_ID}, ${m.params.memoryKiB},
            ${m.params.iterations}, ${m.params.parallelism}, ${m.salt}, ${m.wrapped.nonce},
            ${m.wrapped.ciphertext}, 0, ${m.digest}, now_ms(), now_ms())
          ON CONFLICT (id) DO NOTHING RETURNING id`;
        return rows.length === 1;
      }),
    );
  }

  apply(generation: number, plan: VaultPlan, reseal: Resealer): Promise<VaultState | undefined> {
    return inPgTransaction(this.db, ({ sql }) =>
      guarded(async () => {
        const [locked] = await sql`SELECT generation FROM vault_meta WHERE id = 1 FOR UPDATE`;
        if (!locked || Number(locked.generation) !== generation) return undefined;
        await write(sql, plan);
        const entries = await readEntries(sql);
        const next = generation + 1;
        const digest = reseal(next, entries);
        const rows = await sql`UPDATE vault_meta SET generation = ${next}, digest = ${digest},
          updated_at = now_ms() WHERE id = 1 RETURNING *`;
        return { meta: parseMeta(rows, 0) as MetaRow, entries };
      }),
    );
  }

  async scrubWal(): Promise<boolean> {
    return true; // nothing of an old row stays readable through coffer's tables
  }
}

async function write(sql: SQL, plan: VaultPlan): Promise<void> {
  for (const r of plan.insert ?? []) {
    await sql`INSERT INTO vault_entries (scope, name, version, nonce, ciphertext, created_at)
      VALUES (${r.scope}, ${r.name}, ${r.version}, ${r.nonce}, ${r.ciphertext}, now_ms())`;
  }
  for (const r of plan.update ?? []) {
    await sql`UPDATE vault_entries SET nonce = ${r.nonce}, ciphertext = ${r.ciphertext}
      WHERE scope = ${r.scope} AND name = ${r.name} AND version = ${r.version}`;
  }
  for (const k of plan.prune ?? []) {
    await sql`DELETE FROM vault_entries WHERE scope = ${k.scope} AND name = ${k.name}
      AND version <= (SELECT max(version) FROM vault_entries
                      WHERE scope = ${k.scope} AND name = ${k.name}) - ${HISTORY_LIMIT}`;
  }
  for (const k of plan.remove ?? []) {
    await sql`DELETE FROM vault_entries WHERE scope = ${k.scope} AND name = ${k.name}`;
  }
  if (plan.wrappedKey) {
    const w = plan.wrappedKey;
    await sql`UPDATE vault_meta SET wrap_nonce = ${w.nonce}, wrapped_key = ${w.ciphertext} WHERE id = 1`;
  }
  if (plan.wrap) {
    const { params, salt, wrapped } = plan.wrap;
    await sql`UPDATE vault_meta SET kdf_id = ${KDF_ID}, kdf_memory_kib = ${params.memoryKiB},
      kdf_iterations = ${params.iterations}, kdf_parallelism = ${params.parallelism},
      kdf_salt = ${salt}, wrap_nonce = ${wrapped.nonce}, wrapped_key = ${wrapped.ciphertext}
      WHERE id = 1`;
  }
}

async function readMeta(sql: SQL): Promise<MetaRow | undefined> {
  const rows = await sql`SELECT * FROM vault_meta`;
  if (rows.length > 0) return parseMeta(rows, 0);
  const [count] = await sql`SELECT count(*) AS n FROM vault_entries`;
  return parseMeta([], Number(count.n));
}

async function readEntries(sql: SQL): Promise<EntryRow[]> {
  return parseEntries(
    await sql`SELECT scope, name, version, nonce, ciphertext, created_at FROM vault_entries`,
  );
}

/** A vault table dropped or a column gone (undefined table or column) is tampering (5). */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const state = sqlState(err);
    if (state === "42P01" || state === "42703") {
      throw malformedTables(err instanceof Error ? err.message : String(state), err);
    }
    throw err;
  }
}
