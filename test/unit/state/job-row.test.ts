// toJob checks each row by hand on the hot path and hands anything off to
// valibot: the same rows must pass and the same rows must be refused.

import { describe, expect, test } from "bun:test";
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
