// Documents' SQL on PostgreSQL, with the rules of ./rules.ts. Puts of one
// agent serialize on its row (FOR UPDATE), so versions never collide.

import {
  inPgTransaction,
  type PgHandle,
  runPg,
  withNumbers,
} from "../../engines/postgres/handle.ts";
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

const num = (row: Record<string, unknown>) => withNumbers(row, ["created_at"]);

export class PgDocuments {
  constructor(private readonly db: PgHandle) {}

  async put(
    agent: string,
    name: string,
    content: string,
    options: { message?: string } = {},
  ): Promise<PutResult> {
    checkDocName(name);
    checkContent(content);
    const message = checkMessage(options.message);
    const sha = sha256Hex(content);
    return inPgTransaction(this.db, (tx) =>
      runPg(tx, async (sql) => {
        // The agent's row lock first; the statements after it see every put that committed before.
        const [owner] = await sql`SELECT slug FROM agents WHERE slug = ${agent} FOR UPDATE`;
        if (!owner) throw noAgent(agent);
        const [latest] = await sql`SELECT agent, name, version, sha256, message, created_at
          FROM documents WHERE agent = ${agent} AND name = ${name} ORDER BY version DESC LIMIT 1`;
        if (latest && latest.sha256 === sha)
          return { document: toVersion(num(latest)), created: false };
        const version = latest ? Number(latest.version) + 1 : 1;
        const [row] = await sql`INSERT INTO documents
            (agent, name, version, content, sha256, message, created_at)
          VALUES (${agent}, ${name}, ${version}, ${content}, ${sha}, ${message}, now_ms())
          RETURNING agent, name, version, sha256, message, created_at`;
        return { document: toVersion(num(row)), created: true };
      }),
    );
  }

  async get(agent: string, name: string, options: { version?: number } = {}): Promise<Document> {
    const version = checkVersion(options.version);
    const row = await runPg(this.db, async (sql) => {
      const [r] = await sql`SELECT * FROM documents WHERE agent = ${agent} AND name = ${name}
        AND (${version}::int IS NULL OR version = ${version}) ORDER BY version DESC LIMIT 1`;
      return r;
    });
    if (!row) throw await this.missing(agent, name, version);
    return toDocument(num(row));
  }

  async history(agent: string, name: string): Promise<DocumentVersion[]> {
    const rows = await runPg(
      this.db,
      (sql) =>
        sql`SELECT agent, name, version, sha256, message, created_at FROM documents
        WHERE agent = ${agent} AND name = ${name} ORDER BY version`,
    );
    if (rows.length === 0) throw await this.missing(agent, name, null);
    return rows.map((r: Record<string, unknown>) => toVersion(num(r)));
  }

  async list(agent: string): Promise<DocumentVersion[]> {
    return runPg(this.db, async (sql) => {
      const [known] = await sql`SELECT 1 FROM agents WHERE slug = ${agent}`;
      if (!known) throw noAgent(agent);
      const rows = await sql`SELECT DISTINCT ON (name COLLATE "C")
          agent, name, version, sha256, message, created_at
        FROM documents WHERE agent = ${agent} ORDER BY name COLLATE "C", version DESC`;
      return rows.map((r: Record<string, unknown>) => toVersion(num(r)));
    });
  }

  private async missing(agent: string, name: string, version: number | null) {
    const [known] = await runPg(this.db, (sql) => sql`SELECT 1 FROM agents WHERE slug = ${agent}`);
    return known ? noDocument(agent, name, version) : noAgent(agent);
  }
}
