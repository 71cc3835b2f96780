// coffer queue retry ID | --all QUEUE: sends failed jobs back to pending.

import { defineCommand } from "citty";
import { openCliClient } from "../../cli/context.ts";
import { say } from "../../cli/output.ts";
import { UsageError } from "../../errors.ts";
import { output, parseJobId } from "../_shared.ts";

export default defineCommand({
  meta: {
    name: "retry",
    description: "Retry a failed job, or every failed job of a queue with --all",
  },
  args: {
    target: {
      type: "positional",
      description: "Job id, or the queue name with --all",
      required: true,
    },
    all: { type: "boolean", description: "Retry every failed job of the queue named" },
  },
  async run({ args }) {
    if (args.all) {
      if (/^\d+$/.test(args.target)) {
        throw new UsageError("--all takes a queue name, not a job id");
      }
      const client = await openCliClient();
      try {
        const count = await client.queue.retryAll(args.target);
        output({ queue: args.target, retried: count }, () =>
          say.info(`retried ${count} failed jobs of ${args.target}`),
        );
        return;
      } finally {
        await client.close();
      }
    }
    const id = parseJobId(args.target);
    const client = await openCliClient();
    try {
      const job = await client.queue.retry(id);
      output(job, () => say.info(`job ${id} is pending again`));
    } finally {
      await client.close();
    }
  },
});
