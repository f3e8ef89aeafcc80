-- 协查 across the hall (docs/hub.md, "Records, owners and offline"): the 协查 requests of other
-- windows, as each owning desk last shared them (hall record kind 'assistance_request', id
-- `<desk id>:<request id>`). Read-only here; written only by the feed (hall-assistance.ts). The
-- applicant's ID number arrives masked: no ID number in clear leaves its desk this way.
CREATE TABLE hall_assistance_requests (
  record_id           TEXT PRIMARY KEY,
  owner_desk          TEXT NOT NULL,
  window_name         TEXT NOT NULL,
  case_no             TEXT NOT NULL,
  applicant_name      TEXT NOT NULL,
  applicant_id_masked TEXT NOT NULL,
  certificate         TEXT NOT NULL,
  department          TEXT NOT NULL,
  mode                TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  due_at              TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN ('open', 'replied', 'cancelled')),
  outcome             TEXT CHECK (outcome IS NULL OR outcome IN ('confirmed', 'denied')),
  reply_summary       TEXT,
  channel             TEXT,
  replied_at          TEXT,
  hub_version         INTEGER NOT NULL,
  received_at         TEXT NOT NULL
);
-- The hall-wide overdue count and the list: open ones by due date.
CREATE INDEX hall_assistance_open ON hall_assistance_requests (status, due_at);
