-- The audit trail of secret reads and writes (SPEC §13): append-only, each row
-- chained to the one before by prev_hash/hash (src/state/audit/rules.ts). Never a value.

CREATE TABLE audit (
  id        bigint PRIMARY KEY,
  at        bigint NOT NULL,
  actor     text NOT NULL,
  action    text NOT NULL,
  scope     text,
  name      text,
  version   bigint,
  outcome   text NOT NULL,
  prev_hash text NOT NULL,
  hash      text NOT NULL
);

CREATE INDEX audit_by_time ON audit (at);

CREATE FUNCTION audit_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit table is append-only';
END $$;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_no_update();

-- A restore empties every table and refills it: the trail may be emptied
-- whole in one statement, never trimmed.
CREATE FUNCTION audit_no_trim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM audit) THEN
    RAISE EXCEPTION 'the audit table is append-only: it can only be emptied whole, by a restore';
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER audit_no_trim AFTER DELETE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION audit_no_trim();
