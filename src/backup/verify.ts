// coffer verify as a library: every check restore makes, reported, nothing
// changed. The backup itself is only ever opened read-only and immutable;
// FTS5's check of the search index needs a write connection, so with a
// private directory to stage in it runs on a copy there (one more read of
// the file), and without one it is left out of the report.

import { join } from "node:path";
import { type BackupReport, type InspectOptions, inspectBackup } from "./inspect.ts";
import { copyToPrivate } from "./stage.ts";
import { removeQuietly, tempPathFor } from "./temp-file.ts";

export type { BackupReport, Check } from "./inspect.ts";

export interface VerifyOptions extends InspectOptions {
  /**
   * Gives a directory of coffer's own (0700) for the private copy, asked only
   * once the file itself passed the header checks; none: no FTS5 check.
   */
  stageDir?: (() => string) | undefined;
}

export async function verifyBackup(
  path: string,
  options: VerifyOptions = {},
): Promise<BackupReport> {
  const { stageDir, ...inspect } = options;
  if (stageDir === undefined) return await inspectBackup(path, inspect);
  // The header's checks on the file itself: a wrong file is reported before any copy.
  const first = await inspectBackup(path, { ...inspect, headerOnly: true, onCheck: undefined });
  if (!first.ok) return first;
  const temp = tempPathFor(join(stageDir(), "verify-stage"), process.pid);
  try {
    await copyToPrivate({ source: path }, temp, "a private copy of the backup");
    const report = await inspectBackup(temp, { ...inspect, privateCopy: true });
    report.path = path;
    return report;
  } finally {
    removeQuietly(temp);
    removeQuietly(`${temp}-journal`);
  }
}
