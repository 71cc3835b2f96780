// coffer restore PATH: replace the store with a checked backup, keeping a
// safety copy of the old one. Refuses (exit 6) while another process keeps the
// store open past the busy timeout.

import { defineCommand } from "citty";
import type { BackupReport } from "../backup/inspect.ts";
import { restoreStore } from "../backup/restore.ts";
import { dataDir, loadedConfig, onPostgres, openCliPostgres, storePath } from "../cli/context.ts";
import { printJson, say } from "../cli/output.ts";
import { confirm } from "../cli/prompt.ts";
import { UsageError } from "../errors.ts";
import { formatBytes, progressLine, withSignals } from "./_backup-ui.ts";
import { wantsJson } from "./_shared.ts";

export default defineCommand({
  meta: { name: "restore", description: "Replace the store with the backup at PATH" },
  args: {
    path: { type: "positional", description: "The backup file", required: true },
    yes: {
      type: "boolean",
      description: "Do not ask for confirmation (required without a terminal)",
    },
  },
  async run({ args }) {
    if (onPostgres()) return restoreIntoPostgres(args.path, Boolean(args.yes));
    const store = storePath();
    const result = await withTerminal(Boolean(args.yes), store, (ui) =>
      restoreStore({
        source: args.path,
        store,
        busyTimeoutMs: loadedConfig().config.storage?.busy_timeout_ms,
        ...ui,
      }),
    );
    if (!result) return;
    const safety = result.safetyCopy ? ` (the old store is kept as ${result.safetyCopy})` : "";
    say.line(
      `Restore complete: ${formatBytes(result.bytes)} from ${result.from} restored to ${result.path}${safety}`,
    );
  },
});

/** On PostgreSQL: every coffer table replaced in one transaction, after a safety backup. */
async function restoreIntoPostgres(path: string, yes: boolean): Promise<void> {
  const { restorePostgres } = await import("../backup/postgres/restore.ts");
  const conn = await openCliPostgres();
  try {
    const store = conn.target.redacted;
    const result = await withTerminal(yes, `every coffer table of ${store}`, (ui) =>
      restorePostgres({ source: path, conn, dataDir: dataDir(), ...ui }),
    );
    if (!result) return;
    say.line(
      `Restore complete: ${formatBytes(result.bytes)} from ${result.from} restored to ${store} (the old contents are kept as ${result.safetyCopy})`,
    );
  } finally {
    await conn.close();
  }
}

interface RestoreUi {
  signal: AbortSignal;
  confirm: (report: BackupReport) => boolean | Promise<boolean>;
  onProgress: (p: { phase: string; bytesDone: number; bytesTotal: number }) => void;
}

/**
 * Runs a restore into either engine with the terminal's parts: signals, the
 * question (unless --yes), the copy's progress. Prints the JSON result itself;
 * hands the result back for the human line otherwise.
 */
async function withTerminal<R extends { cancelled: boolean }>(
  yes: boolean,
  replaced: string,
  restore: (ui: RestoreUi) => Promise<R>,
): Promise<R | undefined> {
  const progress = progressLine("restore");
  const result = await withSignals((signal) =>
    restore({
      signal,
      confirm: (report) => (yes ? true : ask(report, replaced)),
      // The line goes before the checks and the question.
      onProgress: (p) => {
        if (p.phase === "copy") progress.update(p.bytesDone, p.bytesTotal);
        else progress.done();
      },
    }),
  ).finally(() => progress.done());
  if (result.cancelled) throw new UsageError("restore not confirmed; nothing was changed");
  if (!wantsJson()) return result;
  printJson(result);
  return undefined;
}

async function ask(report: BackupReport, store: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError(
      "restore replaces the store: pass --yes to confirm (no terminal to ask on)",
    );
  }
  return await confirm(
    `replace ${store} with ${report.path} (schema ${report.schemaVersion}, ${formatBytes(report.bytes)})? a safety copy of the current store is kept`,
  );
}
