-- Screens (docs/hub.md: the supervisor's desk list and admin requests).

-- A supervisor desk may send admin requests (list, enrol, remove desks) carrying its signed-in
-- supervisor's identity. Set only by the command line (`enrol-desk --supervisor-desk`).
ALTER TABLE desks ADD COLUMN supervisor_desk BOOLEAN NOT NULL DEFAULT false;

-- What the hub last saw of each desk: its last accepted request, and what it last reported about
-- itself in a heartbeat (its outbox backlog for the hub, its feed cursor). One row per desk,
-- overwritten; not history.
CREATE TABLE desk_status (
  desk_id            TEXT PRIMARY KEY REFERENCES desks (desk_id),
  last_seen_at       TIMESTAMPTZ,
  reported_at        TIMESTAMPTZ,
  backlog            INTEGER CHECK (backlog >= 0),
  parked             INTEGER CHECK (parked >= 0),
  oldest_waiting_at  TIMESTAMPTZ,
  feed_cursor        BIGINT CHECK (feed_cursor >= 0),
  desk_schema        INTEGER
);
