// coffer queue stats [QUEUE]: job counts by status.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { printTable } from "../../cli/output.ts";
import { output } from "../_shared.ts";

export default defineCommand({
  meta: { name: "stats", description: "Count jobs by status, per queue" },
  args: { queue: { type: "positional", description: "Only this queue", required: false } },
  async run({ args }) {
    const client = await openCliClient();
    try {
      const stats = await client.queue.stats(args.queue);
      output(args.queue === undefined ? stats : stats[0], () =>
        printTable(
          ["QUEUE", "PENDING", "PROCESSING", "COMPLETED", "FAILED"],
          stats.map((s) => [
            s.queue,
            String(s.pending),
            String(s.processing),
            String(s.completed),
            String(s.failed),
          ]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
