-- Users and roles are the hall's (docs/hub.md, "Records, owners and offline"): a user record
-- (username, display name, role, active, the scrypt password hash — never a password) travels
-- through the hall-records machinery of 0002 as kind 'user'. Concurrent edits: last writer by hub
-- order, field by field (hub/users.ts). Only the kind checks change.
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_kind_check;
ALTER TABLE feed ADD CONSTRAINT feed_kind_check CHECK (kind IN ('case', 'credit', 'applicant', 'user'));
ALTER TABLE records DROP CONSTRAINT IF EXISTS records_kind_check;
ALTER TABLE records ADD CONSTRAINT records_kind_check CHECK (kind IN ('credit', 'applicant', 'user'));
