-- The hub keeps each desk's cases with their drafts (docs/hub.md: a desk can die).
--
-- hub_dirty_cases: a case any of whose rows changed since the hub snapshot last looked at it. The
-- triggers below mark it in the very transaction of the change, whatever code made it; the sender
-- (electron/services/hub/hub-drafts.ts) turns marked cases into outbox entries for the hub target
-- only (coalescing: one entry per look, never one for an unchanged case) and clears the marks in
-- that same transaction.
CREATE TABLE hub_dirty_cases (
  case_id  INTEGER PRIMARY KEY  -- no foreign key: a marked case may be deleted (the snapshot skips it)
);

CREATE TRIGGER hub_dirty_cases_ins AFTER INSERT ON cases WHEN NEW.id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.id); END;
CREATE TRIGGER hub_dirty_cases_upd AFTER UPDATE ON cases WHEN NEW.id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.id); END;
CREATE TRIGGER hub_dirty_cases_del AFTER DELETE ON cases WHEN OLD.id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.id); END;
CREATE TRIGGER hub_dirty_case_items_ins AFTER INSERT ON case_items WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_items_upd AFTER UPDATE ON case_items WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_items_del AFTER DELETE ON case_items WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_case_certificates_ins AFTER INSERT ON case_certificates WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_certificates_upd AFTER UPDATE ON case_certificates WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_certificates_del AFTER DELETE ON case_certificates WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_case_materials_ins AFTER INSERT ON case_materials WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_materials_upd AFTER UPDATE ON case_materials WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_materials_del AFTER DELETE ON case_materials WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_case_circumstances_ins AFTER INSERT ON case_circumstances WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_circumstances_upd AFTER UPDATE ON case_circumstances WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_circumstances_del AFTER DELETE ON case_circumstances WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_case_subjects_ins AFTER INSERT ON case_subjects WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_subjects_upd AFTER UPDATE ON case_subjects WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_subjects_del AFTER DELETE ON case_subjects WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_commitments_ins AFTER INSERT ON commitments WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_commitments_upd AFTER UPDATE ON commitments WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_commitments_del AFTER DELETE ON commitments WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_data_queries_ins AFTER INSERT ON data_queries WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_data_queries_upd AFTER UPDATE ON data_queries WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_data_queries_del AFTER DELETE ON data_queries WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_assistance_requests_ins AFTER INSERT ON assistance_requests WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_assistance_requests_upd AFTER UPDATE ON assistance_requests WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_assistance_requests_del AFTER DELETE ON assistance_requests WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_scan_documents_ins AFTER INSERT ON scan_documents WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_scan_documents_upd AFTER UPDATE ON scan_documents WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_scan_documents_del AFTER DELETE ON scan_documents WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_case_handovers_ins AFTER INSERT ON case_handovers WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_handovers_upd AFTER UPDATE ON case_handovers WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_case_handovers_del AFTER DELETE ON case_handovers WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_progress_notices_ins AFTER INSERT ON progress_notices WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_progress_notices_upd AFTER UPDATE ON progress_notices WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_progress_notices_del AFTER DELETE ON progress_notices WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_rectifications_ins AFTER INSERT ON rectifications WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_rectifications_upd AFTER UPDATE ON rectifications WHEN NEW.case_id IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (NEW.case_id); END;
CREATE TRIGGER hub_dirty_rectifications_del AFTER DELETE ON rectifications WHEN OLD.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = OLD.case_id) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES (OLD.case_id); END;
CREATE TRIGGER hub_dirty_scan_pages_ins AFTER INSERT ON scan_pages WHEN (SELECT case_id FROM scan_documents WHERE id = NEW.document_id) IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT case_id FROM scan_documents WHERE id = NEW.document_id)); END;
CREATE TRIGGER hub_dirty_scan_pages_upd AFTER UPDATE ON scan_pages WHEN (SELECT case_id FROM scan_documents WHERE id = NEW.document_id) IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT case_id FROM scan_documents WHERE id = NEW.document_id)); END;
CREATE TRIGGER hub_dirty_scan_pages_del AFTER DELETE ON scan_pages WHEN (SELECT case_id FROM scan_documents WHERE id = OLD.document_id) IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = (SELECT case_id FROM scan_documents WHERE id = OLD.document_id)) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT case_id FROM scan_documents WHERE id = OLD.document_id)); END;
CREATE TRIGGER hub_dirty_scan_id_card_pairs_ins AFTER INSERT ON scan_id_card_pairs WHEN (SELECT case_id FROM scan_documents WHERE id = NEW.document_id) IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT case_id FROM scan_documents WHERE id = NEW.document_id)); END;
CREATE TRIGGER hub_dirty_scan_id_card_pairs_upd AFTER UPDATE ON scan_id_card_pairs WHEN (SELECT case_id FROM scan_documents WHERE id = NEW.document_id) IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT case_id FROM scan_documents WHERE id = NEW.document_id)); END;
CREATE TRIGGER hub_dirty_scan_id_card_pairs_del AFTER DELETE ON scan_id_card_pairs WHEN (SELECT case_id FROM scan_documents WHERE id = OLD.document_id) IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = (SELECT case_id FROM scan_documents WHERE id = OLD.document_id)) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT case_id FROM scan_documents WHERE id = OLD.document_id)); END;
CREATE TRIGGER hub_dirty_verification_tasks_ins AFTER INSERT ON verification_tasks WHEN (SELECT case_id FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT case_id FROM commitments WHERE id = NEW.commitment_id)); END;
CREATE TRIGGER hub_dirty_verification_tasks_upd AFTER UPDATE ON verification_tasks WHEN (SELECT case_id FROM commitments WHERE id = NEW.commitment_id) IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT case_id FROM commitments WHERE id = NEW.commitment_id)); END;
CREATE TRIGGER hub_dirty_verification_tasks_del AFTER DELETE ON verification_tasks WHEN (SELECT case_id FROM commitments WHERE id = OLD.commitment_id) IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = (SELECT case_id FROM commitments WHERE id = OLD.commitment_id)) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT case_id FROM commitments WHERE id = OLD.commitment_id)); END;
CREATE TRIGGER hub_dirty_verification_evidence_ins AFTER INSERT ON verification_evidence WHEN (SELECT c.case_id FROM verification_tasks t JOIN commitments c ON c.id = t.commitment_id WHERE t.id = NEW.task_id) IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT c.case_id FROM verification_tasks t JOIN commitments c ON c.id = t.commitment_id WHERE t.id = NEW.task_id)); END;
CREATE TRIGGER hub_dirty_verification_evidence_upd AFTER UPDATE ON verification_evidence WHEN (SELECT c.case_id FROM verification_tasks t JOIN commitments c ON c.id = t.commitment_id WHERE t.id = NEW.task_id) IS NOT NULL BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT c.case_id FROM verification_tasks t JOIN commitments c ON c.id = t.commitment_id WHERE t.id = NEW.task_id)); END;
CREATE TRIGGER hub_dirty_verification_evidence_del AFTER DELETE ON verification_evidence WHEN (SELECT c.case_id FROM verification_tasks t JOIN commitments c ON c.id = t.commitment_id WHERE t.id = OLD.task_id) IS NOT NULL AND EXISTS (SELECT 1 FROM cases WHERE id = (SELECT c.case_id FROM verification_tasks t JOIN commitments c ON c.id = t.commitment_id WHERE t.id = OLD.task_id)) BEGIN INSERT OR IGNORE INTO hub_dirty_cases (case_id) VALUES ((SELECT c.case_id FROM verification_tasks t JOIN commitments c ON c.id = t.commitment_id WHERE t.id = OLD.task_id)); END;

-- Every case already in the store is pushed once with its full record (drafts included).
INSERT INTO hub_dirty_cases (case_id) SELECT id FROM cases;

-- A successor desk's import of a dead desk's cases from the hub: one row per case imported, written
-- in the transaction that imports it (a restart skips it: no doubles).
CREATE TABLE hub_successor_imports (
  origin_desk     TEXT NOT NULL,
  origin_case_no  TEXT NOT NULL,
  case_id         INTEGER NOT NULL UNIQUE REFERENCES cases (id),
  revision        INTEGER NOT NULL,
  imported_at     TEXT NOT NULL,
  PRIMARY KEY (origin_desk, origin_case_no)
);

-- Rows shared by several imported cases (the material library): the dead desk's id of the row and
-- the id it got here, so a material two cases use is created once.
CREATE TABLE hub_successor_rows (
  origin_desk  TEXT NOT NULL,
  tbl          TEXT NOT NULL,
  origin_id    INTEGER NOT NULL,
  local_id     INTEGER NOT NULL,
  PRIMARY KEY (origin_desk, tbl, origin_id)
);

-- The restore as a whole: started, and finished (every case of the dead desk imported).
CREATE TABLE hub_successor_restore (
  origin_desk  TEXT PRIMARY KEY,
  target_id    TEXT NOT NULL,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  cases        INTEGER NOT NULL DEFAULT 0,
  files        INTEGER NOT NULL DEFAULT 0
);
