-- The hall record outbox stops listing its kinds in a CHECK: every new kind of hall record
-- (users, catalog versions, calendar years, materials, …) cost a rebuild of this table because
-- SQLite cannot alter a CHECK. The kinds a desk may queue are validated where they are queued
-- (electron/services/hub/hall-records.ts, HallRecordKind) and again by the hub (hub/records.ts);
-- here a kind is only required to be a plain lower-case name. This is the last rebuild.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE hall_record_outbox_0020 AS SELECT * FROM hall_record_outbox;
DROP TABLE hall_record_outbox;
CREATE TABLE hall_record_outbox (
  id               INTEGER PRIMARY KEY,
  target_id        TEXT NOT NULL REFERENCES sync_targets (id),
  kind             TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40 AND kind NOT GLOB '*[^a-z_]*'),
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
INSERT INTO hall_record_outbox SELECT * FROM temp.hall_record_outbox_0020;
DROP TABLE temp.hall_record_outbox_0020;
CREATE INDEX hall_record_outbox_open ON hall_record_outbox (target_id, id) WHERE state <> 'acknowledged';
CREATE INDEX hall_record_outbox_record ON hall_record_outbox (target_id, kind, record_id, id);
