// A read snapshot of a live store that lives entirely in the main file, so
// the file can be copied byte for byte while other processes keep writing.
//
// In WAL mode a reader that starts when every WAL frame has been checkpointed
// reads the main file only, under WAL read-lock 0; no checkpoint may write into
// the main file while anyone holds that lock (wal.c, walCheckpoint), so the
// bytes stay exactly the snapshot until it ends. Writers keep appending to the
// WAL meanwhile. To start such a reader without a race, a second connection
// holds the write lock for the moment it takes to checkpoint the last frames
// and begin the read: no commit can slip in between.

import type { Database } from "bun:sqlite";
import { isBusy } from "../store/sqlite-errors.ts";

interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface PinOptions {
  /** How long one attempt may hold other writers back, in ms. */
  gateMs?: number;
  attempts?: number;
  sleep?: (ms: number) => void;
}

/** Runs a PASSIVE checkpoint, retrying while another checkpoint holds the lock. */
export function passiveCheckpoint(db: Database, budgetMs: number): CheckpointResult | undefined {
  const deadline = performance.now() + budgetMs;
  for (;;) {
    const r = db.query("PRAGMA wal_checkpoint(PASSIVE)").get() as CheckpointResult;
    // busy with log -1: another connection's checkpoint holds the checkpoint lock.
    if (!(r.busy && r.log === -1)) return r;
    if (performance.now() >= deadline) return undefined;
    Bun.sleepSync(0.2);
  }
}

/**
 * Begins a read transaction on `reader` that sees only the main file. Returns
 * false when other readers pin older WAL frames for the whole budget; the
 * caller then falls back to a copy through SQLite.
 */
export function pinMainFileSnapshot(
  reader: Database,
  gate: Database,
  options: PinOptions = {},
): boolean {
  const gateMs = options.gateMs ?? 20;
  const attempts = options.attempts ?? 20;
  const sleep = options.sleep ?? Bun.sleepSync;
  for (let attempt = 0; attempt < attempts; attempt++) {
    // Outside the gate first: most frames are written back without holding anyone up.
    passiveCheckpoint(reader, 200);
    if (tryPin(reader, gate, gateMs)) return true;
    sleep(Math.min(100, 5 * 2 ** attempt) * (0.5 + Math.random()));
  }
  return false;
}

function tryPin(reader: Database, gate: Database, gateMs: number): boolean {
  try {
    gate.run("BEGIN IMMEDIATE");
  } catch (err) {
    if (isBusy(err)) return false;
    throw err;
  }
  try {
    const r = passiveCheckpoint(reader, gateMs);
    if (!r || r.busy || r.log !== r.checkpointed) return false;
    reader.run("BEGIN");
    reader.query("SELECT count(*) FROM sqlite_schema").get(); // the read starts here
    return true;
  } finally {
    gate.run("ROLLBACK");
  }
}

/** Ends the snapshot; the WAL that grew meanwhile is written back by the caller. */
export function releaseSnapshot(reader: Database): void {
  if (reader.inTransaction) reader.run("COMMIT");
}
