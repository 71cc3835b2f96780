// coffer session list: newest first, optionally one state, paginated.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, printTable } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "list", description: "List sessions, newest first" },
  args: {
    state: { type: "string", description: "Only sessions in this state" },
    limit: { type: "string", description: "At most N sessions (default 50)" },
    offset: { type: "string", description: "Skip the first N sessions" },
  },
  async run({ args }) {
    const client = await openCliClient();
    try {
      const sessions = await client.sessions.list({
        state: args.state,
        limit: parseIntFlag(args.limit, "--limit", 1),
        offset: parseIntFlag(args.offset, "--offset", 0),
      });
      output(sessions, () =>
        printTable(
          ["ID", "CHANNEL", "USER", "STATE", "CREATED", "UPDATED"],
          sessions.map((s) => [
            s.id,
            s.channel,
            s.userId ?? "-",
            s.state,
            isoTime(s.createdAt),
            isoTime(s.updatedAt),
          ]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
