// coffer secret …: the vault's commands, each loaded only when named.

import { defineCommand } from "citty";

export default defineCommand({
  meta: {
    name: "secret",
    description: "Store, read and manage secrets in the encrypted vault",
  },
  subCommands: {
    set: () => import("./set.ts").then((m) => m.default),
    get: () => import("./get.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    rm: () => import("./rm.ts").then((m) => m.default),
    history: () => import("./history.ts").then((m) => m.default),
    passwd: () => import("./passwd.ts").then((m) => m.default),
    rotate: () => import("./rotate.ts").then((m) => m.default),
    import: () => import("./import.ts").then((m) => m.default),
    export: () => import("./export.ts").then((m) => m.default),
  },
});
