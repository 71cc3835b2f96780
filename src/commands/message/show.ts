// coffer message show SESSION ID [--revisions]: one message, and its earlier contents.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, printLines } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { messageId } from "../_text.ts";
import { printMessages } from "./_print.ts";

export default defineCommand({
  meta: { name: "show", description: "Show a message (with --revisions, its earlier contents)" },
  args: {
    session: { type: "positional", description: "Session id", required: true },
    id: { type: "positional", description: "Message id", required: true },
    revisions: { type: "boolean", description: "Also list its earlier contents, oldest first" },
  },
  async run({ args }) {
    const id = messageId(args.id);
    const client = await openCliClient();
    try {
      const m = await client.messages.get(args.session, id);
      const revisions = args.revisions
        ? await client.messages.revisions(args.session, id)
        : undefined;
      output(revisions ? { ...m, revisions } : m, () => {
        printMessages([m]);
        for (const r of revisions ?? []) {
          printLines([
            "",
            `revision ${r.revision} (replaced ${isoTime(r.createdAt)}):`,
            ...r.content.split("\n"),
          ]);
        }
      });
    } finally {
      await client.close();
    }
  },
});
