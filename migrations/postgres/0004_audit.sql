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

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit table is append-only';
END $$;

CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
