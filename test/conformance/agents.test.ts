// The agent model on both engines, asserted value by value (client.test.ts
// checks that the engines agree; this checks that what they agree on is right).

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type Client, connect, createVault, removeAgent } from "../../src/index.ts";
import { TEST_ONLY_KDF_BOUNDS, TEST_ONLY_KDF_PARAMS } from "../../src/vault/testing.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { tempDir } from "../helpers/tmp.ts";

const pg = await pgServer();

const engines: [string, () => Promise<Client>][] = [
  ["SQLite", () => connect(join(tempDir(), "a.db"))],
  ["PostgreSQL", async () => connect((await freshDatabase(pg as never, "agents")).url)],
];

for (const [engine, open] of engines) {
  describe.skipIf(engine === "PostgreSQL" && !pg)(`the agent model on ${engine}`, () => {
    test("documents keep exact text, version on change only, and every version", async () => {
      const c = await open();
      try {
        await c.agents.create({ slug: "bot" });
        const text = "line\r\nünï 🦊\ttab\n\n";
        expect((await c.documents.put("bot", "soul", text)).created).toBe(true);
        expect((await c.documents.put("bot", "soul", text)).created).toBe(false);
        await c.documents.put("bot", "soul", "two", { message: "m" });
        expect((await c.documents.get("bot", "soul", { version: 1 })).content).toBe(text);
        const h = await c.documents.history("bot", "soul");
        expect(h.map((v) => [v.version, v.message])).toEqual([
          [1, null],
          [2, "m"],
        ]);
        expect(h[0]?.sha256).toBe(new Bun.CryptoHasher("sha256").update(text).digest("hex"));
      } finally {
        await c.close();
      }
    });

    test("search ranks the denser match first and filters by session and agent", async () => {
      const c = await open();
      try {
        await c.agents.create({ slug: "bot" });
        await c.sessions.create({ id: "s1", agent: "bot" });
        await c.sessions.create({ id: "s2" });
        const thin = await c.messages.append("s1", {
          role: "user",
          content: "a fox went over the long and winding road to town today",
        });
        const dense = await c.messages.append("s2", { role: "user", content: "fox fox fox" });
        const all = await c.messages.search("Fox");
        expect(all.map((h) => h.messageId)).toEqual([dense.id, thin.id]);
        expect(all[1]?.snippet).toBe("a [fox] went over the long and winding road to town today");
        const mine = await c.messages.search("fox", { agent: "bot" });
        expect(mine.map((h) => h.sessionId)).toEqual(["s1"]);
        expect(await c.messages.search("fox", { session: "s2", limit: 1 })).toHaveLength(1);
        await c.messages.edit("s2", dense.id, "no more");
        expect((await c.messages.search("fox")).map((h) => h.messageId)).toEqual([thin.id]);
        await c.sessions.delete("s1");
        expect(await c.messages.search("fox")).toEqual([]);
      } finally {
        await c.close();
      }
    });

    test("a cursor walk sees every session once while new ones are added", async () => {
      const c = await open();
      try {
        for (let i = 0; i < 25; i++)
          await c.sessions.create({ id: `old${String(i).padStart(2, "0")}` });
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await c.sessions.page({ limit: 4, after });
          seen.push(...page.sessions.map((s) => s.id));
          await c.sessions.create({ id: `new${seen.length}` });
          if (!page.next) break;
          after = page.next;
        }
        expect(seen.filter((id) => id.startsWith("old")).sort()).toHaveLength(25);
        expect(new Set(seen).size).toBe(seen.length);
      } finally {
        await c.close();
      }
    });

    test("export then import is exact but for ids; fork copies up to a message", async () => {
      const c = await open();
      try {
        await c.sessions.create({ id: "s", metadata: { a: [1, "x"] }, ttlMs: 60_000 });
        const m1 = await c.messages.append("s", { role: "user", content: "one\n", tokenCount: 3 });
        await c.messages.append("s", { role: "tool", content: "two", metadata: { t: true } });
        await c.messages.edit("s", m1.id, "uno\n");
        const text = await c.sessions.export("s");
        const copy = await c.sessions.import(text);
        expect(copy.id).not.toBe("s");
        expect(await c.sessions.export(copy.id)).toBe(text);
        const fork = await c.sessions.fork("s", { at: m1.id });
        expect([fork.parentId, fork.forkedAt]).toEqual(["s", m1.id]);
        expect((await c.messages.list(fork.id)).map((m) => m.content)).toEqual(["uno\n"]);
        expect(await c.messages.count("s")).toBe(2);
      } finally {
        await c.close();
      }
    });

    test("removing an agent takes its documents, sessions and messages; last activity follows", async () => {
      const c = await open();
      try {
        await c.agents.create({ slug: "bot" });
        expect((await c.agents.require("bot")).lastActiveAt).toBeNull();
        await c.sessions.create({ id: "mine", agent: "bot" });
        await c.sessions.create({ id: "other" });
        await c.messages.append("mine", { role: "user", content: "hi" });
        expect((await c.agents.require("bot")).lastActiveAt).toBeNumber();
        await c.documents.put("bot", "soul", "x");
        expect(await c.agents.remove("bot")).toEqual({ sessions: 1, messages: 1, documents: 1 });
        expect(await c.sessions.get("mine")).toBeNull();
        expect(await c.messages.count()).toBe(0);
        expect(await c.sessions.get("other")).not.toBeNull();
      } finally {
        await c.close();
      }
    });

    test("removeAgent takes the scope's secrets in its transaction; a rollback keeps them", async () => {
      const c = await open();
      try {
        const bounds = { kdfBounds: TEST_ONLY_KDF_BOUNDS };
        const vault = await createVault(c, "pw", TEST_ONLY_KDF_PARAMS, bounds);
        const v = new TextEncoder().encode("v");
        await vault.setMany([
          { name: "A", scope: "bot", value: v },
          { name: "B", scope: "bot", value: v },
          { name: "C", scope: "other", value: v },
        ]);
        await c.agents.create({ slug: "bot" });
        await c.sessions.create({ id: "s", agent: "bot" });
        expect(removeAgent(c, "bot")).rejects.toThrow("needs the unlocked vault");
        const generation = async () => {
          const i = await c.vault.inspect(bounds);
          return i.present ? [i.generation, i.entries] : [];
        };
        const before = await generation();
        const failed = c.transaction(
          async (tx) => {
            expect(await tx.bindVault(vault).removeScope("bot")).toBe(2);
            throw new Error("changed my mind");
          },
          { durable: true },
        );
        expect(failed).rejects.toThrow("changed my mind");
        await failed.catch(() => {});
        expect(await generation()).toEqual(before);
        expect(new TextDecoder().decode((await vault.get("A", "bot")).value)).toBe("v");
        const r = await removeAgent(c, "bot", { vault });
        expect(r).toEqual({ sessions: 1, messages: 0, documents: 0, secrets: 2 });
        expect(await generation()).toEqual([(before[0] as number) + 1, 1]);
        expect((await vault.current()).map((s) => s.name)).toEqual(["C"]);
        expect(await c.agents.get("bot")).toBeNull();
      } finally {
        await c.close();
      }
    });
  });
}
