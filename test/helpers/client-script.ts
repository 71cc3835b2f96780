// For the Client tests: one script calling every operation once, and promise helpers.

import type { ClientTx } from "../../src/index.ts";
import { hashKey } from "../../src/state/keys/rules.ts";

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
export async function script(api: ClientTx | Record<keyof ClientTx, object>): Promise<unknown[]> {
  const { sessions, messages, queue, keys, audit } = api as ClientTx;
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
  await step(queue.purge({ olderThan: 0 }));
  await step(sessions.delete("s2"));
  await step((async () => sessions.require("s2"))());
  await step((async () => queue.ack(a?.id ?? 0))());
  // Keys: the key itself is random, so only its shape and what it finds are compared.
  const made = await keys.create({
    name: "agent",
    rules: ["sessions", "queue:q*"],
    expiresIn: 60_000,
  });
  out.push({ key: /^cfk_[\w-]{43}$/.test(made.key), info: made.info });
  await step((async () => keys.create({ name: "agent" }))());
  const found = await keys.find(hashKey(made.key));
  out.push({
    name: found?.key.name,
    rules: found?.key.rules,
    live: (found?.key.expiresAt ?? 0) > (found?.now ?? 0),
  });
  await step(keys.find(hashKey("cfk_nothing")));
  await step(keys.touch("agent"));
  await step(keys.list());
  await step(keys.remove("agent"));
  await step((async () => keys.remove("agent"))());
  // The audit trail: hashes depend on the clock, so only their shape and the chain's verdict.
  const row = await audit.append({
    actor: "cli",
    action: "get",
    scope: "global",
    name: "A",
    version: 1,
    outcome: "ok",
  });
  out.push({ ...row, at: typeof row.at, hash: row.hash.length, prevHash: row.prevHash });
  await audit.append({ actor: "k", action: "set", scope: "s", name: "B", outcome: "denied" });
  out.push(
    (await audit.list({ limit: 10 })).map(({ hash, prevHash, at, ...r }) => ({
      ...r,
      at: typeof at,
      linked: hash.length === 64 && prevHash.length === 64,
    })),
  );
  const check = await audit.verify();
  out.push({ ...check, head: check.ok ? check.head.length : 0 });
  await step((async () => audit.append({ actor: "", action: "get", outcome: "ok" }))());
  return out;
}

export const tokensOut = (v: unknown) =>
  JSON.parse(JSON.stringify(v ?? null).replace(/"leaseToken":"[0-9a-f]{32}"/g, '"leaseToken":"T"'));
