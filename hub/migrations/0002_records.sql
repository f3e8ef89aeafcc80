-- Hall records other than cases (docs/hub.md: "Hall records"): credit records (hall-owned,
-- append-only facts: a record and later its repair) and applicants (shared, edited on any desk).
-- Each record keeps its current version; every version a desk pushed is kept; concurrent edits of
-- a shared record (the same base version) are kept side by side as a conflict for a supervisor.

-- The feed carries the new kinds. (Replaces 0001's CHECK, which named 'case' only.)
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_kind_check;
ALTER TABLE feed ADD CONSTRAINT feed_kind_check CHECK (kind IN ('case', 'credit', 'applicant'));

-- One row per record: its current version, and the last version number handed out (a version in
-- conflict gets a number too, so every version is addressable).
CREATE TABLE records (
  hall_id        TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('credit', 'applicant')),
  record_id      TEXT NOT NULL,
  version        INTEGER NOT NULL CHECK (version >= 1),
  last_version   INTEGER NOT NULL CHECK (last_version >= version),
  -- When the hub first held the record (a desk that committed someone after this time, offline,
  -- is told when it reconnects: docs/hub.md).
  first_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (hall_id, kind, record_id)
);

-- Conflicts of shared records: opened when a version arrives whose base is not the current one;
-- settled by a supervisor choosing one of its versions (which becomes a new current version).
CREATE TABLE record_conflicts (
  id               BIGSERIAL PRIMARY KEY,
  hall_id          TEXT NOT NULL,
  kind             TEXT NOT NULL,
  record_id        TEXT NOT NULL,
  opened_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  settled_at       TIMESTAMPTZ,
  settled_by       TEXT,
  chosen_version   INTEGER,
  settled_version  INTEGER,
  FOREIGN KEY (hall_id, kind, record_id) REFERENCES records (hall_id, kind, record_id)
);
-- At most one open conflict per record: later diverging versions join it.
CREATE UNIQUE INDEX record_conflicts_open ON record_conflicts (hall_id, kind, record_id) WHERE settled_at IS NULL;

-- Every version: pushed by a desk (once per desk and idempotency key) or written by a settlement.
CREATE TABLE record_versions (
  hall_id          TEXT NOT NULL,
  kind             TEXT NOT NULL,
  record_id        TEXT NOT NULL,
  version          INTEGER NOT NULL,
  base_version     INTEGER NOT NULL CHECK (base_version >= 0),
  body             JSONB NOT NULL,
  desk_id          TEXT NOT NULL REFERENCES desks (desk_id),
  idempotency_key  TEXT,
  -- current: became the current version; conflict: kept beside the current one (record_conflicts);
  -- kept: an append-only record's late repeat (a repair of a repaired record), or a body equal to the current one.
  outcome          TEXT NOT NULL CHECK (outcome IN ('current', 'conflict', 'kept')),
  conflict_id      BIGINT REFERENCES record_conflicts (id),
  settled_by       TEXT,
  received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (hall_id, kind, record_id, version),
  FOREIGN KEY (hall_id, kind, record_id) REFERENCES records (hall_id, kind, record_id)
);
CREATE UNIQUE INDEX record_versions_key ON record_versions (desk_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Long-poll: a desk waiting for the feed is woken by this notification, sent when a transaction
-- that appended to the feed commits (PostgreSQL delivers NOTIFY at commit, never for a rollback).
CREATE FUNCTION feed_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pfd_feed', NEW.hall_id);
  RETURN NULL;
END $$;
CREATE TRIGGER feed_notify AFTER INSERT ON feed FOR EACH ROW EXECUTE FUNCTION feed_notify();
