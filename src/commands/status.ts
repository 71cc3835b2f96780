// coffer status: where the store is, what it holds, and whether it checks clean;
// the vault's presence, format and KDF parameters without asking for a passphrase.

import { defineCommand } from "citty";
import { loadedConfig, onPostgres, openCliPostgres, openCliStore } from "../cli/context.ts";
import { printLines, say } from "../cli/output.ts";
import { IntegrityError } from "../errors.ts";
import { type StoreCounts, storeStatus } from "../store/status.ts";
import { inspectVault, type VaultStatus, vaultStatus } from "../vault/inspect.ts";
import { output } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "status",
    description: "Show the store's path, size, schema, counts, vault and a quick check",
  },
  async run() {
    if (onPostgres()) return await postgresStatus();
    using store = await openCliStore();
    const status = storeStatus(store);
    const vault = await vaultStatus(() => inspectVault(store.db));
    report({ engine: "sqlite", ...status, vault }, [
      "engine:        sqlite",
      `path:          ${status.path}`,
      `size:          ${status.sizeBytes} bytes`,
      `journal mode:  ${status.journalMode}`,
      `schema:        version ${status.schemaVersion}`,
      ...countLines(status.counts),
      `vault:         ${describeVault(vault)}`,
      `quick check:   ${status.quickCheck}`,
    ]);
    // The report is printed either way; a store that does not check clean is exit 5.
    if (status.quickCheck !== "ok") {
      throw new IntegrityError(`the store failed its quick check: ${status.quickCheck}`, {
        hint: "restore a backup (coffer verify PATH first), or keep this file for inspection",
      });
    }
    refuseDamaged(vault);
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
  report(status, [
    "engine:        postgres",
    `path:          ${status.path}`,
    `server:        PostgreSQL ${status.serverVersion}`,
    `schema:        ${status.schema}, version ${status.schemaVersion}`,
    ...countLines(status.counts),
    `vault:         ${describeVault(status.vault)}`,
  ]);
  refuseDamaged(status.vault);
}

function report(json: object, lines: string[]): void {
  warnPlaintext();
  output(json, () => printLines(lines));
}

function refuseDamaged(vault: VaultStatus): void {
  if ("problem" in vault) throw new IntegrityError(`the vault is damaged: ${vault.problem}`);
}

function countLines(counts: StoreCounts | null): string[] {
  if (counts === null) return ["counts:        unreadable (the store is damaged)"];
  return [
    `agents:        ${counts.agents}`,
    `documents:     ${counts.documents} (${counts.documentVersions} version(s))`,
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

function describeVault(vault: VaultStatus): string {
  if (!vault.present) return "none yet (coffer secret set creates it)";
  if ("problem" in vault) return `damaged: ${vault.problem}`;
  const { kdf } = vault;
  return (
    `format ${vault.formatVersion}, ${vault.entries} secret(s) (${vault.versions} version(s)), ` +
    `${kdf.id} m=${kdf.memoryKiB} KiB t=${kdf.iterations} p=${kdf.parallelism}`
  );
}
