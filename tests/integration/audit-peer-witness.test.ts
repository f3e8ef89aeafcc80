/**
 * The peer desk witnesses this desk's signed audit heads (docs/audit-checkpoints.md, "Witnessed by
 * the peer desk"): every transfer bundle carries its sender's latest signed head; the receiver
 * records it in the import's transaction; `audit-verify --witness <peer folder>` (the real CLI)
 * compares the sender's audit table with it — and finds a rewrite even when whoever rewrote the log
 * also replaced the checkpoint file and the key, which the sender's own folder can no longer prove.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/temp';
import { testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import { ACTOR, manifestIn, pairOfDesks, type Side } from './transfer-support';
import { exportBundle } from '../../electron/services/transfer/export-bundle';
import { importBundle } from '../../electron/services/transfer/import-bundle';
import { copyStoreKey, openTestStore } from '../helpers/store';

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

let a: Side;
let b: Side;
/** A's last signed head when it wrote its bundle, read from its checkpoint file by hand. */
let carried: { seq: number; hash: string };

function auditVerify(dir: string, witness: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'electron/cli.ts'), 'audit-verify', '--data-dir', dir, '--witness', witness], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function lastHead(dataDir: string): { seq: number; hash: string } {
  const lines = fs.readFileSync(path.join(dataDir, 'audit', 'checkpoints.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; seq: number; hash: string });
  return lines.filter((l) => l.kind === 'head').at(-1)!;
}

beforeAll(async () => {
  ({ a, b } = await pairOfDesks());
  // Audited work at A (refused sign-ins), with checkpoints every 50 entries.
  for (let i = 0; i < 120; i++) expect((await a.d.raw('auth.signIn', { username: `nobody${i}`, password: 'wrong' })).ok).toBe(false);
  carried = lastHead(a.dataDir);
  const dir = tempDir('peer-witness-bundle-');
  await exportBundle(a.ctx, ACTOR, { outDir: dir });
  await importBundle(b.ctx, ACTOR, manifestIn(dir));
  await a.close();
  await b.close();
}, 180_000);

afterAll(async () => {
  await a?.close().catch(() => undefined);
  await b?.close().catch(() => undefined);
});

function copy(dir: string): string {
  const to = tempDir('peer-witness-copy-');
  fs.cpSync(dir, to, { recursive: true });
  copyStoreKey(dir, to); // the store's key file lives beside the folder
  return to;
}

describe('audit heads witnessed by the peer desk', () => {
  it('the receiver recorded the sender’s latest signed head from the bundle, append-only, and its import audit says so', () => {
    const db = openTestStore(path.join(b.dataDir, 'desk.sqlite'));
    const rows = db.prepare('SELECT peer_desk_id, seq, hash, via FROM audit_witnessed_heads').all() as { peer_desk_id: string; seq: number; hash: string; via: string }[];
    const aDesk = (JSON.parse(fs.readFileSync(path.join(a.dataDir, 'transfer', 'desk-keys.json'), 'utf8')) as { card: { deskId: string } }).card.deskId;
    expect(rows).toEqual([{ peer_desk_id: aDesk, seq: carried.seq, hash: carried.hash, via: 'bundle' }]);
    expect(() => db.prepare('DELETE FROM audit_witnessed_heads').run()).toThrow(/append-only/);
    const detail = JSON.parse(db.prepare(`SELECT detail FROM audit_log WHERE action = 'transfer.import'`).pluck().get() as string) as { auditHead: unknown };
    expect(detail.auditHead).toEqual({ seq: carried.seq, witnessed: 'recorded' });
    db.close();
  });

  it('an untouched sender verifies against what the peer witnessed', () => {
    const r = auditVerify(a.dataDir, b.dataDir);
    expect(r.out).toContain(`与对端工作台见证的 1 个检查点相符（最近一个记到第 ${carried.seq} 条`);
    expect(r.status).toBe(0);
  });

  it('a log rewritten (an entry edited, the chain recomputed) with the checkpoint file and key replaced too: only the peer’s witness finds it', () => {
    const dir = copy(a.dataDir);
    const db = openTestStore(path.join(dir, 'desk.sqlite'));
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
    rows[29]!.detail = '{"reason":"nothing happened"}'; // seq 30
    let prev = '0'.repeat(64);
    db.transaction(() => {
      db.prepare('DELETE FROM audit_log').run();
      const ins = db.prepare('INSERT INTO audit_log (seq, at, actor_id, actor_username, action, entity_type, entity_id, detail, prev_hash, hash) VALUES (@seq, @at, @actor_id, @actor_username, @action, @entity_type, @entity_id, @detail, @prev_hash, @hash)');
      for (const r of rows) {
        const hash = createHash('sha256').update(JSON.stringify([prev, r.seq, r.at, r.actor_id, r.actor_username, r.action, r.entity_type, r.entity_id, r.detail]), 'utf8').digest('hex');
        ins.run({ ...r, prev_hash: prev, hash });
        prev = hash;
      }
    })();
    db.close();
    // The checkpoint file and the key are gone; the desk's own verification can then only say the file is missing.
    fs.rmSync(path.join(dir, 'audit'), { recursive: true });
    const r = auditVerify(dir, b.dataDir);
    expect(r.out).toContain(`审计签名密钥已更换：对端工作台见证的检查点（记到第 ${carried.seq} 条，经交换包`);
    expect(r.status).toBe(1);
  });

  it('the same rewrite with the key kept: the peer’s witness names the head whose hash no longer matches', () => {
    const dir = copy(a.dataDir);
    const db = openTestStore(path.join(dir, 'desk.sqlite'));
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
    expect(carried.seq).toBeLessThanOrEqual(rows.length - 3); // the witnessed head is still a number the table has after the cut
    rows.splice(29, 3); // seq 30–32 gone, the rest renumbered and recomputed
    let prev = '0'.repeat(64);
    db.transaction(() => {
      db.prepare('DELETE FROM audit_log').run();
      const ins = db.prepare('INSERT INTO audit_log (seq, at, actor_id, actor_username, action, entity_type, entity_id, detail, prev_hash, hash) VALUES (@seq, @at, @actor_id, @actor_username, @action, @entity_type, @entity_id, @detail, @prev_hash, @hash)');
      rows.forEach((r, i) => {
        const seq = i + 1;
        const hash = createHash('sha256').update(JSON.stringify([prev, seq, r.at, r.actor_id, r.actor_username, r.action, r.entity_type, r.entity_id, r.detail]), 'utf8').digest('hex');
        ins.run({ ...r, seq, prev_hash: prev, hash });
        prev = hash;
      });
    })();
    db.close();
    fs.rmSync(path.join(dir, 'audit', 'checkpoints.jsonl'));
    const r = auditVerify(dir, b.dataDir);
    expect(r.out).toContain(`与对端工作台见证的检查点不符：第 ${carried.seq} 条的哈希与对端工作台见证的检查点（经交换包 `);
    expect(r.out).toContain('此前的记录被改动、删除或重新编号并重算了哈希链');
    expect(r.status).toBe(1);
  });

  it('a field result carries the laptop’s signed head sealed with it; the hall desk records it once when it applies the result', async () => {
    const hall = await testDesk({ sync: false });
    const laptopDir = tempDir('peer-witness-laptop-');
    createDeskKeys(laptopDir, { deskId: 'laptop-07', name: '外勤笔记本7', zone: 'intranet', signAlg: 'ed25519' });
    const laptop: TestDesk = await testDesk({ dataDir: laptopDir, sync: false });
    try {
      const clerk = (await hall.signIn('zhangmin')).token;
      const admin = (await hall.signIn('admin')).token;
      const chen = (await hall.signIn('chenjing')).token;
      // 王芳 signs a commitment for 托育机构备案 (a verification task, sampled at ratio 1); assigned to 陈静, checked out.
      const item = (await hall.call('catalog.listServiceItems', {}, clerk)).find((i) => i.name === '托育机构备案')!;
      const applicant = (await hall.call('applicants.list', { query: '王芳', limit: 5 }, clerk)).find((x) => x.name === '王芳')!;
      let v = await hall.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
      const c = v.certificates.find((x) => x.method === 'commitment')!;
      v = await hall.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, clerk);
      v = await hall.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: signaturePng().toString('base64') }, clerk);
      const board = await hall.call('verification.board', {}, admin);
      const task = board.tasks.find((t) => t.caseId === v.id)!;
      await hall.call('verification.assign', { taskId: task.id, userId: board.assistants.find((x) => x.name === '陈静')!.id }, admin);
      const out = await hall.call('verification.checkout', { taskId: task.id }, chen);

      // The laptop: audited work (its checkpoints every 50 entries), then the task.
      for (let i = 0; i < 60; i++) expect((await laptop.raw('auth.signIn', { username: `nobody${i}`, password: 'wrong' })).ok).toBe(false);
      const lchen = (await laptop.signIn('chenjing')).token;
      let work = await laptop.call('field.import', { packageJson: out.packageJson }, lchen);
      // Its key registration handed in at the hall before going out (docs/verification.md, "The laptop's key").
      const reg = await laptop.call('field.keyRegistration', { packageId: work.packageId }, lchen);
      expect((await hall.call('verification.registerFieldKey', { registrationJson: reg.registrationJson }, chen)).registered).toBe(true);
      work = await laptop.call('field.save', { packageId: work.packageId, answers: {}, notes: '网上核验属实', address: '', coords: null, outcome: 'true', consequence: null }, lchen);
      const sealedHead = lastHead(laptopDir); // the laptop's latest signed head when it seals the work
      const fin = await laptop.call('field.finish', { packageId: work.packageId }, lchen);
      for (let i = 0; i < 60; i++) await laptop.raw('auth.signIn', { username: `later${i}`, password: 'wrong' }); // its head moves on
      const again = await laptop.call('field.finish', { packageId: work.packageId }, lchen);
      expect(again.resultJson).toBe(fin.resultJson); // the same sealed result, head included
      const carriedHead = (JSON.parse(fin.resultJson) as { auditHead: { deskId: string; seq: number; hash: string } }).auditHead;
      expect({ deskId: carriedHead.deskId, seq: carriedHead.seq, hash: carriedHead.hash }).toEqual({ deskId: 'laptop-07', seq: sealedHead.seq, hash: sealedHead.hash });

      const applied = await hall.call('verification.applyFieldResult', { resultJson: fin.resultJson }, chen);
      expect(applied.applied).toBe(true);
      const db = openTestStore(path.join(hall.dataDir, 'desk.sqlite'), { readonly: true });
      const rows = db.prepare('SELECT peer_desk_id, seq, hash, via FROM audit_witnessed_heads').all();
      const detail = JSON.parse(db.prepare(`SELECT detail FROM audit_log WHERE action = 'field.resultApplied'`).pluck().get() as string) as { auditHead: unknown };
      db.close();
      expect(rows).toEqual([{ peer_desk_id: 'laptop-07', seq: sealedHead.seq, hash: sealedHead.hash, via: 'field_result' }]);
      expect(detail.auditHead).toEqual({ deskId: 'laptop-07', seq: sealedHead.seq, witnessed: 'recorded' });
      // The laptop, untouched, verifies against what the hall desk witnessed.
      await laptop.app.stopSync();
      laptop.app.close();
      hall.app.close();
      const r = auditVerify(laptopDir, hall.dataDir);
      expect(r.out).toContain(`与对端工作台见证的 1 个检查点相符（最近一个记到第 ${sealedHead.seq} 条`);
      expect(r.status).toBe(0);
    } finally {
      await laptop.app.stopSync().catch(() => undefined);
      laptop.app.close();
      hall.app.close();
    }
  }, 120_000);
});
