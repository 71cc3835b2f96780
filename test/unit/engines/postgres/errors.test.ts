// What Bun.sql throws, mapped to coffer's exit codes, the password never kept.

import { describe, expect, test } from "bun:test";
import { mapPgError } from "../../../../src/engines/postgres/errors.ts";
import { parsePostgresUrl } from "../../../../src/engines/postgres/url.ts";
import { ExitCode } from "../../../../src/errors.ts";

const target = parsePostgresUrl("postgres://ann:s3cret-pw@127.0.0.1:5432/app");

/** A server error as Bun.sql gives it: the SQLSTATE in errno. */
function serverError(state: string, message: string): Error {
  return Object.assign(new Error(message), { errno: state, code: "ERR_POSTGRES_SERVER_ERROR" });
}

describe("mapPgError", () => {
  test.each([
    ["08006", "connection failure", ExitCode.io],
    ["57P01", "terminating connection due to administrator command", ExitCode.io],
    ["57P02", "terminating connection because of crash of another server process", ExitCode.io],
    ["57P03", "the database system is starting up", ExitCode.io],
    ["57P04", "database dropped", ExitCode.io],
    ["55000", 'database "app" is not currently accepting connections', ExitCode.io],
    ["28P01", "password authentication failed for user ann", ExitCode.auth],
    ["40001", "could not serialize access", ExitCode.busy],
    ["55P03", "could not obtain lock", ExitCode.busy],
    ["3D000", 'database "app" does not exist', ExitCode.notFound],
    ["22021", "invalid byte sequence", ExitCode.usage],
    ["42P01", "relation does not exist", ExitCode.internal],
  ])("SQLSTATE %s (%s) is exit %d", (state, message, exit) => {
    const mapped = mapPgError(serverError(state, message), target);
    expect(mapped.code).toBe(exit);
    expect(mapped.message).toContain(message);
  });

  test("a refused connection is exit 7, and the password is never in the message", () => {
    const err = Object.assign(new Error("connect to postgres://ann:s3cret-pw@127.0.0.1 failed"), {
      code: "ERR_POSTGRES_CONNECTION_REFUSED",
    });
    const mapped = mapPgError(err, target);
    expect(mapped.code).toBe(ExitCode.io);
    expect(mapped.message).not.toContain("s3cret-pw");
    expect(mapped.message).toStartWith(
      "cannot reach the PostgreSQL server at postgres://ann:***@127.0.0.1/app",
    );
  });
});
