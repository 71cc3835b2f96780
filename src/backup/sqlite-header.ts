// The 100-byte SQLite file header (https://sqlite.org/fileformat2.html#the_database_header):
// read without SQLite, so a candidate file is judged before any parser sees it.

import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";

export const HEADER_SIZE = 100;
const MAGIC = "SQLite format 3\0";

/** Header bytes 18 and 19: 1 = rollback journal (legacy), 2 = WAL. */
const WRITE_VERSION_OFFSET = 18;
const ROLLBACK_JOURNAL = 1;
const WAL = 2;

export interface SqliteHeader {
  pageSize: number;
  writeVersion: number;
  readVersion: number;
  /** Pages in the file per the header; trusted only when `pageCountValid`. */
  pageCount: number;
  pageCountValid: boolean;
  freelistPages: number;
  schemaVersion: number;
  applicationId: number;
}

/** Parses a header, or returns undefined when `bytes` is not a SQLite header. */
export function parseHeader(bytes: Uint8Array): SqliteHeader | undefined {
  if (bytes.length < HEADER_SIZE) return undefined;
  if (new TextDecoder().decode(bytes.subarray(0, 16)) !== MAGIC) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const rawPageSize = view.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return undefined;
  const changeCounter = view.getUint32(24);
  return {
    pageSize,
    writeVersion: view.getUint8(18),
    readVersion: view.getUint8(19),
    pageCount: view.getUint32(28),
    // The in-header size is valid only when the change counter matches
    // "version-valid-for" (offset 92); older writers left it stale.
    pageCountValid: changeCounter === view.getUint32(92) && view.getUint32(28) > 0,
    freelistPages: view.getUint32(36),
    schemaVersion: view.getUint32(60),
    applicationId: view.getInt32(68) >>> 0,
  };
}

/** Reads the header of the file at `path` (an empty or short file gives undefined). */
export function readHeader(path: string): { header: SqliteHeader | undefined; size: number } {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const bytes = new Uint8Array(HEADER_SIZE);
    const n = readSync(fd, bytes, 0, HEADER_SIZE, 0);
    return { header: parseHeader(bytes.subarray(0, n)), size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Marks the file open on `fd` as a rollback-journal database, so that it is
 * one self-contained file: SQLite never looks for a -wal beside it unless one
 * exists. This is what `PRAGMA journal_mode=DELETE` writes, without opening
 * the copy in WAL mode (which would create -wal and -shm beside it).
 */
export function setRollbackJournal(fd: number): void {
  const bytes = new Uint8Array([ROLLBACK_JOURNAL, ROLLBACK_JOURNAL]);
  writeSync(fd, bytes, 0, 2, WRITE_VERSION_OFFSET);
}

/**
 * Marks the file open on `fd` as a WAL database, as `PRAGMA journal_mode=WAL`
 * would. A WAL file with no -wal beside it is complete, and opening it never
 * creates a `-journal`.
 */
export function setWalMode(fd: number): void {
  writeSync(fd, new Uint8Array([WAL, WAL]), 0, 2, WRITE_VERSION_OFFSET);
}
