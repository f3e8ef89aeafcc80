-- The hall hub (docs/hub.md) as a sync target kind: accepted cases go to it through the same
-- outbox as to the vertical systems, so sync_targets.kind's CHECK gains 'hub'. SQLite cannot alter
-- a CHECK, so the table is rebuilt under the same name. The outbox refers to it, and foreign keys
-- cannot be switched off inside the migration's transaction: they are deferred instead. Dropping
-- the old table leaves the entries' references dangling for a moment; inserting the rows into the
-- rebuilt table gives each of them its parent again, and the check at commit finds none missing.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE sync_targets_0012 AS SELECT id, name, kind, config, updated_at FROM sync_targets;
DROP TABLE sync_targets;
CREATE TABLE sync_targets (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('http', 'manual', 'data_sharing', 'hub')),
  config      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  updated_at  TEXT NOT NULL
);
INSERT INTO sync_targets (id, name, kind, config, updated_at) SELECT id, name, kind, config, updated_at FROM temp.sync_targets_0012;
DROP TABLE temp.sync_targets_0012;

-- The hall feed pulled from the hub: where each hub target's feed was read to (stored in the same
-- transaction as the page it ends), and the records of other desks as received.
CREATE TABLE hub_feed_cursor (
  target_id   TEXT PRIMARY KEY REFERENCES sync_targets (id),
  after_seq   INTEGER NOT NULL CHECK (after_seq >= 0),
  updated_at  TEXT NOT NULL
);

CREATE TABLE hub_feed_records (
  target_id   TEXT NOT NULL REFERENCES sync_targets (id),
  seq         INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  owner_desk  TEXT NOT NULL,
  record_key  TEXT NOT NULL,
  body        TEXT NOT NULL CHECK (json_valid(body)),
  received_at TEXT NOT NULL,
  PRIMARY KEY (target_id, seq),
  UNIQUE (target_id, owner_desk, record_key)
);
