// coffer queue list QUEUE [--status S]: the jobs of one queue, oldest first.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, printTable } from "../../cli/output.ts";
import { JOB_STATUSES } from "../../state/queue/sqlite.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "list", description: "List the jobs of a queue" },
  args: {
    queue: { type: "positional", description: "Queue name", required: true },
    status: { type: "enum", options: [...JOB_STATUSES], description: "Only jobs in this status" },
    limit: { type: "string", description: "At most N jobs (default 100)" },
    offset: { type: "string", description: "Skip the first N jobs" },
  },
  async run({ args }) {
    const client = await openCliClient();
    try {
      const jobs = await client.queue.list(args.queue, {
        status: args.status,
        limit: parseIntFlag(args.limit, "--limit", 1),
        offset: parseIntFlag(args.offset, "--offset", 0),
      });
      output(jobs, () =>
        printTable(
          ["ID", "STATUS", "PRIORITY", "ATTEMPTS", "RUN AT", "LAST ERROR"],
          jobs.map((j) => [
            String(j.id),
            j.status,
            String(j.priority),
            `${j.attempts}/${j.maxAttempts}`,
            isoTime(j.runAt),
            j.lastError ?? "-",
          ]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
