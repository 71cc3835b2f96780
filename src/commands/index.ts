// The command tree. Every command loads lazily, so `coffer secret get` pays
// only for the modules it uses.

import { defineCommand } from "citty";
import { version } from "../../package.json" with { type: "json" };

export const root = defineCommand({
  meta: {
    name: "coffer",
    version,
    description:
      "Encrypted secret vault and durable state store in one SQLite file.\n" +
      "Global flags (anywhere before --): --db PATH, --config PATH, --json, --verbose, --version",
  },
  subCommands: {
    status: () => import("./status.ts").then((m) => m.default),
    migrate: () => import("./migrate.ts").then((m) => m.default),
    agent: () => import("./agent/index.ts").then((m) => m.default),
    doc: () => import("./doc/index.ts").then((m) => m.default),
    session: () => import("./session/index.ts").then((m) => m.default),
    message: () => import("./message/index.ts").then((m) => m.default),
    queue: () => import("./queue/index.ts").then((m) => m.default),
    secret: () => import("./secret/index.ts").then((m) => m.default),
    run: () => import("./run.ts").then((m) => m.default),
    backup: () => import("./backup.ts").then((m) => m.default),
    restore: () => import("./restore.ts").then((m) => m.default),
    verify: () => import("./verify.ts").then((m) => m.default),
    serve: () => import("./serve.ts").then((m) => m.default),
    key: () => import("./key/index.ts").then((m) => m.default),
    audit: () => import("./audit.ts").then((m) => m.default),
  },
});
