// coffer queue schedule rm NAME: jobs it already enqueued stay.

import { defineCommand } from "citty";
import { openCliClient } from "../../../cli/context.ts";
import { output } from "../../_shared.ts";

export default defineCommand({
  meta: { name: "rm", description: "Remove a schedule (its enqueued jobs stay)" },
  args: { name: { type: "positional", description: "Schedule name", required: true } },
  async run({ args }) {
    const client = await openCliClient();
    try {
      await client.queue.removeSchedule(args.name);
      output({ removed: args.name }, () => {});
    } finally {
      await client.close();
    }
  },
});
