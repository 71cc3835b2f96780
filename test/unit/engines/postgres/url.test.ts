// PostgreSQL targets: parsing, the TLS rule and redaction. Pure: nothing connects.

import { describe, expect, test } from "bun:test";
import { isPostgresUrl } from "../../../../src/engines/postgres/is-url.ts";
import { isLoopback, parsePostgresUrl, redactUrl } from "../../../../src/engines/postgres/url.ts";
import { UsageError } from "../../../../src/errors.ts";

const SECRET = "s3cr3t-Pa55";

function refusal(url: string): UsageError {
  try {
    parsePostgresUrl(url);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe(2);
    expect((err as Error).message).not.toContain(SECRET);
    expect((err as UsageError).hint ?? "").not.toContain(SECRET);
    return err as UsageError;
  }
  throw new Error(`accepted ${url}`);
}

describe("parsePostgresUrl", () => {
  test("reads user, password, host, port, database and the default schema", () => {
    const t = parsePostgresUrl(`postgres://app:${SECRET}@127.0.0.1:6543/shop`);
    expect(t).toMatchObject({ user: "app", password: SECRET, host: "127.0.0.1", port: 6543 });
    expect(t).toMatchObject({
      database: "shop",
      schema: "coffer",
      sslmode: "disable",
      local: true,
    });
    expect(t.redacted).toBe("postgres://app:***@127.0.0.1:6543/shop");
  });

  test("postgresql:// too, with percent-encoded parts", () => {
    const t = parsePostgresUrl("postgresql://a%40b:p%3Aw%2F@localhost/d%20b");
    expect(t).toMatchObject({ user: "a@b", password: "p:w/", database: "d b", port: 5432 });
  });

  test("a Unix socket, as an encoded host or as ?host=", () => {
    const a = parsePostgresUrl("postgres://u@%2Ftmp%2Fpg:5499/db");
    expect(a).toMatchObject({ socket: "/tmp/pg", host: undefined, port: 5499, local: true });
    const b = parsePostgresUrl(`postgres://u:${SECRET}@/db?host=/run/postgresql&schema=other`);
    expect(b).toMatchObject({ socket: "/run/postgresql", schema: "other", local: true });
    expect(b.redacted).toBe("postgres://u:***@/db?host=/run/postgresql&schema=other");
    expect(a.redacted).toBe("postgres://u@/db?host=/tmp/pg&port=5499");
  });

  test("IPv6 loopback in brackets", () => {
    const t = parsePostgresUrl("postgres://u@[::1]:5433/db");
    expect(t).toMatchObject({ host: "::1", port: 5433, local: true });
    expect(t.redacted).toBe("postgres://u@[::1]:5433/db");
  });

  test("a remote host defaults to verify-full and accepts require and verify-ca", () => {
    expect(parsePostgresUrl("postgres://u@db.example.com/x").sslmode).toBe("verify-full");
    for (const mode of ["require", "verify-ca", "verify-full"]) {
      const t = parsePostgresUrl(`postgres://u@10.1.2.3/x?sslmode=${mode}`);
      expect(t).toMatchObject({ sslmode: mode, local: false });
    }
  });

  test("plaintext to a remote host is refused (exit 2), password not in the message", () => {
    for (const mode of ["disable", "allow", "prefer"]) {
      const err = refusal(`postgres://u:${SECRET}@db.example.com/x?sslmode=${mode}`);
      expect(err.message).toContain("refusing a plaintext connection");
      expect(err.message).toContain("postgres://u:***@db.example.com/x");
    }
    refusal(`postgres://u:${SECRET}@128.0.0.1/x?sslmode=disable`);
    refusal(`postgres://u:${SECRET}@[::2]/x?sslmode=disable`);
    refusal(`postgres://u:${SECRET}@localhost.example.com/x?sslmode=disable`);
  });

  test("the URL host cannot be smuggled past the rule with ?host=", () => {
    refusal(`postgres://u:${SECRET}@127.0.0.1/x?host=db.example.com&sslmode=disable`);
  });

  test("loopback and sockets may use any sslmode", () => {
    expect(parsePostgresUrl("postgres://u@127.9.9.9/x?sslmode=disable").local).toBe(true);
    expect(parsePostgresUrl("postgres://u@/x?host=/s&sslmode=prefer").sslmode).toBe("prefer");
  });

  test("bad schema, port, sslmode, unknown or repeated options are usage errors", () => {
    for (const q of ["schema=Bad", "schema=1x", "schema=pg_x", "schema=a;drop", "schema="]) {
      expect(refusal(`postgres://u:${SECRET}@localhost/x?${q}`).message).toContain("schema");
    }
    refusal(`postgres://u:${SECRET}@localhost:99999/x`);
    refusal(`postgres://u:${SECRET}@localhost/x?sslmode=maybe`);
    refusal(`postgres://u:${SECRET}@localhost/x?options=-csearch_path%3Dx`);
    refusal(`postgres://u:${SECRET}@localhost/x?schema=a&schema=b`);
    refusal(`postgres://u:${SECRET}@h1,h2/x?sslmode=require`);
    refusal(`postgres://u:${SECRET}@localhost/%ZZ`);
    refusal(`mysql://u:${SECRET}@localhost/x`);
  });

  test("a password given as ?password= is hidden as well", () => {
    const t = parsePostgresUrl(`postgres://u@localhost/x?password=${SECRET}`);
    expect(t.password).toBe(SECRET);
    expect(t.redacted).toBe("postgres://u:***@localhost/x");
  });
});

test("isPostgresUrl tells a URL from a SQLite path", () => {
  expect(isPostgresUrl("postgres://x")).toBe(true);
  expect(isPostgresUrl("POSTGRESQL://x")).toBe(true);
  expect(isPostgresUrl("./postgres://x")).toBe(false);
  expect(isPostgresUrl("/var/lib/coffer.db")).toBe(false);
});

test("isLoopback", () => {
  for (const h of [
    "localhost",
    "LOCALHOST",
    "127.0.0.1",
    "127.255.0.9",
    "::1",
    "0:0:0:0:0:0:0:1",
  ]) {
    expect(isLoopback(h)).toBe(true);
  }
  for (const h of ["128.0.0.1", "127.0.0.256", "::2", "localhost.evil", "10.0.0.1", "", "127.1"]) {
    expect(isLoopback(h)).toBe(false);
  }
});

test("redactUrl hides passwords inside any text", () => {
  const text = `failed: postgres://u:${SECRET}@h/db and postgresql://x@h/d?password=${SECRET}&a=1`;
  const out = redactUrl(text);
  expect(out).not.toContain(SECRET);
  expect(out).toContain("postgres://u:***@h/db");
  expect(out).toContain("password=***&a=1");
});
