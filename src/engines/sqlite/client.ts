// The async Client on SQLite: the sync state modules on a private connection,
// each loaded on first use, every operation and transaction taking turns
// through one FIFO mutex (single writer).

import { AsyncLocalStorage } from "node:async_hooks";
import type { Client, ClientTx, Transaction, TransactionOptions } from "../../client.ts";
import { CofferError, IoError, UsageError } from "../../errors.ts";
import { readOnlyReason } from "../../store/access.ts";
import { StoreCore, type StoreOptions } from "../../store/core.ts";
import { openDatabase } from "../../store/open.ts";
import { closeDatabase, type Lease } from "../../store/shared.ts";
import { isSqliteError } from "../../store/sqlite-errors.ts";
import { storeError } from "../../store/store-error.ts";
import { DEFAULT_BUSY_TIMEOUT_MS, retryWhileBusy, setSynchronous } from "../../store/tx.ts";
import type { ClientVault } from "../../vault/client-vault.ts";
import { type LoadModule, MODULE_NAMES, type Modules, moduleLoader } from "./modules.ts";
import { Mutex } from "./mutex.ts";
import { lazy, lazyKeys, lazyQueue, lazyVault, wrap } from "./proxies.ts";

/**
 * Opens `options.path` on a connection of its own, not the one sync Stores of
 * the same file share in this process: a transaction held open across awaits
 * on the shared one would be joined by any sync `store.write()` meanwhile. So
 * such a write waits on SQLite's lock instead, which on one thread can only
 * time out (exit 6) while the Client's transaction is open: do not mix the two
 * on one file in one process.
 */
export async function openSqliteClient(options: StoreOptions): Promise<Client> {
  const db = openDatabase(options);
  let released = false;
  const lease: Lease = {
    db,
    release() {
      if (released) return;
      released = true;
      closeDatabase(db);
    },
  };
  return new SqliteClient(new StoreCore(lease, options), options);
}

let vaultModule: Promise<typeof import("../../vault/sqlite.ts")> | undefined;

/**
 * The vault's rows on SQLite, loaded with the vault or by the first
 * transaction (for bindVault): they pull in node:crypto, ~2 ms of start-up
 * that a queue or session command need not pay.
 */
function vaultRows(): Promise<typeof import("../../vault/sqlite.ts")> {
  vaultModule ??= import("../../vault/sqlite.ts");
  return vaultModule;
}

class SqliteClient implements Client {
  readonly engine = "sqlite" as const;
  readonly sessions: ClientTx["sessions"];
  readonly messages: ClientTx["messages"];
  readonly queue: ClientTx["queue"];
  readonly agents: ClientTx["agents"];
  readonly documents: ClientTx["documents"];
  readonly keys: ClientTx["keys"];
  readonly audit: ClientTx["audit"];
  readonly vault: ClientVault;
  private readonly mutex = new Mutex();
  private readonly load: LoadModule;
  private readonly busyTimeoutMs: number;
  /** Set while `fn` of a transaction runs, to catch the client used where `tx` is meant. */
  private readonly inTx = new AsyncLocalStorage<true>();
  private closed = false;

  constructor(
    private readonly store: StoreCore,
    options: StoreOptions,
  ) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const load = moduleLoader(store, options);
    this.load = load;
    const turn = (run: () => unknown) => this.turn(run);
    this.sessions = lazy(load, "sessions", turn);
    this.messages = lazy(load, "messages", turn);
    this.queue = lazyQueue(store, load, turn);
    this.agents = lazy(load, "agents", turn);
    this.documents = lazy(load, "documents", turn);
    this.keys = lazyKeys(load, turn);
    this.audit = lazy(load, "audit", turn);
    // Each vault read and write transaction takes its turn; sealing runs between turns.
    this.vault = lazyVault(async () => {
      const [{ clientVault }, { SqliteVaultRows }] = await Promise.all([
        import("../../vault/client-vault.ts"),
        vaultRows(),
      ]);
      return clientVault(new SqliteVaultRows(store, (run) => this.turn(run)));
    });
  }

  transaction<T>(
    fn: (tx: Transaction) => Promise<T>,
    options: TransactionOptions = {},
  ): Promise<T> {
    return this.turn(async () => {
      const db = this.store.db;
      const readOnly = readOnlyReason(db);
      if (readOnly !== undefined) {
        throw new IoError(`write ${this.store.path}: the store is open read-only: ${readOnly}`);
      }
      // Set before BEGIN: SQLite cannot change the level inside a transaction.
      const previous = options.durable ? setSynchronous(db, "FULL") : undefined;
      try {
        return await this.inTransaction(fn);
      } finally {
        if (previous !== undefined) setSynchronous(db, previous);
      }
    });
  }

  private async inTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    // bindVault and the modules' calls are synchronous inside: everything loaded first.
    const [{ SqliteVaultRows }, modules] = await Promise.all([vaultRows(), this.loadAll()]);
    const db = this.store.db;
    // As the sync Store's writes: the write lock up front, busy past the timeout is exit 6.
    const begin = db.query("BEGIN IMMEDIATE");
    retryWhileBusy(() => begin.run(), this.busyTimeoutMs, "begin write transaction");
    let open = true;
    // Inside the transaction: no mutex (this turn holds it), refused once it ended.
    const direct = <R>(run: () => R): Promise<R> => {
      if (!open) return Promise.reject(new UsageError("the transaction has already ended"));
      try {
        return Promise.resolve(run());
      } catch (err) {
        return Promise.reject(err);
      }
    };
    const tx: Transaction = {
      sessions: wrap(modules.sessions, direct),
      messages: wrap(modules.messages, direct),
      queue: wrap(modules.queue, direct),
      agents: wrap(modules.agents, direct),
      documents: wrap(modules.documents, direct),
      keys: wrap(modules.keys, direct),
      audit: wrap(modules.audit, direct),
      bindVault: (vault) => vault.over(new SqliteVaultRows(this.store, direct)),
    };
    try {
      const result = await this.inTx.run(true, () => fn(tx));
      open = false;
      this.sql("commit", () => db.query("COMMIT").run());
      return result;
    } catch (err) {
      open = false;
      try {
        if (db.inTransaction) db.query("ROLLBACK").run();
      } catch {
        // SQLite rolled back already (a full disk, an I/O error): `err` says why.
      }
      throw err;
    }
  }

  private async loadAll(): Promise<Modules> {
    const loaded = await Promise.all(MODULE_NAMES.map((name) => this.load(name)));
    return Object.fromEntries(
      MODULE_NAMES.map((name, i) => [name, loaded[i]]),
    ) as unknown as Modules;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mutex.idle();
    this.store.close();
  }

  /** Runs `run` alone, after everything issued before it, unless the client is closed. */
  private turn<T>(run: () => T | Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(new UsageError(`the client of ${this.store.path} is closed`));
    }
    if (this.inTx.getStore()) {
      // Queued behind the transaction it is called from, it would wait forever.
      return Promise.reject(
        new UsageError("inside client.transaction(fn), use the tx that fn is given"),
      );
    }
    return this.mutex.run(async () => run());
  }

  private sql<T>(context: string, run: () => T): T {
    try {
      return run();
    } catch (err) {
      if (err instanceof CofferError || !isSqliteError(err)) throw err;
      throw storeError(this.store.path, err, context);
    }
  }
}
