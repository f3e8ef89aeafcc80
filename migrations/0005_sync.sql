-- Sync to the departmental vertical systems (国垂/省垂) and the data-sharing platform:
-- a durable outbox in the same store. Accepting a case writes, in its own
-- transaction, one entry per target system with a snapshot of the case and the
-- content-addressed files it refers to. The sender (electron/services/sync)
-- leases entries for a bounded time, records every outcome, and never forgets an
-- entry until the target acknowledged it. Additive only: new tables and indexes.

-- The targets as last declared in <dataDir>/sync-targets.json (kept so that entries of a target
-- later removed from the configuration still show its name).
CREATE TABLE sync_targets (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('http', 'manual', 'data_sharing')),
  config      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  updated_at  TEXT NOT NULL
);

CREATE TABLE outbox_entries (
  id               INTEGER PRIMARY KEY,
  case_id          INTEGER NOT NULL REFERENCES cases (id),
  target_id        TEXT NOT NULL REFERENCES sync_targets (id),
  -- 'case': the accepted case; 'query': a data-sharing query for one certificate of the case.
  kind             TEXT NOT NULL CHECK (kind IN ('case', 'query')),
  -- What within the case the entry is about: '' for the case itself, the certificate code for a query.
  subject          TEXT NOT NULL DEFAULT '',
  revision         INTEGER NOT NULL CHECK (revision >= 1),
  -- (hall, case, target, revision): what the target de-duplicates on; never changes on retry.
  idempotency_key  TEXT NOT NULL UNIQUE,
  -- What is sent, as it was when the entry was written (mapped to the target's payload at send time).
  document         TEXT NOT NULL CHECK (json_valid(document)),
  state            TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'retry_wait', 'parked', 'unknown', 'acknowledged', 'superseded')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT,
  -- A lease: the sender that took the entry, and until when; an expired lease means "maybe sent".
  lease_owner      TEXT,
  lease_until      TEXT,
  -- Set once a request carrying this entry may have reached the target.
  first_sent_at    TEXT,
  last_error       TEXT,
  parked_reason    TEXT,
  target_case_no   TEXT,
  created_at       TEXT NOT NULL,
  acknowledged_at  TEXT,
  superseded_by    INTEGER REFERENCES outbox_entries (id)
);
-- The sender's scan: open entries of a target in order.
CREATE INDEX outbox_open ON outbox_entries (target_id, id) WHERE state NOT IN ('acknowledged', 'superseded');
CREATE INDEX outbox_case ON outbox_entries (case_id, target_id, id);
CREATE UNIQUE INDEX outbox_revision ON outbox_entries (case_id, target_id, kind, subject, revision);
CREATE INDEX outbox_state ON outbox_entries (state, target_id);

-- The files an entry carries; a file is kept until every entry that refers to it is acknowledged.
CREATE TABLE outbox_files (
  entry_id      INTEGER NOT NULL REFERENCES outbox_entries (id),
  sha256        TEXT NOT NULL REFERENCES files (sha256),
  name          TEXT NOT NULL,
  kind          TEXT NOT NULL,
  size          INTEGER NOT NULL,
  -- Resumable upload at the target: its id, the bytes it holds, its file id once complete.
  upload_id     TEXT,
  sent_bytes    INTEGER NOT NULL DEFAULT 0,
  remote_file_id TEXT,
  PRIMARY KEY (entry_id, sha256)
);
CREATE INDEX outbox_files_sha ON outbox_files (sha256);

-- Small facts the sender keeps across restarts (e.g. the latest time seen, for the clock check).
CREATE TABLE sync_meta (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
