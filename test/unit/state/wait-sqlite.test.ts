// The SQLite change signal: an inotify watch on the store's -wal file, so a
// commit wakes the waiters and a neighbour's writes do not; once the -wal is
// replaced (a restore), the store's folder is watched instead, by name.

import { expect, test } from "bun:test";
import { appendFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openWatchCount, watchStore } from "../../../src/state/queue/wait-sqlite.ts";
import { tempDir } from "../../helpers/tmp.ts";

/** How many times `subscribe` was told of a change while `act` ran, events given 100 ms to arrive. */
async function wakes(count: { n: number }, act: () => void): Promise<number> {
  const before = count.n;
  act();
  await Bun.sleep(100);
  return count.n - before;
}

test("woken by writes to the -wal file, not by other files beside it, and still after a replace", async () => {
  const dir = tempDir();
  const path = join(dir, "coffer.db");
  writeFileSync(path, "");
  writeFileSync(`${path}-wal`, "");
  const count = { n: 0 };
  const unsubscribe = await watchStore(path)(() => {
    count.n++;
  });
  try {
    expect(openWatchCount()).toBe(1);
    expect(await wakes(count, () => appendFileSync(join(dir, "app.log"), "x\n"))).toBe(0);
    expect(await wakes(count, () => appendFileSync(join(dir, "other.db-wal"), "x"))).toBe(0);
    expect(await wakes(count, () => appendFileSync(`${path}-wal`, "commit"))).toBeGreaterThan(0);
    // A restore puts a new file in place: the old inode's watch would go quiet.
    writeFileSync(join(dir, "new-wal"), "");
    await wakes(count, () => renameSync(join(dir, "new-wal"), `${path}-wal`));
    expect(await wakes(count, () => appendFileSync(`${path}-wal`, "commit"))).toBeGreaterThan(0);
    expect(await wakes(count, () => appendFileSync(join(dir, "app.log"), "x\n"))).toBe(0);
  } finally {
    await unsubscribe();
  }
  expect(openWatchCount()).toBe(0);
});
