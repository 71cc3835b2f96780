// The agent model's part of the Client script: agents, documents, sessions'
// filters, pages, fork, prune, export/import, and messages' edit, pop and
// search. New ids and cursors are shown by shape: they differ between runs.

import type { ClientTx } from "../../src/index.ts";

type Step = (p: unknown) => Promise<unknown>;

export async function agentScript(api: ClientTx, out: unknown[], step: Step): Promise<void> {
  const { agents, documents, sessions, messages } = api;
  // A thunk: on a sync Store a refusal throws at the call, not in a promise.
  const run = (f: () => unknown) => step((async () => f())());
  const fresh = <T extends { id: string }>(s: T) => ({ ...s, id: "fresh" });
  await run(() => agents.create({ slug: "bot", name: "Bot", metadata: { k: 1 } }));
  await run(() => agents.create({ slug: "bot" }));
  await run(() => agents.create({ slug: "bad slug" }));
  await run(() => agents.get("bot"));
  await run(() => agents.require("nobody"));
  await run(() => agents.list({ status: "active" }));
  await run(() => agents.update("bot", { description: "helps", status: "disabled" }));
  await run(() => agents.update("bot", { status: "active", metadata: null }));
  await run(() => documents.put("bot", "soul", "be kind\r\n\ttabs ünï\n"));
  await run(() => documents.put("bot", "soul", "be kind\r\n\ttabs ünï\n"));
  await run(() => documents.put("bot", "soul", "v2", { message: "shorter" }));
  await run(() => documents.put("bot", "config", "{}"));
  await run(() => documents.get("bot", "soul"));
  await run(() => documents.get("bot", "soul", { version: 1 }));
  await run(() => documents.get("bot", "soul", { version: 9 }));
  await run(() => documents.history("bot", "soul"));
  await run(() => documents.list("bot"));
  await run(() => documents.put("ghost", "soul", "x"));
  await run(() =>
    sessions.create({ id: "a1", agent: "bot", metadata: { team: "red", n: 3 }, ttlMs: 9e9 }),
  );
  await run(() => sessions.create({ id: "a2", agent: "bot", metadata: { team: "blue" } }));
  await run(() => sessions.create({ id: "a3", agent: "ghost" }));
  await run(() => sessions.update("a2", { metadata: { team: "red" }, ttlMs: null, state: "idle" }));
  await run(() => sessions.list({ agent: "bot", where: { team: "red" } }));
  await run(() => sessions.list({ where: { n: "3" } }));
  await run(() => sessions.list({ where: { team: "green" } }));
  const p1 = await sessions.page({ agent: "bot", limit: 1 });
  out.push({ ...p1, next: p1.next && "cursor" });
  const p2 = await sessions.page({ agent: "bot", limit: 1, after: p1.next ?? "" });
  out.push({ ...p2, next: p2.next && "cursor" });
  await run(() => sessions.page({ after: "not a cursor!" }));
  const m1 = await messages.append("a1", { role: "user", content: "the quick brown fox" });
  await messages.append("a1", { role: "assistant", content: "fox fox fox" });
  const m3 = await messages.append("a1", { role: "user", content: "a slow turtle" });
  out.push(m1, m3);
  out.push((await agents.get("bot"))?.lastActiveAt !== null);
  await run(() => messages.search("FOX"));
  await run(() => messages.search("fox quick", { agent: "bot" }));
  await run(() => messages.search("fox", { session: "a2" }));
  await run(() => messages.search("  ?! "));
  await run(() => messages.edit("a1", m1.id, "the lazy dog"));
  await run(() => messages.edit("a1", m1.id, "the lazy dog, twice"));
  await run(() => messages.revisions("a1", m1.id));
  await run(() => messages.get("a1", m1.id));
  await run(() => messages.get("a2", m1.id));
  await run(() => messages.search("quick"));
  await run(() => messages.list("a1", { after: m1.id }));
  const forked = await sessions.fork("a1", { at: m1.id + 1 });
  out.push(
    fresh(forked),
    (await messages.list(forked.id)).map((m) => m.content),
  );
  await run(() => sessions.fork("a1", { at: 999_999 }));
  await run(() => sessions.fork("nope"));
  const text = await sessions.export("a1");
  out.push(
    text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  );
  const copy = await sessions.import(text);
  out.push(fresh(copy), (await sessions.export(copy.id)) === text);
  await run(() => sessions.import('{"type":"session"}\n'));
  await run(() => messages.pop("a1"));
  await run(() => messages.remove("a1", m1.id));
  await run(() => messages.remove("a1", m1.id));
  await run(() => messages.list("a1"));
  await run(() => messages.pop("a2"));
  await run(() => sessions.prune({ state: "idle", dryRun: true }));
  await run(() => sessions.prune({ expired: true, idleMs: 9e9 }));
  await run(() => sessions.prune({}));
  await run(() => sessions.prune({ state: "idle" }));
  const removed = await agents.remove("bot");
  out.push(removed, await sessions.get("a1"), await sessions.count());
  await run(() => documents.list("bot"));
  await run(() => agents.remove("bot"));
}
