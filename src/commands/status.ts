// coffer status: where the store is, what it holds, and whether it checks clean;
// the vault's presence, format and KDF parameters without asking for a passphrase.

import { defineCommand } from "citty";
import { loadedConfig, onPostgres, openCliPostgres, openCliStore } from "../cli/context.ts";
import { printLines, say } from "../cli/output.ts";
import { IntegrityError } from "../errors.ts";
import { storeStatus } from "../store/status.ts";
import { inspectVault, type VaultInspection } from "../vault/inspect.ts";
import { output } from "./_shared.ts";

type VaultStatus = VaultInspection | { present: true; problem: string };

export default defineCommand({
  meta: {
    name: "status",
    description: "Show the store's path, size, schema, counts, vault and a quick check",
  },
  async run() {
    if (onPostgres()) return await postgresStatus();
    using store = openCliStore();
    const status = storeStatus(store);
    const vault = vaultStatus(store.db);
    warnPlaintext();
    output({ engine: "sqlite", ...status, vault }, () => {
      printLines([
        `path:          ${status.path}`,
        `size:          ${status.sizeBytes} bytes`,
        `journal mode:  ${status.journalMode}`,
        `schema:        version ${status.schemaVersion}`,
        ...countLines(status.counts),
        `vault:         ${describeVault(vault)}`,
        `quick check:   ${status.quickCheck}`,
      ]);
    });
    // The report is printed either way; a store that does not check clean is exit 5.
    if (status.quickCheck !== "ok") {
      throw new IntegrityError(`the store failed its quick check: ${status.quickCheck}`, {
        hint: "restore a backup (coffer verify PATH first), or keep this file for inspection",
      });
    }
    if ("problem" in vault) throw new IntegrityError(`the vault is damaged: ${vault.problem}`);
  },
});

/** On PostgreSQL: server, schema and migration version, counts, vault; no file size or journal mode. */
async function postgresStatus(): Promise<void> {
  const { pgStoreStatus } = await import("../engines/postgres/status.ts");
  const conn = await openCliPostgres();
  let status: Awaited<ReturnType<typeof pgStoreStatus>>;
  try {
    status = await pgStoreStatus(conn);
  } finally {
    await conn.close();
  }
  warnPlaintext();
  output(status, () => {
    printLines([
      "engine:        postgres",
      `url:           ${status.url}`,
      `server:        PostgreSQL ${status.serverVersion}`,
      `schema:        ${status.schema}, version ${status.schemaVersion}`,
      ...countLines(status.counts),
      `vault:         ${describeVault(status.vault)}`,
    ]);
  });
  const { vault } = status;
  if ("problem" in vault) throw new IntegrityError(`the vault is damaged: ${vault.problem}`);
}

function countLines(counts: {
  sessions: number;
  messages: number;
  jobs: Record<string, number>;
}): string[] {
  return [
    `sessions:      ${counts.sessions}`,
    `messages:      ${counts.messages}`,
    `jobs:          ${Object.entries(counts.jobs)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")}`,
  ];
}

/** Plaintext secrets in the config move into the vault only when a command unlocks it. */
function warnPlaintext(): void {
  const { path, config } = loadedConfig();
  const count = Object.keys(config.secrets ?? {}).length;
  if (count > 0) {
    say.warn(
      `${path} holds ${count} plaintext secret(s); the next command that unlocks the vault moves them in`,
    );
  }
}

function vaultStatus(db: Parameters<typeof inspectVault>[0]): VaultStatus {
  try {
    return inspectVault(db);
  } catch (err) {
    if (err instanceof IntegrityError) return { present: true, problem: err.message };
    throw err;
  }
}

function describeVault(vault: VaultStatus): string {
  if (!vault.present) return "none yet (coffer secret set creates it)";
  if ("problem" in vault) return `damaged: ${vault.problem}`;
  const { kdf } = vault;
  return (
    `format ${vault.formatVersion}, ${vault.entries} secret(s) (${vault.versions} version(s)), ` +
    `${kdf.id} m=${kdf.memoryKiB} KiB t=${kdf.iterations} p=${kdf.parallelism}`
  );
}
