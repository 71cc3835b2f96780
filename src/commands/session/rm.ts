// coffer session rm ID: deletes a session and its messages.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "rm", description: "Delete a session and its messages" },
  args: { id: { type: "positional", description: "Session id", required: true } },
  async run({ args }) {
    const client = await openCliClient();
    try {
      await client.sessions.delete(args.id);
      output({ deleted: args.id }, () => say.info(`deleted session ${args.id}`));
    } finally {
      await client.close();
    }
  },
});
