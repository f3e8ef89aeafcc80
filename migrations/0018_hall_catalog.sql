-- The catalog published once for the hall (docs/hub.md, "Records, owners and offline"): a catalog
-- version imported on any desk travels through the hub as a hall record ('catalog_version') and
-- is stored on every desk under the hall id its first desk gave it. A desk holds each hall version
-- once (the unique index); a version imported before the desk had a hub has none.
ALTER TABLE catalog_versions ADD COLUMN hall_key TEXT;
CREATE UNIQUE INDEX catalog_versions_hall_key ON catalog_versions (hall_key) WHERE hall_key IS NOT NULL;
