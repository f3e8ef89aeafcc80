-- The material library is the hall's (docs/hub.md, "Records, owners and offline"): materials
-- travel as hall records of kind 'material' (hall-owned, written once where they were checked).
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_kind_check;
ALTER TABLE feed ADD CONSTRAINT feed_kind_check CHECK (kind IN ('case', 'credit', 'applicant', 'user', 'catalog_version', 'calendar_year', 'material'));
ALTER TABLE records DROP CONSTRAINT IF EXISTS records_kind_check;
ALTER TABLE records ADD CONSTRAINT records_kind_check CHECK (kind IN ('credit', 'applicant', 'user', 'catalog_version', 'calendar_year', 'material'));
