// coffer session export ID: JSON Lines, the session then each message in order.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { getStreams } from "../../cli/output.ts";

export default defineCommand({
  meta: { name: "export", description: "Print a session and its messages as JSON Lines" },
  args: { id: { type: "positional", description: "Session id", required: true } },
  async run({ args }) {
    const client = await openCliClient();
    try {
      // Already JSON, one document a line: the same with or without --json.
      getStreams().stdout.write(await client.sessions.export(args.id));
    } finally {
      await client.close();
    }
  },
});
