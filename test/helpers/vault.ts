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

function row(r: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(r).map(([k, v]) => [
      k,
      BLOBS.has(k) ? new Uint8Array(Buffer.from(v as string, "hex")) : v,
    ]),
  );
}

function insert(db: ReturnType<typeof openStore>["db"], table: string, r: Record<string, unknown>) {
  const data = row(r);
  const cols = Object.keys(data);
  db.query(
    `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
  ).run(...(Object.values(data) as never[]));
}

/** Creates a store at `path` holding the vector vault. */
export function writeVectorStore(path: string): void {
  using store = openStore({ path });
  store.write(() => {
    for (const r of vector.vault_meta) insert(store.db, "vault_meta", r);
    for (const r of vector.vault_entries) insert(store.db, "vault_entries", r);
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
