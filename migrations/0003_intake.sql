-- Intake at the window: organisations as applicants, the local credit list,
-- content-addressed files, the material library (一次提交，长期有效), cases
-- with their items and certificates, written commitments, data-sharing
-- queries, assistance requests (协查) and verification tasks.

-- Service-item details for the printable guide (办事指南) and non-certificate materials.
ALTER TABLE service_items ADD COLUMN guide TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(guide));
ALTER TABLE catalog_versions ADD COLUMN note TEXT NOT NULL DEFAULT '';

CREATE TABLE service_item_materials (
  service_item_id  INTEGER NOT NULL REFERENCES service_items (id),
  position         INTEGER NOT NULL,
  name             TEXT NOT NULL,
  form             TEXT NOT NULL DEFAULT '原件',
  required         INTEGER NOT NULL DEFAULT 1 CHECK (required IN (0, 1)),
  note             TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (service_item_id, position)
);

-- Local credit list: who may not commit until their credit is repaired.
CREATE TABLE credit_records (
  id            INTEGER PRIMARY KEY,
  id_type       TEXT NOT NULL,
  id_number     TEXT NOT NULL,
  name          TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('bad_credit', 'false_commitment')),
  severity      TEXT NOT NULL CHECK (severity IN ('轻微', '一般', '严重')),
  reason        TEXT NOT NULL,
  source        TEXT NOT NULL,
  recorded_at   TEXT NOT NULL,
  repaired_at   TEXT,
  created_by    INTEGER REFERENCES users (id)
);
CREATE INDEX credit_records_subject ON credit_records (id_type, id_number);

-- Content-addressed files (scans, signatures, PDFs) under <dataDir>/files/ab/abcdef….
CREATE TABLE files (
  sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  size        INTEGER NOT NULL,
  mime        TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

-- Material library: what an applicant has presented, with its trust grade and validity.
CREATE TABLE materials (
  id              INTEGER PRIMARY KEY,
  applicant_id    INTEGER NOT NULL REFERENCES applicants (id),
  certificate_code TEXT,
  title           TEXT NOT NULL,
  trust_grade     TEXT NOT NULL CHECK (trust_grade IN ('A', 'B', 'C', 'D')),
  trust_note      TEXT NOT NULL,
  valid_from      TEXT NOT NULL,
  valid_until     TEXT,
  source_case_id  INTEGER,
  created_at      TEXT NOT NULL,
  created_by      INTEGER NOT NULL REFERENCES users (id)
);
CREATE INDEX materials_applicant ON materials (applicant_id, certificate_code);

CREATE TABLE material_pages (
  material_id  INTEGER NOT NULL REFERENCES materials (id),
  position     INTEGER NOT NULL,
  file_sha256  TEXT NOT NULL REFERENCES files (sha256),
  PRIMARY KEY (material_id, position)
);

-- Cases (办件).
CREATE TABLE cases (
  id                  INTEGER PRIMARY KEY,
  case_no             TEXT NOT NULL UNIQUE,
  applicant_id        INTEGER NOT NULL REFERENCES applicants (id),
  catalog_version_id  INTEGER NOT NULL REFERENCES catalog_versions (id),
  bundle_code         TEXT,
  status              TEXT NOT NULL CHECK (status IN ('draft', 'accepted', 'verifying', 'completed', 'rejected', 'terminated', 'revoked')),
  status_reason       TEXT,
  revision            INTEGER NOT NULL DEFAULT 1,
  created_at          TEXT NOT NULL,
  created_by          INTEGER NOT NULL REFERENCES users (id),
  updated_at          TEXT NOT NULL,
  accepted_at         TEXT,
  accepted_by         INTEGER REFERENCES users (id)
);
CREATE INDEX cases_applicant ON cases (applicant_id);
CREATE INDEX cases_status ON cases (status, id);

-- Daily sequence for readable case numbers: <hall>-<yyyymmdd>-<nnnn>.
CREATE TABLE case_number_seq (
  day   TEXT PRIMARY KEY,
  last  INTEGER NOT NULL
);

CREATE TABLE case_items (
  case_id          INTEGER NOT NULL REFERENCES cases (id),
  service_item_id  INTEGER NOT NULL REFERENCES service_items (id),
  position         INTEGER NOT NULL,
  PRIMARY KEY (case_id, service_item_id)
);

-- One row per distinct certificate the case's items need (merged across items).
CREATE TABLE case_certificates (
  case_id              INTEGER NOT NULL REFERENCES cases (id),
  certificate_item_id  INTEGER NOT NULL REFERENCES certificate_items (id),
  method               TEXT NOT NULL CHECK (method IN ('cancelled', 'commitment', 'data_sharing', 'dept_verification', 'retained')),
  state                TEXT NOT NULL CHECK (state IN ('not_needed', 'pending', 'satisfied', 'queued', 'requested', 'presented')),
  resolution           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(resolution)),
  needed_by            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(needed_by)),
  updated_at           TEXT NOT NULL,
  PRIMARY KEY (case_id, certificate_item_id)
);

CREATE TABLE case_materials (
  case_id              INTEGER NOT NULL REFERENCES cases (id),
  certificate_item_id  INTEGER NOT NULL REFERENCES certificate_items (id),
  material_id          INTEGER NOT NULL REFERENCES materials (id),
  reused               INTEGER NOT NULL CHECK (reused IN (0, 1)),
  PRIMARY KEY (case_id, certificate_item_id, material_id)
);

-- Written commitments (告知承诺书).
CREATE TABLE commitments (
  id                   INTEGER PRIMARY KEY,
  case_id              INTEGER NOT NULL REFERENCES cases (id),
  certificate_item_id  INTEGER NOT NULL REFERENCES certificate_items (id),
  applicant_id         INTEGER NOT NULL REFERENCES applicants (id),
  template_version     TEXT NOT NULL,
  template_sha256      TEXT NOT NULL,
  signature_sha256     TEXT NOT NULL REFERENCES files (sha256),
  signature_kind       TEXT NOT NULL CHECK (signature_kind IN ('pad', 'screen', 'scanned_paper')),
  pdf_sha256           TEXT NOT NULL REFERENCES files (sha256),
  digest_alg           TEXT NOT NULL CHECK (digest_alg IN ('SHA-256', 'SM3')),
  digest               TEXT NOT NULL,
  signed_at            TEXT NOT NULL,
  withdraw_deadline    TEXT NOT NULL,
  withdrawn_at         TEXT,
  withdraw_reason      TEXT,
  created_by           INTEGER NOT NULL REFERENCES users (id),
  UNIQUE (case_id, certificate_item_id)
);

-- Verification after approval (事中事后核查), created from the catalog's plan.
CREATE TABLE verification_tasks (
  id             INTEGER PRIMARY KEY,
  commitment_id  INTEGER NOT NULL REFERENCES commitments (id),
  method         TEXT NOT NULL,
  sampled        INTEGER NOT NULL CHECK (sampled IN (0, 1)),
  due_at         TEXT,
  status         TEXT NOT NULL CHECK (status IN ('open', 'exempt', 'cancelled', 'passed', 'failed')),
  created_at     TEXT NOT NULL,
  result         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(result))
);
CREATE INDEX verification_tasks_commitment ON verification_tasks (commitment_id);

-- Data-sharing queries: queued when the platform is unreachable.
CREATE TABLE data_queries (
  id                   INTEGER PRIMARY KEY,
  case_id              INTEGER NOT NULL REFERENCES cases (id),
  certificate_item_id  INTEGER NOT NULL REFERENCES certificate_items (id),
  status               TEXT NOT NULL CHECK (status IN ('queued', 'answered', 'not_found', 'cancelled')),
  request              TEXT NOT NULL CHECK (json_valid(request)),
  response             TEXT CHECK (response IS NULL OR json_valid(response)),
  evidence_sha256      TEXT REFERENCES files (sha256),
  attempts             INTEGER NOT NULL DEFAULT 0,
  last_error           TEXT,
  created_at           TEXT NOT NULL,
  answered_at          TEXT
);
CREATE INDEX data_queries_case ON data_queries (case_id, certificate_item_id);
CREATE INDEX data_queries_status ON data_queries (status);

-- Assistance requests (协查) to the issuing department, or an assistant's errand.
CREATE TABLE assistance_requests (
  id                   INTEGER PRIMARY KEY,
  case_id              INTEGER NOT NULL REFERENCES cases (id),
  certificate_item_id  INTEGER NOT NULL REFERENCES certificate_items (id),
  department           TEXT NOT NULL,
  mode                 TEXT NOT NULL,
  due_at               TEXT NOT NULL,
  status               TEXT NOT NULL CHECK (status IN ('open', 'replied', 'cancelled')),
  reply                TEXT,
  reply_outcome        TEXT CHECK (reply_outcome IS NULL OR reply_outcome IN ('confirmed', 'denied')),
  replied_at           TEXT,
  created_at           TEXT NOT NULL,
  created_by           INTEGER NOT NULL REFERENCES users (id)
);
CREATE INDEX assistance_open ON assistance_requests (status, due_at);
CREATE INDEX assistance_case ON assistance_requests (case_id, certificate_item_id, status);

-- Search at the window: applicants by the last four characters of the ID number (name and
-- case-number prefixes use the name index and the case_no unique index as ranges).
CREATE INDEX applicants_id_tail ON applicants (substr(id_number, -4));
CREATE INDEX cases_created ON cases (created_at);
