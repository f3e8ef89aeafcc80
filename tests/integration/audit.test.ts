import { openTestStore } from '../helpers/store';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { testDesk } from '../helpers/app';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { writeTx } from '../../electron/store/write';
import { ROOT } from '../helpers/temp';

const APPLICANT = { name: '李明', idType: 'resident_id' as const, idNumber: '420325199003071238', phone: '13972812345' };

function rawDb(file: string) {
  return openTestStore(file);
}

describe('audit log', () => {
  it('attributes every write to the signed-in user, in the same transaction', async () => {
    const desk = await testDesk();
    const s = await desk.signIn('zhangmin');
    const created = await desk.call('applicants.create', APPLICANT, s.token);
    const db = rawDb(desk.app.dbFile);
    const entry = db.prepare(`SELECT * FROM audit_log WHERE action = 'applicant.create'`).get() as Record<string, unknown>;
    expect(entry).toMatchObject({ actor_username: 'zhangmin', entity_type: 'applicant', entity_id: String(created.id) });
    expect(String(entry.detail)).not.toContain(APPLICANT.idNumber); // masked in the log too
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, firstBroken: null });
    db.close();
  });

  it('rolls back a write that records no audit entry', async () => {
    const desk = await testDesk();
    const db = rawDb(desk.app.dbFile);
    const before = (db.prepare('SELECT COUNT(*) AS n FROM applicants').get() as { n: number }).n;
    expect(() =>
      writeTx(db, { userId: 1, username: 'admin' }, () => new Date(), (w) => {
        w.db.prepare(`INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES ('person','x','resident_id','1','1','t',1)`).run();
      }),
    ).toThrow(/without an audit entry/);
    expect((db.prepare('SELECT COUNT(*) AS n FROM applicants').get() as { n: number }).n).toBe(before);
    db.close();
  });

  it('is append-only: updates and deletes are refused by the store itself', async () => {
    const desk = await testDesk();
    const db = rawDb(desk.app.dbFile);
    expect(() => db.prepare(`UPDATE audit_log SET actor_username = 'someone' WHERE seq = 1`).run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 1').run()).toThrow(/append-only/);
    db.close();
  });

  it('names the first broken entry when an entry is altered behind the app’s back', async () => {
    const desk = await testDesk();
    const s = await desk.signIn('zhangmin');
    await desk.call('applicants.create', APPLICANT, s.token);
    const db = rawDb(desk.app.dbFile);
    const target = (db.prepare(`SELECT seq FROM audit_log WHERE action = 'auth.signIn'`).get() as { seq: number }).seq;
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare(`UPDATE audit_log SET actor_username = 'admin' WHERE seq = ?`).run(target);
    const r = verifyAuditChain(db);
    expect(r.ok).toBe(false);
    expect(r.firstBroken?.seq).toBe(target);
    expect(r.checked).toBe(target - 1);
    db.close();

    // The command names it too, and exits 1.
    const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'electron/cli.ts'), 'audit-verify', '--data-dir', desk.dataDir], { encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(`第 ${target} 条记录`);
  });

  it('detects a deleted entry in the middle of the chain', async () => {
    const desk = await testDesk();
    const s = await desk.signIn('zhangmin');
    await desk.call('applicants.create', APPLICANT, s.token);
    const db = rawDb(desk.app.dbFile);
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    expect(verifyAuditChain(db).firstBroken?.seq).toBe(3);
    db.close();
  });

  it('verifies in a worker thread from the app, and the CLI agrees', async () => {
    const desk = await testDesk();
    const admin = await desk.signIn('admin');
    const r = await desk.call('audit.verify', {}, admin.token);
    expect(r).toMatchObject({ ok: true, firstBroken: null });
    expect(r.checked).toBeGreaterThanOrEqual(2);
    const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'electron/cli.ts'), 'audit-verify', '--data-dir', desk.dataDir], { encoding: 'utf8' });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('审计链完整');
  });

  it('reads as a supervisor needs it: people by name, cases by number, filters by person, action, case and day', async () => {
    const desk = await testDesk({ sync: false, now: () => new Date('2026-12-06T02:00:00Z') });
    const clerk = await desk.signIn('zhangmin');
    const admin = (await desk.signIn('admin')).token;
    const applicant = (await desk.call('applicants.list', { query: '王芳', limit: 5 }, clerk.token))[0]!;
    const item = (await desk.call('catalog.listServiceItems', {}, clerk.token))[0]!;
    const c = await desk.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk.token);

    const forCase = await desk.call('audit.list', { caseNo: c.caseNo, limit: 50 }, admin);
    expect(forCase.map((e) => e.action)).toEqual(['case.create']);
    expect(forCase[0]).toMatchObject({ actor: 'zhangmin', actorName: '张敏', entityType: 'case', entityLabel: c.caseNo });
    const zhangmin = (await desk.call('users.list', {}, admin)).find((u) => u.username === 'zhangmin')!.id;
    expect((await desk.call('audit.list', { actorId: zhangmin, limit: 50 }, admin)).map((e) => e.action)).toEqual(['case.create', 'auth.signIn']);
    expect(new Set((await desk.call('audit.list', { action: 'auth', limit: 50 }, admin)).map((e) => e.action))).toEqual(new Set(['auth.signIn']));
    // 2026-12-06 10:00 in China: the day's range finds the entries, the day before none.
    expect((await desk.call('audit.list', { fromDay: '2026-12-06', toDay: '2026-12-06', actorId: zhangmin, limit: 50 }, admin))).toHaveLength(2);
    expect(await desk.call('audit.list', { fromDay: '2026-12-05', toDay: '2026-12-05', limit: 50 }, admin)).toEqual([]);
    expect(await desk.call('audit.list', { caseNo: 'NO-SUCH-CASE', limit: 50 }, admin)).toEqual([]);
  });

  it('audits who saw a full ID number, and why; assistants may not', async () => {
    const desk = await testDesk();
    const clerk = await desk.signIn('zhangmin');
    const a = await desk.call('applicants.create', APPLICANT, clerk.token);
    expect(a.idNumberMasked).toBe('420***********1238');
    const list = await desk.call('applicants.list', { limit: 10 }, clerk.token);
    expect(JSON.stringify(list)).not.toContain(APPLICANT.idNumber);
    expect((await desk.call('applicants.revealId', { id: a.id, reason: '核对身份' }, clerk.token)).idNumber).toBe(APPLICANT.idNumber);
    const assistant = await desk.signIn('chenjing');
    const refused = await desk.raw('applicants.revealId', { id: a.id, reason: '想看看' }, assistant.token);
    expect(refused.ok === false && refused.error.code).toBe('FORBIDDEN');
    const db = rawDb(desk.app.dbFile);
    const seen = db.prepare(`SELECT actor_username, detail FROM audit_log WHERE action = 'applicant.revealId'`).all();
    db.close();
    expect(seen).toEqual([{ actor_username: 'zhangmin', detail: JSON.stringify({ reason: '核对身份' }) }]);
  });
});
