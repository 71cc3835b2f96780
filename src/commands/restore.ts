// coffer restore PATH: replace the store with a checked backup, keeping a
// safety copy of the old one. Refuses while another process has the store open.

import { defineCommand } from "citty";
import type { BackupReport } from "../backup/inspect.ts";
import { restoreStore } from "../backup/restore.ts";
import { dataDir, onPostgres, openCliPostgres, storePath } from "../cli/context.ts";
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
    const progress = progressLine("restore");
    const result = await withSignals((signal) =>
      restoreStore({
        source: args.path,
        store,
        signal,
        confirm: (report) => (args.yes ? true : ask(report, store)),
        onProgress: (p) => {
          if (p.phase === "copy") progress.update(p.bytesDone, p.bytesTotal);
          else progress.done();
        },
      }),
    ).finally(() => progress.done());
    if (result.cancelled) throw new UsageError("restore not confirmed; nothing was changed");
    if (wantsJson()) {
      printJson(result);
      return;
    }
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
    const result = await withSignals((signal) =>
      restorePostgres({
        source: path,
        conn,
        dataDir: dataDir(),
        signal,
        confirm: (report) => (yes ? true : ask(report, `every coffer table of ${store}`)),
      }),
    );
    if (result.cancelled) throw new UsageError("restore not confirmed; nothing was changed");
    if (wantsJson()) {
      printJson(result);
      return;
    }
    say.line(
      `Restore complete: ${formatBytes(result.bytes)} from ${result.from} restored to ${store} (the old contents are kept as ${result.safetyCopy})`,
    );
  } finally {
    await conn.close();
  }
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
