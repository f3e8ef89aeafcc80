-- The catalog published once for the hall (docs/hub.md, "Records, owners and offline"): a catalog
-- version imported on any desk travels through the hub as a hall record ('catalog_version') and
-- is stored on every desk under the hall id its first desk gave it. A desk holds each hall version
-- once (the unique index); a version imported before the desk had a hub has none.
ALTER TABLE catalog_versions ADD COLUMN hall_key TEXT;
CREATE UNIQUE INDEX catalog_versions_hall_key ON catalog_versions (hall_key) WHERE hall_key IS NOT NULL;

-- The hall records outbox carries the two new kinds ('catalog_version', 'calendar_year'). SQLite
-- cannot alter a CHECK, so the table is rebuilt (nothing refers to it); its rows and ids are kept.
-- (Other branches add kinds too: the merged migration takes the union of the kinds.)
CREATE TABLE hall_record_outbox_0018 (
  id               INTEGER PRIMARY KEY,
  target_id        TEXT NOT NULL REFERENCES sync_targets (id),
  kind             TEXT NOT NULL CHECK (kind IN ('credit', 'applicant', 'user', 'catalog_version', 'calendar_year')),
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
INSERT INTO hall_record_outbox_0018 SELECT id, target_id, kind, record_id, base_version, body, idempotency_key, state, attempts, next_attempt_at,
  lease_owner, lease_until, last_error, hub_version, outcome, created_at, acknowledged_at FROM hall_record_outbox;
DROP TABLE hall_record_outbox;
ALTER TABLE hall_record_outbox_0018 RENAME TO hall_record_outbox;
CREATE INDEX hall_record_outbox_open ON hall_record_outbox (target_id, id) WHERE state <> 'acknowledged';
CREATE INDEX hall_record_outbox_record ON hall_record_outbox (target_id, kind, record_id, id);
