// coffer queue schedule add NAME QUEUE (--every DURATION | --cron EXPR) [PAYLOAD] [--tz ZONE]

import { defineCommand } from "citty";
import { parseDuration } from "../../../cli/argv.ts";
import { openCliClient } from "../../../cli/context.ts";
import { isoTime, printLines } from "../../../cli/output.ts";
import { output, parseJsonArg } from "../../_shared.ts";

export default defineCommand({
  meta: { name: "add", description: "Add (or replace) a schedule; prints its next run" },
  args: {
    name: { type: "positional", description: "Schedule name", required: true },
    queue: { type: "positional", description: "Queue its jobs go to", required: true },
    payload: {
      type: "positional",
      description: "JSON payload of each job (default {})",
      required: false,
    },
    every: { type: "string", description: "Interval: 30s, 15m, 12h, 7d …" },
    cron: {
      type: "string",
      description: "Five-field cron expression, e.g. '*/15 9-17 * * mon-fri'",
    },
    tz: { type: "string", description: "Time zone of --cron (default UTC)" },
  },
  async run({ args }) {
    const spec = {
      every: args.every === undefined ? undefined : parseDuration(args.every, "--every"),
      cron: args.cron,
      tz: args.tz,
      payload: args.payload === undefined ? {} : parseJsonArg(args.payload, "payload"),
    };
    const client = await openCliClient();
    try {
      const s = await client.queue.addSchedule(args.name, args.queue, spec);
      output(s, () => printLines([`${s.name}: next run ${isoTime(s.nextRun)}`]));
    } finally {
      await client.close();
    }
  },
});
