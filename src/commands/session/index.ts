import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "session", description: "List, show and remove agent sessions" },
  subCommands: {
    list: () => import("./list.ts").then((m) => m.default),
    show: () => import("./show.ts").then((m) => m.default),
    rm: () => import("./rm.ts").then((m) => m.default),
  },
});
