// coffer queue extend ID [--lease MS]: keeps a long job's claim alive.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, say } from "../../cli/output.ts";
import { output, parseJobId } from "../_shared.ts";

export default defineCommand({
  meta: {
    name: "extend",
    description: "Extend the lease of a held job (exit 6 if it is not held)",
  },
  args: {
    id: { type: "positional", description: "Job id", required: true },
    lease: { type: "string", description: "New lease from now, in milliseconds (default 300000)" },
    token: { type: "string", description: "The leaseToken pop printed" },
  },
  async run({ args }) {
    const id = parseJobId(args.id);
    const lease = parseIntFlag(args.lease, "--lease", 1);
    const client = await openCliClient();
    try {
      const job = await client.queue.extend(id, lease, { token: args.token });
      output(job, () => say.info(`job ${id} held until ${isoTime(job.lockedUntil)}`));
    } finally {
      await client.close();
    }
  },
});
