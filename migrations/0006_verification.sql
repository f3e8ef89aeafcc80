-- Verification after acceptance (事中事后核查), department assistance replies by hand,
-- and assistants' field work (外勤) handed out as signed packages.

-- The sampling draw of each task, reproducible from its seed (see services/verification/sampling.ts).
ALTER TABLE verification_tasks ADD COLUMN sample_seed TEXT;
ALTER TABLE verification_tasks ADD COLUMN sample_ratio REAL;
ALTER TABLE verification_tasks ADD COLUMN sample_draw REAL;
-- Who the supervisor assigned it to, and who took it for field work (the lock).
ALTER TABLE verification_tasks ADD COLUMN assigned_to INTEGER REFERENCES users (id);
ALTER TABLE verification_tasks ADD COLUMN assigned_at TEXT;
ALTER TABLE verification_tasks ADD COLUMN checked_out_by INTEGER REFERENCES users (id);
ALTER TABLE verification_tasks ADD COLUMN checked_out_at TEXT;
-- Per-checkout secret: the field result must carry an HMAC made with it.
ALTER TABLE verification_tasks ADD COLUMN checkout_key TEXT;
ALTER TABLE verification_tasks ADD COLUMN package_id TEXT;
-- 'unable to verify' keeps the task open and escalates it.
ALTER TABLE verification_tasks ADD COLUMN escalated_at TEXT;
ALTER TABLE verification_tasks ADD COLUMN outcome TEXT CHECK (outcome IS NULL OR outcome IN ('true', 'false', 'unable'));
ALTER TABLE verification_tasks ADD COLUMN outcome_at TEXT;
ALTER TABLE verification_tasks ADD COLUMN outcome_by INTEGER REFERENCES users (id);
CREATE INDEX verification_tasks_board ON verification_tasks (status, due_at);

-- Evidence of a verification: photos (hashed, time-stamped), the applicant's signature.
CREATE TABLE verification_evidence (
  task_id      INTEGER NOT NULL REFERENCES verification_tasks (id),
  position     INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('photo', 'signature')),
  file_sha256  TEXT NOT NULL REFERENCES files (sha256),
  taken_at     TEXT NOT NULL,
  PRIMARY KEY (task_id, position)
);

-- Field results applied on this desk: a result delivered twice applies once.
CREATE TABLE field_results_applied (
  result_id   TEXT PRIMARY KEY,
  task_id     INTEGER NOT NULL REFERENCES verification_tasks (id),
  applied_at  TEXT NOT NULL,
  applied_by  INTEGER NOT NULL REFERENCES users (id)
);

-- Credit records written by a false finding point at the task; repair keeps its note.
ALTER TABLE credit_records ADD COLUMN verification_task_id INTEGER REFERENCES verification_tasks (id);
ALTER TABLE credit_records ADD COLUMN repair_note TEXT;

-- Assistance replies: how they came (connector, phone, letter) and the scanned page.
ALTER TABLE assistance_requests ADD COLUMN reply_channel TEXT CHECK (reply_channel IS NULL OR reply_channel IN ('connector', 'phone', 'letter'));
ALTER TABLE assistance_requests ADD COLUMN reply_file_sha256 TEXT REFERENCES files (sha256);

-- Handing a case over (代办): what was handed over, when, to whom; progress told to the applicant.
CREATE TABLE case_handovers (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases (id),
  items        TEXT NOT NULL CHECK (json_valid(items)),
  handed_to    TEXT NOT NULL,
  handed_at    TEXT NOT NULL,
  note         TEXT NOT NULL DEFAULT '',
  created_by   INTEGER NOT NULL REFERENCES users (id)
);
CREATE INDEX case_handovers_case ON case_handovers (case_id);

CREATE TABLE progress_notices (
  id         INTEGER PRIMARY KEY,
  case_id    INTEGER NOT NULL REFERENCES cases (id),
  text       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by INTEGER NOT NULL REFERENCES users (id)
);
CREATE INDEX progress_notices_case ON progress_notices (case_id);

-- The assistant's laptop: field packages taken offline and the work done on them.
CREATE TABLE field_work (
  package_id    TEXT PRIMARY KEY,
  task_id       INTEGER NOT NULL,
  hall_key      TEXT NOT NULL,
  package       TEXT NOT NULL CHECK (json_valid(package)),
  state         TEXT NOT NULL CHECK (state IN ('working', 'finished')),
  work          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(work)),
  result_id     TEXT,
  imported_at   TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE TABLE field_photos (
  package_id   TEXT NOT NULL REFERENCES field_work (package_id),
  position     INTEGER NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('photo', 'signature')),
  file_sha256  TEXT NOT NULL REFERENCES files (sha256),
  taken_at     TEXT NOT NULL,
  PRIMARY KEY (package_id, position)
);

-- Keys for field packages: this desk's own Ed25519 key ('own') and, on a laptop, the hall desk's
-- public key pinned at the first package it accepted ('hall').
CREATE TABLE field_keys (
  name         TEXT PRIMARY KEY CHECK (name IN ('own', 'hall')),
  public_key   TEXT NOT NULL,
  private_key  TEXT,
  created_at   TEXT NOT NULL
);
