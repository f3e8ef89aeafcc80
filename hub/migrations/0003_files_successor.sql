-- Content-addressed files held by the hub, and successor desks (docs/hub.md: files; a desk can die).

-- A desk enrolled as the successor of a dead desk (removed in the same transaction) may read that
-- desk's cases and files.
ALTER TABLE desks ADD COLUMN successor_of TEXT REFERENCES desks (desk_id);
CREATE UNIQUE INDEX desks_successor_of ON desks (successor_of) WHERE successor_of IS NOT NULL;

-- One row per file (by SHA-256): its size and type, the bytes received so far (contiguous from 0)
-- and when it was complete and verified. Uploads append chunks at `received`; a cut upload resumes
-- there. A file is `complete` only once the SHA-256 of all its chunks equals its name.
CREATE TABLE hub_files (
  sha256        TEXT PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size          BIGINT NOT NULL CHECK (size >= 0),
  mime          TEXT NOT NULL,
  received      BIGINT NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= size),
  first_desk    TEXT NOT NULL REFERENCES desks (desk_id),
  started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  completed_at  TIMESTAMPTZ
);

-- The bytes, in the order received: chunk `off` holds bytes [off, off + length(data)).
CREATE TABLE hub_file_chunks (
  sha256  TEXT NOT NULL REFERENCES hub_files (sha256),
  off     BIGINT NOT NULL CHECK (off >= 0),
  data    BYTEA NOT NULL,
  PRIMARY KEY (sha256, off)
);
