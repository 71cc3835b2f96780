// coffer queue ack ID: completes a job this worker holds.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { output, parseJobId } from "../_shared.ts";

export default defineCommand({
  meta: { name: "ack", description: "Mark a held job completed (exit 6 if it is not held)" },
  args: {
    id: { type: "positional", description: "Job id", required: true },
    token: {
      type: "string",
      description: "The leaseToken pop printed: refuse if the claim changed hands",
    },
  },
  async run({ args }) {
    const id = parseJobId(args.id);
    const client = await openCliClient();
    try {
      await client.queue.ack(id, { token: args.token });
      output({ id, status: "completed" }, () => say.info(`job ${id} completed`));
    } finally {
      await client.close();
    }
  },
});
