-- The hall hub's first schema (docs/hub.md). One hall per database for now: hall_id is 'hall'.

-- The hub's own signing identity (Ed25519). In the database so that every hub process of the hall
-- answers with the same key and the hub keeps no state outside PostgreSQL.
CREATE TABLE hub_identity (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  hub_id       TEXT NOT NULL,
  sign_alg     TEXT NOT NULL CHECK (sign_alg = 'ed25519'),
  sign_pub     TEXT NOT NULL,
  sign_priv    TEXT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Enrolled desks: their public signing key, pinned once by a supervisor. A removed desk keeps its
-- row (its cases stay attributed) and is refused from then on.
CREATE TABLE desks (
  desk_id      TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  sign_alg     TEXT NOT NULL CHECK (sign_alg IN ('ed25519', 'sm2-sm3')),
  sign_pub     TEXT NOT NULL,
  fingerprint  TEXT NOT NULL,
  enrolled_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  enrolled_by  TEXT NOT NULL,
  removed_at   TIMESTAMPTZ,
  removed_by   TEXT
);

-- Nonces seen, per desk, until their request's timestamp leaves the acceptance window.
CREATE TABLE request_nonces (
  desk_id      TEXT NOT NULL REFERENCES desks (desk_id),
  nonce        TEXT NOT NULL,
  expires_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (desk_id, nonce)
);
CREATE INDEX request_nonces_expiry ON request_nonces (expires_at);

-- Cases pushed by desks: one row per (desk, idempotency key) — each revision of a case once.
CREATE TABLE cases (
  desk_id          TEXT NOT NULL REFERENCES desks (desk_id),
  idempotency_key  TEXT NOT NULL,
  case_no          TEXT NOT NULL,
  revision         INTEGER NOT NULL CHECK (revision >= 1),
  document         JSONB NOT NULL,
  desk_schema      INTEGER NOT NULL,
  received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  feed_seq         BIGINT NOT NULL UNIQUE,
  PRIMARY KEY (desk_id, idempotency_key)
);
CREATE UNIQUE INDEX cases_revision ON cases (desk_id, case_no, revision);

-- The change feed's counter: one row per hall, advanced in the transaction that appends to the
-- feed. The row lock orders writers, so feed numbers commit in order without gaps (docs/hub.md).
CREATE TABLE feed_counter (
  hall_id   TEXT PRIMARY KEY,
  last_seq  BIGINT NOT NULL
);
INSERT INTO feed_counter (hall_id, last_seq) VALUES ('hall', 0);

CREATE TABLE feed (
  hall_id      TEXT NOT NULL,
  seq          BIGINT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('case')),
  owner_desk   TEXT NOT NULL,
  record_key   TEXT NOT NULL,
  body         JSONB NOT NULL,
  written_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (hall_id, seq)
);

-- Supervisor actions and refusals worth keeping (enrolment, removal).
CREATE TABLE hub_audit (
  id        BIGSERIAL PRIMARY KEY,
  at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  detail    JSONB NOT NULL
);
