import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "session", description: "Create, list, fork, prune and move agent sessions" },
  subCommands: {
    new: () => import("./new.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    show: () => import("./show.ts").then((m) => m.default),
    set: () => import("./set.ts").then((m) => m.default),
    fork: () => import("./fork.ts").then((m) => m.default),
    prune: () => import("./prune.ts").then((m) => m.default),
    export: () => import("./export.ts").then((m) => m.default),
    import: () => import("./import.ts").then((m) => m.default),
    rm: () => import("./rm.ts").then((m) => m.default),
  },
});
