-- Signed audit checkpoints of the peer desk, witnessed by this desk (docs/audit-checkpoints.md,
-- "Witnessed by the peer desk"): each transfer bundle carries its sender's latest signed head; the
-- receiving desk records it here, in the bundle's import transaction, once its signature holds under
-- the audit key the bundle names (the bundle itself is signed with the paired desk's key).
-- `audit-verify --witness <this data folder>` run on the peer's folder compares its audit table with them.
CREATE TABLE audit_witnessed_heads (
  id            INTEGER PRIMARY KEY,
  peer_desk_id  TEXT NOT NULL,
  pub           TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('head', 'restore', 'new-store')),
  epoch         TEXT NOT NULL,
  from_epoch    TEXT,
  seq           INTEGER NOT NULL CHECK (seq >= 0),
  hash          TEXT NOT NULL,
  at            TEXT NOT NULL,
  signed_at     TEXT NOT NULL,
  sig           TEXT NOT NULL,
  via           TEXT NOT NULL CHECK (via IN ('bundle', 'field_result')),
  via_ref       TEXT NOT NULL,
  received_at   TEXT NOT NULL,
  UNIQUE (peer_desk_id, sig)
);

CREATE TRIGGER audit_witnessed_heads_no_update BEFORE UPDATE ON audit_witnessed_heads
BEGIN
  SELECT RAISE(ABORT, 'audit_witnessed_heads is append-only');
END;
CREATE TRIGGER audit_witnessed_heads_no_delete BEFORE DELETE ON audit_witnessed_heads
BEGIN
  SELECT RAISE(ABORT, 'audit_witnessed_heads is append-only');
END;
