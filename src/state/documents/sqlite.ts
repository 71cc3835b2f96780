// Documents on SQLite: versioned text per agent and name. Rules: ./rules.ts.

import type { StoreCore } from "../../store/core.ts";
import { noAgent } from "../agents/rules.ts";
import {
  checkContent,
  checkDocName,
  checkMessage,
  checkVersion,
  type Document,
  type DocumentVersion,
  noDocument,
  type PutResult,
  sha256Hex,
  toDocument,
  toVersion,
} from "./rules.ts";

export type { Document, DocumentVersion, PutResult } from "./rules.ts";

const VERSION_COLUMNS = "agent, name, version, sha256, message, created_at";

export class Documents {
  constructor(private readonly store: StoreCore) {}

  /** Stores `content` as the next version, unless it equals the latest one. */
  put(agent: string, name: string, content: string, options: { message?: string } = {}): PutResult {
    checkDocName(name);
    checkContent(content);
    const message = checkMessage(options.message);
    const sha = sha256Hex(content);
    const db = this.store.db;
    return this.store.write(() => {
      if (!db.query("SELECT 1 FROM agents WHERE slug = ?").get(agent)) throw noAgent(agent);
      const latest = db
        .query(
          `SELECT ${VERSION_COLUMNS} FROM documents WHERE agent = ? AND name = ?
           ORDER BY version DESC LIMIT 1`,
        )
        .get(agent, name);
      if (latest && toVersion(latest).sha256 === sha) {
        return { document: toVersion(latest), created: false };
      }
      const version = latest ? toVersion(latest).version + 1 : 1;
      const row = db
        .query(
          `INSERT INTO documents (agent, name, version, content, sha256, message, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${VERSION_COLUMNS}`,
        )
        .get(agent, name, version, content, sha, message, this.store.now());
      return { document: toVersion(row), created: true };
    });
  }

  /** The latest version (or `version`), its content checked against its SHA-256. */
  get(agent: string, name: string, options: { version?: number } = {}): Document {
    const version = checkVersion(options.version);
    const row = this.store.read(() =>
      this.store.db
        .query(
          `SELECT * FROM documents WHERE agent = ?1 AND name = ?2 AND (?3 IS NULL OR version = ?3)
           ORDER BY version DESC LIMIT 1`,
        )
        .get(agent, name, version),
    );
    if (!row) throw this.missing(agent, name, version);
    return toDocument(row);
  }

  /** Every version of one document, oldest first, without content. */
  history(agent: string, name: string): DocumentVersion[] {
    const rows = this.store.read(() =>
      this.store.db
        .query(
          `SELECT ${VERSION_COLUMNS} FROM documents WHERE agent = ? AND name = ? ORDER BY version`,
        )
        .all(agent, name),
    );
    if (rows.length === 0) throw this.missing(agent, name, null);
    return rows.map(toVersion);
  }

  /** The latest version of each of the agent's documents, by name. */
  list(agent: string): DocumentVersion[] {
    const rows = this.store.read(() => {
      if (!this.store.db.query("SELECT 1 FROM agents WHERE slug = ?").get(agent)) {
        throw noAgent(agent);
      }
      return this.store.db
        .query(
          `SELECT ${VERSION_COLUMNS} FROM documents d WHERE agent = ?1
             AND version = (SELECT max(version) FROM documents WHERE agent = ?1 AND name = d.name)
           ORDER BY name`,
        )
        .all(agent);
    });
    return rows.map(toVersion);
  }

  private missing(agent: string, name: string, version: number | null) {
    const known = this.store.read(() =>
      this.store.db.query("SELECT 1 FROM agents WHERE slug = ?").get(agent),
    );
    return known ? noDocument(agent, name, version) : noAgent(agent);
  }
}
