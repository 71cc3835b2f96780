// coffer queue push QUEUE [PAYLOAD|-]: the payload is JSON, from the argument or stdin.

import { defineCommand } from "citty";
import { parseIntFlag } from "../../cli/argv.ts";
import { openCliClient } from "../../cli/context.ts";
import { printLines } from "../../cli/output.ts";
import { UsageError } from "../../errors.ts";
import { LIMITS } from "../../input/limits.ts";
import { output, parseJobId, parseJsonArg, readStdinText, stdinIsTerminal } from "../_shared.ts";

export default defineCommand({
  meta: { name: "push", description: "Enqueue a job; prints its id" },
  args: {
    queue: { type: "positional", description: "Queue name", required: true },
    payload: {
      type: "positional",
      description: "JSON payload, or - (or nothing) to read it from stdin",
      required: false,
    },
    delay: { type: "string", description: "Milliseconds before the job is due" },
    priority: { type: "string", description: "Higher runs first (default 0)" },
    "max-attempts": {
      type: "string",
      description: "Claims before the job is marked failed (default 3)",
    },
    "dedupe-key": {
      type: "string",
      description: "Return the live job with this key instead of adding one",
    },
    group: {
      type: "string",
      description: "Run the jobs of this group one at a time, in push order",
    },
    after: {
      type: "string",
      description: "Due only once these jobs completed: ID[,ID…]",
    },
  },
  async run({ args }) {
    const payload = parseJsonArg(payloadText(args.payload), "payload");
    const options = {
      delay: parseIntFlag(args.delay, "--delay", 0),
      priority: parseIntFlag(args.priority, "--priority", -(2 ** 31), 2 ** 31 - 1),
      maxAttempts: parseIntFlag(args["max-attempts"], "--max-attempts", 1, 1000),
      dedupeKey: args["dedupe-key"],
      group: args.group,
      after:
        args.after === undefined
          ? undefined
          : args.after.split(",").map((id) => parseJobId(id.trim())),
    };
    const client = await openCliClient();
    try {
      const id = await client.queue.enqueue(args.queue, payload, options);
      output({ id }, () => printLines([String(id)]));
    } finally {
      await client.close();
    }
  },
});

function payloadText(arg: string | undefined): string {
  if (arg !== undefined && arg !== "-") {
    // argv reaches us decoded, invalid bytes as U+FFFD: refuse rather than store a guess.
    if (arg.includes("\uFFFD")) {
      throw new UsageError("the payload argument is not valid UTF-8 text", {
        hint: "write U+FFFD as \\ufffd, or pipe the payload in with -",
      });
    }
    return arg;
  }
  if (arg === undefined && stdinIsTerminal()) {
    throw new UsageError("no payload given", {
      hint: "pass JSON as an argument, or pipe it in with -",
    });
  }
  return readStdinText(LIMITS.jobPayload, "the payload on stdin");
}
