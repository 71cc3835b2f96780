// The private test server itself: both URLs reach it, and a fresh database is empty.

import { expect, test } from "bun:test";
import { SQL } from "bun";
import { freshDatabase, pgServer } from "../helpers/pg-server.ts";

const pg = await pgServer();

test.skipIf(!pg)("the server answers on 127.0.0.1 and on its Unix socket", async () => {
  if (!pg) return;
  console.log(`private PostgreSQL started in ${pg.startSeconds.toFixed(2)} s`);
  const tcp = new SQL(pg.url, { max: 1 });
  const [row] = await tcp`SELECT current_user AS who, inet_server_addr()::text AS addr`;
  expect(row.who).toBe("coffer");
  expect(row.addr).toBe("127.0.0.1/32");
  await tcp.close();
  const db = await freshDatabase(pg);
  const sock = new SQL({
    path: pg.socketDir,
    port: pg.port,
    username: pg.user,
    database: db.database,
  });
  const [r2] = await sock`SELECT current_database() AS db, inet_server_addr() AS addr`;
  expect(r2.db).toBe(db.database);
  expect(r2.addr).toBeNull();
  await sock.close();
});
