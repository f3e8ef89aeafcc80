-- Users and roles are the hall's (docs/hub.md, "Records, owners and offline"): a change of a user
-- goes to the hub through the hall-record outbox as kind 'user'. SQLite cannot alter a CHECK, so
-- hall_record_outbox is rebuilt with the same columns and rows (nothing refers to it).
ALTER TABLE hall_record_outbox RENAME TO hall_record_outbox_0017;
CREATE TABLE hall_record_outbox (
  id               INTEGER PRIMARY KEY,
  target_id        TEXT NOT NULL REFERENCES sync_targets (id),
  kind             TEXT NOT NULL CHECK (kind IN ('credit', 'applicant', 'user')),
  record_id        TEXT NOT NULL,
  base_version     INTEGER CHECK (base_version IS NULL OR base_version >= 0),
  body             TEXT NOT NULL CHECK (json_valid(body)),
  idempotency_key  TEXT NOT NULL UNIQUE,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'retry_wait', 'unknown', 'parked', 'acknowledged')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT,
  lease_owner      TEXT,
  lease_until      TEXT,
  last_error       TEXT,
  hub_version      INTEGER,
  outcome          TEXT CHECK (outcome IS NULL OR outcome IN ('current', 'conflict', 'kept')),
  created_at       TEXT NOT NULL,
  acknowledged_at  TEXT
);
INSERT INTO hall_record_outbox SELECT * FROM hall_record_outbox_0017;
DROP TABLE hall_record_outbox_0017;
CREATE INDEX hall_record_outbox_open ON hall_record_outbox (target_id, id) WHERE state <> 'acknowledged';
CREATE INDEX hall_record_outbox_record ON hall_record_outbox (target_id, kind, record_id, id);
