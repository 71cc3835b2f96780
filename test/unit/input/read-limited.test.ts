// The bounded reader: exact limits, refusals while reading, silent FIFOs, closed fds.

import { describe, expect, it } from "bun:test";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AuthError, UsageError } from "../../../src/errors.ts";
import { formatLimit } from "../../../src/input/limits.ts";
import { decodeUtf8, readLimited } from "../../../src/input/read-limited.ts";
import { tempDir } from "../../helpers/tmp.ts";

const dir = tempDir();
const limits = { limit: 8, what: "the test input", timeoutMs: 200 };

describe("readLimited", () => {
  it("should read a file of exactly the limit and refuse one byte more", () => {
    const exact = join(dir, "exact");
    writeFileSync(exact, "12345678");
    expect(new TextDecoder().decode(readLimited({ path: exact }, limits))).toBe("12345678");
    const over = join(dir, "over");
    writeFileSync(over, "123456789");
    expect(() => readLimited({ path: over }, limits)).toThrow("over the 8 bytes limit");
  });

  it("should stop an endless device at the limit, with the caller's error class", () => {
    const refuse = (m: string) => new AuthError(m);
    expect(() => readLimited({ path: "/dev/zero" }, { ...limits, refuse })).toThrow(AuthError);
  });

  it("should allow the slack past the limit without naming it", () => {
    const file = join(dir, "slack");
    writeFileSync(file, "12345678\r\n");
    expect(readLimited({ path: file }, { ...limits, slack: 2 }).length).toBe(10);
  });

  it("should give up on a FIFO without a writer after the timeout", () => {
    const fifo = join(dir, "fifo");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    expect(() => readLimited({ path: fifo }, limits)).toThrow("gave no input for 0.2 s");
  });

  it("should refuse a closed descriptor and one that is not an input", () => {
    const fd = openSync(dir, "r");
    expect(() => readLimited({ fd }, limits)).toThrow("is not a file, pipe, socket or terminal");
    closeSync(fd);
    expect(() => readLimited({ fd }, limits)).toThrow("the descriptor is not open");
  });

  it("should decode strict UTF-8 only", () => {
    expect(decodeUtf8(new Uint8Array([0xc3, 0xa9]), limits)).toBe("é");
    expect(() => decodeUtf8(new Uint8Array([0xff]), limits)).toThrow(UsageError);
  });

  it("should name limits in KiB and MiB", () => {
    expect(formatLimit(64 * 1024)).toBe("64 KiB");
    expect(formatLimit(16 * 1024 * 1024)).toBe("16 MiB");
  });
});
