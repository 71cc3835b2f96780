-- Workers' queue features (SPEC §12): groups (one job of a group processing
-- at a time, claimed in push order), dependencies (a job waits for its
-- parents to complete) and schedules (recurring jobs, enqueued once per occurrence).

ALTER TABLE jobs ADD COLUMN group_key TEXT;
-- How many parents had not completed when the job was pushed: 0 means none to
-- check; otherwise the claim checks job_parents (a hint, not a counter).
ALTER TABLE jobs ADD COLUMN waiting_on INTEGER NOT NULL DEFAULT 0 CHECK (waiting_on >= 0);

-- A group's live jobs in push order: the head is the only one claimable.
CREATE INDEX jobs_group ON jobs (queue, group_key, id)
  WHERE group_key IS NOT NULL AND status IN ('pending', 'processing');

-- Who waits for whom; looked up by parent when it completes or fails for good.
CREATE TABLE job_parents (
  parent_id INTEGER NOT NULL,
  job_id    INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  PRIMARY KEY (parent_id, job_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX job_parents_by_job ON job_parents (job_id);

-- every_ms or a five-field cron (in tz); next_run is the next occurrence not yet enqueued.
CREATE TABLE schedules (
  name       TEXT PRIMARY KEY NOT NULL,
  queue      TEXT NOT NULL,
  payload    TEXT NOT NULL CHECK (json_valid(payload)),
  every_ms   INTEGER CHECK (every_ms IS NULL OR every_ms > 0),
  cron       TEXT,
  tz         TEXT NOT NULL DEFAULT 'UTC',
  next_run   INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  CHECK ((every_ms IS NULL) <> (cron IS NULL))
) STRICT;

CREATE INDEX schedules_due ON schedules (queue, next_run);

-- Purge by age scans instead: the index cost a page write on every ack, the
-- queue's hot path, to speed up a maintenance command (docs/benchmarks.md).
DROP INDEX jobs_finished;
