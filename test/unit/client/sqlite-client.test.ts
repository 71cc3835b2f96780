// The async Client on SQLite: the same results as the sync Store, atomic
// transactions, and one operation or transaction at a time per client.

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import {
  type Client,
  type ClientTx,
  connect,
  IoError,
  openStore,
  UsageError,
} from "../../../src/index.ts";
import { deferred, script, settle, tokensOut } from "../../helpers/client-script.ts";
import { tempDir } from "../../helpers/tmp.ts";

const T0 = 1_700_000_000_000;

async function open(): Promise<{ client: Client; path: string }> {
  const path = join(tempDir(), "coffer.db");
  return { client: await connect(path, { now: () => T0 }), path };
}

describe("the SQLite Client", () => {
  it("gives what the sync Store gives, operation by operation, outside and inside a transaction", async () => {
    const { client } = await open();
    const store = openStore({ path: join(tempDir(), "sync.db"), now: () => T0 });
    const expected = tokensOut(await script(store));
    store.close();
    expect(
      expected
        .filter((r: { error?: string }) => r?.error)
        .map((r: { error: string }) => r.error)
        .slice(0, 3),
    ).toEqual(["NotFoundError", "BusyError", "BusyError"]);
    expect(tokensOut(await script(client))).toEqual(expected);
    const again = await open();
    const inTx = await again.client.transaction((tx) => script(tx));
    expect(tokensOut(inTx)).toEqual(expected);
    expect(client.engine).toBe("sqlite");
    await client.close();
    await again.client.close();
  });

  it("exercises every public method of the sync classes in that script", async () => {
    const { client } = await open();
    const called = new Set<string>();
    const record = (name: keyof ClientTx) =>
      new Proxy(client[name], {
        get: (obj, key) => {
          called.add(`${name}.${String(key)}`);
          return Reflect.get(obj, key);
        },
      });
    await script({
      sessions: record("sessions"),
      messages: record("messages"),
      queue: record("queue"),
      agents: record("agents"),
      documents: record("documents"),
      keys: record("keys"),
      audit: record("audit"),
    } as unknown as ClientTx);
    const notPublic = [
      "constructor",
      "db",
      "reclaimExpired",
      "notHeld",
      "requireHeld",
      "select",
      "missing",
    ];
    const store = openStore({ path: join(tempDir(), "names.db") });
    const methods = (
      ["sessions", "messages", "queue", "agents", "documents", "keys", "audit"] as const
    ).flatMap((name) =>
      Object.getOwnPropertyNames(Object.getPrototypeOf(store[name]))
        .filter((key) => !notPublic.includes(key))
        .map((key) => `${name}.${key}`),
    );
    store.close();
    expect([...called].sort()).toEqual(methods.sort());
    await client.close();
  });

  it("keeps its transaction from a sync Store on the same file: that one waits, then times out", async () => {
    const { client, path } = await open();
    const store = openStore({ path, busyTimeoutMs: 50 });
    const seen = await client.transaction(async (tx) => {
      await tx.sessions.create({ id: "mine" });
      try {
        store.sessions.create({ id: "theirs" });
        return "joined";
      } catch (err) {
        return (err as Error).name;
      }
    });
    expect(seen).toBe("BusyError");
    expect(store.sessions.create({ id: "theirs" }).id).toBe("theirs");
    expect((await client.sessions.list()).map((s) => s.id).sort()).toEqual(["mine", "theirs"]);
    store.close();
    await client.close();
  });

  it("commits several writes together, and none when fn throws", async () => {
    const { client, path } = await open();
    const id = await client.transaction(async (tx) => {
      await tx.sessions.create({ id: "s" });
      await tx.messages.append("s", { role: "user", content: "one" });
      return tx.queue.enqueue("q", { n: 1 });
    });
    const boom = new Error("boom");
    const failed = client.transaction(async (tx) => {
      await tx.sessions.create({ id: "t" });
      await tx.messages.append("s", { role: "user", content: "two" });
      await tx.queue.enqueue("q", { n: 2 });
      throw boom;
    });
    expect(failed).rejects.toBe(boom);
    await failed.catch(() => {});
    await client.close();
    const store = openStore({ path });
    expect(store.sessions.list().map((s) => s.id)).toEqual(["s"]);
    expect(store.messages.list("s").map((m) => m.content)).toEqual(["one"]);
    expect(store.queue.list("q").map((j) => j.id)).toEqual([id]);
    store.close();
  });

  it("runs two transactions one after the other: the second sees the first committed, never half done", async () => {
    const { client, path } = await open();
    const gate = deferred();
    let secondStarted = false;
    const first = client.transaction(async (tx) => {
      await tx.sessions.create({ id: "a" });
      await gate.promise;
      await tx.sessions.updateState("a", "done");
    });
    const second = client.transaction(async (tx) => {
      secondStarted = true;
      return tx.sessions.get("a");
    });
    await settle();
    expect(secondStarted).toBe(false);
    // Another connection in this process does not see the open transaction either.
    const other = openStore({ path });
    expect(other.sessions.get("a")).toBeNull();
    other.close();
    gate.resolve();
    await first;
    expect((await second)?.state).toBe("done");
    await client.close();
  });

  it("holds an operation issued outside an open transaction until it has committed", async () => {
    const { client } = await open();
    const gate = deferred();
    const tx = client.transaction(async (t) => {
      await t.queue.enqueue("q", { n: 1 });
      await gate.promise;
      await t.queue.enqueue("q", { n: 2 });
    });
    let answered = false;
    const count = client.queue.list("q").then((jobs) => {
      answered = true;
      return jobs.length;
    });
    await settle();
    expect(answered).toBe(false);
    gate.resolve();
    await tx;
    expect(await count).toBe(2);
    await client.close();
  });

  it("leaves nothing after a rollback, stays usable, and refuses a tx used after its end", async () => {
    const { client } = await open();
    let kept: ClientTx | undefined;
    await client
      .transaction(async (tx) => {
        kept = tx;
        await tx.sessions.create({ id: "gone" });
        await tx.queue.enqueue("q", {});
        throw new Error("no");
      })
      .catch(() => {});
    expect(await client.sessions.get("gone")).toBeNull();
    expect(await client.queue.stats()).toEqual([]);
    expect(kept?.sessions.get("gone")).rejects.toThrow("the transaction has already ended");
    expect((await client.sessions.create({ id: "kept" })).id).toBe("kept");
    await client.close();
  });

  it("refuses the client inside its own transaction instead of waiting forever", async () => {
    const { client } = await open();
    const inner = client.transaction(async () => client.sessions.count());
    expect(inner).rejects.toBeInstanceOf(UsageError);
    expect(inner).rejects.toThrow("use the tx that fn is given");
    await inner.catch(() => {});
    const nested = client.transaction(async () => client.transaction(async () => 1));
    expect(nested).rejects.toBeInstanceOf(UsageError);
    await nested.catch(() => {});
    expect(await client.sessions.count()).toBe(0);
    await client.close();
  });

  it("finishes what was issued before close, then fails every operation with a clear error", async () => {
    const { client, path } = await open();
    const pending = client.sessions.create({ id: "late" });
    await client.close();
    expect((await pending).id).toBe("late");
    await client.close(); // idempotent
    const after = client.sessions.get("late");
    expect(after).rejects.toBeInstanceOf(UsageError);
    expect(after).rejects.toThrow(`the client of ${path} is closed`);
    expect(client.transaction(async () => 1)).rejects.toThrow("is closed");
  });
});

describe("connect", () => {
  it("reports an unreachable PostgreSQL server as an I/O error, without the password", async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const p = connect("postgres://u:secret@127.0.0.1:1/db?connect_timeout=2");
    expect(p).rejects.toBeInstanceOf(IoError);
    expect(p).rejects.not.toThrow("secret");
    await p.catch(() => {});
  });
});
