-- Proportionate consequences and verification at any time (docs/verification.md).
-- Each item of a case stands or falls on its own: a false commitment ends only the items that
-- relied on the certificate (终止 while in progress, 撤销 after the decision); the case's status is
-- the case module's (electron/services/cases/), which writes these columns too.
ALTER TABLE case_items ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'terminated', 'revoked'));
ALTER TABLE case_items ADD COLUMN status_reason TEXT;
ALTER TABLE case_items ADD COLUMN status_at TEXT;

-- Why a verification was opened: 抽查 (the sampled draw at signing), 投诉举报, 日常监管, 双随机 (a seeded
-- draw over exempt commitments, reproducible from verification_draws.seed), and by whom.
ALTER TABLE verification_tasks ADD COLUMN source TEXT NOT NULL DEFAULT 'sampled' CHECK (source IN ('sampled', 'complaint', 'routine', 'random'));
ALTER TABLE verification_tasks ADD COLUMN source_note TEXT;
ALTER TABLE verification_tasks ADD COLUMN opened_by INTEGER REFERENCES users (id);
ALTER TABLE verification_tasks ADD COLUMN draw_id INTEGER REFERENCES verification_draws (id);

-- A 双随机 draw: the seed, the ratio, the exempt commitments it was drawn over, those picked.
CREATE TABLE verification_draws (
  id           INTEGER PRIMARY KEY,
  seed         TEXT NOT NULL,
  ratio        REAL NOT NULL CHECK (ratio > 0 AND ratio <= 1),
  pool         TEXT NOT NULL CHECK (json_valid(pool)),
  picked       TEXT NOT NULL CHECK (json_valid(picked)),
  created_at   TEXT NOT NULL,
  created_by   INTEGER NOT NULL REFERENCES users (id)
);

-- 责令限期整改: ordered with a verification outcome, due on a working day of the hall calendar,
-- flagged when past due and still open, closed by a closing record.
CREATE TABLE rectifications (
  id            INTEGER PRIMARY KEY,
  task_id       INTEGER NOT NULL REFERENCES verification_tasks (id),
  case_id       INTEGER NOT NULL REFERENCES cases (id),
  requirement   TEXT NOT NULL,
  working_days  INTEGER NOT NULL CHECK (working_days > 0),
  ordered_at    TEXT NOT NULL,
  due_at        TEXT NOT NULL,
  ordered_by    INTEGER NOT NULL REFERENCES users (id),
  closed_at     TEXT,
  closed_by     INTEGER REFERENCES users (id),
  closing_note  TEXT
);
CREATE INDEX rectifications_open ON rectifications (closed_at, due_at);

-- Outside credit records (another agency's decision): its document number and date.
ALTER TABLE credit_records ADD COLUMN document_no TEXT;
ALTER TABLE credit_records ADD COLUMN decided_on TEXT;
