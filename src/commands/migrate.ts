// coffer migrate [--status]: opening the store applies pending migrations;
// --status lists every migration this binary carries and whether it is applied.

import { defineCommand } from "citty";
import { onPostgres, openCliPostgres, openCliStore } from "../cli/context.ts";
import { isoTime, printLines, printTable } from "../cli/output.ts";
import { migrationStatus } from "../store/migrate.ts";
import { output } from "./_shared.ts";

interface MigrationRow {
  version: number;
  name: string;
  checksum: string;
  appliedAt: number | null;
}

export default defineCommand({
  meta: {
    name: "migrate",
    description: "Apply pending schema migrations (or list them with --status)",
  },
  args: {
    status: { type: "boolean", description: "List migrations and whether each is applied" },
  },
  async run({ args }) {
    const list = onPostgres() ? await postgresMigrations() : await sqliteMigrations();
    if (!args.status) {
      const version = list.filter((m) => m.appliedAt !== null).length;
      output({ schemaVersion: version }, () => printLines([`schema is at version ${version}`]));
      return;
    }
    output(list, () =>
      printTable(
        ["VERSION", "NAME", "APPLIED", "CHECKSUM"],
        list.map((m) => [String(m.version), m.name, isoTime(m.appliedAt), m.checksum.slice(0, 16)]),
      ),
    );
  },
});

async function sqliteMigrations(): Promise<MigrationRow[]> {
  using store = await openCliStore();
  return migrationStatus(store.db);
}

/** Connecting applied what was pending; the list comes from coffer_migrations. */
async function postgresMigrations(): Promise<MigrationRow[]> {
  const { pgMigrationStatus } = await import("../engines/postgres/migrate.ts");
  const conn = await openCliPostgres();
  try {
    return await pgMigrationStatus(conn);
  } finally {
    await conn.close();
  }
}
