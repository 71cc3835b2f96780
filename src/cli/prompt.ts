// Questions on the terminal (/dev/tty, never stdin): a hidden prompt for
// passphrases and values that always restores echo, and a visible yes/no.

import { closeSync, openSync, read, writeSync } from "node:fs";
import { AuthError } from "../errors.ts";
import { Interrupted } from "./exit-status.ts";
import { humanText } from "./output.ts";

const TTY = "/dev/tty";
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_U = 0x15;
const BACKSPACE = [0x7f, 0x08];

/** True when this process has a controlling terminal to ask on. */
export function hasTerminal(): boolean {
  try {
    closeSync(openSync(TTY, "r+"));
    return true;
  } catch {
    return false;
  }
}

/** Asks on the terminal without echo; Ctrl-C rejects with Interrupted after restoring it. */
export async function promptHidden(question: string): Promise<string> {
  const fd = openTty();
  try {
    writeSync(fd, humanText(question));
    return await withEchoOff(fd, () => readHiddenLine(fd));
  } finally {
    writeSync(fd, "\n");
    closeSync(fd);
  }
}

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export async function confirm(question: string): Promise<boolean> {
  const fd = openTty();
  try {
    writeSync(fd, `${humanText(question)} [y/N] `);
    const answer = new TextDecoder().decode(await readChunk(fd));
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    closeSync(fd);
  }
}

function openTty(): number {
  try {
    return openSync(TTY, "r+");
  } catch {
    throw new AuthError("no terminal to ask on");
  }
}

function stty(fd: number, args: string[]): string {
  let result: ReturnType<typeof Bun.spawnSync>;
  try {
    // Only PATH: a passphrase in our environment must not reach any child.
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    result = Bun.spawnSync(["stty", ...args], { stdin: fd, stdout: "pipe", stderr: "pipe", env });
  } catch {
    throw new AuthError("cannot hide input on this terminal: stty is not available");
  }
  if (result.exitCode !== 0) throw new AuthError("cannot hide input on this terminal");
  return (result.stdout ?? "").toString().trim();
}

/**
 * Echo, line editing and signal keys off while `fn` runs; the saved state is
 * put back on every way out, including SIGTERM/SIGHUP from outside.
 */
async function withEchoOff<T>(fd: number, fn: () => Promise<T>): Promise<T> {
  const saved = stty(fd, ["-g"]);
  const restore = () => stty(fd, [saved]);
  const signals = ["SIGTERM", "SIGHUP"] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    restore();
    for (const s of signals) process.removeListener(s, onSignal);
    process.kill(process.pid, signal);
  };
  for (const s of signals) process.once(s, onSignal);
  try {
    stty(fd, ["-echo", "-icanon", "-isig", "min", "1", "time", "0"]);
    return await fn();
  } finally {
    for (const s of signals) process.removeListener(s, onSignal);
    restore();
  }
}

async function readHiddenLine(fd: number): Promise<string> {
  const bytes: number[] = [];
  for (;;) {
    const chunk = await readChunk(fd);
    if (chunk.length === 0) break;
    for (const b of chunk) {
      if (b === 0x0a || b === 0x0d) return decode(bytes);
      if (b === CTRL_C) throw new Interrupted();
      if (b === CTRL_D && bytes.length === 0) return "";
      if (b === CTRL_U) bytes.length = 0;
      else if (BACKSPACE.includes(b)) dropLastChar(bytes);
      else bytes.push(b);
    }
  }
  return decode(bytes);
}

/** Removes one UTF-8 character: its continuation bytes (10xxxxxx) and its lead byte. */
function dropLastChar(bytes: number[]): void {
  while (bytes.length > 0 && ((bytes.pop() as number) & 0xc0) === 0x80) {}
}

function decode(bytes: number[]): string {
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** An asynchronous read, so signals and timers keep working while the user types. */
function readChunk(fd: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(1024);
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, buffer.length, null, (err, n) =>
      err ? reject(err) : resolve(buffer.subarray(0, n)),
    );
  });
}
