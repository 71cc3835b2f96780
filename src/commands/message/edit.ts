// coffer message edit SESSION ID [CONTENT|-]: replaces the content, keeping the old one as a revision.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { LIMITS } from "../../input/limits.ts";
import { output } from "../_shared.ts";
import { argOrStdin, messageId } from "../_text.ts";

export default defineCommand({
  meta: { name: "edit", description: "Replace a message's content (the old one is kept)" },
  args: {
    session: { type: "positional", description: "Session id", required: true },
    id: { type: "positional", description: "Message id", required: true },
    content: {
      type: "positional",
      description: "The new content, or - for stdin",
      required: false,
    },
  },
  async run({ args }) {
    const id = messageId(args.id);
    const content = argOrStdin(args.content, "message content", LIMITS.messageContent);
    const client = await openCliClient();
    try {
      const m = await client.messages.edit(args.session, id, content);
      output(m, () => say.info(`edited message ${m.id}`));
    } finally {
      await client.close();
    }
  },
});
