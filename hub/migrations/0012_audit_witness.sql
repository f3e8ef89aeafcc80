-- The hub witnesses every desk's audit log (docs/audit-checkpoints.md, "Witnessed by the hub";
-- hub/audit-witness.ts): each desk sends its signed checkpoints and its audit entries, in order,
-- and the hub keeps them append-only. A desk whose chain no longer matches what the hub holds is
-- flagged in audit_witness_findings; what was witnessed is never overwritten.

-- The desk's audit checkpoint key (Ed25519 SPKI, base64), registered by the desk's first signed
-- send (a request signed with its enrolled desk key). Never replaced: another key is a finding.
CREATE TABLE audit_witness_keys (
  desk_id        TEXT PRIMARY KEY REFERENCES desks (desk_id),
  pub            TEXT NOT NULL,
  registered_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The store epochs of each desk the hub followed, in order (a restore starts a new one; the hub
-- follows it only on a signed restore or new-store checkpoint naming the epoch it held).
CREATE TABLE audit_witness_epochs (
  desk_id     TEXT NOT NULL REFERENCES desks (desk_id),
  n           INTEGER NOT NULL CHECK (n > 0),
  epoch       TEXT NOT NULL,
  from_epoch  TEXT,
  started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (desk_id, n),
  UNIQUE (desk_id, epoch)
);

-- The desk's audit entries exactly as the desk stored them: `entry` is the row's fields (at, actor,
-- action, entity, detail …) as JSON text, so any character the desk stored (NUL included, which a
-- PostgreSQL TEXT column refuses) is kept byte for byte; the hash covers them.
CREATE TABLE audit_witness_entries (
  desk_id         TEXT NOT NULL REFERENCES desks (desk_id),
  epoch           TEXT NOT NULL,
  seq             BIGINT NOT NULL CHECK (seq > 0),
  entry           TEXT NOT NULL,
  prev_hash       TEXT NOT NULL,
  hash            TEXT NOT NULL,
  received_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (desk_id, epoch, seq)
);

-- Signed checkpoint lines as the desk wrote them (signature checked against the registered key before storing).
CREATE TABLE audit_witness_checkpoints (
  id           BIGSERIAL PRIMARY KEY,
  desk_id      TEXT NOT NULL REFERENCES desks (desk_id),
  kind         TEXT NOT NULL CHECK (kind IN ('head', 'restore', 'new-store')),
  epoch        TEXT NOT NULL,
  from_epoch   TEXT,
  seq          BIGINT NOT NULL CHECK (seq >= 0),
  hash         TEXT NOT NULL,
  at           TEXT NOT NULL,
  signed_at    TEXT NOT NULL,
  sig          TEXT NOT NULL,
  received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (desk_id, sig)
);
CREATE INDEX audit_witness_checkpoints_seq ON audit_witness_checkpoints (desk_id, epoch, seq);

-- What the hub found when a desk's chain disagreed with what it witnessed: one row per
-- (desk, epoch, kind, first disagreeing entry); seen again, only its count and last time change.
CREATE TABLE audit_witness_findings (
  id              BIGSERIAL PRIMARY KEY,
  desk_id         TEXT NOT NULL REFERENCES desks (desk_id),
  epoch           TEXT NOT NULL,
  kind            TEXT NOT NULL,
  seq             BIGINT NOT NULL CHECK (seq >= 0),
  message         TEXT NOT NULL,
  evidence        JSONB NOT NULL,
  first_found_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_found_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  times           INTEGER NOT NULL DEFAULT 1,
  UNIQUE (desk_id, epoch, kind, seq)
);

-- When each desk last sent (one row per desk, overwritten: not history).
CREATE TABLE audit_witness_status (
  desk_id         TEXT PRIMARY KEY REFERENCES desks (desk_id),
  last_sent_at    TIMESTAMPTZ,
  desk_head_seq   BIGINT,
  last_recheck_at TIMESTAMPTZ
);

-- Append-only: what was witnessed is never changed nor removed.
CREATE FUNCTION audit_witness_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit witness rows are append-only (% on %)', TG_OP, TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_witness_entries_append_only BEFORE UPDATE OR DELETE ON audit_witness_entries FOR EACH ROW EXECUTE FUNCTION audit_witness_append_only();
CREATE TRIGGER audit_witness_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_witness_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_witness_append_only();
CREATE TRIGGER audit_witness_keys_append_only BEFORE UPDATE OR DELETE ON audit_witness_keys FOR EACH ROW EXECUTE FUNCTION audit_witness_append_only();
