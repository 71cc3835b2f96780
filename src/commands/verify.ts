// coffer verify PATH: every check restore makes, reported; nothing changed.

import { defineCommand } from "citty";
import { reportError } from "../backup/inspect.ts";
import { verifyBackup } from "../backup/verify.ts";
import { printJson, printTable } from "../cli/output.ts";
import { wantsJson } from "./_shared.ts";

export default defineCommand({
  meta: { name: "verify", description: "Check that PATH is a backup restore would accept" },
  args: { path: { type: "positional", description: "The backup file", required: true } },
  async run({ args }) {
    const report = await verifyBackup(args.path);
    if (wantsJson()) printJson(report);
    else
      printTable(
        ["", "check", "detail"],
        report.checks.map((c) => [c.ok ? "ok" : "FAIL", c.name, c.detail]),
      );
    if (!report.ok) throw reportError(report);
  },
});
