// The agent model through coffer serve, one script on both engines: agents,
// documents, sessions with an agent, ttl, filters and the cursor, fork, search,
// and removing an agent whose scope holds secrets (its right, then the vault).

import { describe, expect, test } from "bun:test";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";
import { call, makeKey, serve } from "../helpers/serve.ts";
import { tempDir } from "../helpers/tmp.ts";
import { cheapConfig } from "../helpers/vault.ts";

const pg = await pgServer();

async function script(db?: string): Promise<void> {
  const dir = tempDir("coffer-serve-agents-");
  const env = { COFFER_CONFIG: cheapConfig(dir), COFFER_PASSPHRASE: "agents pass" };
  const s = await serve({ dir, env, ...(db ? { db } : {}) });
  try {
    const key = makeKey(s.db, "ops", "agents,sessions,secrets:bot-2");
    const reader = makeKey(s.db, "reader", "agents:read,sessions:read");
    const c = (method: string, path: string, body?: unknown, k = key) =>
      call(s.socket, method, path, { key: k, ...(body === undefined ? {} : { body }) });

    expect(
      (await c("POST", "/v1/agents", { slug: "bot-1", name: "Bot", metadata: { t: 1 } })).status,
    ).toBe(201);
    expect((await c("POST", "/v1/agents", { slug: "bot-1" })).status).toBe(409);
    expect((await c("POST", "/v1/agents", { slug: "bot-2" })).status).toBe(201);
    expect((await c("POST", "/v1/agents", { slug: "x" }, reader)).status).toBe(403);
    const patched = await c("PATCH", "/v1/agents/bot-1", { status: "disabled" });
    expect(patched.body).toMatchObject({ slug: "bot-1", status: "disabled", name: "Bot" });
    const listed = (await c("GET", "/v1/agents?status=disabled", undefined, reader)).body as {
      slug: string;
    }[];
    expect(listed.map((a) => a.slug)).toEqual(["bot-1"]);
    expect((await c("GET", "/v1/agents/nope", undefined, reader)).status).toBe(404);

    const put = await c("PUT", "/v1/agents/bot-1/docs/prompt", {
      content: "be brief",
      message: "first",
    });
    expect(put.body).toMatchObject({ created: true, document: { version: 1 } });
    expect(
      (
        (await c("PUT", "/v1/agents/bot-1/docs/prompt", { content: "be brief" })).body as {
          created: boolean;
        }
      ).created,
    ).toBe(false);
    await c("PUT", "/v1/agents/bot-1/docs/prompt", { content: "be kind" });
    expect((await c("GET", "/v1/agents/bot-1/docs/prompt", undefined, reader)).body).toMatchObject({
      version: 2,
      content: "be kind",
    });
    expect((await c("GET", "/v1/agents/bot-1/docs/prompt?version=1")).body).toMatchObject({
      content: "be brief",
    });
    expect(
      ((await c("GET", "/v1/agents/bot-1/docs/prompt/history")).body as unknown[]).length,
    ).toBe(2);

    for (let i = 0; i < 3; i++) {
      const made = await c("POST", "/v1/sessions", {
        agent: "bot-1",
        metadata: { team: i === 0 ? "a" : "b" },
        ttl: 3_600_000,
      });
      expect(made.status).toBe(201);
      expect((made.body as { expiresAt: number | null }).expiresAt).toBeNumber();
    }
    await c("POST", "/v1/sessions", { id: "loose" });
    const first = (await c("GET", "/v1/sessions?agent=bot-1&limit=2")).body as {
      sessions: { id: string }[];
      next: string;
    };
    expect(first.sessions).toHaveLength(2);
    const rest = (
      await c("GET", `/v1/sessions?agent=bot-1&limit=2&after=${encodeURIComponent(first.next)}`)
    ).body as {
      sessions: unknown[];
      next: string | null;
    };
    expect(rest.sessions).toHaveLength(1);
    expect(rest.next).toBeNull();
    const teamB = (await c("GET", "/v1/sessions?where=team=b&where=team=b")).body as {
      sessions: unknown[];
    };
    expect(teamB.sessions).toHaveLength(2);
    expect((await c("GET", "/v1/sessions?where=nonsense")).status).toBe(400);

    const sid = first.sessions[0]?.id ?? "";
    await c("POST", `/v1/sessions/${sid}/messages`, {
      role: "user",
      content: "the zebra crossing",
    });
    const m2 = await c("POST", `/v1/sessions/${sid}/messages`, {
      role: "assistant",
      content: "a horse",
    });
    const fork = await c("POST", `/v1/sessions/${sid}/fork`, {
      at: (m2.body as { id: number }).id - 1,
    });
    expect(fork.status).toBe(201);
    const forkId = (fork.body as { id: string }).id;
    expect(((await c("GET", `/v1/sessions/${forkId}/messages`)).body as unknown[]).length).toBe(1);
    const hits = (await c("GET", "/v1/messages/search?q=zebra&agent=bot-1", undefined, reader))
      .body as { sessionId: string }[];
    expect(hits.map((h) => h.sessionId).sort()).toEqual([forkId, sid].sort());
    const upd = await c("PATCH", `/v1/sessions/${sid}`, {
      state: "done",
      metadata: null,
      ttl: null,
    });
    expect(upd.body).toMatchObject({ state: "done", metadata: null, expiresAt: null });

    // bot-1 has no secrets: agents is enough. bot-2's scope holds one: its secrets right too.
    const gone = await c("DELETE", "/v1/agents/bot-1");
    expect(gone.body).toMatchObject({ slug: "bot-1", sessions: 4, documents: 2, secrets: 0 });
    expect((await c("PUT", "/v1/secrets/bot-2/TOKEN", { value: "t0k" })).status).toBe(200);
    const agentsOnly = makeKey(s.db, "agents-only", "agents");
    expect((await c("DELETE", "/v1/agents/bot-2", undefined, agentsOnly)).status).toBe(403);
    const removed = await c("DELETE", "/v1/agents/bot-2");
    expect(removed.body).toMatchObject({ slug: "bot-2", secrets: 1 });
    expect((await c("GET", "/v1/secrets/bot-2/TOKEN")).status).toBe(404);
  } finally {
    expect(await s.stop()).toBe(0);
  }
}

describe("the agent model through coffer serve", () => {
  test("on SQLite", async () => {
    await script();
  });

  test.skipIf(!pg)("on PostgreSQL", async () => {
    if (!pg) return;
    await script((await freshDatabase(pg, "serve_agents")).url);
  });
});
