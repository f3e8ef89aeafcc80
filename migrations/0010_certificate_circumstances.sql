-- Circumstances (适用情形), subjects, validity and trust grade of certificates;
-- what an item produces; an item's risk class (告知承诺 excluded per 国办发〔2020〕42号);
-- a case's circumstance answers and the persons its certificates are about.

-- The questions a catalog version asks once per case (yes/no), with the answer of the common case.
CREATE TABLE catalog_circumstances (
  catalog_version_id  INTEGER NOT NULL REFERENCES catalog_versions (id),
  code                TEXT NOT NULL,
  question            TEXT NOT NULL,
  default_answer      INTEGER NOT NULL CHECK (default_answer IN (0, 1)),
  position            INTEGER NOT NULL,
  PRIMARY KEY (catalog_version_id, code)
);

-- A certificate applies only when its circumstance has the given answer; NULL = applies always.
ALTER TABLE certificate_items ADD COLUMN circumstance_code TEXT;
ALTER TABLE certificate_items ADD COLUMN applies_when_answer INTEGER CHECK (applies_when_answer IS NULL OR applies_when_answer IN (0, 1));
-- Whom the certificate is about: 申请人本人, 子女, 配偶, 法定代表人, 从业人员 …
ALTER TABLE certificate_items ADD COLUMN subject TEXT NOT NULL DEFAULT '申请人本人';
-- How long a presented copy may be reused, in months; NULL = 长期.
ALTER TABLE certificate_items ADD COLUMN validity_months INTEGER CHECK (validity_months IS NULL OR validity_months > 0);
-- Trust grade (国办函〔2016〕108号) of the material kept for it at the window.
ALTER TABLE certificate_items ADD COLUMN trust_grade TEXT NOT NULL DEFAULT 'B' CHECK (trust_grade IN ('A', 'B', 'C', 'D'));

-- 一般, or a class excluded from 告知承诺 (公共安全, 生态安全, 人身健康生命, 重大财产).
ALTER TABLE service_items ADD COLUMN risk_class TEXT NOT NULL DEFAULT '一般';

-- What an item produces when handled (出生医学证明办理 → 出生医学证明): later items of the same case take it as 由本件产生.
CREATE TABLE service_item_outputs (
  service_item_id      INTEGER NOT NULL REFERENCES service_items (id),
  certificate_item_id  INTEGER NOT NULL REFERENCES certificate_items (id),
  PRIMARY KEY (service_item_id, certificate_item_id)
);

-- Why a certificate row of a case is not needed beyond its method: 不涉及 (a circumstance answer) or 由本件产生.
ALTER TABLE case_certificates ADD COLUMN applicability TEXT NOT NULL DEFAULT 'applies' CHECK (applicability IN ('applies', 'not_applicable', 'produced'));

-- The clerk's answers to the circumstance questions, once per case.
CREATE TABLE case_circumstances (
  case_id   INTEGER NOT NULL REFERENCES cases (id),
  code      TEXT NOT NULL,
  question  TEXT NOT NULL,
  answer    INTEGER NOT NULL CHECK (answer IN (0, 1)),
  PRIMARY KEY (case_id, code)
);

-- The person a certificate is about when it is not the applicant (the child of a newborn case …).
CREATE TABLE case_subjects (
  case_id      INTEGER NOT NULL REFERENCES cases (id),
  role         TEXT NOT NULL,
  name         TEXT NOT NULL,
  id_type      TEXT NOT NULL CHECK (id_type IN ('resident_id')),
  id_number    TEXT NOT NULL,
  recorded_at  TEXT NOT NULL,
  recorded_by  INTEGER NOT NULL REFERENCES users (id),
  PRIMARY KEY (case_id, role)
);
