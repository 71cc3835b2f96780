// The OpenAPI document and docs/api.md come from the route table: the file in
// the repository must be exactly what the table gives, so the docs cannot drift.

import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { apiMarkdown, openApiDocument } from "../../../src/serve/openapi.ts";
import { routes } from "../../../src/serve/routes.ts";
import { ROOT } from "../../helpers/binary.ts";

describe("the API document", () => {
  it("docs/api.md is what the route table gives (run bun scripts/api-docs.ts after changing a route)", async () => {
    const current = await Bun.file(join(ROOT, "docs", "api.md")).text();
    expect(current).toBe(apiMarkdown(routes));
  });

  it("lists every route once, with its method, security and an error response", () => {
    const doc = openApiDocument(routes) as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    const seen = new Set<string>();
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, key).toBeDefined();
      expect(op?.security, key).toEqual(r.right ? [{ key: [] }] : []);
      expect(Object.keys(op?.responses as object), key).toContain("default");
    }
    const ids = Object.values(doc.paths).flatMap((p) =>
      Object.values(p).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("describes a body's fields with their bounds", () => {
    const doc = openApiDocument(routes) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    const claim = JSON.stringify(doc.paths["/v1/queues/{queue}/claim"]?.post?.requestBody);
    expect(claim).toContain('"wait":{"type":"number","minimum":0,"maximum":30}');
    expect(claim).toContain('"additionalProperties":false');
  });
});
