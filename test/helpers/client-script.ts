// For the Client tests: one script calling every operation once, and promise helpers.

import type { ClientTx } from "../../src/index.ts";
import { agentScript } from "./agent-script.ts";
import { serveScript } from "./serve-script.ts";

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets every queued callback run: what is still pending after this is waiting on something. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 1));
}

/** Every public operation once; `api` is a Client, a ClientTx or a sync Store. */
export async function script(
  api: ClientTx | Record<"sessions" | "messages" | "queue", object>,
): Promise<unknown[]> {
  const { sessions, messages, queue } = api as ClientTx;
  const out: unknown[] = [];
  // Errors count as results: the same class and message on both.
  const step = async (p: unknown) =>
    out.push(
      await Promise.resolve()
        .then(() => p)
        .catch((e: Error) => ({ error: e.name, message: e.message })),
    );
  await step(sessions.create({ id: "s1", channel: "cli", metadata: { a: 1 } }));
  await step(sessions.create({ id: "s2", state: "idle" }));
  await step(sessions.get("s1"));
  await step(sessions.require("s2"));
  await step(sessions.list({ limit: 10 }));
  await step(sessions.updateState("s1", "done"));
  await step(sessions.count());
  await step(messages.append("s1", { role: "user", content: "hi", tokenCount: 2 }));
  await step(messages.append("s1", { role: "assistant", content: "hello" }));
  await step(messages.list("s1"));
  await step(messages.last("s1", 1));
  await step(messages.count("s1"));
  await step(queue.enqueue("q", { n: 1 }, { priority: 2 }));
  await step(queue.enqueueMany("q", [{ n: 2 }]));
  await step(queue.enqueue("q", { n: 3 }, { maxAttempts: 1 }));
  const a = await queue.dequeue("q", { lease: 60_000 });
  out.push(a);
  const [b, c] = await queue.dequeueMany("q", 2, { lease: 60_000 });
  out.push(b, c);
  await step(queue.extend(a?.id ?? 0, 90_000, { token: a?.leaseToken ?? undefined }));
  await step(queue.ack(a?.id ?? 0, { token: a?.leaseToken ?? undefined }));
  await step(queue.ackMany([{ id: b?.id ?? 0, token: b?.leaseToken }]));
  await step(queue.fail(c?.id ?? 0, "boom", { token: c?.leaseToken ?? undefined }));
  await step(queue.retry(c?.id ?? 0));
  await step(queue.retryAll("q"));
  await step(queue.get(a?.id ?? 0));
  await step(queue.list("q"));
  await step(queue.stats());
  // Past the millisecond both jobs completed in, so the count is 2 on either clock.
  await Bun.sleep(5);
  await step(queue.purge({ olderThan: 0 }));
  // Workers: groups and parents, a settle that claims the next, release, the waiter, the loop, schedules.
  const g1 = await queue.enqueue("w", { n: 4 }, { group: "g" });
  await step(queue.enqueue("w", { n: 5 }, { group: "g", after: [g1] }));
  await step(queue.due("w"));
  await step(queue.waitForJobs(["w"], { timeoutMs: 0 }));
  const d = await queue.dequeue("w", { lease: 60_000 });
  out.push(d);
  await step(queue.release(d?.id ?? 0, { token: d?.leaseToken ?? undefined }));
  const e = await queue.dequeue("w", { lease: 60_000 });
  const next = await queue.settleAndClaim(
    e?.id ?? 0,
    { token: e?.leaseToken ?? undefined },
    { queue: "w", lease: 60_000 },
  );
  out.push(e, next);
  await step(
    queue.settleAndClaim(next?.id ?? 0, { token: next?.leaseToken ?? undefined, error: "x" }),
  );
  await step(queue.enqueueMany("w2", [{ n: 6 }, { n: 7 }]));
  await step(queue.work("w2", () => {}, { exitWhenEmpty: true }));
  await step(queue.addSchedule("tick", "w3", { every: 60_000, payload: { k: 1 } }));
  await step(queue.schedules());
  await step(queue.removeSchedule("tick"));
  await step(sessions.delete("s2"));
  await step((async () => sessions.require("s2"))());
  await step((async () => queue.ack(a?.id ?? 0))());
  if ("agents" in api) await agentScript(api as ClientTx, out, step);
  if ("keys" in api) await serveScript(api as ClientTx, out, step);
  return out;
}

export const tokensOut = (v: unknown) =>
  JSON.parse(JSON.stringify(v ?? null).replace(/"leaseToken":"[0-9a-f]{32}"/g, '"leaseToken":"T"'));
