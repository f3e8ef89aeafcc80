-- Verification tasks across the hall (docs/hub.md, "Verification tasks across the hall").
-- Every change of a task row marks it here, in the transaction that makes it, whoever wrote it;
-- the same transaction then queues the task's summary for the hub and clears the mark
-- (store/write.ts before-commit hook, electron/services/hub/hall-tasks.ts).
CREATE TABLE hall_task_dirty (
  task_id INTEGER PRIMARY KEY
);
CREATE TRIGGER verification_tasks_hall_insert AFTER INSERT ON verification_tasks
BEGIN
  INSERT OR IGNORE INTO hall_task_dirty (task_id) VALUES (NEW.id);
END;
CREATE TRIGGER verification_tasks_hall_update AFTER UPDATE ON verification_tasks
BEGIN
  INSERT OR IGNORE INTO hall_task_dirty (task_id) VALUES (NEW.id);
END;

-- Other windows' tasks as last pulled from the hub (kind 'verification_task'): the summary only.
CREATE TABLE hall_tasks (
  task_key           TEXT PRIMARY KEY,            -- '<desk>:<task id>'
  owner_desk         TEXT NOT NULL,
  task_id            INTEGER NOT NULL,
  window             TEXT,                         -- the owning desk's name (its card)
  case_no            TEXT NOT NULL,
  applicant_masked   TEXT NOT NULL,
  certificate        TEXT NOT NULL,
  source             TEXT NOT NULL,
  state              TEXT NOT NULL,
  status             TEXT NOT NULL,
  due_at             TEXT,
  assignee_username  TEXT,
  assignee_name      TEXT,
  holder_name        TEXT,
  outcome            TEXT,
  updated_at         TEXT NOT NULL,               -- when the owning desk changed it
  received_at        TEXT NOT NULL                -- when this desk applied it
);
-- The 全厅 board (services/hub/hall-tasks-service.ts): pages read in due-date order per status; counts
-- per state under the filters (window, assignee, due date) from the index alone.
CREATE INDEX hall_tasks_board ON hall_tasks (status, due_at, task_key);
CREATE INDEX hall_tasks_counts ON hall_tasks (state, owner_desk, assignee_username, status, due_at);

-- Assignments of a task by a supervisor of any desk (kind 'task_assignment'): asked here or
-- elsewhere, applied or refused once by the desk owning the task; the answer travels back.
CREATE TABLE hall_task_assignments (
  request_id         TEXT PRIMARY KEY,
  task_key           TEXT NOT NULL,
  owner_desk         TEXT NOT NULL,
  assignee_username  TEXT NOT NULL,
  assignee_name      TEXT NOT NULL,
  by_username        TEXT NOT NULL,
  by_name            TEXT NOT NULL,
  from_desk          TEXT NOT NULL,
  from_window        TEXT,
  requested_at       TEXT NOT NULL,
  state              TEXT NOT NULL CHECK (state IN ('requested', 'applied', 'refused')),
  message            TEXT,
  decided_at         TEXT
);
CREATE INDEX hall_task_assignments_task ON hall_task_assignments (task_key, requested_at);
