import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "doc", description: "Versioned documents of an agent (instructions, persona…)" },
  subCommands: {
    put: () => import("./put.ts").then((m) => m.default),
    get: () => import("./get.ts").then((m) => m.default),
    history: () => import("./history.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
  },
});
