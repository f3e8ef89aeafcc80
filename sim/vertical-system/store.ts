/**
 * The simulator's own SQLite file: what each target received. WAL + synchronous=FULL, so an
 * answer of "stored" (201) is only written after the row is committed to disk — a kill -9 of the
 * simulator right after the answer loses nothing. Every write is one synchronous better-sqlite3
 * transaction, so check-then-insert (idempotency keys) cannot race.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { StatusChange, StoredCase, StoredVersion } from './types';

export interface UploadRow {
  id: string;
  target: string;
  sha256: string;
  size: number;
  name: string;
  externalRef: string | null;
  /** Bytes committed (fsynced and recorded); the part file beyond this offset is garbage. */
  received: number;
  /** Set once complete (stored bytes hashed to sha256). */
  fileId: string | null;
  createdAt: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS cases (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  case_no TEXT NOT NULL,
  external_ref TEXT NOT NULL,
  idempotency_key TEXT,
  payload TEXT NOT NULL,
  received_at TEXT NOT NULL,
  UNIQUE (target, case_no)
);
CREATE INDEX IF NOT EXISTS cases_by_ref ON cases (target, external_ref);
CREATE INDEX IF NOT EXISTS cases_by_key ON cases (target, idempotency_key);
-- Every message stored about a case: its first arrival and each later revision (a status change
-- such as 终止办理 or 撤销决定 after a false commitment), in the order received.
CREATE TABLE IF NOT EXISTS case_versions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  case_no TEXT NOT NULL,
  revision INTEGER NOT NULL,
  idempotency_key TEXT,
  status_change TEXT,
  payload TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_versions_by_case ON case_versions (target, case_no, seq);
CREATE INDEX IF NOT EXISTS case_versions_by_key ON case_versions (target, idempotency_key);
CREATE TABLE IF NOT EXISTS uploads (
  id TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  name TEXT NOT NULL,
  external_ref TEXT,
  received INTEGER NOT NULL DEFAULT 0,
  file_id TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS uploads_by_sha ON uploads (target, sha256);
CREATE UNIQUE INDEX IF NOT EXISTS uploads_by_file ON uploads (target, file_id);
`;

interface CaseRow {
  case_no: string;
  external_ref: string;
  idempotency_key: string | null;
  payload: string;
  received_at: string;
}

interface RawUpload {
  id: string;
  target: string;
  sha256: string;
  size: number;
  name: string;
  external_ref: string | null;
  received: number;
  file_id: string | null;
  created_at: string;
}

interface VersionRow {
  case_no: string;
  revision: number;
  idempotency_key: string | null;
  status_change: string | null;
  payload: string;
  received_at: string;
}

const toVersion = (r: VersionRow): StoredVersion => ({
  revision: r.revision,
  idempotencyKey: r.idempotency_key,
  statusChange: r.status_change ? (JSON.parse(r.status_change) as StatusChange) : null,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  receivedAt: r.received_at,
});

/** The status set by the latest status change, by revision (a late older revision does not undo a newer one). */
function currentStatus(versions: StoredVersion[]): string | null {
  let best: StoredVersion | null = null;
  for (const v of versions) if (v.statusChange && (!best || v.revision >= best.revision)) best = v;
  return best?.statusChange?.status ?? null;
}

const toCase = (r: CaseRow, versions: StoredVersion[]): StoredCase => ({
  caseNo: r.case_no,
  externalRef: r.external_ref,
  idempotencyKey: r.idempotency_key,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  receivedAt: r.received_at,
  status: currentStatus(versions),
  versions,
});

const toUpload = (r: RawUpload): UploadRow => ({
  id: r.id,
  target: r.target,
  sha256: r.sha256,
  size: r.size,
  name: r.name,
  externalRef: r.external_ref,
  received: r.received,
  fileId: r.file_id,
  createdAt: r.created_at,
});

export class SimStore {
  readonly db: Database.Database;
  readonly uploadDir: string;

  constructor(readonly dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.uploadDir = path.join(dataDir, 'uploads');
    fs.mkdirSync(this.uploadDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'vertical-sim.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  // ------------------------------------------------------------------ cases

  private versionsOf(target: string, caseNo: string): StoredVersion[] {
    const rows = this.db
      .prepare(`SELECT case_no, revision, idempotency_key, status_change, payload, received_at FROM case_versions WHERE target = ? AND case_no = ? ORDER BY seq`)
      .all(target, caseNo) as VersionRow[];
    return rows.map(toVersion);
  }

  private caseRow(target: string, caseNo: string): StoredCase {
    const r = this.db.prepare(`SELECT case_no, external_ref, idempotency_key, payload, received_at FROM cases WHERE target = ? AND case_no = ?`).get(target, caseNo) as CaseRow;
    return toCase(r, this.versionsOf(target, caseNo));
  }

  /** The case that a message with this idempotency key created or revised, for this target, if any. */
  caseByKey(target: string, key: string): StoredCase | null {
    const r = this.db
      .prepare(
        `SELECT case_no FROM cases WHERE target = ? AND idempotency_key = ?
         UNION ALL SELECT case_no FROM case_versions WHERE target = ? AND idempotency_key = ? LIMIT 1`,
      )
      .get(target, key, target, key) as { case_no: string } | undefined;
    return r ? this.caseRow(target, r.case_no) : null;
  }

  /**
   * Stores one message about a case (committed before returning). A first revision, or a later
   * one for a reference this target does not hold, is a new case; a later revision of a case it
   * holds is stored as a version of that case (`revised: true`). With `dedupe`, a message already
   * stored under the same key is returned instead (`duplicate: true`) — checked and inserted in
   * one transaction.
   */
  insertCase(
    target: string,
    prefix: string,
    c: { externalRef: string; idempotencyKey: string | null; payload: Record<string, unknown>; revision: number; statusChange: StatusChange | null },
    dedupe: boolean,
  ): { stored: StoredCase; duplicate: boolean; revised: boolean; receivedAt: string } {
    return this.db.transaction(() => {
      if (dedupe && c.idempotencyKey) {
        const seen = this.caseByKey(target, c.idempotencyKey);
        if (seen) return { stored: seen, duplicate: true, revised: false, receivedAt: seen.versions.find((v) => v.idempotencyKey === c.idempotencyKey)?.receivedAt ?? seen.receivedAt };
      }
      const receivedAt = new Date().toISOString();
      const held =
        c.revision > 1
          ? (this.db.prepare(`SELECT case_no FROM cases WHERE target = ? AND external_ref = ? ORDER BY seq DESC LIMIT 1`).get(target, c.externalRef) as { case_no: string } | undefined)
          : undefined;
      let caseNo = held?.case_no;
      if (!caseNo) {
        const { n } = this.db.prepare(`SELECT COUNT(*) + 1 AS n FROM cases WHERE target = ?`).get(target) as { n: number };
        caseNo = `${prefix}${receivedAt.slice(0, 10).replace(/-/g, '')}${String(n).padStart(6, '0')}`;
        this.db
          .prepare(`INSERT INTO cases (target, case_no, external_ref, idempotency_key, payload, received_at) VALUES (?, ?, ?, ?, ?, ?)`)
          .run(target, caseNo, c.externalRef, c.idempotencyKey, JSON.stringify(c.payload), receivedAt);
      }
      this.db
        .prepare(`INSERT INTO case_versions (target, case_no, revision, idempotency_key, status_change, payload, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(target, caseNo, c.revision, c.idempotencyKey, c.statusChange ? JSON.stringify(c.statusChange) : null, JSON.stringify(c.payload), receivedAt);
      return { stored: this.caseRow(target, caseNo), duplicate: false, revised: held !== undefined, receivedAt };
    }).immediate();
  }

  casesByRef(target: string, externalRef: string): StoredCase[] {
    const rows = this.db
      .prepare(`SELECT case_no, external_ref, idempotency_key, payload, received_at FROM cases WHERE target = ? AND external_ref = ? ORDER BY seq`)
      .all(target, externalRef) as CaseRow[];
    return rows.map((r) => toCase(r, this.versionsOf(target, r.case_no)));
  }

  allCases(target: string): StoredCase[] {
    const rows = this.db
      .prepare(`SELECT case_no, external_ref, idempotency_key, payload, received_at FROM cases WHERE target = ? ORDER BY seq`)
      .all(target) as CaseRow[];
    const versions = new Map<string, StoredVersion[]>();
    const all = this.db
      .prepare(`SELECT case_no, revision, idempotency_key, status_change, payload, received_at FROM case_versions WHERE target = ? ORDER BY seq`)
      .all(target) as VersionRow[];
    for (const v of all) {
      let list = versions.get(v.case_no);
      if (!list) versions.set(v.case_no, (list = []));
      list.push(toVersion(v));
    }
    return rows.map((r) => toCase(r, versions.get(r.case_no) ?? []));
  }

  // ---------------------------------------------------------------- uploads

  partFile(uploadId: string): string {
    return path.join(this.uploadDir, `${uploadId}.part`);
  }

  upload(target: string, id: string): UploadRow | null {
    const r = this.db.prepare(`SELECT * FROM uploads WHERE target = ? AND id = ?`).get(target, id) as RawUpload | undefined;
    return r ? toUpload(r) : null;
  }

  /** A complete upload with this hash first, else one in progress (the oldest). */
  uploadBySha(target: string, sha256: string): UploadRow | null {
    const r = this.db
      .prepare(`SELECT * FROM uploads WHERE target = ? AND sha256 = ? ORDER BY (file_id IS NULL), created_at LIMIT 1`)
      .get(target, sha256) as RawUpload | undefined;
    return r ? toUpload(r) : null;
  }

  completeFile(target: string, fileId: string): UploadRow | null {
    const r = this.db.prepare(`SELECT * FROM uploads WHERE target = ? AND file_id = ?`).get(target, fileId) as RawUpload | undefined;
    return r ? toUpload(r) : null;
  }

  /** Creates the row and an empty, fsynced part file. */
  createUpload(target: string, u: { sha256: string; size: number; name: string; externalRef: string | null }): UploadRow {
    const id = `U${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
    const fd = fs.openSync(this.partFile(id), 'w');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    const dir = fs.openSync(this.uploadDir, 'r'); // the new name itself must survive a power cut
    fs.fsyncSync(dir);
    fs.closeSync(dir);
    const createdAt = new Date().toISOString();
    this.db
      .prepare(`INSERT INTO uploads (id, target, sha256, size, name, external_ref, received, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)`)
      .run(id, target, u.sha256, u.size, u.name, u.externalRef, createdAt);
    return { id, target, ...u, received: 0, fileId: null, createdAt };
  }

  /** Records a chunk as stored: only called after its bytes are fsynced. */
  setReceived(id: string, received: number): void {
    this.db.prepare(`UPDATE uploads SET received = ? WHERE id = ? AND file_id IS NULL`).run(received, id);
  }

  markComplete(id: string): string {
    const fileId = `F${randomBytes(8).toString('hex')}`;
    this.db.prepare(`UPDATE uploads SET file_id = ? WHERE id = ?`).run(fileId, id);
    return fileId;
  }

  discardUpload(id: string): void {
    this.db.prepare(`DELETE FROM uploads WHERE id = ?`).run(id);
    fs.rmSync(this.partFile(id), { force: true });
  }

  // ------------------------------------------------------------------ reset

  reset(target: string): void {
    const ids = this.db.prepare(`SELECT id FROM uploads WHERE target = ?`).all(target) as { id: string }[];
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM cases WHERE target = ?`).run(target);
      this.db.prepare(`DELETE FROM case_versions WHERE target = ?`).run(target);
      this.db.prepare(`DELETE FROM uploads WHERE target = ?`).run(target);
    })();
    for (const { id } of ids) fs.rmSync(this.partFile(id), { force: true });
  }
}
