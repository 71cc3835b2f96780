// What a document version is and what put/get check, once for both engines:
// every change a new version, sha256 of the UTF-8 bytes checked on the way out.

import * as v from "valibot";
import { IntegrityError, NotFoundError, UsageError } from "../../errors.ts";
import { formatLimit, LIMITS } from "../../input/limits.ts";
import { checkInteger, checkLabel } from "../validate.ts";

/** A document's largest version, in UTF-8 bytes: as a message's content. */
export const MAX_DOCUMENT_BYTES = LIMITS.messageContent;

/** One version without its content: what history and list show. */
export interface DocumentVersion {
  agent: string;
  name: string;
  version: number;
  sha256: string;
  message: string | null;
  createdAt: number;
}

export interface Document extends DocumentVersion {
  content: string;
}

export interface PutResult {
  document: DocumentVersion;
  /** false when the content equals the latest version's: no new version was made. */
  created: boolean;
}

const VersionRow = v.object({
  agent: v.string(),
  name: v.string(),
  version: v.number(),
  sha256: v.string(),
  message: v.nullable(v.string()),
  created_at: v.number(),
});

const DocumentRow = v.object({ ...VersionRow.entries, content: v.string() });

export function toVersion(row: unknown): DocumentVersion {
  const r = v.parse(VersionRow, row);
  return {
    agent: r.agent,
    name: r.name,
    version: r.version,
    sha256: r.sha256,
    message: r.message,
    createdAt: r.created_at,
  };
}

/** A full row, its content checked against the stored digest (exit 5 on a mismatch). */
export function toDocument(row: unknown): Document {
  const r = v.parse(DocumentRow, row);
  if (sha256Hex(r.content) !== r.sha256) {
    throw new IntegrityError(
      `document ${r.agent}/${r.name} version ${r.version} does not match its stored SHA-256`,
      { hint: "the row was changed outside coffer; restore it from a backup" },
    );
  }
  return { ...toVersion(r), content: r.content };
}

export function sha256Hex(text: string): string {
  // Bun's hasher, not node:crypto: that module alone costs ~2 ms of every command's start.
  return new Bun.CryptoHasher("sha256").update(text).digest("hex");
}

export function checkDocName(name: string): string {
  checkLabel(name, "document name", 256);
  return name;
}

export function checkContent(content: string): string {
  if (typeof content !== "string") throw new UsageError("document content must be text");
  if (!content.isWellFormed() || content.includes("\u0000")) {
    throw new UsageError("document content must be UTF-8 text without NUL bytes");
  }
  if (Buffer.byteLength(content) > MAX_DOCUMENT_BYTES) {
    throw new UsageError(`document content is over the ${formatLimit(MAX_DOCUMENT_BYTES)} limit`);
  }
  return content;
}

export function checkMessage(message: string | undefined): string | null {
  if (message === undefined) return null;
  checkLabel(message, "document message", 1024);
  return message;
}

export function checkVersion(version: number | undefined): number | null {
  if (version === undefined) return null;
  checkInteger(version, "document version", 1, 2 ** 31);
  return version;
}

export function noDocument(agent: string, name: string, version: number | null): NotFoundError {
  const which = version === null ? "" : ` version ${version}`;
  return new NotFoundError(`no document ${name}${which} for agent ${agent}`);
}
