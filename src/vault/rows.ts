// The vault's rows as both engines read them back, validated with valibot:
// anything that is not exactly what coffer writes is an integrity error
// (exit 5), never a crash. Bytes come as Uint8Array (PostgreSQL: Buffer),
// integers as numbers (PostgreSQL's bigint: strings), entries in one order.

import * as v from "valibot";
import { IntegrityError } from "../errors.ts";
import { compareEntries } from "./digest.ts";
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
  v.pipe(
    v.instance(Uint8Array),
    v.minLength(min),
    v.maxLength(max),
    v.transform((b) => (b.constructor === Uint8Array ? b : new Uint8Array(b))),
  );
/** A safe integer, also from the decimal string PostgreSQL sends for a bigint. */
const int = (min = 0) =>
  v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^-?\d{1,16}$/), v.transform(Number))]),
    v.number(),
    v.safeInteger(),
    v.minValue(min),
  );

const MetaRowSchema = v.object({
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
export type MetaRow = v.InferOutput<typeof MetaRowSchema>;

const EntryRowSchema = v.object({
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

/** The metadata and entries from one snapshot. */
export interface VaultState {
  meta: MetaRow;
  entries: EntryRow[];
}

/**
 * The metadata row from every row of vault_meta, or undefined when no vault
 * was created yet. Entries without it (`versions` > 0) are a damaged vault
 * (5), never "no vault": nothing may create a vault over them.
 */
export function parseMeta(rows: readonly unknown[], versions: number): MetaRow | undefined {
  if (rows.length === 0) {
    if (versions === 0) return undefined;
    throw new IntegrityError(
      `vault metadata is missing while ${versions} stored version(s) remain: the store was altered`,
      { hint: "restore the store from a backup (coffer restore PATH)" },
    );
  }
  if (rows.length > 1) throw new IntegrityError("vault metadata has more than one row");
  const raw = (rows[0] as { format_version?: unknown }).format_version;
  const format = typeof raw === "string" ? Number(raw) : raw;
  if (typeof format === "number" && format > VAULT_FORMAT_VERSION) {
    throw new IntegrityError(
      `vault format version ${format} is newer than this binary supports (${VAULT_FORMAT_VERSION})`,
      { hint: "upgrade coffer" },
    );
  }
  return parse(MetaRowSchema, rows[0], "vault metadata");
}

/** Every entry row validated, in (scope, name, version) order on both engines. */
export function parseEntries(rows: readonly unknown[]): EntryRow[] {
  return rows.map((row) => parse(EntryRowSchema, row, "vault entry")).sort(compareEntries);
}

/** Secrets (each name in each scope once) and stored versions. */
export function countOf(entries: readonly EntryRow[]): { secrets: number; versions: number } {
  return {
    secrets: new Set(entries.map((e) => `${e.scope}\0${e.name}`)).size,
    versions: entries.length,
  };
}

/** A vault table dropped or altered outside coffer is tampering (5), not a bug (1). */
export function malformedTables(detail: string, cause: unknown): IntegrityError {
  return new IntegrityError(`the vault tables are malformed (${detail}): the store was altered`, {
    cause,
  });
}

function parse<T extends v.GenericSchema>(schema: T, row: unknown, what: string): v.InferOutput<T> {
  const result = v.safeParse(schema, row);
  if (result.success) return result.output;
  const key = (result.issues[0].path ?? []).map((p) => String(p.key)).join(".");
  throw new IntegrityError(`${what} is malformed (${key || "row"}): the store was altered`);
}
