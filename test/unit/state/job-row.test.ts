// toJob checks each column of a row by hand: a good row passes, a damaged one
// is refused (exit 5, the column named, its value not printed).

import { describe, expect, test } from "bun:test";
import { ExitCode, IntegrityError } from "../../../src/errors.ts";
import { toJob } from "../../../src/state/job.ts";

const row = {
  id: 1,
  queue: "q",
  payload: '{"a":1}',
  status: "processing",
  priority: 0,
  attempts: 1,
  max_attempts: 3,
  dedupe_key: null,
  group_key: null,
  run_at: 10,
  locked_until: 20,
  lease_token: "t",
  last_error: null,
  created_at: 5,
  updated_at: 6,
};

describe("toJob", () => {
  test("maps a good row, group_key absent or null", () => {
    expect(toJob(row)).toMatchObject({ id: 1, payload: { a: 1 }, leaseToken: "t", group: null });
    const { group_key: _, ...noGroup } = row;
    expect(toJob(noGroup)).toMatchObject({ group: null });
    expect(toJob({ ...row, status: "pending" }).leaseToken).toBeNull();
  });

  test.each([
    ["a status it does not know", { status: "done" }],
    ["a string id", { id: "1" }],
    ["NaN attempts", { attempts: Number.NaN }],
    ["a missing run_at", { run_at: undefined }],
    ["a numeric lease token", { lease_token: 7 }],
  ])("refuses %s", (_, change) => {
    expect(() => toJob({ ...row, ...change })).toThrow();
  });
});

describe("toJob on a damaged row", () => {
  test("is an IntegrityError (exit 5) naming the column, not its value", () => {
    let caught: unknown;
    try {
      toJob({ ...row, status: "sk-secret-looking-value" });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(IntegrityError);
    expect((caught as IntegrityError).code).toBe(ExitCode.integrity);
    expect((caught as Error).message).toBe("job 1: column status does not hold a job status");
    expect(() => toJob(null)).toThrow(IntegrityError);
    expect(() => toJob({ ...row, id: "1" })).toThrow("job: column id does not hold a number");
  });

  // The hot path's written-out checks and the table that names the column
  // must agree: a column the first forgot would let its damage through.
  test.each(Object.keys(row))("refuses a damaged %s, naming it", (column) => {
    expect(() => toJob({ ...row, [column]: {} })).toThrow(`column ${column} does not hold`);
  });
});
