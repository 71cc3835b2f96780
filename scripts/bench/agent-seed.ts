// Seeds a store for scripts/bench-agents.ts inside the database itself (one
// INSERT … SELECT per table), so 1,000,000 messages take seconds, not minutes.
// Session i: metadata {"team":"t<i%100>","n":i}, agent bot<i%8> for every 4th,
// state done for every 10th. Message j: "zebra" in 1 of 1,000, "horse" in the rest.

import type { SQL } from "bun";
import type { Store } from "../../src/index.ts";

export const T0 = 1_700_000_000_000;

export function seedSqlite(store: Store, sessions: number, messages: number): void {
  const per = Math.max(1, Math.floor(messages / sessions));
  store.write(() => {
    const db = store.db;
    for (let a = 0; a < 8; a++) store.agents.create({ slug: `bot${a}` });
    db.query(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
       INSERT INTO sessions (id, channel, state, metadata, created_at, updated_at, agent)
       SELECT printf('s%07d', i), 'bench', CASE WHEN i % 10 = 0 THEN 'done' ELSE 'active' END,
         json_object('team', 't' || (i % 100), 'n', i), ?2 + i * 1000, ?2 + i * 1000,
         CASE WHEN i % 4 = 0 THEN 'bot' || (i % 8) END
       FROM n`,
    ).run(sessions, T0);
    db.query(
      `WITH RECURSIVE n(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM n WHERE j < ?1 - 1)
       INSERT INTO messages (session_id, role, content, created_at)
       SELECT printf('s%07d', j / ?2), CASE WHEN j % 2 = 0 THEN 'user' ELSE 'assistant' END,
         'message ' || j || ' w' || (j % 997) || ' the quick brown fox '
           || CASE WHEN j % 1000 = 0 THEN 'zebra' ELSE 'horse' END || ' jumps',
         ?3 + j * 100
       FROM n`,
    ).run(messages, per, T0);
  });
  store.db.run("ANALYZE");
}

export async function seedPostgres(sql: SQL, sessions: number, messages: number): Promise<void> {
  const per = Math.max(1, Math.floor(messages / sessions));
  await sql.begin(async (tx) => {
    await tx`INSERT INTO agents (slug, name, created_at, updated_at)
      SELECT 'bot' || a, 'bot' || a, ${T0}, ${T0} FROM generate_series(0, 7) a`;
    await tx`INSERT INTO sessions (id, channel, state, metadata, created_at, updated_at, agent)
      SELECT 's' || lpad(i::text, 7, '0'), 'bench',
        CASE WHEN i % 10 = 0 THEN 'done' ELSE 'active' END,
        json_build_object('team', 't' || (i % 100), 'n', i)::text,
        ${T0}::bigint + i * 1000, ${T0}::bigint + i * 1000,
        CASE WHEN i % 4 = 0 THEN 'bot' || (i % 8) END
      FROM generate_series(0, ${sessions - 1}) i`;
    await tx`INSERT INTO messages (session_id, role, content, created_at)
      SELECT 's' || lpad((j / ${per})::text, 7, '0'),
        CASE WHEN j % 2 = 0 THEN 'user' ELSE 'assistant' END,
        'message ' || j || ' w' || (j % 997) || ' the quick brown fox '
          || CASE WHEN j % 1000 = 0 THEN 'zebra' ELSE 'horse' END || ' jumps',
        ${T0}::bigint + j * 100
      FROM generate_series(0, ${messages - 1}) j`;
  });
  // Steady state, as autovacuum leaves it: GIN's pending list merged, statistics fresh.
  await sql`VACUUM ANALYZE`;
}
