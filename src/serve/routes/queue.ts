// The job queue over HTTP: push, the long-poll claim, ack / fail / extend with
// the lease token, stats and listing. A key needs queue:NAME for the job's queue.

import * as v from "valibot";
import { JOB_STATUSES, MAX_DELAY_MS, MAX_LEASE_MS } from "../../state/job.ts";
import { refuse } from "../api-error.ts";
import { checkRight } from "../auth.ts";
import { needs, rightFor } from "../needs.ts";
import { type RouteContext, route } from "../route.ts";
import { int, json, positiveId, queryInt, text } from "../schemas.ts";

/** The longest a claim may wait for a job, in seconds. */
export const MAX_WAIT_SECONDS = 30;

const byName = needs.queue;
const byJob = needs.jobQueue;

export const push = route("POST", "/v1/queues/{queue}/jobs", {
  summary:
    "Enqueue a job; `group`: one at a time in push order, `after`: due once those job ids completed",
  right: byName,
  body: v.strictObject({
    payload: json,
    delay: v.optional(int(0, MAX_DELAY_MS)),
    priority: v.optional(int(-(2 ** 31), 2 ** 31 - 1)),
    maxAttempts: v.optional(int(1, 1000)),
    dedupeKey: v.optional(text()),
    group: v.optional(text(256)),
    after: v.optional(v.pipe(v.array(int(1, Number.MAX_SAFE_INTEGER)), v.maxLength(100))),
  }),
  responses: { 201: "`{ id }`" },
  async handler({ client, params, body }) {
    const queue = params.queue ?? "";
    const { payload, ...options } = body;
    if (payload === undefined) throw refuse.badRequest("payload is required");
    const id = await client.queue.enqueue(queue, payload, options);
    return { status: 201, body: { id } };
  },
});

export const claim = route("POST", "/v1/queues/{queue}/claim", {
  summary: `Claim the next due job, waiting up to \`wait\` seconds (at most ${MAX_WAIT_SECONDS}) for one`,
  right: byName,
  body: v.strictObject({
    lease: v.optional(int(1, MAX_LEASE_MS)),
    wait: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_WAIT_SECONDS))),
  }),
  responses: { 200: "the job with its `leaseToken`", 204: "no job came in time" },
  async handler({ client, pollMs, closing, jobQueues, params, body }) {
    const queue = params.queue ?? "";
    const options = body.lease === undefined ? {} : { lease: body.lease };
    const deadline = Date.now() + (body.wait ?? 0) * 1000;
    for (;;) {
      const job = await client.queue.dequeue(queue, options);
      if (job) {
        jobQueues.set(job.id, job.queue);
        return { status: 200, body: job };
      }
      const left = deadline - Date.now();
      if (left <= 0 || closing.aborted) return { status: 204 };
      // Woken by the store's change signal (any process's push), not by polling.
      await client.queue.waitForJobs([queue], {
        signal: closing,
        timeoutMs: left,
        fallbackMs: pollMs,
      });
    }
  },
});

/** The leaseToken the claim returned: only the holder settles a job. */
const Token = { token: text(128) };

export const ack = route("POST", "/v1/jobs/{id}/ack", {
  summary:
    "Complete a held job; with `next`, claim the next due job of its queue in the same transaction (needs the claim's right too)",
  right: byJob,
  body: v.strictObject({
    ...Token,
    next: v.optional(v.strictObject({ lease: v.optional(int(1, MAX_LEASE_MS)) })),
  }),
  responses: {
    200: '`{ id, status: "completed" }`; with `next`: also `next`, the claimed job with its `leaseToken`, or null when none is due',
  },
  async handler(ctx) {
    const { client, jobQueues, params, body } = ctx;
    const id = positiveId(params.id, "job id");
    if (body.next === undefined) {
      await client.queue.ack(id, { token: body.token });
      jobQueues.delete(id);
      return { status: 200, body: { id, status: "completed" } };
    }
    // The claim route's right for the job's queue, checked before anything is settled.
    const queue = await queueOf(ctx, id);
    if (ctx.key) checkRight(ctx.key, await rightFor(byName, { ...ctx, params: { queue } }));
    const next = await client.queue.settleAndClaim(
      id,
      { token: body.token },
      { queue, lease: body.next.lease },
    );
    jobQueues.delete(id);
    if (next) jobQueues.set(next.id, next.queue);
    return { status: 200, body: { id, status: "completed", next } };
  },
});

/** The queue of job `id` (known from its claim, else looked up). */
async function queueOf(ctx: RouteContext, id: number): Promise<string> {
  const right = await rightFor(byJob, ctx);
  if (right.area !== "queue") throw refuse.notFound(`no job ${id}`);
  return right.queue;
}

export const fail = route("POST", "/v1/jobs/{id}/fail", {
  summary: "Record a failure: back to pending after backoff, or failed once attempts are spent",
  right: byJob,
  body: v.strictObject({
    ...Token,
    error: v.optional(v.pipe(v.string(), v.maxLength(65_536))),
    retryIn: v.optional(int(0, MAX_DELAY_MS)),
  }),
  responses: { 200: "the job" },
  async handler({ client, params, body }) {
    const id = positiveId(params.id, "job id");
    const job = await client.queue.fail(id, body.error ?? "failed", {
      token: body.token,
      retryDelay: body.retryIn,
    });
    return { status: 200, body: job };
  },
});

export const extend = route("POST", "/v1/jobs/{id}/extend", {
  summary: "Extend the lease of a held job",
  right: byJob,
  body: v.strictObject({ ...Token, lease: v.optional(int(1, MAX_LEASE_MS)) }),
  responses: { 200: "the job" },
  async handler({ client, params, body }) {
    const id = positiveId(params.id, "job id");
    return { status: 200, body: await client.queue.extend(id, body.lease, { token: body.token }) };
  },
});

export const stats = route("GET", "/v1/queues/{queue}/stats", {
  summary: "Counts of a queue's jobs by status",
  right: byName,
  responses: { 200: "`{ queue, pending, processing, completed, failed }`" },
  async handler({ client, params }) {
    const queue = params.queue ?? "";
    const [row] = await client.queue.stats(queue);
    return { status: 200, body: row };
  },
});

export const jobs = route("GET", "/v1/queues/{queue}/jobs", {
  summary: "A queue's jobs, oldest first (`status`, `limit`, `offset`)",
  right: byName,
  query: v.strictObject({
    status: v.optional(v.picklist(JOB_STATUSES)),
    limit: v.optional(queryInt),
    offset: v.optional(queryInt),
  }),
  responses: { 200: "an array of jobs" },
  async handler({ client, params, query }) {
    return { status: 200, body: await client.queue.list(params.queue ?? "", query as never) };
  },
});
