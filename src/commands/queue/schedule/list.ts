// coffer queue schedule list: every schedule, by name.

import { defineCommand } from "citty";
import { openCliClient } from "../../../cli/context.ts";
import { isoTime, printTable } from "../../../cli/output.ts";
import { output } from "../../_shared.ts";

export default defineCommand({
  meta: { name: "list", description: "List the schedules" },
  args: {},
  async run() {
    const client = await openCliClient();
    try {
      const all = await client.queue.schedules();
      output(all, () =>
        printTable(
          ["NAME", "QUEUE", "WHEN", "TZ", "NEXT RUN"],
          all.map((s) => [
            s.name,
            s.queue,
            s.cron ?? `every ${s.everyMs} ms`,
            s.tz,
            isoTime(s.nextRun),
          ]),
        ),
      );
    } finally {
      await client.close();
    }
  },
});
