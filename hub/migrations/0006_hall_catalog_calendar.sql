-- The hall's catalog versions and calendar years travel as hall records (docs/hub.md, "Records,
-- owners and offline"): 'catalog_version' (one record per published version, never changed) and
-- 'calendar_year' (one record per year: its whole list of 休/班 days; the latest change is current).
-- The kind checks are replaced by the existing kinds plus these two (other branches add theirs:
-- the merged migration takes the union).
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_kind_check;
ALTER TABLE feed ADD CONSTRAINT feed_kind_check CHECK (kind IN ('case', 'credit', 'applicant', 'user', 'catalog_version', 'calendar_year'));
ALTER TABLE records DROP CONSTRAINT IF EXISTS records_kind_check;
ALTER TABLE records ADD CONSTRAINT records_kind_check CHECK (kind IN ('credit', 'applicant', 'user', 'catalog_version', 'calendar_year'));
