// The async Client on PostgreSQL: each module over the pool, and transaction()
// over sql.begin, which gives every module the transaction's handle instead.

import type { SQL } from "bun";
import type { AsyncMessages, AsyncQueue, AsyncSessions, Client, ClientTx } from "../../client.ts";
import { UsageError } from "../../errors.ts";
import type { QueueOptions } from "../../state/job.ts";
import { PgQueue } from "../../state/queue/postgres.ts";
import type { PgConnection } from "./connect.ts";
import { mapPgError } from "./errors.ts";
import type { PgTarget } from "./url.ts";

/** What a module's PostgreSQL SQL runs on: the pool, or one transaction. */
export interface PgHandle {
  sql: SQL;
  target: PgTarget;
}

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
  private closed = false;

  constructor(
    private readonly conn: PgConnection,
    private readonly modules: PgModules,
    private readonly options: PgClientOptions,
  ) {
    const parts = this.compose({ sql: conn.sql, target: conn.target });
    this.sessions = this.guard(parts.sessions);
    this.messages = this.guard(parts.messages);
    this.queue = this.guard(parts.queue);
  }

  async transaction<T>(fn: (tx: ClientTx) => Promise<T>): Promise<T> {
    if (this.closed) throw this.closedError();
    const { target } = this.conn;
    // What fn threw is the caller's own and comes back unchanged; only the driver's is mapped.
    let own: { err: unknown } | undefined;
    const run = (sql: SQL) =>
      Promise.resolve()
        .then(() => fn(this.compose({ sql, target })))
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
      queue: new PgQueue(handle, this.options.queue) satisfies AsyncQueue,
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
