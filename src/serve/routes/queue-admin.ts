// The queue's upkeep over HTTP, as `coffer queue retry|purge|schedule`: retry
// a failed job or all of a queue's, purge old finished jobs, and the queue's
// schedules. Each needs queue:NAME for the queue it touches.

import * as v from "valibot";
import { ExitCode } from "../../errors.ts";
import { ApiError, refuse } from "../api-error.ts";
import { needs } from "../needs.ts";
import { route } from "../route.ts";
import { int, json, positiveId, text } from "../schemas.ts";

const DAY_MS = 86_400_000;

export const retry = route("POST", "/v1/jobs/{id}/retry", {
  summary: "Retry a failed job: pending again, its attempts reset",
  right: needs.jobQueue,
  responses: { 200: "the job" },
  async handler({ client, params }) {
    const id = positiveId(params.id, "job id");
    return { status: 200, body: await client.queue.retry(id) };
  },
});

export const retryAll = route("POST", "/v1/queues/{queue}/retry", {
  summary: "Retry every failed job of a queue",
  right: needs.queue,
  responses: { 200: "`{ queue, retried }`" },
  async handler({ client, params }) {
    const queue = params.queue ?? "";
    return { status: 200, body: { queue, retried: await client.queue.retryAll(queue) } };
  },
});

export const purge = route("POST", "/v1/queues/{queue}/purge", {
  summary: "Delete a queue's completed and failed jobs older than `olderThan` ms (default 7 days)",
  right: needs.queue,
  body: v.strictObject({ olderThan: v.optional(int(0, 3650 * DAY_MS)) }),
  responses: { 200: "`{ queue, purged }`" },
  async handler({ client, params, body }) {
    const queue = params.queue ?? "";
    const purged = await client.queue.purge({ olderThan: body.olderThan ?? 7 * DAY_MS, queue });
    return { status: 200, body: { queue, purged } };
  },
});

export const schedules = route("GET", "/v1/queues/{queue}/schedules", {
  summary: "A queue's schedules, by name",
  right: needs.queue,
  responses: { 200: "an array of schedules" },
  async handler({ client, params }) {
    const all = await client.queue.schedules();
    return { status: 200, body: all.filter((s) => s.queue === params.queue) };
  },
});

export const putSchedule = route("PUT", "/v1/queues/{queue}/schedules/{name}", {
  summary: "Add or replace a schedule: exactly one of `every` (ms) and `cron` (with `tz`)",
  right: needs.queue,
  body: v.strictObject({
    every: v.optional(int(1000, 366 * DAY_MS)),
    cron: v.optional(text(256)),
    tz: v.optional(text(128)),
    payload: v.optional(json),
  }),
  responses: { 200: "the schedule, with its `nextRun`" },
  async handler({ client, params, body }) {
    const queue = params.queue ?? "";
    const name = params.name ?? "";
    // Names are global: a key for this queue must not take over another queue's schedule.
    await ownSchedule(client, queue, name, true);
    const spec = { ...body, payload: body.payload === undefined ? {} : body.payload };
    return { status: 200, body: await client.queue.addSchedule(name, queue, spec) };
  },
});

export const removeSchedule = route("DELETE", "/v1/queues/{queue}/schedules/{name}", {
  summary: "Remove a schedule (the jobs it enqueued stay)",
  right: needs.queue,
  responses: { 200: "`{ removed }`" },
  async handler({ client, params }) {
    const name = params.name ?? "";
    await ownSchedule(client, params.queue ?? "", name, false);
    await client.queue.removeSchedule(name);
    return { status: 200, body: { removed: name } };
  },
});

/** Refuses a schedule `name` of another queue (409 to add, 404 to remove); absent is fine when `mayBeNew`. */
async function ownSchedule(
  client: { queue: { schedules(): Promise<{ name: string; queue: string }[]> } },
  queue: string,
  name: string,
  mayBeNew: boolean,
): Promise<void> {
  const found = (await client.queue.schedules()).find((s) => s.name === name);
  if (found ? found.queue === queue : mayBeNew) return;
  if (found && mayBeNew) {
    const why = `the schedule name '${name}' is taken by another queue`;
    throw new ApiError(409, "conflict", ExitCode.usage, why, "choose another name");
  }
  throw refuse.notFound(`no schedule '${name}' on queue '${queue}'`);
}
