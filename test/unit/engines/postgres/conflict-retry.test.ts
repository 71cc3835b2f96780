// runPg / inPgTransaction on a stand-in handle: a deadlock or serialization
// failure runs coffer's own work again, bounded by the busy timeout and a
// count; other errors, and anything inside a transaction, are not retried.

import { describe, expect, test } from "bun:test";
import type { SQL } from "bun";
import { inPgTransaction, runPg } from "../../../../src/engines/postgres/handle.ts";
import { parsePostgresUrl } from "../../../../src/engines/postgres/url.ts";
import { BusyError, InternalError } from "../../../../src/errors.ts";

const target = parsePostgresUrl("postgres://u:pw@127.0.0.1:1/db?sslmode=disable");

function serverError(errno: string): Error {
  return Object.assign(new Error(`server said ${errno}`), { errno });
}

/** A pool whose begin fails with `errno` on the first `failures` calls, then runs the body. */
function flakyPool(errno: string, failures: number): { sql: SQL; calls: () => number } {
  let calls = 0;
  const tx = { savepoint: () => {} } as unknown as SQL;
  const sql = {
    async begin(fn: (tx: SQL) => Promise<unknown>) {
      calls++;
      if (calls <= failures) throw serverError(errno);
      return fn(tx);
    },
  } as unknown as SQL;
  return { sql, calls: () => calls };
}

describe("PostgreSQL conflict retries", () => {
  for (const errno of ["40P01", "40001"]) {
    test(`${errno}: the transaction runs again and its result comes back`, async () => {
      const pool = flakyPool(errno, 3);
      const out = await inPgTransaction({ sql: pool.sql, target }, async () => "done");
      expect(out).toBe("done");
      expect(pool.calls()).toBe(4);
    });
  }

  test("a conflict that lasts: BusyError (exit 6) once the busy timeout is spent, attempts bounded", async () => {
    const pool = flakyPool("40P01", Number.POSITIVE_INFINITY);
    const began = performance.now();
    const err = await inPgTransaction(
      { sql: pool.sql, target, busyTimeoutMs: 300 },
      async () => 1,
    ).catch((e) => e);
    const took = performance.now() - began;
    expect(err).toBeInstanceOf(BusyError);
    expect(err.code).toBe(6);
    expect(err.message).toContain("40P01");
    expect(took).toBeLessThan(3_000);
    expect(pool.calls()).toBeGreaterThan(1);
    expect(pool.calls()).toBeLessThanOrEqual(20);
  });

  test("busy timeout 0: no retry at all", async () => {
    const pool = flakyPool("40001", 1);
    const err = await inPgTransaction(
      { sql: pool.sql, target, busyTimeoutMs: 0 },
      async () => 1,
    ).catch((e) => e);
    expect(err.code).toBe(6);
    expect(pool.calls()).toBe(1);
  });

  test("other errors, a lock timeout included, are not retried", async () => {
    for (const errno of ["55P03", "23505", "42P01"]) {
      const pool = flakyPool(errno, 1);
      const err = await inPgTransaction({ sql: pool.sql, target }, async () => 1).catch((e) => e);
      expect(err).toBeInstanceOf(errno === "55P03" ? BusyError : InternalError);
      expect(pool.calls()).toBe(1);
    }
  });

  test("inside a transaction nothing is retried: the conflict goes up to whoever began it", async () => {
    let calls = 0;
    const tx = { savepoint: () => {} } as unknown as SQL;
    const err = await runPg({ sql: tx, target }, async () => {
      calls++;
      throw serverError("40P01");
    }).catch((e) => e);
    expect(err.code).toBe(6);
    expect(calls).toBe(1);
  });

  test("a conflict mapped inside the transaction body is still retried by the outer begin", async () => {
    const tx = { savepoint: () => {} } as unknown as SQL;
    let calls = 0;
    const sql = {
      async begin(fn: (tx: SQL) => Promise<unknown>) {
        return fn(tx);
      },
    } as unknown as SQL;
    const out = await inPgTransaction({ sql, target }, (inner) =>
      runPg(inner, async () => {
        calls++;
        if (calls < 3) throw serverError("40P01");
        return "ok";
      }),
    );
    expect(out).toBe("ok");
    expect(calls).toBe(3);
  });
});
