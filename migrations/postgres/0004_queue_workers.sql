-- Workers' queue features (SPEC §12), as migrations/0003_queue_workers.sql:
-- groups, dependencies and schedules, in PostgreSQL types.

ALTER TABLE jobs ADD COLUMN group_key text;
-- How many parents had not completed when the job was pushed: 0 means none to
-- check; otherwise the claim checks job_parents (a hint, not a counter).
ALTER TABLE jobs ADD COLUMN waiting_on integer NOT NULL DEFAULT 0 CHECK (waiting_on >= 0);

-- A group's live jobs in push order: the head is the only one claimable.
CREATE INDEX jobs_group ON jobs (queue, group_key, id)
  WHERE group_key IS NOT NULL AND status IN ('pending', 'processing');

-- Who waits for whom; looked up by parent when it completes or fails for good.
CREATE TABLE job_parents (
  parent_id bigint NOT NULL,
  job_id    bigint NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  PRIMARY KEY (parent_id, job_id)
);

CREATE INDEX job_parents_by_job ON job_parents (job_id);

-- every_ms or a five-field cron (in tz); next_run is the next occurrence not yet enqueued.
CREATE TABLE schedules (
  name       text PRIMARY KEY,
  queue      text NOT NULL,
  payload    text NOT NULL CHECK (payload::json IS NOT NULL),
  every_ms   bigint CHECK (every_ms IS NULL OR every_ms > 0),
  cron       text,
  tz         text NOT NULL DEFAULT 'UTC',
  next_run   bigint NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  CHECK ((every_ms IS NULL) <> (cron IS NULL))
);

CREATE INDEX schedules_due ON schedules (queue, next_run);

-- Purge by age scans instead: the index cost a page write on every ack, the
-- queue's hot path, to speed up a maintenance command (docs/benchmarks.md).
DROP INDEX jobs_finished;
