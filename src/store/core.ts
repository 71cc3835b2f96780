// What the state modules (src/state/*/sqlite.ts) work through: one open
// connection, its writes in BEGIN IMMEDIATE transactions, SQLite's failures
// turned into coffer errors. A Store is this plus every module built at once;
// the async Client builds each module on its first use (start-up).

import type { Database } from "bun:sqlite";
import { CofferError, IoError } from "../errors.ts";
import { redactTokens } from "../redact.ts";
import type { QueueOptions } from "../state/job.ts";
import { readOnlyReason } from "./access.ts";
import type { OpenOptions } from "./open.ts";
import type { Lease } from "./shared.ts";
import { isSqliteError } from "./sqlite-errors.ts";
import { storeError } from "./store-error.ts";
import { type SyncResult, type WriteOptions, writeTransaction } from "./tx.ts";

export interface StoreOptions extends OpenOptions {
  /** The clock, in Unix epoch milliseconds; tests move it. */
  now?: () => number;
  queue?: QueueOptions;
  /**
   * Masks secrets in message content and metadata and in a job's last error
   * before they are stored (SEC-08). Default: known token shapes only; pass a
   * Redactor's `redact` fed by the vault's `onReveal` to mask vault values too.
   */
  redact?: (text: string) => string;
}

export class StoreCore implements Disposable {
  readonly path: string;
  readonly db: Database;
  readonly now: () => number;
  readonly redact: (text: string) => string;
  private readonly busyTimeoutMs: number | undefined;
  private readonly lease: Lease;

  constructor(lease: Lease, options: StoreOptions) {
    this.lease = lease;
    this.db = lease.db;
    this.path = options.path;
    this.now = options.now ?? Date.now;
    this.redact = options.redact ?? redactTokens;
    this.busyTimeoutMs = options.busyTimeoutMs;
  }

  /**
   * Runs `fn` in one BEGIN IMMEDIATE transaction; nested calls join the outer
   * one, so `store.write(() => { messages.append(…); queue.enqueue(…) })` is atomic.
   */
  write<T>(fn: () => SyncResult<T>, options: WriteOptions = {}): T {
    const readOnly = readOnlyReason(this.db);
    if (readOnly !== undefined && !this.db.inTransaction) {
      throw new IoError(`write ${this.path}: the store is open read-only: ${readOnly}`);
    }
    try {
      return writeTransaction(this.db, fn, { busyTimeoutMs: this.busyTimeoutMs, ...options });
    } catch (err) {
      throw asCofferError(this.path, err, "write");
    }
  }

  /** Runs a read, mapping SQLite failures to coffer errors. */
  read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw asCofferError(this.path, err, "read");
    }
  }

  /**
   * Closes the store; idempotent. The last Store of this file in the process
   * checkpoints the WAL into the main file and closes the connection.
   */
  close(): void {
    this.lease.release();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function asCofferError(path: string, err: unknown, context: string): unknown {
  if (err instanceof CofferError) return err;
  if (isSqliteError(err)) return storeError(path, err, context);
  return err;
}
