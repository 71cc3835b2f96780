// The async Client on PostgreSQL: each module over the pool, and transaction()
// over sql.begin, which gives every module the transaction's handle instead.

import type { SQL } from "bun";
import type {
  AsyncAgents,
  AsyncAudit,
  AsyncDocuments,
  AsyncKeys,
  AsyncMessages,
  AsyncQueue,
  AsyncSessions,
  Client,
  ClientTx,
  ConnectOptions,
  Transaction,
} from "../../client.ts";
import { UsageError } from "../../errors.ts";
import { PgAgents } from "../../state/agents/postgres.ts";
import { PgAudit } from "../../state/audit/postgres.ts";
import { PgDocuments } from "../../state/documents/postgres.ts";
import type { QueueOptions } from "../../state/job.ts";
import { PgKeys } from "../../state/keys/postgres.ts";
import { PgMessages } from "../../state/messages/postgres.ts";
import { PgQueue } from "../../state/queue/postgres.ts";
import { PgSessions } from "../../state/sessions/postgres.ts";
import { type ClientVault, clientVault } from "../../vault/client-vault.ts";
import { PgVaultRows } from "../../vault/postgres.ts";
import type { Vault } from "../../vault/vault.ts";
import type { PgConnection } from "./connect.ts";
import { mapPgError } from "./errors.ts";
import type { PgHandle } from "./handle.ts";
import { openPostgres } from "./index.ts";

/**
 * The modules whose PostgreSQL SQL lives elsewhere (state/sessions/postgres.ts,
 * state/messages/postgres.ts): connect() passes their constructors in.
 */
export interface PgModules {
  sessions(handle: PgHandle): AsyncSessions;
  messages(handle: PgHandle): AsyncMessages;
}

export interface PgClientOptions {
  queue?: QueueOptions | undefined;
  /** Masks secrets in message content and metadata and in job errors before they are stored. */
  redact?: ((text: string) => string) | undefined;
}

/** connect() for a postgres:// URL: open, migrate, and compose every module over the pool. */
export async function connectPostgresClient(
  url: string,
  options: ConnectOptions = {},
): Promise<Client> {
  const conn = await openPostgres(url, { busyTimeoutMs: options.busyTimeoutMs });
  const { redact } = options;
  return pgClient(
    conn,
    {
      sessions: (handle) => new PgSessions(handle, { redact }),
      messages: (handle) => new PgMessages(handle, { redact }),
    },
    { queue: options.queue, redact },
  );
}

/** A Client over an open, migrated connection; closing it closes the pool. */
export function pgClient(
  conn: PgConnection,
  modules: PgModules,
  options: PgClientOptions = {},
): Client {
  return new PgClient(conn, modules, options);
}

class PgClient implements Client {
  readonly engine = "postgres" as const;
  readonly sessions: AsyncSessions;
  readonly messages: AsyncMessages;
  readonly queue: AsyncQueue;
  readonly agents: AsyncAgents;
  readonly documents: AsyncDocuments;
  readonly keys: AsyncKeys;
  readonly audit: AsyncAudit;
  readonly vault: ClientVault;
  private closed = false;

  constructor(
    private readonly conn: PgConnection,
    private readonly modules: PgModules,
    private readonly options: PgClientOptions,
  ) {
    const parts = this.compose({
      sql: conn.sql,
      target: conn.target,
      busyTimeoutMs: conn.busyTimeoutMs,
    });
    this.sessions = this.guard(parts.sessions);
    this.messages = this.guard(parts.messages);
    this.queue = this.guard(parts.queue);
    this.agents = this.guard(parts.agents);
    this.documents = this.guard(parts.documents);
    this.keys = this.guard(parts.keys);
    this.audit = this.guard(parts.audit);
    this.vault = this.guard(clientVault(new PgVaultRows({ sql: conn.sql, target: conn.target })));
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.closed) throw this.closedError();
    const { target } = this.conn;
    // What fn threw is the caller's own and comes back unchanged; only the driver's is mapped.
    let own: { err: unknown } | undefined;
    const run = (sql: SQL) =>
      Promise.resolve()
        .then(() => {
          const handle = { sql, target };
          const bindVault = (vault: Vault) => vault.over(new PgVaultRows(handle));
          return fn({ ...this.compose(handle), bindVault });
        })
        .catch((err: unknown) => {
          own = { err };
          throw err;
        });
    try {
      return (await this.conn.sql.begin(run)) as T;
    } catch (err) {
      if (own && own.err === err) throw err;
      throw mapPgError(err, target);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.close();
  }

  private compose(handle: PgHandle): ClientTx {
    return {
      sessions: this.modules.sessions(handle),
      messages: this.modules.messages(handle),
      queue: new PgQueue(handle, {
        ...this.options.queue,
        redact: this.options.redact,
      }) satisfies AsyncQueue,
      agents: new PgAgents(handle) satisfies AsyncAgents,
      documents: new PgDocuments(handle) satisfies AsyncDocuments,
      keys: new PgKeys(handle) satisfies AsyncKeys,
      audit: new PgAudit(handle) satisfies AsyncAudit,
    };
  }

  /** Refuses every method once the client is closed, with the same error as on SQLite. */
  private guard<T extends object>(module: T): T {
    return new Proxy(module, {
      get: (obj, key) => {
        const value = Reflect.get(obj, key);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (this.closed) return Promise.reject(this.closedError());
          return value.apply(obj, args);
        };
      },
    });
  }

  private closedError(): UsageError {
    return new UsageError(`the client of ${this.conn.target.redacted} is closed`);
  }
}
