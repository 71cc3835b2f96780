-- One index for pending and processing jobs instead of two (jobs_pending,
-- jobs_leased): status DESC puts a queue's held jobs just before its next
-- pending ones, so a worker's settle-and-claim (the head leaves pending, the
-- claim joins processing, the ack leaves it) rewrites one index page, not two.
-- locked_until, last, lets the expired-lease look read the index alone.
-- Queries on SQLite repeat the WHERE below to be allowed to use it.
DROP INDEX jobs_pending;
DROP INDEX jobs_leased;
CREATE INDEX jobs_live ON jobs (queue, status DESC, priority DESC, id, locked_until)
  WHERE status IN ('pending', 'processing');
