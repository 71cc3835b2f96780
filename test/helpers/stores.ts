// Stores and backup candidates for the backup tests: a small coffer store with
// known content, and files that restore must refuse.

import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openStore } from "../../src/store/store.ts";

/** A closed store at `dir/name` holding sessions, messages and a job; returns its path. */
export function makeStore(dir: string, name = "coffer.db", tag = "a"): string {
  const path = join(dir, name);
  using store = openStore({ path });
  store.sessions.create({ id: `s-${tag}`, channel: "test" });
  for (let i = 0; i < 20; i++) {
    store.messages.append(`s-${tag}`, { role: "user", content: `message ${tag} ${i}` });
  }
  store.queue.enqueue("q", { tag });
  return path;
}

/** The rows a test compares: every session and message, in order. */
export function dump(path: string): unknown {
  // Read-write, so that closing the last connection removes the -wal and -shm.
  const db = new Database(path);
  try {
    return {
      sessions: db.query("SELECT id, channel FROM sessions ORDER BY id").all(),
      messages: db.query("SELECT session_id, content FROM messages ORDER BY id").all(),
      jobs: db.query("SELECT queue, payload FROM jobs ORDER BY id").all(),
    };
  } finally {
    db.close();
  }
}

export function bytesOf(path: string): Buffer {
  return readFileSync(path);
}

export function contains(haystack: Uint8Array, needle: string | Uint8Array): boolean {
  return Buffer.from(haystack).includes(typeof needle === "string" ? Buffer.from(needle) : needle);
}
