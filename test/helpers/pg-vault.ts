// Vault fixtures on PostgreSQL: a fresh database holding the committed format-1
// vector vault (the rows test/helpers/vault.ts puts into a SQLite file), and
// the binary's environment pointing at it.

import { SQL } from "bun";
import { connect } from "../../src/index.ts";
import type { PgServer } from "./pg-server.ts";
import { freshDatabase } from "./pg-server.ts";
import { tempDir } from "./tmp.ts";
import { cheapConfig, VECTOR_PASSPHRASE, vaultEnv, vectorRows } from "./vault.ts";

/** A fresh, migrated database; with `withVector`, holding the vector vault. */
export async function pgVaultDb(
  server: PgServer,
  prefix: string,
  withVector = true,
): Promise<{ url: string; sql: SQL; env: Record<string, string | undefined> }> {
  const db = await freshDatabase(server, prefix);
  await (await connect(db.url)).close(); // applies the migrations
  const sql = new SQL(db.url, { max: 1, connection: { search_path: "coffer" } });
  if (withVector) {
    for (const r of vectorRows("vault_meta")) await sql`INSERT INTO vault_meta ${sql(r)}`;
    for (const r of vectorRows("vault_entries")) await sql`INSERT INTO vault_entries ${sql(r)}`;
  }
  const dir = tempDir();
  cheapConfig(dir);
  const env = vaultEnv(dir, { COFFER_DB: db.url, COFFER_PASSPHRASE: VECTOR_PASSPHRASE });
  return { url: db.url, sql, env };
}

/** Every vault row as text, to show a refused command changed nothing. */
export async function pgVaultDump(sql: SQL): Promise<string> {
  const meta = await sql`SELECT * FROM vault_meta ORDER BY id`;
  const entries = await sql`SELECT * FROM vault_entries ORDER BY scope, name, version`;
  const hex = (rows: Record<string, unknown>[]) =>
    rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v,
        ]),
      ),
    );
  return JSON.stringify({ meta: hex([...meta]), entries: hex([...entries]) });
}
