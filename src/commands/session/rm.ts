// coffer session rm ID: deletes a session and its messages.

import { defineCommand } from "citty";
import { openCliStore } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "rm", description: "Delete a session and its messages" },
  args: { id: { type: "positional", description: "Session id", required: true } },
  run({ args }) {
    using store = openCliStore();
    store.sessions.delete(args.id);
    output({ deleted: args.id }, () => say.info(`deleted session ${args.id}`));
  },
});
