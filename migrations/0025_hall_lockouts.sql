-- Lockouts count across the hall (docs/hub.md, "Lockouts across the hall"): every wrong password
-- and every sign-in of a user is queued here, in the transaction that counts it on this desk, and
-- reported to the hub (electron/services/auth/hall-lockouts.ts) at once or, while the hub is away,
-- when it is back. The event id makes a report re-sent after a lost answer count once at the hub.
CREATE TABLE hall_lockout_reports (
  id          INTEGER PRIMARY KEY,
  event_id    TEXT NOT NULL UNIQUE,
  username    TEXT NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('failure', 'success', 'unlock')),
  -- For a success: the hall lock this desk had seen (the hub keeps a newer one).
  lock_seq    INTEGER,
  created_at  TEXT NOT NULL,
  sent_at     TEXT
);
CREATE INDEX hall_lockout_reports_unsent ON hall_lockout_reports (id) WHERE sent_at IS NULL;
