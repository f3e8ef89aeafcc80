-- The hall calendar (办事大厅工作日历): statutory holidays (休) and make-up working days (班) per
-- year, and the date each accepted case is due by its items' promised time limit (承诺时限).
-- The published schedules are loaded at start-up (electron/services/calendar/calendar-seed.ts),
-- audited, for every store that does not have the year yet: new, upgraded, demo or production.

-- A year whose schedule is loaded (imported or seeded); a year without a row counts weekends only.
CREATE TABLE calendar_years (
  year        INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  source      TEXT NOT NULL,
  loaded_at   TEXT NOT NULL,
  loaded_by   INTEGER REFERENCES users (id)
);

-- The listed days of loaded years; a day not listed is a working day Monday to Friday.
CREATE TABLE calendar_days (
  day         TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
  year        INTEGER NOT NULL REFERENCES calendar_years (year),
  kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name        TEXT NOT NULL DEFAULT '',
  -- Set when a supervisor corrected this one day after the year's list was loaded.
  note        TEXT,
  updated_at  TEXT NOT NULL,
  updated_by  INTEGER REFERENCES users (id)
);
CREATE INDEX calendar_days_year ON calendar_days (year, day);

-- The case's due date: set on acceptance from the latest of its items' time limits.
ALTER TABLE cases ADD COLUMN due_at TEXT;
CREATE INDEX cases_due ON cases (status, due_at);
