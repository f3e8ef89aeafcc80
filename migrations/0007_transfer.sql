-- Intranet ↔ extranet transfer (政务内网/外网): signed, encrypted bundles carried as files
-- between two desks whose networks are not connected (electron/services/transfer,
-- docs/transfer.md). A bundle is verified in full in a staging folder; then one transaction
-- records it here and applies its entries by idempotency key. Additive only: new tables.

-- This desk (one row): its zone and public identity. The private keys are in
-- <dataDir>/transfer/desk-keys.json, encrypted.
CREATE TABLE transfer_desk (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  desk_id      TEXT NOT NULL,
  name         TEXT NOT NULL,
  zone         TEXT NOT NULL CHECK (zone IN ('intranet', 'extranet')),
  card         TEXT NOT NULL CHECK (json_valid(card)),
  fingerprint  TEXT NOT NULL,
  created_at   TEXT NOT NULL
);

-- The peer desk (one row), paired by importing its card after comparing the fingerprint.
CREATE TABLE transfer_peer (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  desk_id      TEXT NOT NULL,
  name         TEXT NOT NULL,
  zone         TEXT NOT NULL CHECK (zone IN ('intranet', 'extranet')),
  card         TEXT NOT NULL CHECK (json_valid(card)),
  fingerprint  TEXT NOT NULL,
  paired_at    TEXT NOT NULL
);

-- Bundles this desk wrote, per direction a gapless sequence; each names the previous one's hash.
CREATE TABLE transfer_bundles_out (
  bundle_id      TEXT PRIMARY KEY,
  seq            INTEGER NOT NULL UNIQUE CHECK (seq >= 1),
  prev_hash      TEXT NOT NULL,
  manifest_hash  TEXT NOT NULL,
  folder         TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  expires_at     TEXT NOT NULL,
  entries        INTEGER NOT NULL,
  files          INTEGER NOT NULL,
  acks           INTEGER NOT NULL,
  bytes          INTEGER NOT NULL,
  -- Set when a bundle from the peer says it applied this one.
  confirmed_at   TEXT
);

-- Bundles applied from the peer (a refused bundle writes nothing; it is in the log only).
-- (seq is not unique here: a sender that crashed after writing a bundle but before recording it
-- writes the same seq again under a new id; both apply, by idempotency key.)
CREATE TABLE transfer_bundles_in (
  bundle_id      TEXT PRIMARY KEY,
  seq            INTEGER NOT NULL CHECK (seq >= 1),
  prev_hash      TEXT NOT NULL,
  manifest_hash  TEXT NOT NULL,
  created_at     TEXT NOT NULL,
  applied_at     TEXT NOT NULL,
  entries_new    INTEGER NOT NULL,
  entries_known  INTEGER NOT NULL,
  files          INTEGER NOT NULL,
  acks           INTEGER NOT NULL,
  -- The peer's view of our bundles when it wrote this one.
  peer_applied   TEXT NOT NULL CHECK (json_valid(peer_applied))
);
CREATE INDEX transfer_bundles_in_seq ON transfer_bundles_in (seq);

-- Outbox entries of targets only the other zone reaches, as carried across: exported until
-- the peer acknowledges receipt, then the target's answer (its case number) comes back.
CREATE TABLE transfer_sent (
  entry_id         INTEGER PRIMARY KEY REFERENCES outbox_entries (id),
  idempotency_key  TEXT NOT NULL UNIQUE,
  state            TEXT NOT NULL CHECK (state IN ('exported', 'received', 'acknowledged', 'parked')),
  first_seq        INTEGER NOT NULL,
  last_seq         INTEGER NOT NULL,
  exports          INTEGER NOT NULL,
  received_at      TEXT,
  remote_state_at  TEXT,
  remote_reason    TEXT
);
CREATE INDEX transfer_sent_state ON transfer_sent (state);

-- Entries received from the peer (queued in this desk's outbox under the same key), and
-- what this desk last reported back about each, and whether the peer has seen that report.
CREATE TABLE transfer_received (
  idempotency_key  TEXT PRIMARY KEY,
  entry_id         INTEGER NOT NULL REFERENCES outbox_entries (id),
  bundle_id        TEXT NOT NULL REFERENCES transfer_bundles_in (bundle_id),
  received_at      TEXT NOT NULL,
  -- The ack (JSON) last put into an outgoing bundle, that bundle's seq, and the ack the peer has confirmed.
  ack_sent         TEXT,
  ack_seq          INTEGER,
  ack_confirmed    TEXT
);

-- A case that came from the peer desk: the local mirror row in `cases`, the peer's number and
-- document, and the files (pages, commitment PDF, signature) it came with.
CREATE TABLE transfer_cases (
  case_id          INTEGER PRIMARY KEY REFERENCES cases (id),
  origin_desk      TEXT NOT NULL,
  origin_case_no   TEXT NOT NULL,
  document         TEXT NOT NULL CHECK (json_valid(document)),
  -- The outbox revision the document above came with (a later revision replaces it, an older does not).
  revision         INTEGER NOT NULL,
  received_at      TEXT NOT NULL,
  UNIQUE (origin_desk, origin_case_no)
);
CREATE TABLE transfer_case_files (
  case_id  INTEGER NOT NULL REFERENCES transfer_cases (case_id),
  sha256   TEXT NOT NULL REFERENCES files (sha256),
  name     TEXT NOT NULL,
  kind     TEXT NOT NULL,
  size     INTEGER NOT NULL,
  PRIMARY KEY (case_id, sha256)
);
