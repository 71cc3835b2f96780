// coffer queue purge [--older-than DURATION]: deletes settled jobs.

import { defineCommand } from "citty";
import { parseDuration } from "../../cli/argv.ts";
import { openCliStore } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "purge", description: "Delete completed and failed jobs older than a given age" },
  args: {
    "older-than": { type: "string", description: "Age such as 30m, 12h, 7d (default 7d)" },
    queue: { type: "string", description: "Only this queue" },
  },
  run({ args }) {
    const olderThan = parseDuration(args["older-than"] ?? "7d", "--older-than");
    using store = openCliStore();
    const count = store.queue.purge({ olderThan, queue: args.queue });
    output({ purged: count }, () => say.info(`purged ${count} jobs`));
  },
});
