import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVerticalSim, type SimHandle } from '../../sim/vertical-system';
import { backupName, writeBackupSync } from '../../electron/store/backups';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { verifyAudit } from '../../electron/services/audit/verify-audit';
import { testDesk, type TestDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { acceptCase, applicantIdOf, FAST_SENDER, httpTarget, plainItem, simTarget, waitFor, writeConfig } from '../helpers/sync-desks';

// A restore through the recovery methods, in process, against the vertical-system simulator: one
// target that de-duplicates on Idempotency-Key, one that does not (it answers look-ups).

let sim: SimHandle;
beforeAll(async () => {
  sim = await startVerticalSim({ dataDir: tempDir('desk-vsim-'), targets: [simTarget('dedup', true), simTarget('plain', false)] });
});
afterAll(async () => sim.close());

async function delivered(target: string, n: number) {
  return waitFor(`${n} cases at ${target}`, async () => ((await sim.cases(target)).length >= n ? sim.cases(target) : null));
}

const TAG = /^420325-ZWFW-\d{8}-([0-9A-HJKMNP-TV-Z]{4})-(\d{4})$/;

describe('restore a backup through the recovery methods', () => {
  let d: TestDesk;
  const stop = async () => {
    await d.app.stopSync();
    d.app.close();
  };

  it('refuses bad credentials, restores as a supervisor of the backup, and new cases never reuse an identity delivered after the backup', async () => {
    const dataDir = tempDir('desk-restore-');
    writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [httpTarget('dedup', sim.targets.dedup!, 'key'), httpTarget('plain', sim.targets.plain!, 'none')] });
    d = await testDesk({ dataDir, backups: false });
    let token = (await d.signIn('zhangmin')).token;
    const applicant = await applicantIdOf(d, token);
    const item = (await plainItem(d, token)).id;
    const before = [await acceptCase(d, token, applicant, item), await acceptCase(d, token, applicant, item)];
    await delivered('dedup', 2);
    await delivered('plain', 2);
    // A third case waits in the outbox when the backup is taken (both targets refuse connections).
    await sim.setFaults('dedup', { refuse: true });
    await sim.setFaults('plain', { refuse: true });
    const unsent = await acceptCase(d, token, applicant, item);
    await stop();

    const dbFile = path.join(dataDir, 'desk.sqlite');
    const backup = writeBackupSync(dbFile, path.join(dataDir, 'backups'), backupName('daily', new Date()));

    // After the backup the replaced store delivers the waiting case, then two more.
    await sim.setFaults('dedup', {});
    await sim.setFaults('plain', {});
    d = await testDesk({ dataDir, backups: false });
    token = (await d.signIn('zhangmin')).token;
    const after = [await acceptCase(d, token, applicant, item), await acceptCase(d, token, applicant, item)];
    await delivered('dedup', 5);
    await delivered('plain', 5);
    await stop();

    // The store is emptied (a failed disk, a bad copy): recovery mode.
    fs.writeFileSync(dbFile, '');
    d = await testDesk({ dataDir, backups: false });
    expect(d.app.state).toBe('recovery');
    expect(d.app.problem?.kind).toBe('empty');
    const list = await d.call('system.backups', {});
    expect(list.map((b) => [b.name, b.cases, b.problem])).toEqual([[backup.name, 3, null]]);

    const wrong = await d.raw('system.restoreBackup', { backup: backup.name, username: 'admin', password: 'wrong-password' });
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('INVALID_CREDENTIALS');
    const clerk = await d.raw('system.restoreBackup', { backup: backup.name, username: 'zhangmin', password: 'Desk@2026' });
    expect(clerk.ok ? 'ok' : clerk.error.message).toContain('不是启用的管理员');
    expect(d.app.state).toBe('recovery');

    const r = await d.call('system.restoreBackup', { backup: backup.name, username: 'admin', password: 'Desk@2026' });
    expect(d.app.state).toBe('ready');
    // The waiting case's two entries (one per target) may have been delivered since the backup: checked first.
    expect(r.toResolve).toBe(2);
    // The emptied store was moved aside, not deleted.
    expect(fs.statSync(path.join(r.movedAsideTo, 'desk.sqlite')).size).toBe(0);
    expect(path.dirname(r.movedAsideTo)).toBe(path.join(dataDir, 'replaced'));

    token = (await d.signIn('zhangmin')).token;
    const oldTag = TAG.exec(after[0]!.caseNo)![1]!;
    expect(r.epochTag).not.toBe(oldTag);
    const again = [await acceptCase(d, token, applicant, item), await acceptCase(d, token, applicant, item)];
    for (const [i, c] of again.entries()) {
      const m = TAG.exec(c.caseNo)!;
      expect(m[1]).toBe(r.epochTag);
      // The day's sequence went back with the backup: the same sequence numbers as the lost cases, a different tag.
      expect(m[2]).toBe(TAG.exec(after[i]!.caseNo)![2]);
    }
    for (const t of ['dedup', 'plain']) {
      const cases = await delivered(t, 7);
      expect(cases.map((c) => c.externalRef).sort()).toEqual([...before, unsent, ...after, ...again].map((c) => c.caseNo).sort());
      expect(new Set(cases.map((c) => c.idempotencyKey)).size).toBe(7);
      // The waiting case was not stored twice: resolved by the look-up (plain) or as a same-key duplicate (dedup).
      expect(cases.find((c) => c.externalRef === unsent.caseNo)!.versions).toHaveLength(1);
    }

    // The cases accepted after the backup are found at the targets' look-ups and shown on the sync screen.
    const notice = await waitFor('the look-up after the restore', async () => {
      const n = await d.call('sync.restoreNotice', {}, token);
      return n?.lookedUpAt ? n : null;
    });
    expect(notice.backup).toBe(backup.name);
    expect(notice.restoredBy).toBe('王建华');
    expect(notice.previousEpochTag).toBe(oldTag);
    const resolved = await waitFor('the waiting case resolved with both targets', async () => {
      const n = await d.call('sync.restoreNotice', {}, token);
      return n && n.entries.every((e) => e.state === 'acknowledged') ? n.entries : null;
    });
    expect(resolved.map((e) => [e.caseNo, e.targetName, e.targetCaseNo !== null])).toEqual([
      [unsent.caseNo, '模拟dedup', true],
      [unsent.caseNo, '模拟plain', true],
    ]);
    expect(notice.foundAtTargets.map((f) => `${f.targetName} ${f.caseNo}`)).toEqual([
      `模拟dedup ${after[0]!.caseNo}`,
      `模拟plain ${after[0]!.caseNo}`,
      `模拟dedup ${after[1]!.caseNo}`,
      `模拟plain ${after[1]!.caseNo}`,
    ]);
    await stop();

    // The restore is in the restored store's audit chain, which holds.
    const db = openTestStore(dbFile, { readonly: true });
    const audit = db.prepare(`SELECT actor_username AS who, detail FROM audit_log WHERE action = 'store.restore'`).all() as { who: string; detail: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]!.who).toBe('admin');
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ backup: backup.name, moved: ['desk.sqlite'], movedAsideTo: r.movedAsideTo });
    expect(verifyAuditChain(db).ok).toBe(true);
    // And with the signed checkpoints: the replaced store's heads (entries the backup never had) are set aside
    // by the signed restore line, the restored store's own heads match.
    const whole = verifyAudit(db, dataDir);
    expect(whole.firstBroken).toBeNull();
    expect(whole.checkpoints.compared).toBeGreaterThan(0);
    db.close();
  });

  it('refuses, moving nothing, a backup this program could not open; a healthy store is not rolled back in the app', async () => {
    const dataDir = tempDir('desk-restore-');
    d = await testDesk({ dataDir, backups: false, sync: false });
    const ready = await d.raw('system.restoreBackup', { backup: 'x.sqlite', username: 'admin', password: 'Desk@2026' });
    expect(ready.ok ? 'ok' : ready.error.message).toContain('数据库正常时不能在程序内从备份恢复');
    await stop();
    const dbFile = path.join(dataDir, 'desk.sqlite');
    const b = writeBackupSync(dbFile, path.join(dataDir, 'backups'), backupName('daily', new Date()));
    // The backup as a newer version would have written it: a migration this build does not know.
    const w = openTestStore(b.file);
    w.prepare(`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'x', '2027-01-01T00:00:00Z')`).run();
    w.close();
    fs.writeFileSync(dbFile, '');
    d = await testDesk({ dataDir, backups: false, sync: false });
    expect(d.app.problem?.kind).toBe('empty');
    const r = await d.raw('system.restoreBackup', { backup: b.name, username: 'admin', password: 'Desk@2026' });
    expect(r.ok ? 'ok' : r.error.message).toBe('该备份同样无法由本程序打开：本地数据库由更高版本的工作台写入，当前版本不能打开它，请安装最新版本。 恢复未执行。');
    expect(d.app.state).toBe('recovery');
    expect(fs.statSync(dbFile).size).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'replaced'))).toBe(false);
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    await stop();
  });
});
