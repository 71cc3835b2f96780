// coffer message rm SESSION ID: removes one message (and its revisions).

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { messageId } from "../_text.ts";

export default defineCommand({
  meta: { name: "rm", description: "Remove a message" },
  args: {
    session: { type: "positional", description: "Session id", required: true },
    id: { type: "positional", description: "Message id", required: true },
  },
  async run({ args }) {
    const id = messageId(args.id);
    const client = await openCliClient();
    try {
      await client.messages.remove(args.session, id);
      output({ removed: id }, () => say.info(`removed message ${id}`));
    } finally {
      await client.close();
    }
  },
});
