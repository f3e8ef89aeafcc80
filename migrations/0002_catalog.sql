-- Certificate catalog (证明事项清单) and service items (政务服务事项).
-- The catalog is versioned: each published list is a catalog_version with an
-- effective date, and rows belong to the version they were published in.

CREATE TABLE catalog_versions (
  id              INTEGER PRIMARY KEY,
  label           TEXT NOT NULL,
  effective_from  TEXT NOT NULL,
  source          TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  created_by      INTEGER REFERENCES users (id)
);

CREATE TABLE certificate_items (
  id                  INTEGER PRIMARY KEY,
  catalog_version_id  INTEGER NOT NULL REFERENCES catalog_versions (id),
  code                TEXT NOT NULL,
  name                TEXT NOT NULL,
  issuer              TEXT NOT NULL,
  legal_basis         TEXT NOT NULL,
  method              TEXT NOT NULL CHECK (method IN ('cancelled', 'commitment', 'data_sharing', 'dept_verification', 'retained')),
  method_note         TEXT NOT NULL DEFAULT '',
  method_detail       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(method_detail)),
  UNIQUE (catalog_version_id, code)
);

CREATE TABLE service_items (
  id                  INTEGER PRIMARY KEY,
  catalog_version_id  INTEGER NOT NULL REFERENCES catalog_versions (id),
  code                TEXT NOT NULL,
  name                TEXT NOT NULL,
  department          TEXT NOT NULL,
  kind                TEXT NOT NULL,
  time_limit_days     INTEGER NOT NULL CHECK (time_limit_days >= 0),
  UNIQUE (catalog_version_id, code)
);

CREATE TABLE service_item_certificates (
  service_item_id      INTEGER NOT NULL REFERENCES service_items (id),
  certificate_item_id  INTEGER NOT NULL REFERENCES certificate_items (id),
  position             INTEGER NOT NULL,
  PRIMARY KEY (service_item_id, certificate_item_id)
);

-- 一件事联办 bundles: several service items applied for on one form.
CREATE TABLE bundles (
  id                  INTEGER PRIMARY KEY,
  catalog_version_id  INTEGER NOT NULL REFERENCES catalog_versions (id),
  code                TEXT NOT NULL,
  name                TEXT NOT NULL,
  UNIQUE (catalog_version_id, code)
);

CREATE TABLE bundle_items (
  bundle_id        INTEGER NOT NULL REFERENCES bundles (id),
  service_item_id  INTEGER NOT NULL REFERENCES service_items (id),
  position         INTEGER NOT NULL,
  PRIMARY KEY (bundle_id, service_item_id)
);
