// The errors the API answers with: `{ error: { code, exit, message, hint } }`
// and an HTTP status. Library errors map by class; anything else is a plain 500.

import * as v from "valibot";
import {
  AuthError,
  BusyError,
  CofferError,
  ExitCode,
  IntegrityError,
  IoError,
  NotFoundError,
  UsageError,
} from "../errors.ts";

/** A refusal the server itself makes (wrong key, Origin, size …), with its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly exit: ExitCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ErrorBody {
  error: { code: string; exit: number; message: string; hint?: string };
}

/** Maps what a handler threw to the answer; an unknown error says nothing of itself. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof v.ValiError) {
    return new ApiError(400, "invalid_request", ExitCode.usage, describeIssue(err));
  }
  if (err instanceof CofferError) {
    const [status, code] = statusOf(err);
    return new ApiError(status, code, err.code, err.message, err.hint);
  }
  return new ApiError(500, "internal", ExitCode.internal, "internal error");
}

function statusOf(err: CofferError): [number, string] {
  if (err instanceof UsageError) return [400, "invalid_request"];
  if (err instanceof NotFoundError) return [404, "not_found"];
  if (err instanceof AuthError) return [423, "vault_locked"];
  if (err instanceof BusyError) return [409, "conflict"];
  if (err instanceof IntegrityError) return [500, "integrity"];
  if (err instanceof IoError) return [507, "io"];
  return [500, "internal"];
}

function describeIssue(err: v.ValiError<v.GenericSchema>): string {
  const issue = err.issues[0];
  const path = issue?.path?.map((p) => String(p.key)).join(".");
  const what = issue?.message ?? "invalid input";
  return path ? `${path}: ${what}` : what;
}

export function errorBody(err: ApiError): ErrorBody {
  const error: ErrorBody["error"] = { code: err.code, exit: err.exit, message: err.message };
  if (err.hint) error.hint = err.hint;
  return { error };
}

export const refuse = {
  notFound: (what: string) => new ApiError(404, "not_found", ExitCode.notFound, what),
  badRequest: (what: string, hint?: string) =>
    new ApiError(400, "invalid_request", ExitCode.usage, what, hint),
};
