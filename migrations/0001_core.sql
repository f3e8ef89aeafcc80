-- Core tables: the hall this desk serves, local users, the append-only
-- hash-chained audit log, and the applicant registry.

CREATE TABLE hall (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  code        TEXT NOT NULL,
  name        TEXT NOT NULL,
  region      TEXT NOT NULL
);

CREATE TABLE users (
  id               INTEGER PRIMARY KEY,
  username         TEXT NOT NULL UNIQUE,
  display_name     TEXT NOT NULL,
  role             TEXT NOT NULL CHECK (role IN ('clerk', 'assistant', 'supervisor')),
  password_hash    TEXT NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
  active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  failed_attempts  INTEGER NOT NULL DEFAULT 0,
  locked_until     TEXT,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);

CREATE TABLE audit_log (
  seq             INTEGER PRIMARY KEY,
  at              TEXT NOT NULL,
  actor_id        INTEGER,
  actor_username  TEXT NOT NULL,
  action          TEXT NOT NULL,
  entity_type     TEXT,
  entity_id       TEXT,
  detail          TEXT NOT NULL,
  prev_hash       TEXT NOT NULL,
  hash            TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE applicants (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
  name        TEXT NOT NULL,
  id_type     TEXT NOT NULL,
  id_number   TEXT NOT NULL,
  phone       TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  created_by  INTEGER NOT NULL REFERENCES users (id),
  UNIQUE (id_type, id_number)
);
CREATE INDEX applicants_name ON applicants (name);
