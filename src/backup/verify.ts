// coffer verify as a library: every check restore makes, reported, nothing
// changed (the file is opened read-only and immutable).

import { type BackupReport, type InspectOptions, inspectBackup } from "./inspect.ts";

export type { BackupReport, Check } from "./inspect.ts";

export async function verifyBackup(
  path: string,
  options: InspectOptions = {},
): Promise<BackupReport> {
  return await inspectBackup(path, options);
}
