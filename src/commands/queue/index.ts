import { defineCommand } from "citty";

export default defineCommand({
  meta: {
    name: "queue",
    description: "Push, claim and settle jobs of the crash-safe queue",
  },
  subCommands: {
    push: () => import("./push.ts").then((m) => m.default),
    pop: () => import("./pop.ts").then((m) => m.default),
    ack: () => import("./ack.ts").then((m) => m.default),
    fail: () => import("./fail.ts").then((m) => m.default),
    extend: () => import("./extend.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    stats: () => import("./stats.ts").then((m) => m.default),
    retry: () => import("./retry.ts").then((m) => m.default),
    purge: () => import("./purge.ts").then((m) => m.default),
    work: () => import("./work.ts").then((m) => m.default),
    schedule: () => import("./schedule/index.ts").then((m) => m.default),
  },
});
