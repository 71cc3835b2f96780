// The engine-neutral async library API (SPEC §10): the Client's types, derived
// from the sync classes so the two cannot drift, and connect(), which picks the engine.

import { isPostgresUrl } from "./engines/postgres/is-url.ts";
import type { Agents } from "./state/agents/sqlite.ts";
import type { Audit } from "./state/audit/sqlite.ts";
import type { Documents } from "./state/documents/sqlite.ts";
import type { Keys } from "./state/keys/sqlite.ts";
import type { Messages } from "./state/messages/sqlite.ts";
import type { Queue } from "./state/queue/sqlite.ts";
import type { Sessions } from "./state/sessions/sqlite.ts";
import type { StoreOptions } from "./store/store.ts";
import type { ClientVault } from "./vault/client-vault.ts";
import type { Vault } from "./vault/vault.ts";

/** Each public method of `T`, returning a promise of what it returned. */
export type Async<T> = {
  // biome-ignore lint/suspicious/noExplicitAny: matches any method signature
  [K in keyof T as T[K] extends (...args: any[]) => unknown ? K : never]: T[K] extends (
    ...args: infer A
  ) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

export type AsyncSessions = Async<Sessions>;
export type AsyncMessages = Async<Messages>;
export type AsyncQueue = Async<Queue>;
export type AsyncAgents = Async<Agents>;
export type AsyncDocuments = Async<Documents>;
export type AsyncKeys = Async<Keys>;
export type AsyncAudit = Async<Audit>;

/** What runs inside one transaction: the same operations, all committed together or none. */
export interface ClientTx {
  readonly sessions: AsyncSessions;
  readonly messages: AsyncMessages;
  readonly queue: AsyncQueue;
  readonly agents: AsyncAgents;
  readonly documents: AsyncDocuments;
  /** API keys of `coffer serve` (SPEC §13). */
  readonly keys: AsyncKeys;
  /** The hash-chained trail of secret reads and writes (SPEC §13). */
  readonly audit: AsyncAudit;
}

/** Inside `client.transaction(fn)`: the modules, and a vault bound to the transaction. */
export interface Transaction extends ClientTx {
  /**
   * The unlocked `vault`'s keys over this transaction's rows: its writes (and
   * the new digest and generation) commit or roll back with the rest. On
   * SQLite the transaction must be `{ durable: true }`, as every vault write is.
   */
  bindVault(vault: Vault): Vault;
}

export interface TransactionOptions {
  /** SQLite: commit with synchronous=FULL (a vault write needs it). PostgreSQL: always so. */
  durable?: boolean | undefined;
}

export type Engine = "sqlite" | "postgres";

export interface Client extends ClientTx {
  readonly engine: Engine;
  /** The encrypted vault: exists, create, unlock (→ a Vault), inspect. Its writes are transactions of their own. */
  readonly vault: ClientVault;
  /**
   * Runs `fn` in one transaction: its writes through `tx` commit when the
   * promise it returns resolves, and are rolled back when it rejects. Use
   * `tx`, not the client, inside `fn`.
   *
   * `fn` runs once. On PostgreSQL, a deadlock or serialization failure
   * (40P01, 40001) inside it rolls the whole transaction back and rejects
   * with a BusyError (exit 6): coffer cannot know whether `fn` is safe to run
   * again (it may have sent mail, or counted), so it does not re-run it; call
   * transaction() again if it is. coffer's own operations, outside a
   * transaction, are retried with a jittered backoff within the busy timeout.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Waits for the operations already issued, then closes; idempotent. */
  close(): Promise<void>;
}

/** SQLite's open options (all but the path); on PostgreSQL only busyTimeoutMs and queue apply. */
export type ConnectOptions = Omit<StoreOptions, "path">;

/**
 * Opens the store `target` names: a postgres:// or postgresql:// URL is
 * PostgreSQL, anything else a SQLite file path.
 */
export async function connect(target: string, options: ConnectOptions = {}): Promise<Client> {
  // Each engine loads only when used: a SQLite command never pays for the PostgreSQL driver's modules.
  if (isPostgresUrl(target)) {
    const { connectPostgresClient } = await import("./engines/postgres/client.ts");
    return connectPostgresClient(target, options);
  }
  const { openSqliteClient } = await import("./engines/sqlite/client.ts");
  return openSqliteClient({ ...options, path: target });
}
