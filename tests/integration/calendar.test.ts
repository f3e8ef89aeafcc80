import fs from 'node:fs';
import path from 'node:path';
import { openTestStore, unlockTestDataDir } from '../helpers/store';
import { describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { openStore } from '../../electron/store/open-store';
import { storePaths } from '../../electron/app/paths';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { applicantIdOf } from '../helpers/sync-desks';
import { signaturePng } from '../helpers/png';
import { documentJpeg } from '../helpers/jpeg';
import type { CaseView } from '../../shared/ipc/methods/intake';

const JPEG = documentJpeg(320, 240, { seed: 7 }).toString('base64');

/** Resolves every pending certificate the quickest way: queries queue, requests go out, the rest are presented. */
async function resolveAll(d: TestDesk, token: string, caseId: number): Promise<void> {
  const v = await d.call('intake.get', { caseId }, token);
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const certificateItemId = c.certificateItemId;
    if (c.method === 'data_sharing') await d.call('intake.queryDataSharing', { caseId, certificateItemId }, token);
    else if (c.method === 'dept_verification') await d.call('intake.requestAssistance', { caseId, certificateItemId }, token);
    else {
      if (c.method === 'commitment') await d.call('intake.recordChoice', { caseId, certificateItemId, choice: 'present' }, token);
      await d.call('intake.addMaterial', { caseId, certificateItemId, title: c.name, pages: [{ mime: 'image/jpeg', base64: JPEG }] }, token);
    }
  }
}

const DAY = 86_400_000;
const MIGRATIONS = path.resolve(__dirname, '../../migrations');

/** A desk whose clock the test moves (sessions must not idle-lock meanwhile). */
async function desk(at: string, opts: { demo?: boolean; dataDir?: string } = {}) {
  const clock = { t: Date.parse(at) };
  const d = await testDesk({ sync: false, now: () => new Date(clock.t), auth: { idleLockMs: 1000 * DAY, sessionMaxMs: 1000 * DAY }, ...opts });
  return { d, clock };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: CallFailed) => e.error,
  );

function auditRows(d: TestDesk, where: string): { action: string; actor_username: string; detail: string }[] {
  const db = openTestStore(d.app.dbFile, { readonly: true });
  try {
    return db.prepare(`SELECT action, actor_username, detail FROM audit_log WHERE ${where} ORDER BY seq`).all() as { action: string; actor_username: string; detail: string }[];
  } finally {
    db.close();
  }
}

function auditCount(d: TestDesk): number {
  const db = openTestStore(d.app.dbFile, { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;
  } finally {
    db.close();
  }
}

const endOf = (date: string) => new Date(`${date}T23:59:59+08:00`).toISOString();

/** One working day after 2026-09-30 is 10-08; 10-10 (Saturday) is a make-up day. Written out by hand. */
const DUE_AFTER_2026_09_30: Record<number, string> = {
  0: '2026-09-30',
  1: '2026-10-08',
  2: '2026-10-09',
  3: '2026-10-10',
  5: '2026-10-13',
  7: '2026-10-15',
  10: '2026-10-20',
  15: '2026-10-27',
  20: '2026-11-03',
};

describe('hall calendar: the published schedules in every store', () => {
  it('a new demo store holds 2025 and 2026, loaded by the system with the notice numbers, audited', async () => {
    const { d } = await desk('2026-12-06T09:00:00+08:00');
    const admin = (await d.signIn('admin')).token;
    const status = await d.call('calendar.status', {}, admin);
    expect(status.today).toBe('2026-12-06');
    expect(status.years).toEqual([
      { year: 2025, source: expect.stringContaining('国办发明电〔2024〕12号') as string, holidays: 28, workdays: 5 },
      { year: 2026, source: expect.stringContaining('国办发明电〔2025〕7号') as string, holidays: 33, workdays: 6 },
    ]);
    // In December the next year's schedule is needed (due dates reach into it) and missing.
    expect(status.missing).toEqual([2027]);
    const y = await d.call('calendar.year', { year: 2025 }, admin);
    expect(y.days.find((x) => x.date === '2025-10-08')).toMatchObject({ kind: 'holiday', name: '国庆节、中秋节' });
    expect(y.days.find((x) => x.date === '2025-09-28')).toMatchObject({ kind: 'workday' });
    const seeded = auditRows(d, `action = 'calendar.seed'`);
    expect(seeded.map((r) => [r.actor_username, (JSON.parse(r.detail) as { year: number }).year])).toEqual([
      ['system', 2025],
      ['system', 2026],
    ]);
    d.app.close();
    // A restart does not load them again.
    const again = await desk('2026-12-07T09:00:00+08:00', { dataDir: d.dataDir });
    expect(auditRows(again.d, `action = 'calendar.seed'`)).toHaveLength(2);
    again.d.app.close();
  });

  it('a production store (--no-demo) and a store upgraded from before migration 0009 get them too', async () => {
    const prod = await desk('2026-06-01T09:00:00+08:00', { demo: false });
    const db = openTestStore(prod.d.app.dbFile, { readonly: true });
    expect(db.prepare('SELECT year FROM calendar_years ORDER BY year').pluck().all()).toEqual([2025, 2026]);
    expect(db.prepare('SELECT COUNT(*) FROM users').pluck().get()).toBe(0);
    db.close();
    prod.d.app.close();

    // The store as the previous version left it: migrations up to 0008 only.
    const oldMigrations = tempDir();
    for (const f of fs.readdirSync(MIGRATIONS).filter((f) => /^000[1-8]_.*\.sql$/.test(f))) fs.copyFileSync(path.join(MIGRATIONS, f), path.join(oldMigrations, f));
    const dataDir = tempDir();
    const paths = storePaths(dataDir);
    fs.mkdirSync(paths.backupDir, { recursive: true });
    unlockTestDataDir(dataDir);
    const old = openStore({ file: paths.dbFile, migrationsDir: oldMigrations, backupDir: paths.backupDir });
    if (!old.ok) throw new Error(old.message);
    expect(old.db.prepare(`SELECT name FROM sqlite_master WHERE name = 'calendar_years'`).get()).toBeUndefined();
    old.db.close();
    const upgraded = await desk('2026-06-01T09:00:00+08:00', { dataDir, demo: false });
    const db2 = openTestStore(upgraded.d.app.dbFile, { readonly: true });
    expect(db2.prepare('SELECT year FROM calendar_years ORDER BY year').pluck().all()).toEqual([2025, 2026]);
    expect(db2.prepare(`SELECT COUNT(*) FROM calendar_days WHERE year = 2026`).pluck().get()).toBe(39);
    expect(verifyAuditChain(db2).ok).toBe(true);
    db2.close();
    upgraded.d.app.close();
  });
});

describe('hall calendar: cases accepted before it', () => {
  it('get their due date at the next start, audited by the system', async () => {
    const { d } = await desk('2026-09-30T10:00:00+08:00');
    const clerk = (await d.signIn('zhangmin')).token;
    const items = await d.call('catalog.listServiceItems', {}, clerk);
    const five = items.find((i) => i.timeLimitDays === 5)!;
    const v = await d.call('intake.start', { applicantId: await applicantIdOf(d, clerk), serviceItemIds: [five.id] }, clerk);
    await resolveAll(d, clerk, v.id);
    await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, clerk);
    d.app.close();
    // As a store from before migration 0010 left it: accepted, no due date.
    const db = openTestStore(d.app.dbFile);
    db.prepare('UPDATE cases SET due_at = NULL WHERE id = ?').run(v.id);
    db.close();
    const again = await desk('2026-10-20T10:00:00+08:00', { dataDir: d.dataDir });
    const token = (await again.d.signIn('zhangmin')).token;
    const row = (await again.d.call('intake.list', { limit: 5 }, token)).find((r) => r.id === v.id);
    expect(row).toMatchObject({ dueAt: endOf('2026-10-13'), late: true });
    const audit = auditRows(again.d, `action = 'calendar.caseDueBackfill'`);
    expect(audit.map((r) => [r.actor_username, JSON.parse(r.detail)])).toEqual([['system', { cases: [v.id] }]]);
    again.d.app.close();
  });
});

describe('hall calendar: import and correction by the supervisor', () => {
  it('imports a good year, audited; a clerk may not', async () => {
    const { d } = await desk('2026-12-06T09:00:00+08:00');
    const admin = (await d.signIn('admin')).token;
    const clerk = (await d.signIn('zhangmin')).token;
    const text = '# 2027年（测试）\n2027-01-01,休,元旦\n2027-02-06~2027-02-13,休,春节\n2027-02-20,班,春节\n';
    expect((await refusal(d.call('calendar.import', { year: 2027, source: '测试通知', text }, clerk)))?.code).toBe('FORBIDDEN');
    const y = await d.call('calendar.import', { year: 2027, source: '国办发明电〔2026〕X号（测试）', text }, admin);
    expect(y.loaded?.source).toBe('国办发明电〔2026〕X号（测试）');
    expect(y.loaded?.loadedBy).toBe('王建华');
    expect(y.days.map((x) => `${x.date}${x.kind === 'holiday' ? '休' : '班'}`)).toEqual([
      '2027-01-01休',
      '2027-02-06休',
      '2027-02-07休',
      '2027-02-08休',
      '2027-02-09休',
      '2027-02-10休',
      '2027-02-11休',
      '2027-02-12休',
      '2027-02-13休',
      '2027-02-20班',
    ]);
    expect((await d.call('calendar.status', {}, clerk)).missing).toEqual([]);
    const audit = auditRows(d, `action = 'calendar.import'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_username).toBe('admin');
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ year: 2027, before: { holidays: 0, workdays: 0 }, after: { holidays: 9, workdays: 1 } });
    d.app.close();
  });

  it('refuses a bad file naming its lines, and writes nothing: the year keeps its list, no audit entry', async () => {
    const { d } = await desk('2026-12-06T09:00:00+08:00');
    const admin = (await d.signIn('admin')).token;
    const before = await d.call('calendar.year', { year: 2026 }, admin);
    const entries = auditCount(d);
    // Line 3 is a Thursday marked 班; line 4 is not a date; every other line is right.
    const text = '2026-01-01~2026-01-03,休,元旦\n2026-01-04,班,元旦\n2026-10-08,班,国庆节\n2026-13-01,休\n';
    const e = await refusal(d.call('calendar.import', { year: 2026, source: '更正', text }, admin));
    expect(e?.code).toBe('BAD_INPUT');
    expect(e?.message).toBe(
      '2026年节假日安排未导入，请改正后重新导入：第3行：2026-10-08 是周四，本来就是工作日，不能标为“班”（调休上班日是周六或周日）；第4行：“2026-13-01”不是有效日期（格式 YYYY-MM-DD，如 2026-10-01）。',
    );
    expect(await d.call('calendar.year', { year: 2026 }, admin)).toEqual(before);
    expect(auditCount(d)).toBe(entries);
    // An empty file and a missing source are refused too.
    expect((await refusal(d.call('calendar.import', { year: 2026, source: '更正', text: '\n# 空\n' }, admin)))?.message).toContain('文件中没有 2026 年的任何日期');
    expect((await refusal(d.call('calendar.import', { year: 2026, source: ' ', text }, admin)))?.code).toBe('BAD_INPUT');
    expect(auditCount(d)).toBe(entries);
    d.app.close();
  });

  it('corrects one day, audited with its reason; refuses a weekday as 班 and a year not loaded', async () => {
    const { d } = await desk('2026-09-01T09:00:00+08:00');
    const admin = (await d.signIn('admin')).token;
    const y = await d.call('calendar.setDay', { date: '2026-10-09', kind: 'holiday', name: '县级临时调整', reason: '县政府通知（测试）' }, admin);
    expect(y.days.find((x) => x.date === '2026-10-09')).toMatchObject({ kind: 'holiday', name: '县级临时调整', note: '县政府通知（测试）', updatedBy: '王建华' });
    const audit = auditRows(d, `action = 'calendar.setDay'`);
    expect(audit.map((r) => [r.actor_username, JSON.parse(r.detail)])).toEqual([
      ['admin', { date: '2026-10-09', from: 'normal', to: { kind: 'holiday', name: '县级临时调整' }, reason: '县政府通知（测试）' }],
    ]);
    // Back to the ordinary week.
    const back = await d.call('calendar.setDay', { date: '2026-10-09', kind: 'normal', reason: '撤销临时调整' }, admin);
    expect(back.days.find((x) => x.date === '2026-10-09')).toBeUndefined();
    expect((await refusal(d.call('calendar.setDay', { date: '2026-10-09', kind: 'workday', reason: '误操作' }, admin)))?.message).toBe(
      '2026-10-09 是周五，本来就是工作日，不能标为“班”（调休上班日是周六或周日）。',
    );
    expect((await refusal(d.call('calendar.setDay', { date: '2028-01-03', kind: 'holiday', reason: '测试' }, admin)))?.message).toBe(
      '2028年的节假日安排尚未导入，请先导入全年安排，再更正单日。',
    );
    expect((await refusal(d.call('calendar.setDay', { date: '2026-02-30', kind: 'holiday', reason: '测试' }, admin)))?.code).toBe('BAD_INPUT');
    expect(auditRows(d, `action = 'calendar.setDay'`)).toHaveLength(2);
    d.app.close();
  });
});

describe('hall calendar: due dates count on it', () => {
  it('a 协查 asked on 2026-09-30 is due after the National Day holiday, and after a corrected day', async () => {
    const { d, clock } = await desk('2026-09-30T10:00:00+08:00');
    const clerk = (await d.signIn('zhangmin')).token;
    const admin = (await d.signIn('admin')).token;
    const items = await d.call('catalog.listServiceItems', {}, clerk);
    const item = items.find((i) => i.certificates.some((c) => c.method === 'data_sharing'))!;
    const start = async () => {
      const v = await d.call('intake.start', { applicantId: await applicantIdOf(d, clerk), serviceItemIds: [item.id] }, clerk);
      const c = v.certificates.find((x) => x.method === 'data_sharing')!;
      // 部门核验 instead of data sharing: 5 working days (weekends only would give 10-07, inside the holiday).
      const after = await d.call('intake.switchToVerification', { caseId: v.id, certificateItemId: c.certificateItemId }, clerk);
      return after.certificates.find((x) => x.certificateItemId === c.certificateItemId)!.request!.dueAt;
    };
    expect(await start()).toBe(endOf('2026-10-13'));
    await d.call('calendar.setDay', { date: '2026-10-12', kind: 'holiday', name: '县级调整', reason: '测试' }, admin);
    expect(await start()).toBe(endOf('2026-10-14'));
    // The list of requests shows it open and not yet overdue; a day after, overdue.
    clock.t = Date.parse('2026-10-13T20:00:00+08:00');
    expect((await d.call('assistance.list', { openOnly: true }, admin)).map((r) => r.overdue)).toEqual([false, false]);
    clock.t = Date.parse('2026-10-14T08:00:00+08:00');
    expect((await d.call('assistance.list', { openOnly: true }, admin)).map((r) => [r.overdue, r.dueAt])).toEqual([
      [true, endOf('2026-10-13')],
      [false, endOf('2026-10-14')],
    ]);
    clock.t = Date.parse('2026-10-15T08:00:00+08:00');
    expect((await d.call('assistance.list', { openOnly: true }, admin)).map((r) => r.overdue)).toEqual([true, true]);
    d.app.close();
  });

  it('a commitment signed on 2026-09-30 may be withdrawn until 10-10 and is verified by its plan’s working days after the holiday', async () => {
    const { d } = await desk('2026-09-30T10:00:00+08:00');
    const clerk = (await d.signIn('zhangmin')).token;
    const items = await d.call('catalog.listServiceItems', {}, clerk);
    const applicantId = await applicantIdOf(d, clerk, '王芳');
    // A certificate whose plan samples every commitment (ratio 1), so the task is always due.
    let found: { v: CaseView; ref: { caseId: number; certificateItemId: number }; days: number } | undefined;
    for (const item of items.filter((i) => i.certificates.some((x) => x.method === 'commitment'))) {
      const v = await d.call('intake.start', { applicantId, serviceItemIds: [item.id] }, clerk);
      for (const x of v.certificates.filter((x) => x.method === 'commitment')) {
        const ref = { caseId: v.id, certificateItemId: x.certificateItemId };
        const plan = (await d.call('intake.commitmentNotice', ref, clerk)).verification;
        if (plan.samplingRatio === 1 && plan.timeLimitDays! in DUE_AFTER_2026_09_30 && plan.method !== '免于核查') found ??= { v, ref, days: plan.timeLimitDays! };
      }
      if (found) break;
    }
    const { ref, days } = found!;
    let v = found!.v;
    const c = { certificateItemId: ref.certificateItemId };
    await d.call('intake.recordChoice', { ...ref, choice: 'commit' }, clerk);
    v = await d.call('intake.signCommitment', { ...ref, signatureKind: 'screen', signaturePngBase64: signaturePng().toString('base64') }, clerk);
    const cm = v.certificates.find((x) => x.certificateItemId === c.certificateItemId)!.commitment!;
    // 3 working days: 10-08, 10-09 and the make-up Saturday 10-10 (weekends only would give 10-05, a holiday).
    expect(cm.withdrawDeadline).toBe(endOf('2026-10-10'));
    expect(cm.verification).toMatchObject({ sampled: true, dueAt: endOf(DUE_AFTER_2026_09_30[days]!) });
    d.app.close();
  });

  it('an accepted case is due by the latest of its items’ time limits and is flagged late in the case list', async () => {
    const { d, clock } = await desk('2026-09-30T10:00:00+08:00');
    const clerk = (await d.signIn('zhangmin')).token;
    const items = await d.call('catalog.listServiceItems', {}, clerk);
    const known = items.filter((i) => i.timeLimitDays > 0 && i.timeLimitDays in DUE_AFTER_2026_09_30).sort((a, b) => b.timeLimitDays - a.timeLimitDays);
    const slow = known[0]!;
    const fast = known[known.length - 1]!;
    expect(slow.timeLimitDays).toBeGreaterThan(fast.timeLimitDays);
    const applicantId = await applicantIdOf(d, clerk, '王芳');
    // Two items on one case: the later limit is the case's.
    const accept = async (serviceItemIds: number[]) => {
      const v = await d.call('intake.start', { applicantId, serviceItemIds }, clerk);
      await resolveAll(d, clerk, v.id);
      return d.call('intake.transition', { caseId: v.id, to: 'accepted' }, clerk);
    };
    const v = await accept([fast.id, slow.id]);
    const single = await accept([fast.id]);
    const draft = await d.call('intake.start', { applicantId, serviceItemIds: [fast.id] }, clerk);

    const row = async (id: number, lateOnly = false) => (await d.call('intake.list', { lateOnly, limit: 50 }, clerk)).find((r) => r.id === id);
    const slowDue = endOf(DUE_AFTER_2026_09_30[slow.timeLimitDays]!);
    const fastDue = endOf(DUE_AFTER_2026_09_30[fast.timeLimitDays]!);
    expect(await row(v.id)).toMatchObject({ dueAt: slowDue, late: false, workingDaysLeft: slow.timeLimitDays });
    expect(await row(single.id)).toMatchObject({ dueAt: fastDue, late: false, workingDaysLeft: fast.timeLimitDays });
    expect(await row(draft.id)).toMatchObject({ dueAt: null, late: false, workingDaysLeft: null });
    const accepted = auditRows(d, `action = 'case.transition' AND json_extract(detail, '$.to') = 'accepted'`);
    expect(JSON.parse(accepted[0]!.detail)).toMatchObject({ dueAt: slowDue });

    // The morning after the fast item's due date: the single case is late, the bundle is not.
    clock.t = Date.parse(`${DUE_AFTER_2026_09_30[fast.timeLimitDays]!}T23:59:59+08:00`) + 60_000;
    expect(await row(single.id)).toMatchObject({ late: true, workingDaysLeft: null });
    expect((await row(v.id))?.late).toBe(false);
    expect(await row(single.id, true)).toBeDefined();
    expect(await row(v.id, true)).toBeUndefined();
    expect(await row(draft.id, true)).toBeUndefined();
    d.app.close();
  });
});
