// coffer queue pop QUEUE [--lease MS]: claims the next due job and prints it as JSON.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { printJson } from "../../cli/output.ts";
import { NotFoundError } from "../../errors.ts";

export default defineCommand({
  meta: {
    name: "pop",
    description: "Claim the next due job (printed as JSON); exit 3 when none is due",
  },
  args: {
    queue: { type: "positional", description: "Queue name", required: true },
    lease: { type: "string", description: "Lease in milliseconds (default 300000)" },
  },
  async run({ args }) {
    const lease = parseIntFlag(args.lease, "--lease", 1);
    const client = await openCliClient();
    try {
      const job = await client.queue.dequeue(args.queue, lease === undefined ? {} : { lease });
      if (!job) throw new NotFoundError(`no job due in queue ${args.queue}`);
      printJson(job);
    } finally {
      await client.close();
    }
  },
});
