// coffer backup [PATH]: an online, consistent copy of the store (see docs/backup.md).

import { defineCommand } from "citty";
import { backupStore } from "../backup/backup.ts";
import { loadedConfig, storePath } from "../cli/context.ts";
import { printJson, say } from "../cli/output.ts";
import { formatBytes, progressLine, withSignals } from "./_backup-ui.ts";
import { wantsJson } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "backup",
    description: "Copy the store to PATH (default: backups/ beside it) while it is in use",
  },
  args: {
    path: { type: "positional", description: "Where to write the backup", required: false },
    force: { type: "boolean", description: "Replace PATH if it exists" },
  },
  async run({ args }) {
    const progress = progressLine("backup");
    const result = await withSignals((signal) =>
      backupStore({
        source: storePath(),
        target: args.path || undefined,
        force: args.force,
        busyTimeoutMs: loadedConfig().config.storage?.busy_timeout_ms,
        signal,
        onProgress: (p) => {
          if (p.phase === "copy") progress.update(p.bytesDone, p.bytesTotal);
          else progress.done();
        },
      }),
    ).finally(() => progress.done());
    if (wantsJson()) {
      printJson(result);
      return;
    }
    say.line(`Backup complete: ${formatBytes(result.bytes)} written to ${result.path}`);
  },
});
