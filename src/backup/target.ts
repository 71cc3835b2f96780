// Where a backup goes: the default timestamped path beside the store, a
// directory given as the target, and the refusals that come before any copy.

import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import { NotFoundError, UsageError } from "../errors.ts";
import { ensureParentDir, fsError } from "../store/files.ts";
import { existsError, nonRegularKind } from "./place.ts";

/** `backups/coffer-20260102T030405Z.db` beside the store. */
export function defaultBackupPath(storePath: string, now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return join(dirname(storePath), "backups", `coffer-${stamp}.db`);
}

/**
 * The file to write: checked absent (unless `force`) or a regular file, in an
 * existing directory, not the store. A directory (or a symlink to one) means "in it".
 */
export function resolveTarget(
  source: string,
  target: string | undefined,
  force: boolean,
  now: number,
): string {
  if (target === undefined) {
    target = defaultBackupPath(source, now);
    try {
      ensureParentDir(target);
    } catch (err) {
      throw fsError("create", dirname(target), err);
    }
  }
  const st = statOrUndefined(target);
  if (st?.isDirectory()) {
    const name = defaultBackupPath(source, now).slice(join(dirname(source), "backups").length + 1);
    return resolveTarget(source, join(target, name), force, now);
  }
  if (st && sameFile(st, statOrUndefined(source))) {
    throw new UsageError(`${target} is the store itself`, { hint: "choose another path" });
  }
  // Never replaced, --force or not: /dev/null must stay a device, a symlink a symlink.
  const kind = nonRegularKind(target);
  if (kind) {
    throw new UsageError(`${target} is ${kind}, not a regular file; not replacing it`, {
      hint: "choose a path to a new or regular file (or `coffer backup -` to write to stdout)",
    });
  }
  if (st && !force) throw existsError(target);
  if (!statOrUndefined(dirname(target))?.isDirectory()) {
    throw new NotFoundError(`directory ${dirname(target)} does not exist`, {
      hint: "create it first",
    });
  }
  return target;
}

type Stats = ReturnType<typeof statSync>;

export function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  return Boolean(a && b && a.dev === b.dev && a.ino === b.ino);
}

export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
