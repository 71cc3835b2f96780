import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "agent", description: "Create, list, show, change and remove agents" },
  subCommands: {
    create: () => import("./create.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    show: () => import("./show.ts").then((m) => m.default),
    set: () => import("./set.ts").then((m) => m.default),
    rm: () => import("./rm.ts").then((m) => m.default),
  },
});
