import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "message", description: "Add, list, edit, remove and search a session's messages" },
  subCommands: {
    add: () => import("./add.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    show: () => import("./show.ts").then((m) => m.default),
    edit: () => import("./edit.ts").then((m) => m.default),
    rm: () => import("./rm.ts").then((m) => m.default),
    pop: () => import("./pop.ts").then((m) => m.default),
    search: () => import("./search.ts").then((m) => m.default),
  },
});
