// The closed set of errors coffer raises. Each carries the exit code of
// SPEC §7 and an optional hint; the CLI maps them to exit codes in one place.

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  integrity: 5,
  busy: 6,
  io: 7,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class CofferError extends Error {
  readonly code: ExitCode = ExitCode.internal;
  readonly hint: string | undefined;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** A bug in coffer, or a failure nothing else explains. */
export class InternalError extends CofferError {
  override readonly code = ExitCode.internal;
}

/** Bad flags or arguments, an invalid config, a value given on argv. */
export class UsageError extends CofferError {
  override readonly code = ExitCode.usage;
}

/** No such secret, session, job or file; an empty queue on pop. */
export class NotFoundError extends CofferError {
  override readonly code = ExitCode.notFound;
}

/** Wrong passphrase, no passphrase source, vault locked. */
export class AuthError extends CofferError {
  override readonly code = ExitCode.auth;
}

/** Corrupt or tampered data, an invalid backup, a schema too new. */
export class IntegrityError extends CofferError {
  override readonly code = ExitCode.integrity;
}

/** The store is in use beyond the timeout, or a job is not held. */
export class BusyError extends CofferError {
  override readonly code = ExitCode.busy;
}

/** Disk full, permission denied, read-only file system, a path that is a directory. */
export class IoError extends CofferError {
  override readonly code = ExitCode.io;
}
