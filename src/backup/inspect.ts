// Every check a backup must pass before it may replace a store, in order,
// each reported. The file is opened read-only and immutable (no lock, no
// -wal or -shm created) with trusted_schema=OFF, and its schema is compared
// with coffer's before any other query touches it.

import { constants, Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { IntegrityError, IoError, NotFoundError } from "../errors.ts";
import { fsError } from "../store/files.ts";
import { APPLICATION_ID } from "../store/migrate.ts";
import { migrations as bundled, type Migration } from "../store/migrations.ts";
import { ftsIntegrity } from "./fts-check.ts";
import { ioStep } from "./io-error.ts";
import { runSqlChecks, sqliteDetail } from "./sql-checks.ts";
import { readHeader, type SqliteHeader } from "./sqlite-header.ts";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface BackupReport {
  path: string;
  bytes: number;
  schemaVersion: number | null;
  ok: boolean;
  checks: Check[];
}

export interface InspectOptions {
  /** Tests only: another migration list. */
  migrations?: readonly Migration[] | undefined;
  /** Stop after the checks that read only the header (no SQLite). */
  headerOnly?: boolean | undefined;
  /** Extra checks run on the open file once every other check passed (the vault unlock). */
  extra?: ((db: Database) => Check | Promise<Check>) | undefined;
  /**
   * The file is a private copy coffer made (a restore's staged copy): the one
   * check that needs a write connection, FTS5's own, runs on it too.
   */
  privateCopy?: boolean | undefined;
  /** Called with each check as soon as it has run (integrity_check takes a while on a large file). */
  onCheck?: ((check: Check) => void) | undefined;
}

/** Runs the checks on `path`; throws only when there is no file to check. */
export async function inspectBackup(
  path: string,
  options: InspectOptions = {},
): Promise<BackupReport> {
  const migrations = options.migrations ?? bundled;
  const bytes = fileSize(path);
  const report: BackupReport = { path, bytes, schemaVersion: null, ok: false, checks: [] };
  const add = (name: string, ok: boolean, detail: string) => {
    const check = { name, ok, detail };
    report.checks.push(check);
    options.onCheck?.(check);
    return ok;
  };
  const { header } = ioStep("read", path, () => readHeader(path));
  if (!add("sqlite header", Boolean(header) && bytes > 0, headerDetail(header, bytes)))
    return report;
  const h = header as SqliteHeader;
  if (!add("size", sizeMatches(h, bytes), sizeDetail(h, bytes))) return report;
  if (!add("self-contained", ...selfContained(path))) return report;
  const isCoffer = h.applicationId === APPLICATION_ID;
  if (
    !add(
      "application id",
      isCoffer,
      isCoffer ? "coffer" : `0x${h.applicationId.toString(16)}: not a coffer file`,
    )
  ) {
    return report;
  }
  report.schemaVersion = h.schemaVersion;
  const latest = migrations.length;
  const versionOk = h.schemaVersion >= 1 && h.schemaVersion <= latest;
  if (!add("schema version", versionOk, versionDetail(h.schemaVersion, latest))) return report;
  if (options.headerOnly) {
    report.ok = true;
    return report;
  }

  let db: Database;
  try {
    db = openImmutable(path);
  } catch (err) {
    add("open", false, sqliteDetail(err));
    return report;
  }
  try {
    const fts = options.privateCopy ? () => ftsIntegrity(path) : undefined;
    await runSqlChecks(db, h.schemaVersion, migrations, add, { extra: options.extra, fts });
  } catch (err) {
    add("read", false, sqliteDetail(err));
  } finally {
    db.close(false);
  }
  report.ok = report.checks.every((c) => c.ok);
  return report;
}

/** Read-only, immutable (no locks, no -wal/-shm created), schema code untrusted. */
export function openImmutable(path: string): Database {
  const uri = `file:${path.replace(/[?#%]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)}?mode=ro&immutable=1`;
  const db = new Database(uri, constants.SQLITE_OPEN_READONLY | constants.SQLITE_OPEN_URI);
  db.run("PRAGMA trusted_schema = OFF");
  db.run("PRAGMA cell_size_check = ON");
  // integrity_check reads every page: through mmap it skips a copy per page.
  db.run(`PRAGMA mmap_size = ${2 ** 31 - 1}`);
  return db;
}

/** The first failed check as an error (exit 5), naming the file. */
export function reportError(report: BackupReport, what = "backup"): IntegrityError {
  const failed = report.checks.find((c) => !c.ok);
  return new IntegrityError(
    `${report.path} is not a valid coffer ${what}: ${failed ? `${failed.name}: ${failed.detail}` : "no checks ran"}`,
    { hint: "nothing was changed" },
  );
}

function headerDetail(header: SqliteHeader | undefined, bytes: number): string {
  if (bytes === 0) return "the file is empty";
  if (!header) return "not a SQLite database";
  return `page size ${header.pageSize}`;
}

function sizeMatches(h: SqliteHeader, bytes: number): boolean {
  if (bytes % h.pageSize !== 0 || bytes < h.pageSize) return false;
  return !h.pageCountValid || h.pageCount * h.pageSize === bytes;
}

function sizeDetail(h: SqliteHeader, bytes: number): string {
  const pages = bytes / h.pageSize;
  if (sizeMatches(h, bytes)) return `${pages} pages, ${bytes} bytes`;
  const expected = h.pageCountValid ? ` (the header says ${h.pageCount} pages)` : "";
  if (bytes % h.pageSize !== 0 || bytes < h.pageSize) {
    return `truncated or padded: the file size ${bytes} is not a multiple of the page size ${h.pageSize}${expected}`;
  }
  return `truncated or padded: the header says ${h.pageCount} pages, the file holds ${pages}`;
}

function versionDetail(version: number, latest: number): string {
  if (version > latest)
    return `${version} is newer than this coffer supports (${latest}); upgrade coffer`;
  if (version < 1) return "0: no coffer schema";
  return version < latest ? `${version} (migrated to ${latest} after a restore)` : `${version}`;
}

function fileSize(path: string): number {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new NotFoundError(`no backup at ${path}`);
    throw fsError("read", path, err);
  }
  if (!st.isFile()) throw new IoError(`${path} is not a regular file`);
  return st.size;
}

/** A -wal with frames, or a hot -journal, beside the file: its bytes alone are not the database. */
function selfContained(path: string): [boolean, string] {
  for (const suffix of ["-wal", "-journal"]) {
    const size = fileSizeOrZero(`${path}${suffix}`);
    if (size > 0) return [false, `${path}${suffix} holds ${size} bytes not in the file`];
  }
  return [true, "no -wal or -journal beside it"];
}

function fileSizeOrZero(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
