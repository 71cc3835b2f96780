// Vault fixtures for tests: the committed format-1 vector loaded into a real
// store file, and an environment whose config makes the binary create vaults
// with the cheapest parameters the CLI accepts (m=19456 KiB, t=2, p=1).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/store/store.ts";
import vector from "../vectors/vault-v1.json" with { type: "json" };

export { vector };

export const VECTOR_PASSPHRASE = vector.passphrase;

const BLOBS = new Set([
  "vault_id",
  "kdf_salt",
  "wrap_nonce",
  "wrapped_key",
  "digest",
  "nonce",
  "ciphertext",
]);

/** The vector's rows of `table`, blobs as bytes: what either engine stores. */
export function vectorRows(table: "vault_meta" | "vault_entries"): Record<string, unknown>[] {
  return (vector[table] as Record<string, unknown>[]).map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        BLOBS.has(k) ? new Uint8Array(Buffer.from(v as string, "hex")) : v,
      ]),
    ),
  );
}

function insert(
  db: ReturnType<typeof openStore>["db"],
  table: string,
  data: Record<string, unknown>,
) {
  const cols = Object.keys(data);
  db.query(
    `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
  ).run(...(Object.values(data) as never[]));
}

/** Creates a store at `path` holding the vector vault. */
export function writeVectorStore(path: string): void {
  using store = openStore({ path });
  store.write(() => {
    for (const table of ["vault_meta", "vault_entries"] as const) {
      for (const r of vectorRows(table)) insert(store.db, table, r);
    }
  });
}

/** A config file with the cheapest in-bounds KDF parameters; returns its path. */
export function cheapConfig(dir: string, extra = ""): string {
  const path = join(dir, "config.toml");
  writeFileSync(
    path,
    `[vault]\nkdf_memory_kib = 19456\nkdf_iterations = 2\nkdf_parallelism = 1\n${extra}`,
  );
  return path;
}

/** Env for the binary: a store in `dir`, the cheap config, and optionally a passphrase. */
export function vaultEnv(
  dir: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    COFFER_DB: join(dir, "coffer.db"),
    COFFER_CONFIG: join(dir, "config.toml"),
    XDG_CONFIG_HOME: join(dir, "xdg-config"),
    XDG_DATA_HOME: join(dir, "xdg-data"),
    ...extra,
  };
}
