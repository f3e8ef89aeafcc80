-- The supervisor's verification board, paged and filtered in SQL (electron/services/verification/board.ts):
-- the task states' columns covered, and the "mine" filter's two columns, so no filter scans the table.
-- Measured by bench/verification.bench.ts (bench/README.md, "verification.bench.ts").
CREATE INDEX verification_tasks_state ON verification_tasks (status, checked_out_by, escalated_at, assigned_to, due_at);
CREATE INDEX verification_tasks_assignee ON verification_tasks (assigned_to);
CREATE INDEX verification_tasks_holder ON verification_tasks (checked_out_by);
