-- The store's epoch (docs/backup-restore.md): a random id created with the store and renewed by
-- every restore of a backup. It is part of every new case number (a short tag of it) and of every
-- new outbox idempotency key, so a store restored from a backup can never issue again an identity
-- that was already delivered after the backup was taken. Keys and case numbers issued before this
-- migration stay exactly as they are (they are stored, never recomputed). Additive only.

-- One row per epoch, the current one is the latest (highest seq). A restore adds a row that says
-- which backup it restored, who did it, and where the replaced store was moved.
CREATE TABLE store_epochs (
  seq          INTEGER PRIMARY KEY,
  epoch        TEXT NOT NULL UNIQUE CHECK (length(epoch) = 16),
  reason       TEXT NOT NULL CHECK (reason IN ('created', 'restored')),
  started_at   TEXT NOT NULL,
  -- For a restore: the backup file, the time it was taken, who restored it, what was moved aside.
  detail       TEXT CHECK (detail IS NULL OR json_valid(detail))
);

INSERT INTO store_epochs (epoch, reason, started_at)
VALUES (lower(hex(randomblob(8))), 'created', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- After a restore: the cases the targets' look-ups hold under case numbers the replaced store
-- issued after the backup was taken (same epoch tag, later sequence numbers). The restored store
-- does not have them; the sync screen lists them for the clerk to re-enter or check.
CREATE TABLE restore_found_cases (
  epoch_seq       INTEGER NOT NULL REFERENCES store_epochs (seq),
  target_id       TEXT NOT NULL,
  case_no         TEXT NOT NULL,
  target_case_no  TEXT NOT NULL,
  received_at     TEXT,
  found_at        TEXT NOT NULL,
  PRIMARY KEY (epoch_seq, target_id, case_no)
);
