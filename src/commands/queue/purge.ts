// coffer queue purge [--older-than DURATION]: deletes settled jobs.

import { defineCommand } from "citty";
import { parseDuration } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "purge", description: "Delete completed and failed jobs older than a given age" },
  args: {
    "older-than": { type: "string", description: "Age such as 30m, 12h, 7d (default 7d)" },
    queue: { type: "string", description: "Only this queue" },
  },
  async run({ args }) {
    const olderThan = parseDuration(args["older-than"] ?? "7d", "--older-than");
    const client = await openCliClient();
    try {
      const count = await client.queue.purge({ olderThan, queue: args.queue });
      output({ purged: count }, () => say.info(`purged ${count} jobs`));
    } finally {
      await client.close();
    }
  },
});
