// coffer verify PATH: every check restore makes, reported; nothing changed.
// With --passphrase-file or --passphrase-fd it also proves the vault unlocks.

import { defineCommand } from "citty";
import { reportError } from "../backup/inspect.ts";
import { backupsDir } from "../backup/postgres/backups-dir.ts";
import { unlockProof } from "../backup/vault-check.ts";
import { verifyBackup } from "../backup/verify.ts";
import { parseIntFlag } from "../cli/argv.ts";
import { dataDir } from "../cli/context.ts";
import { printJson, printTable } from "../cli/output.ts";
import { forbidCoreDumps } from "../vault/core-dumps.ts";
import { readPassphrase } from "../vault/passphrase.ts";
import { wantsJson } from "./_shared.ts";
import { passphraseArgs } from "./secret/_vault.ts";

export default defineCommand({
  meta: { name: "verify", description: "Check that PATH is a backup restore would accept" },
  args: {
    path: { type: "positional", description: "The backup file", required: true },
    ...passphraseArgs,
  },
  async run({ args }) {
    const file = args["passphrase-file"];
    const fd = parseIntFlag(args["passphrase-fd"], "--passphrase-fd", 0, 65_535);
    if (file !== undefined || fd !== undefined) forbidCoreDumps(); // before the passphrase is read
    // Only an explicit flag asks for the proof: the environment's passphrase may be another vault's.
    const proof =
      file !== undefined || fd !== undefined
        ? unlockProof(await readPassphrase({ file, fd, env: {} }))
        : undefined;
    // A private copy in coffer's backups/ for the one check that needs a write (FTS5's).
    const report = await verifyBackup(args.path, {
      extra: proof?.check,
      stageDir: () => backupsDir(dataDir()),
    });
    if (wantsJson()) printJson(report);
    else
      printTable(
        ["", "check", "detail"],
        report.checks.map((c) => [c.ok ? "ok" : "FAIL", c.name, c.detail]),
      );
    if (!report.ok) throw proof?.authError() ?? reportError(report);
  },
});
