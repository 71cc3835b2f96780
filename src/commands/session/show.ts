// coffer session show ID [--last N]: a session and its messages.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, printLines } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "show", description: "Show a session and its messages in order" },
  args: {
    id: { type: "positional", description: "Session id", required: true },
    last: { type: "string", description: "Only the last N messages" },
  },
  async run({ args }) {
    const client = await openCliClient();
    try {
      const session = await client.sessions.require(args.id);
      const last = parseIntFlag(args.last, "--last", 1);
      const messages =
        last === undefined
          ? await client.messages.list(session.id)
          : await client.messages.last(session.id, last);
      const total = await client.messages.count(session.id);
      output({ ...session, messageCount: total, messages }, () => {
        printLines([
          `id:        ${session.id}`,
          `channel:   ${session.channel}`,
          `user:      ${session.userId ?? "-"}`,
          `state:     ${session.state}`,
          `agent:     ${session.agent ?? "-"}`,
          ...(session.parentId === null
            ? []
            : [`forked:    from ${session.parentId} at message ${session.forkedAt ?? "-"}`]),
          ...(session.expiresAt === null ? [] : [`expires:   ${isoTime(session.expiresAt)}`]),
          `created:   ${isoTime(session.createdAt)}`,
          `updated:   ${isoTime(session.updatedAt)}`,
          `messages:  ${total}`,
          ...(session.metadata === null ? [] : [`metadata:  ${JSON.stringify(session.metadata)}`]),
        ]);
        for (const m of messages) {
          // One output line per line of the content; anything else unsafe is escaped.
          printLines(["", `[${isoTime(m.createdAt)}] ${m.role}:`, ...m.content.split("\n")]);
        }
      });
    } finally {
      await client.close();
    }
  },
});
