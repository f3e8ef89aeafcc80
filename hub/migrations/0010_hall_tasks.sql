-- Verification tasks across the hall (docs/hub.md, "Verification tasks across the hall"): each
-- desk's tasks travel as records of kind 'verification_task' (owned by the desk that holds the
-- case), and a supervisor's assignment of another window's task as a record of kind
-- 'task_assignment' (asked by one desk, answered by the owning desk).
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_kind_check;
-- From here on a kind is any plain lower-case name: the kinds are validated in code (hub/records.ts
-- RECORD_KINDS, the desk's HallRecordKind), so a new kind needs no migration (as desk migration 0020).
ALTER TABLE feed ADD CONSTRAINT feed_kind_check CHECK (kind ~ '^[a-z_]{1,40}$');
ALTER TABLE records DROP CONSTRAINT IF EXISTS records_kind_check;
ALTER TABLE records ADD CONSTRAINT records_kind_check CHECK (kind ~ '^[a-z_]{1,40}$');
