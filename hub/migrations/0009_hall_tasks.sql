-- Verification tasks across the hall (docs/hub.md, "Verification tasks across the hall"): each
-- desk's tasks travel as records of kind 'verification_task' (owned by the desk that holds the
-- case), and a supervisor's assignment of another window's task as a record of kind
-- 'task_assignment' (asked by one desk, answered by the owning desk).
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_kind_check;
ALTER TABLE feed ADD CONSTRAINT feed_kind_check CHECK (kind IN ('case', 'credit', 'applicant', 'user', 'catalog_version', 'calendar_year', 'material', 'verification_task', 'task_assignment'));
ALTER TABLE records DROP CONSTRAINT IF EXISTS records_kind_check;
ALTER TABLE records ADD CONSTRAINT records_kind_check CHECK (kind IN ('credit', 'applicant', 'user', 'catalog_version', 'calendar_year', 'material', 'verification_task', 'task_assignment'));
