// Connecting to PostgreSQL: both URL forms, the schema's search_path, and the
// error each failure maps to (exit 7, 4, 3, 6, 2), never showing the password.

import { describe, expect, test } from "bun:test";
import { connectPostgres } from "../../src/engines/postgres/connect.ts";
import { mapPgError } from "../../src/engines/postgres/errors.ts";
import { parsePostgresUrl } from "../../src/engines/postgres/url.ts";
import { CofferError } from "../../src/errors.ts";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";

const pg = await pgServer();

async function failure(promise: Promise<unknown>): Promise<CofferError> {
  const err = await promise.then(
    () => new Error("connected"),
    (e) => e,
  );
  expect(err).toBeInstanceOf(CofferError);
  if (pg) expect(`${err.message} ${err.hint ?? ""}`).not.toContain(pg.password);
  return err as CofferError;
}

describe.skipIf(!pg)("connectPostgres", () => {
  if (!pg) return;

  test("over 127.0.0.1 and over the Unix socket, with search_path set to the schema", async () => {
    const db = await freshDatabase(pg);
    for (const url of [db.url, `${db.socketUrl}&schema=other`]) {
      const conn = await connectPostgres(url);
      const [row] = await conn.sql`SELECT current_setting('search_path') AS sp`;
      expect(row.sp).toBe(url.includes("schema=other") ? '"other"' : '"coffer"');
      expect(conn.serverVersion).toMatch(/^\d+/);
      expect(conn.target.redacted).not.toContain(pg.password);
      await conn.close();
    }
  });

  test("nothing listening: IoError (7) naming the redacted URL", async () => {
    const url = `postgres://coffer:${pg.password}@127.0.0.1:1/x`;
    const err = await failure(connectPostgres(url));
    expect(err.code).toBe(7);
    expect(err.message).toContain("postgres://coffer:***@127.0.0.1:1/x");
    const sock = await failure(connectPostgres("postgres://u@/x?host=/nonexistent-coffer-dir"));
    expect(sock.code).toBe(7);
  });

  test("wrong password or unknown user: AuthError (4)", async () => {
    const wrong = pg.url.replace(pg.password, "not-the-password-42");
    const err = await failure(connectPostgres(wrong));
    expect(err.code).toBe(4);
    expect(err.message).not.toContain("not-the-password-42");
    const nobody = pg.url.replace("coffer:", "nobody:");
    expect((await failure(connectPostgres(nobody))).code).toBe(4);
  });

  test("no such database: NotFoundError (3)", async () => {
    const err = await failure(connectPostgres(pg.url.replace(/\/[^/]+$/, "/no_such_db")));
    expect(err.code).toBe(3);
  });

  test("plaintext to a remote host: UsageError (2) before any connection", async () => {
    const url = `postgres://u:${pg.password}@192.0.2.1/x?sslmode=disable`;
    const err = await failure(connectPostgres(url));
    expect(err.code).toBe(2);
  });

  test("a lock held past the busy timeout: BusyError (6)", async () => {
    const a = await connectPostgres(pg.url);
    const b = await connectPostgres(pg.url, { busyTimeoutMs: 150 });
    const held = await a.sql.reserve();
    await held`SELECT pg_advisory_lock(424242)`;
    const err = await b.sql`SELECT pg_advisory_lock(424242)`.then(
      () => null,
      (e) => mapPgError(e, b.target),
    );
    expect(err?.code).toBe(6);
    await held`SELECT pg_advisory_unlock(424242)`;
    held.release();
    await Promise.all([a.close(), b.close()]);
  });
});

test("mapPgError scrubs a password that a server message echoes", () => {
  const target = parsePostgresUrl("postgres://u:hunter2-secret@127.0.0.1/x");
  const err = mapPgError(
    Object.assign(new Error("role says hunter2-secret at postgres://u:hunter2-secret@h/x"), {
      errno: "42P01",
    }),
    target,
  );
  expect(err.message).not.toContain("hunter2-secret");
  expect(err.code).toBe(1);
});
