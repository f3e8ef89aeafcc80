-- Lockouts count across the hall (docs/hub.md, "Lockouts across the hall"). One counter row per
-- username, changed only by one UPDATE … RETURNING under its row lock (hub/hall-lockouts.ts), so
-- wrong passwords tried in parallel at several desks are each counted once and a late report can
-- neither reset the count nor end a lock another report began. Desks report each failure and
-- success once (their event id): a report re-sent after a lost answer is not counted again.
CREATE TABLE hall_lockouts (
  username      TEXT PRIMARY KEY,
  -- Wrong passwords in a row since the last success, lock or expired lock.
  failures      INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
  -- The running (or last) lock's end on the hub's clock; its remaining time is never read as
  -- more than lock_ms (a clock set back does not lengthen it beyond one lock's length from now).
  locked_until  TIMESTAMPTZ,
  lock_ms       INTEGER NOT NULL DEFAULT 0 CHECK (lock_ms >= 0),
  -- Which lock: raised by one at every lock begun, so a desk tells a lock it has seen from a new one.
  lock_seq      BIGINT NOT NULL DEFAULT 0 CHECK (lock_seq >= 0),
  locked_by     TEXT REFERENCES desks (desk_id),
  updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE hall_lockout_events (
  desk_id      TEXT NOT NULL REFERENCES desks (desk_id),
  event_id     TEXT NOT NULL,
  username     TEXT NOT NULL,
  outcome      TEXT NOT NULL CHECK (outcome IN ('failure', 'success', 'unlock')),
  received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (desk_id, event_id)
);

-- The field laptop's key registration for a package (docs/hub.md, "Field work through the hub";
-- hub/field-keys.ts): posted by the desk that holds the hub's lock of the task, read by the owning
-- desk, which registers the key with its task before it applies any result of that package.
CREATE TABLE field_key_registrations (
  task_key      TEXT NOT NULL REFERENCES field_offers (task_key),
  package_id    TEXT NOT NULL,
  from_desk     TEXT NOT NULL REFERENCES desks (desk_id),
  registration  JSONB NOT NULL,
  received_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (task_key, package_id)
);
