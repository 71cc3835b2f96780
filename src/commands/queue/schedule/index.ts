import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "schedule", description: "Recurring jobs: each occurrence enqueued once" },
  subCommands: {
    add: () => import("./add.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    rm: () => import("./rm.ts").then((m) => m.default),
  },
});
