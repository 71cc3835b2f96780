// Writes docs/api.md from the route table (src/serve/routes.ts); `--check`
// exits 1 when the file is not what the table gives (test/unit/serve/openapi.test.ts).

import { join } from "node:path";
import { apiMarkdown } from "../src/serve/openapi.ts";
import { routes } from "../src/serve/routes.ts";

const path = join(import.meta.dir, "..", "docs", "api.md");
const text = apiMarkdown(routes);
if (process.argv.includes("--check")) {
  const current = await Bun.file(path)
    .text()
    .catch(() => "");
  if (current !== text) {
    console.error("docs/api.md is out of date: run bun scripts/api-docs.ts");
    process.exit(1);
  }
} else {
  await Bun.write(path, text);
  console.log(`wrote ${path}`);
}
