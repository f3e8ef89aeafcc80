-- Field work through the hub (docs/hub.md, "Field work through the hub"): the owning desk offers a
-- verification task, an assistant's laptop takes it (the hub's lock), the owning desk hands the
-- signed package over through the hub, the laptop sends its result back, the owning desk applies it.

-- A task offered by its owning desk. task_key is '<owner desk>:<task id>'.
CREATE TABLE field_offers (
  task_key     TEXT PRIMARY KEY,
  owner_desk   TEXT NOT NULL REFERENCES desks (desk_id),
  task_id      INTEGER NOT NULL CHECK (task_id > 0),
  case_no      TEXT NOT NULL,
  certificate  TEXT NOT NULL,
  due_at       TEXT,
  -- The assistant the supervisor assigned it to (display name); NULL: any assistant may take it.
  assignee     TEXT,
  offered_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (owner_desk, task_id)
);

-- The lock: at most one row per task, taken by one conditional INSERT. The package is the owning
-- desk's signed field package for the holder, relayed once the owning desk issued it.
CREATE TABLE field_locks (
  task_key     TEXT PRIMARY KEY REFERENCES field_offers (task_key),
  holder_desk  TEXT NOT NULL REFERENCES desks (desk_id),
  holder_name  TEXT NOT NULL,
  taken_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  package      JSONB,
  issued_at    TIMESTAMPTZ
);

-- Results sent by the holder, kept until the owning desk says it applied them (by result id).
CREATE TABLE field_results (
  result_id    TEXT PRIMARY KEY,
  task_key     TEXT NOT NULL REFERENCES field_locks (task_key),
  from_desk    TEXT NOT NULL REFERENCES desks (desk_id),
  result       JSONB NOT NULL,
  received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  acked_at     TIMESTAMPTZ
);
CREATE INDEX field_results_pending ON field_results (task_key) WHERE acked_at IS NULL;
