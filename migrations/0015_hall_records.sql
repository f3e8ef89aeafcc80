-- Hall records other than cases, shared through the hub (docs/hub.md, "Hall records"):
-- credit records (hall-owned, append-only: a record and later its repair) and applicants (shared).
-- Additive only: new columns and tables.

-- A credit record's identity in the hall (written where it was recorded; a record pulled from the
-- hub keeps the id it came with), the desk that wrote it, and when the hub first held it.
ALTER TABLE credit_records ADD COLUMN hall_key TEXT;
ALTER TABLE credit_records ADD COLUMN origin_desk TEXT;
ALTER TABLE credit_records ADD COLUMN hub_at TEXT;
CREATE UNIQUE INDEX credit_records_hall_key ON credit_records (hall_key) WHERE hall_key IS NOT NULL;

-- The outbox of hall records to the hub: the same exactly-once machinery as the case outbox
-- (0005_sync.sql) — an idempotency key that never changes, a lease (owner, until, attempt), an
-- outcome that may be unknown (re-sent under the same key: the hub answers "duplicate").
CREATE TABLE hall_record_outbox (
  id               INTEGER PRIMARY KEY,
  target_id        TEXT NOT NULL REFERENCES sync_targets (id),
  kind             TEXT NOT NULL CHECK (kind IN ('credit', 'applicant')),
  record_id        TEXT NOT NULL,
  -- The hub version this change was made on; NULL: on this desk's previous change of the record
  -- (the version the hub gave that one, known once it is acknowledged).
  base_version     INTEGER CHECK (base_version IS NULL OR base_version >= 0),
  body             TEXT NOT NULL CHECK (json_valid(body)),
  idempotency_key  TEXT NOT NULL UNIQUE,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'retry_wait', 'unknown', 'parked', 'acknowledged')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT,
  lease_owner      TEXT,
  lease_until      TEXT,
  last_error       TEXT,
  -- The hub's answer: the version it gave, and whether it became current, a conflict, or was kept.
  hub_version      INTEGER,
  outcome          TEXT CHECK (outcome IS NULL OR outcome IN ('current', 'conflict', 'kept')),
  created_at       TEXT NOT NULL,
  acknowledged_at  TEXT
);
CREATE INDEX hall_record_outbox_open ON hall_record_outbox (target_id, id) WHERE state <> 'acknowledged';
CREATE INDEX hall_record_outbox_record ON hall_record_outbox (target_id, kind, record_id, id);

-- The hub version each shared record's local copy is at (per hub target).
CREATE TABLE hall_record_versions (
  target_id   TEXT NOT NULL REFERENCES sync_targets (id),
  kind        TEXT NOT NULL,
  record_id   TEXT NOT NULL,
  version     INTEGER NOT NULL CHECK (version >= 1),
  PRIMARY KEY (target_id, kind, record_id)
);

-- When this desk last read the hall's feed to its end (全厅数据更新于 …).
CREATE TABLE hall_sync_state (
  target_id     TEXT PRIMARY KEY REFERENCES sync_targets (id),
  caught_up_at  TEXT NOT NULL
);

-- Commitments signed here after the hub already held an unrepaired credit record that excludes
-- the signer (the desk did not know: it was offline): flagged when the record arrives, with the
-- verification task opened for it (or the one already open).
CREATE TABLE hall_credit_flags (
  commitment_id  INTEGER NOT NULL REFERENCES commitments (id),
  credit_id      INTEGER NOT NULL REFERENCES credit_records (id),
  task_id        INTEGER REFERENCES verification_tasks (id),
  flagged_at     TEXT NOT NULL,
  note           TEXT NOT NULL,
  PRIMARY KEY (commitment_id, credit_id)
);
