-- Scanned documents from the document camera (高拍仪) or imported image files:
-- a document of ordered pages, each page a content-addressed file (see
-- `files`), its unprocessed frame and thumbnail optional, with the capture
-- metadata; pages are soft-deleted (a retake replaces a page at the same
-- position and keeps the old row). Two pages of a document may be marked as
-- the front and back of an ID card, exported side by side on one A4 page.
-- Additive only: new tables and indexes.

CREATE TABLE scan_documents (
  id            INTEGER PRIMARY KEY,
  applicant_id  INTEGER REFERENCES applicants (id),
  case_id       INTEGER REFERENCES cases (id),
  kind          TEXT NOT NULL CHECK (kind IN ('licence', 'id_card', 'certificate', 'other')),
  title         TEXT NOT NULL,
  -- The material library's trust grade, e.g. B: 经与原件核对无误，核对人：X，2026-05-01
  trust_grade   TEXT NOT NULL CHECK (trust_grade IN ('A', 'B', 'C', 'D')),
  trust_note    TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  created_at    TEXT NOT NULL,
  created_by    INTEGER NOT NULL REFERENCES users (id),
  updated_at    TEXT NOT NULL
);
CREATE INDEX scan_documents_applicant ON scan_documents (applicant_id);
CREATE INDEX scan_documents_case ON scan_documents (case_id);

CREATE TABLE scan_pages (
  id                INTEGER PRIMARY KEY,
  document_id       INTEGER NOT NULL REFERENCES scan_documents (id),
  position          INTEGER NOT NULL CHECK (position >= 0),
  file_sha256       TEXT NOT NULL REFERENCES files (sha256),
  -- The unprocessed camera frame, when the renderer sent it.
  original_sha256   TEXT REFERENCES files (sha256),
  -- A small preview made by the renderer (the main side has no image library).
  thumb_sha256      TEXT REFERENCES files (sha256),
  width             INTEGER NOT NULL CHECK (width > 0),
  height            INTEGER NOT NULL CHECK (height > 0),
  mime              TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
  mode              TEXT NOT NULL CHECK (mode IN ('color', 'gray', 'bw', 'remove_background')),
  -- The four corners of the page in the unprocessed frame: [{"x":…,"y":…} ×4], or NULL.
  corners           TEXT CHECK (corners IS NULL OR json_valid(corners)),
  -- Device label, frame resolution, rotation, trigger (auto/manual/import), blank flag.
  capture           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(capture)),
  -- The page this one re-took (that row is soft-deleted in the same transaction).
  replaces_page_id  INTEGER REFERENCES scan_pages (id),
  created_at        TEXT NOT NULL,
  created_by        INTEGER NOT NULL REFERENCES users (id),
  deleted_at        TEXT,
  deleted_by        INTEGER REFERENCES users (id)
);
-- One live page per position; deleted and re-taken rows stay as history.
CREATE UNIQUE INDEX scan_pages_live_position ON scan_pages (document_id, position) WHERE deleted_at IS NULL;
CREATE INDEX scan_pages_document ON scan_pages (document_id);

-- The two sides of an ID card, drawn at true ID-1 size (85.6 × 54 mm) on one A4 page at export.
CREATE TABLE scan_id_card_pairs (
  id             INTEGER PRIMARY KEY,
  document_id    INTEGER NOT NULL REFERENCES scan_documents (id),
  front_page_id  INTEGER NOT NULL REFERENCES scan_pages (id),
  back_page_id   INTEGER NOT NULL REFERENCES scan_pages (id),
  created_at     TEXT NOT NULL,
  created_by     INTEGER NOT NULL REFERENCES users (id),
  removed_at     TEXT,
  CHECK (front_page_id <> back_page_id)
);
CREATE UNIQUE INDEX scan_id_card_pairs_live_front ON scan_id_card_pairs (front_page_id) WHERE removed_at IS NULL;
CREATE UNIQUE INDEX scan_id_card_pairs_live_back ON scan_id_card_pairs (back_page_id) WHERE removed_at IS NULL;
CREATE INDEX scan_id_card_pairs_document ON scan_id_card_pairs (document_id);
