// isatty without its price at start-up: importing node:tty costs ~4 ms on the
// compiled binary (measured), so it is required on the first question only.

let tty: typeof import("node:tty") | undefined;

export function isatty(fd: number): boolean {
  tty ??= require("node:tty") as typeof import("node:tty");
  return tty.isatty(fd);
}
