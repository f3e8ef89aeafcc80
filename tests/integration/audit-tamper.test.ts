/**
 * The security probe's audit tamperings, replayed (issue 15): with the desk stopped and the
 * append-only triggers dropped, someone with the data folder in hand edits, truncates, empties,
 * recomputes and renumbers the audit log. Each is reported by `audit-verify` (the real CLI) naming
 * what was found; the signed checkpoints outside the database are what find the last four. A sign-in
 * with a lone surrogate in the user name leaves the chain verifiable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { copyStoreKey, openTestStore } from '../helpers/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { ROOT, tempDir } from '../helpers/temp';

interface Row {
  seq: number;
  at: string;
  actor_id: number | null;
  actor_username: string;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** The attacker's tool: the chain's published rule (SHA-256 over the JSON array of the fields), written out here. */
function recompute(rows: Row[]): Row[] {
  let prev = '0'.repeat(64);
  return rows.map((r, i) => {
    const seq = i + 1;
    const canonical = JSON.stringify([prev, seq, r.at, r.actor_id, r.actor_username, r.action, r.entity_type, r.entity_id, r.detail]);
    const hash = createHash('sha256').update(canonical, 'utf8').digest('hex');
    const out = { ...r, seq, prev_hash: prev, hash };
    prev = hash;
    return out;
  });
}

function rewriteLog(db: Database.Database, rows: Row[]): void {
  db.transaction(() => {
    db.prepare('DELETE FROM audit_log').run();
    const ins = db.prepare(
      'INSERT INTO audit_log (seq, at, actor_id, actor_username, action, entity_type, entity_id, detail, prev_hash, hash) VALUES (@seq, @at, @actor_id, @actor_username, @action, @entity_type, @entity_id, @detail, @prev_hash, @hash)',
    );
    for (const r of rows) ins.run(r);
  })();
}

let original: string;
/** The checkpoint lines' numbers as written in the file (read here by hand, not through the code under test). */
let checkpointSeqs: number[];
let lastSeq: number;

function copyOfDesk(): string {
  const dir = tempDir('audit-tamper-');
  fs.cpSync(original, dir, { recursive: true });
  copyStoreKey(original, dir);
  return dir;
}

function tamper(dir: string, fn: (db: Database.Database) => void): void {
  const db = openTestStore(path.join(dir, 'desk.sqlite'));
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  fn(db);
  db.close();
}

function auditVerify(dir: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'electron/cli.ts'), 'audit-verify', '--data-dir', dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** The checkpoint at or after `seq`, and the one before it: the range a finding names. */
function rangeAround(seq: number): { from: number; to: number } {
  const to = checkpointSeqs.find((s) => s >= seq)!;
  const before = checkpointSeqs.filter((s) => s < seq).at(-1) ?? 0;
  return { from: before + 1, to };
}

beforeAll(async () => {
  const desk = await testDesk({ sync: false });
  // Audited work: 130 refused sign-ins (fast: an unknown user is not hashed) — among them a lone surrogate.
  for (let i = 0; i < 130; i++) {
    const username = i === 7 ? '\ud800x' : `nobody${i}`;
    const r = await desk.raw('auth.signIn', { username, password: 'wrong' });
    expect(r.ok).toBe(false);
  }
  desk.app.close();
  original = desk.dataDir;
  const db = openTestStore(path.join(original, 'desk.sqlite'), { readonly: true });
  lastSeq = db.prepare('SELECT MAX(seq) FROM audit_log').pluck().get() as number;
  db.close();
  checkpointSeqs = fs
    .readFileSync(path.join(original, 'audit', 'checkpoints.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { seq: number }).seq);
  console.log(`audit-tamper: ${lastSeq} entries, checkpoints at ${checkpointSeqs.join(', ')}`);
}, 120_000);

describe('audit tampering with the data folder in hand', () => {
  it('the untouched folder verifies, signed checkpoints included — the lone-surrogate sign-in did not break the chain', () => {
    // Checkpoints at start, every 50 entries and at the stop: the last one is the head.
    expect(checkpointSeqs.length).toBeGreaterThanOrEqual(3);
    expect(checkpointSeqs.at(-1)).toBe(lastSeq);
    const r = auditVerify(original);
    expect(r.out).toContain(`审计链完整：共 ${lastSeq} 条记录`);
    expect(r.out).toContain(`最近一个记到第 ${lastSeq} 条`);
    expect(r.status).toBe(0);
    const db = openTestStore(path.join(original, 'desk.sqlite'), { readonly: true });
    expect(db.prepare(`SELECT COUNT(*) FROM audit_log WHERE actor_username = '(未登录:\uFFFDx)'`).pluck().get()).toBe(1);
    db.close();
  });

  it('an edited entry is named', () => {
    const dir = copyOfDesk();
    tamper(dir, (db) => db.prepare(`UPDATE audit_log SET detail = '{"reason":"nothing happened"}' WHERE seq = 60`).run());
    const r = auditVerify(dir);
    expect(r.out).toContain('审计链已断开：第 60 条记录——记录内容与其哈希不符（记录被篡改）');
    expect(r.status).toBe(1);
  });

  it('a deleted tail is named, with where the signed checkpoint ends', () => {
    const dir = copyOfDesk();
    tamper(dir, (db) => db.prepare('DELETE FROM audit_log WHERE seq > 100').run());
    const r = auditVerify(dir);
    const first = checkpointSeqs.find((s) => s > 100)!;
    expect(r.out).toContain(`审计日志末尾被删除：已签名的检查点记到第 ${first} 条，现在只到第 100 条`);
    expect(r.status).toBe(1);
  });

  it('a log emptied of every entry is named', () => {
    const dir = copyOfDesk();
    tamper(dir, (db) => db.prepare('DELETE FROM audit_log').run());
    const r = auditVerify(dir);
    expect(r.out).toContain(`审计日志被全部删除：已签名的检查点记到第 ${checkpointSeqs[0]} 条，现在一条也没有`);
    expect(r.status).toBe(1);
  });

  it('an edited entry with the chain recomputed after it is named, with the range it lies in', () => {
    const dir = copyOfDesk();
    tamper(dir, (db) => {
      const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
      rows[59]!.detail = '{"reason":"nothing happened"}'; // seq 60
      rewriteLog(db, recompute(rows));
    });
    const r = auditVerify(dir);
    const { from, to } = rangeAround(60);
    expect(r.out).toContain(`第 ${from}–${to} 条之间有记录被改动并重算了哈希链（第 ${to} 条的哈希与签名的检查点不符）`);
    expect(r.status).toBe(1);
  });

  it('entries deleted in the middle, the rest renumbered and the chain recomputed, are named', () => {
    const dir = copyOfDesk();
    tamper(dir, (db) => {
      const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
      rows.splice(54, 4); // seq 55–58 gone
      rewriteLog(db, recompute(rows));
    });
    const r = auditVerify(dir);
    const { from, to } = rangeAround(55);
    expect(r.out).toContain(`第 ${from}–${to} 条之间有记录被删除，其后的记录被重新编号并重算了哈希（第 ${to} 条已不是签名时的那一条）`);
    expect(r.status).toBe(1);
  });

  it('a checkpoint line changed to match a rewritten log is refused by its signature', () => {
    const dir = copyOfDesk();
    const file = path.join(dir, 'audit', 'checkpoints.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const l = JSON.parse(lines[1]!) as { hash: string };
    l.hash = 'f'.repeat(64);
    lines[1] = JSON.stringify(l);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const r = auditVerify(dir);
    expect(r.out).toContain('检查点文件第 2 行签名无效（检查点文件被改动）');
    expect(r.status).toBe(1);
  });

  it('the checkpoint file deleted is reported: nothing then proves the log was not cut', () => {
    const dir = copyOfDesk();
    fs.rmSync(path.join(dir, 'audit', 'checkpoints.jsonl'));
    const r = auditVerify(dir);
    expect(r.out).toContain('检查点文件缺失或为空：无法证明审计日志未被截断或重写');
    expect(r.status).toBe(1);
  });
});
