-- Issue 17: 协查 requests across the hall, and the supervisor's hall-wide case list
-- (docs/hub.md, "Records, owners and offline").

-- 协查 requests travel as hall records of kind 'assistance_request', owned by the desk that sent them.
ALTER TABLE feed DROP CONSTRAINT IF EXISTS feed_kind_check;
ALTER TABLE feed ADD CONSTRAINT feed_kind_check CHECK (kind IN ('case', 'credit', 'applicant', 'user', 'catalog_version', 'calendar_year', 'material', 'assistance_request'));
ALTER TABLE records DROP CONSTRAINT IF EXISTS records_kind_check;
ALTER TABLE records ADD CONSTRAINT records_kind_check CHECK (kind IN ('credit', 'applicant', 'user', 'catalog_version', 'calendar_year', 'material', 'assistance_request'));

-- The latest revision of every case the hub holds, with what the hall case list filters and sorts
-- on (hub/hall-case-list.ts). Kept by a trigger in the transaction that stores each pushed
-- revision (an older revision arriving late changes nothing), so every way a case reaches `cases`
-- keeps it true. `sort_at`: when the case was accepted, else when the hub first held it (drafts).
CREATE TABLE hall_case_latest (
  desk_id     TEXT NOT NULL REFERENCES desks (desk_id),
  case_no     TEXT NOT NULL,
  revision    INTEGER NOT NULL,
  status      TEXT NOT NULL,
  accepted_at TIMESTAMPTZ,
  sort_at     TIMESTAMPTZ NOT NULL,
  items       TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL,
  document    JSONB NOT NULL,
  PRIMARY KEY (desk_id, case_no)
);
-- Newest first, the page's keyset (sort_at, desk_id, case_no); by window the same order.
CREATE INDEX hall_case_latest_newest ON hall_case_latest (sort_at DESC, desk_id DESC, case_no DESC);
CREATE INDEX hall_case_latest_window ON hall_case_latest (desk_id, sort_at DESC, case_no DESC);

CREATE FUNCTION hall_case_latest_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  accepted TIMESTAMPTZ := NULLIF(NEW.document->>'acceptedAt', '')::timestamptz;
  names TEXT := COALESCE((SELECT string_agg(i->>'name', '、') FROM jsonb_array_elements(COALESCE(NEW.document->'items', '[]'::jsonb)) AS i), '');
BEGIN
  INSERT INTO hall_case_latest (desk_id, case_no, revision, status, accepted_at, sort_at, items, received_at, document)
  VALUES (NEW.desk_id, NEW.case_no, NEW.revision, COALESCE(NEW.document->>'status', ''), accepted, COALESCE(accepted, NEW.received_at), names, NEW.received_at, NEW.document)
  ON CONFLICT (desk_id, case_no) DO UPDATE SET
    revision = EXCLUDED.revision, status = EXCLUDED.status, accepted_at = EXCLUDED.accepted_at,
    sort_at = COALESCE(EXCLUDED.accepted_at, hall_case_latest.sort_at), items = EXCLUDED.items,
    received_at = EXCLUDED.received_at, document = EXCLUDED.document
  WHERE hall_case_latest.revision < EXCLUDED.revision;
  RETURN NULL;
END $$;
CREATE TRIGGER cases_hall_case_latest AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION hall_case_latest_keep();

-- The cases held before this migration.
INSERT INTO hall_case_latest (desk_id, case_no, revision, status, accepted_at, sort_at, items, received_at, document)
SELECT DISTINCT ON (c.desk_id, c.case_no) c.desk_id, c.case_no, c.revision, COALESCE(c.document->>'status', ''),
       NULLIF(c.document->>'acceptedAt', '')::timestamptz,
       COALESCE(NULLIF(c.document->>'acceptedAt', '')::timestamptz, (SELECT min(f.received_at) FROM cases f WHERE f.desk_id = c.desk_id AND f.case_no = c.case_no)),
       COALESCE((SELECT string_agg(i->>'name', '、') FROM jsonb_array_elements(COALESCE(c.document->'items', '[]'::jsonb)) AS i), ''),
       c.received_at, c.document
FROM cases c ORDER BY c.desk_id, c.case_no, c.revision DESC;
