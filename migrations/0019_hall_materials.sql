-- The material library is the hall's (docs/hub.md, "Records, owners and offline"): a material
-- checked at one window travels to every desk as a hall record of kind 'material'.
-- A material's identity in the hall (a UUID given where it was checked; a material pulled from the
-- hub keeps the one it came with), the desk and window it came from, and the number of the case it
-- was presented for (that case lives on the other desk: source_case_id stays NULL here).
ALTER TABLE materials ADD COLUMN hall_key TEXT;
ALTER TABLE materials ADD COLUMN origin_desk TEXT;
ALTER TABLE materials ADD COLUMN origin_window TEXT;
ALTER TABLE materials ADD COLUMN source_case_no TEXT;
CREATE UNIQUE INDEX materials_hall_key ON materials (hall_key) WHERE hall_key IS NOT NULL;

-- The hall record outbox takes the new kind: SQLite cannot alter a CHECK, so the table is rebuilt
-- under the same name (nothing refers to it; its own references are checked at commit).
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE hall_record_outbox_0019 AS SELECT * FROM hall_record_outbox;
DROP TABLE hall_record_outbox;
CREATE TABLE hall_record_outbox (
  id               INTEGER PRIMARY KEY,
  target_id        TEXT NOT NULL REFERENCES sync_targets (id),
  kind             TEXT NOT NULL CHECK (kind IN ('credit', 'applicant', 'user', 'catalog_version', 'calendar_year', 'material')),
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
INSERT INTO hall_record_outbox SELECT * FROM temp.hall_record_outbox_0019;
DROP TABLE temp.hall_record_outbox_0019;
CREATE INDEX hall_record_outbox_open ON hall_record_outbox (target_id, id) WHERE state <> 'acknowledged';
CREATE INDEX hall_record_outbox_record ON hall_record_outbox (target_id, kind, record_id, id);
