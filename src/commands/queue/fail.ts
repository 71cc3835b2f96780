// coffer queue fail ID [--error MESSAGE]: back to pending after a backoff, or dead.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { isoTime, say } from "../../cli/output.ts";
import { output, parseJobId } from "../_shared.ts";

export default defineCommand({
  meta: {
    name: "fail",
    description: "Record a failure: retry later with backoff, or fail for good",
  },
  args: {
    id: { type: "positional", description: "Job id", required: true },
    error: { type: "string", description: "What went wrong (stored with the job)" },
    token: { type: "string", description: "The leaseToken pop printed" },
    "retry-in": {
      type: "string",
      description: "Milliseconds before the retry, instead of the backoff",
    },
  },
  async run({ args }) {
    const id = parseJobId(args.id);
    const retryDelay = parseIntFlag(args["retry-in"], "--retry-in", 0);
    const client = await openCliClient();
    try {
      const job = await client.queue.fail(id, args.error ?? "failed", {
        token: args.token,
        retryDelay,
      });
      output(job, () =>
        say.info(
          job.status === "failed"
            ? `job ${id} failed for good after ${job.attempts} attempts`
            : `job ${id} will be retried at ${isoTime(job.runAt)}`,
        ),
      );
    } finally {
      await client.close();
    }
  },
});
