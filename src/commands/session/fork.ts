// coffer session fork ID [--at MESSAGE_ID]: a copy made inside the database; prints its id.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { printLines } from "../../cli/output.ts";
import { output } from "../_shared.ts";
import { messageId } from "../_text.ts";

export default defineCommand({
  meta: {
    name: "fork",
    description: "Copy a session and its messages (up to --at); prints the new id",
  },
  args: {
    id: { type: "positional", description: "Session id", required: true },
    at: { type: "string", description: "Copy messages up to and including this one" },
  },
  async run({ args }) {
    const at = args.at === undefined ? undefined : messageId(args.at, "--at");
    const client = await openCliClient();
    try {
      const session = await client.sessions.fork(args.id, { at });
      output(session, () => printLines([session.id]));
    } finally {
      await client.close();
    }
  },
});
