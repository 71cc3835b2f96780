// Reading the vault's rows back, validated with valibot: anything that is not
// exactly what coffer writes is an integrity error (exit 5), never a crash.

import type { Database } from "bun:sqlite";
import * as v from "valibot";
import { IntegrityError } from "../errors.ts";
import { isSqliteError } from "../store/sqlite-errors.ts";
import {
  DIGEST_BYTES,
  KDF_ID,
  KEY_BYTES,
  MAX_VALUE_BYTES,
  NONCE_BYTES,
  SALT_BYTES,
  TAG_BYTES,
  VAULT_FORMAT_VERSION,
  VAULT_ID_BYTES,
} from "./format.ts";

const bytes = (min: number, max = min) =>
  v.pipe(v.instance(Uint8Array), v.minLength(min), v.maxLength(max));
const int = (min = 0) => v.pipe(v.number(), v.safeInteger(), v.minValue(min));

const MetaRow = v.object({
  vault_id: bytes(VAULT_ID_BYTES),
  format_version: v.literal(VAULT_FORMAT_VERSION),
  kdf_id: v.literal(KDF_ID),
  kdf_memory_kib: int(1),
  kdf_iterations: int(1),
  kdf_parallelism: int(1),
  kdf_salt: bytes(SALT_BYTES),
  wrap_nonce: bytes(NONCE_BYTES),
  wrapped_key: bytes(KEY_BYTES + TAG_BYTES),
  generation: int(0),
  digest: bytes(DIGEST_BYTES),
  created_at: int(0),
  updated_at: int(0),
});
export type MetaRow = v.InferOutput<typeof MetaRow>;

const EntryRow = v.object({
  scope: v.pipe(v.string(), v.minLength(1)),
  name: v.pipe(v.string(), v.minLength(1)),
  version: int(1),
  nonce: bytes(NONCE_BYTES),
  ciphertext: bytes(TAG_BYTES, MAX_VALUE_BYTES + TAG_BYTES),
  created_at: int(0),
});
export interface EntryRow {
  scope: string;
  name: string;
  version: number;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  created_at: number;
}

export function vaultTablesExist(db: Database): boolean {
  const row = db
    .query("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = 'vault_meta'")
    .get() as { n: number };
  return row.n > 0;
}

/**
 * The metadata row, or undefined when no vault was created yet. Entries
 * without it are a damaged vault (5), never "no vault": nothing may create a
 * vault over them, and every reader, status and create included, comes here.
 */
export function readMeta(db: Database): MetaRow | undefined {
  if (!vaultTablesExist(db)) return undefined;
  const rows = guarded(() => db.query("SELECT * FROM vault_meta").all());
  if (rows.length === 0) {
    const { versions } = countEntries(db);
    if (versions === 0) return undefined;
    throw new IntegrityError(
      `vault metadata is missing while ${versions} stored version(s) remain: the file was altered`,
      { hint: "restore the store from a backup (coffer restore PATH)" },
    );
  }
  if (rows.length > 1) throw new IntegrityError("vault metadata has more than one row");
  const format = (rows[0] as { format_version?: unknown }).format_version;
  if (typeof format === "number" && format > VAULT_FORMAT_VERSION) {
    throw new IntegrityError(
      `vault format version ${format} is newer than this binary supports (${VAULT_FORMAT_VERSION})`,
      { hint: "upgrade coffer" },
    );
  }
  return parse(MetaRow, rows[0], "vault metadata");
}

const ENTRIES_SQL =
  "SELECT scope, name, version, nonce, ciphertext, created_at FROM vault_entries ORDER BY scope, name, version";

export function readEntries(db: Database): EntryRow[] {
  return guarded(() => db.query(ENTRIES_SQL).all()).map((row) =>
    parse(EntryRow, row, "vault entry"),
  );
}

/**
 * The entries as stored, unvalidated: only for the writer's own transaction,
 * where every row is either one it verified or one it just wrote.
 */
export function readOwnEntries(db: Database): EntryRow[] {
  return guarded(() => db.query(ENTRIES_SQL).all()) as EntryRow[];
}

export function countEntries(db: Database): { secrets: number; versions: number } {
  const sql =
    "SELECT count(DISTINCT scope || char(0) || name) AS secrets, count(*) AS versions FROM vault_entries";
  return guarded(() => db.query(sql).get()) as { secrets: number; versions: number };
}

/** A vault table dropped or altered outside coffer is tampering (5), not a bug (1). */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isSqliteError(err) && /no such (table|column)/.test(err.message)) {
      throw new IntegrityError(
        `the vault tables are malformed (${err.message}): the file was altered`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

function parse<T extends v.GenericSchema>(schema: T, row: unknown, what: string): v.InferOutput<T> {
  const result = v.safeParse(schema, row);
  if (result.success) return result.output;
  const key = (result.issues[0].path ?? []).map((p) => String(p.key)).join(".");
  throw new IntegrityError(`${what} is malformed (${key || "row"}): the file was altered`);
}

/** Runs reads in one deferred transaction, so meta and entries come from one snapshot. */
export function snapshot<T>(db: Database, fn: () => T): T {
  if (db.inTransaction) return fn();
  return db.transaction(fn).deferred();
}
