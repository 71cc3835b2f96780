// The validation half of every restore, into either engine: the header
// checks on the original, then a private copy of the backup put through
// every check of SPEC §6, so the bytes checked are the bytes restored.

import { closeSync, fstatSync, openSync } from "node:fs";
import { NotFoundError } from "../errors.ts";
import { fsError } from "../store/files.ts";
import { copyPrefix, sealCopy } from "./copy.ts";
import { type BackupReport, type InspectOptions, inspectBackup, reportError } from "./inspect.ts";
import { asIoError, ioStep } from "./io-error.ts";
import { createPrivate } from "./temp-file.ts";

export interface StageOptions extends InspectOptions {
  /** The backup file to restore. */
  source: string;
  onProgress?:
    | ((progress: { phase: "copy" | "check"; bytesDone: number; bytesTotal: number }) => void)
    | undefined;
  signal?: AbortSignal | undefined;
}

/** Cheap checks on the original first: a wrong file is refused before anything is touched. */
export async function checkBackupHeader(options: StageOptions): Promise<void> {
  const first = await inspectBackup(options.source, {
    ...options,
    headerOnly: true,
    onCheck: undefined,
  });
  if (!first.ok) throw reportError(first);
}

/**
 * Copies the backup to `temp` (created 0600, must not exist), then checks
 * that copy; `staged` is what I/O errors call it. The report names the source.
 */
export async function stageBackup(
  options: StageOptions,
  temp: string,
  staged: string,
): Promise<BackupReport> {
  const from = openBackup(options.source);
  let to: number | undefined;
  try {
    to = ioStep("create", staged, () => createPrivate(temp));
    const size = fstatSync(from).size;
    await copyPrefix(from, to, size, {
      onProgress: (done) =>
        options.onProgress?.({ phase: "copy", bytesDone: done, bytesTotal: size }),
      signal: options.signal,
      names: { from: options.source, to: staged },
    });
    sealCopy(to, staged);
  } catch (err) {
    throw asIoError(err, "copy", options.source);
  } finally {
    if (to !== undefined) closeSync(to);
    closeSync(from);
  }
  options.onProgress?.({ phase: "check", bytesDone: 0, bytesTotal: 1 });
  const report = await inspectBackup(temp, options);
  report.path = options.source;
  if (!report.ok) throw reportError(report);
  return report;
}

function openBackup(path: string): number {
  try {
    return openSync(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new NotFoundError(`no backup at ${path}`);
    throw fsError("open", path, err);
  }
}
