// coffer backup [PATH]: an online, consistent copy of the store (see docs/backup.md).
// PATH `-` sends the finished, checked copy to stdout (a pipe or a file, never a terminal).

import { writeSync } from "node:fs";
import { defineCommand } from "citty";
import { backupStore, streamBackup } from "../backup/backup.ts";
import type { PgBackupResult } from "../backup/postgres/backup.ts";
import { dataDir, loadedConfig, onPostgres, openCliPostgres, storePath } from "../cli/context.ts";
import { getStreams, printJson, say } from "../cli/output.ts";
import { IoError, UsageError } from "../errors.ts";
import { formatBytes, progressLine, withSignals } from "./_backup-ui.ts";
import { wantsJson } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "backup",
    description:
      "Copy the store to PATH (default: backups/ beside it; - for stdout) while it is in use",
  },
  args: {
    path: { type: "positional", description: "Where to write the backup", required: false },
    force: { type: "boolean", description: "Replace PATH if it exists" },
  },
  async run({ args }) {
    const toStdout = args.path === "-";
    if (toStdout) refuseUnfitStdout();
    const result = onPostgres()
      ? await backupPostgres(toStdout ? "-" : args.path || undefined, args.force)
      : await backupSqlite(toStdout, args.path || undefined, args.force);
    if (wantsJson()) {
      printJson(result);
      return;
    }
    const where = toStdout ? "stdout" : result.path;
    say.line(`Backup complete: ${formatBytes(result.bytes)} written to ${where}`);
  },
});

async function backupSqlite(toStdout: boolean, path: string | undefined, force?: boolean) {
  const progress = progressLine("backup");
  const common = {
    source: storePath(),
    busyTimeoutMs: loadedConfig().config.storage?.busy_timeout_ms,
    onProgress: (p: { phase: string; bytesDone: number; bytesTotal: number }) => {
      if (p.phase === "copy") progress.update(p.bytesDone, p.bytesTotal);
      else progress.done();
    },
  };
  return await withSignals((signal) =>
    toStdout
      ? streamBackup({ ...common, signal }, stdoutSink())
      : backupStore({ ...common, signal, target: path, force }),
  ).finally(() => progress.done());
}

/** On PostgreSQL: one read-only snapshot copied into a coffer SQLite file. */
async function backupPostgres(path: string | undefined, force?: boolean): Promise<PgBackupResult> {
  const pg = await import("../backup/postgres/backup.ts");
  const conn = await openCliPostgres();
  try {
    const options = { conn, dataDir: dataDir() };
    return await withSignals((signal) =>
      path === "-"
        ? pg.streamPostgresBackup({ ...options, signal }, stdoutSink())
        : pg.backupPostgres({ ...options, signal, target: path, force }),
    );
  } finally {
    await conn.close();
  }
}

function refuseUnfitStdout(): void {
  if (getStreams().stdout.isTTY) {
    throw new UsageError("refusing to write a backup to a terminal", {
      hint: "redirect stdout: coffer backup - > FILE, or pipe it: coffer backup - | …",
    });
  }
  if (wantsJson()) {
    throw new UsageError("--json cannot be used with backup -: stdout carries the backup");
  }
}

/**
 * Writes each chunk to fd 1 directly (it blocks while the reader is slow):
 * the stdout stream would also report a failure through its own handler.
 */
function stdoutSink(): (chunk: Uint8Array) => Promise<void> {
  return async (chunk) => {
    for (let done = 0; done < chunk.length; ) {
      try {
        done += writeSync(1, chunk, done);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") {
          await Bun.sleep(1); // a non-blocking pipe inherited from the parent
          continue;
        }
        throw new IoError(`write to stdout: ${code ?? err}; the backup sent is incomplete`, {
          cause: err,
        });
      }
    }
  };
}
