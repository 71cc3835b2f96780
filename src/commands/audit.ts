// coffer audit [--since DURATION] [--limit N] [--verify]: the trail of secret
// reads and writes, or a check of its hash chain (exit 5 at the first broken link).

import { defineCommand } from "citty";
import { parseDuration, parseIntFlag } from "../cli/argv.ts";
import { openCliClient } from "../cli/context.ts";
import { isoTime, printLines, printTable } from "../cli/output.ts";
import { IntegrityError } from "../errors.ts";
import { output } from "./_shared.ts";

export default defineCommand({
  meta: {
    name: "audit",
    description: "List the audit trail of secret reads and writes, or --verify it",
  },
  args: {
    since: { type: "string", description: "Only rows newer than this (30s, 15m, 12h, 7d, 2w)" },
    limit: { type: "string", description: "At most N rows, the newest (default 100)" },
    verify: {
      type: "boolean",
      description: "Check the hash chain; exit 5 at the first broken link",
    },
  },
  async run({ args }) {
    const since =
      args.since === undefined ? undefined : Date.now() - parseDuration(args.since, "--since");
    const limit = parseIntFlag(args.limit, "--limit", 1);
    const client = await openCliClient();
    try {
      if (args.verify) {
        const check = await client.audit.verify();
        if (!check.ok) {
          throw new IntegrityError(
            `the audit trail is broken at row ${check.brokenAt}: ${check.reason}`,
            {
              hint: "rows were edited, deleted or reordered after they were written",
            },
          );
        }
        output(check, () =>
          printLines([`audit trail intact: ${check.rows} row(s), head ${check.head}`]),
        );
        return;
      }
      const rows = await client.audit.list({ since, limit });
      output(rows, () =>
        printTable(
          ["ID", "TIME", "ACTOR", "ACTION", "SCOPE", "NAME", "VERSION", "OUTCOME"],
          rows.map((r) => [
            String(r.id),
            isoTime(r.at),
            r.actor,
            r.action,
            r.scope ?? "-",
            r.name ?? "-",
            r.version === null ? "-" : String(r.version),
            r.outcome,
          ]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
