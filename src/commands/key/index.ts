import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "key", description: "API keys for coffer serve" },
  subCommands: {
    create: () => import("./create.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    rm: () => import("./rm.ts").then((m) => m.default),
  },
});
