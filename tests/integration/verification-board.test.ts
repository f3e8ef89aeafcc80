import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';

/**
 * The verification board paged, filtered and counted on the main side (issue 12, point 7). One real
 * case with a commitment goes through intake (its task is real); the other tasks are rows written
 * beside it on the same commitment, each with a state and a due date chosen here, so every
 * expected order, page and count below is written by hand.
 */
const SIG = signaturePng().toString('base64');
const NOW = Date.parse('2026-03-10T02:00:00Z');

let platform: RunningPlatform;
let d: TestDesk;
let admin: string;
let chen: string;
let caseNo: string;
/** Task ids by the names used below. */
const id: Record<string, number> = {};

beforeAll(async () => {
  platform = await startDataSharingPlatform();
  d = await testDesk({ dataSharing: platform.url, sync: false, now: () => new Date(NOW), auth: { idleLockMs: 86_400_000, sessionMaxMs: 86_400_000 } });
  admin = (await d.signIn('admin')).token;
  chen = (await d.signIn('chenjing')).token;
  const clerk = (await d.signIn('zhangmin')).token;

  // 王芳, 托育机构备案, commitment for 无犯罪记录证明 (the only commitment of that item): one real task.
  const item = (await d.call('catalog.listServiceItems', {}, clerk)).find((i) => i.name === '托育机构备案')!;
  const applicant = (await d.call('applicants.list', { query: '王芳', limit: 5 }, clerk)).find((a) => a.name === '王芳')!;
  let v = await d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
  const cert = v.certificates.find((c) => c.method === 'commitment')!;
  v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: cert.certificateItemId, choice: 'commit' }, clerk);
  v = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: cert.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, clerk);
  caseNo = v.caseNo;

  const db = openTestStore(path.join(d.dataDir, 'desk.sqlite'));
  try {
    const chenId = db.prepare(`SELECT id FROM users WHERE username = 'chenjing'`).pluck().get() as number;
    const real = db.prepare('SELECT id, commitment_id FROM verification_tasks').all() as { id: number; commitment_id: number }[];
    expect(real).toHaveLength(1);
    id.t0 = real[0]!.id;
    db.prepare(`UPDATE verification_tasks SET status = 'open', sampled = 1, due_at = '2026-03-20T15:59:59.999Z' WHERE id = ?`).run(id.t0);
    const add = db.prepare(
      `INSERT INTO verification_tasks (commitment_id, method, sampled, due_at, status, created_at, assigned_to, checked_out_by, escalated_at, outcome)
       VALUES (@c, '网络核验', @sampled, @due, @status, '2026-01-01T00:00:00.000Z', @assigned, @out, @escalated, @outcome)`,
    );
    const row = (name: string, r: { status: string; due: string | null; assigned?: number; out?: number; escalated?: string; outcome?: string; sampled?: number }) => {
      id[name] = Number(
        add.run({ c: real[0]!.commitment_id, sampled: r.sampled ?? 1, due: r.due, status: r.status, assigned: r.assigned ?? null, out: r.out ?? null, escalated: r.escalated ?? null, outcome: r.outcome ?? null })
          .lastInsertRowid,
      );
    };
    row('a', { status: 'open', due: '2026-03-01T15:59:59.999Z' }); // unassigned, overdue
    row('b', { status: 'open', due: '2026-03-05T15:59:59.999Z', assigned: chenId }); // assigned to 陈静, overdue
    row('c', { status: 'open', due: '2026-03-25T15:59:59.999Z', assigned: chenId, out: chenId }); // in the field with 陈静
    row('d', { status: 'open', due: '2026-02-20T15:59:59.999Z', escalated: '2026-03-01T00:00:00.000Z', outcome: 'unable' }); // escalated, overdue
    row('e', { status: 'passed', due: '2026-01-10T15:59:59.999Z', outcome: 'true' });
    row('f', { status: 'failed', due: '2026-01-05T15:59:59.999Z', outcome: 'false' });
    row('g', { status: 'exempt', due: null, sampled: 0 });
    row('h', { status: 'cancelled', due: '2026-03-30T15:59:59.999Z' });
    for (let i = 1; i <= 20; i++) row(`p${i}`, { status: 'passed', due: `2026-02-${String(i).padStart(2, '0')}T15:59:59.999Z`, outcome: 'true' });
  } finally {
    db.close();
  }
});
afterAll(async () => {
  d?.app.close();
  await platform?.close();
});

const board = (input: Record<string, unknown>, session = admin) => d.call('verification.board', input as never, session);
const names = (tasks: { id: number }[]) => tasks.map((t) => Object.keys(id).find((k) => id[k] === t.id) ?? `?${t.id}`);
const ZERO = { unassigned: 0, assigned: 0, in_field: 0, escalated: 0, passed: 0, failed: 0, exempt: 0, cancelled: 0, rectificationOverdue: 0 };

describe('verification board, paged and filtered in SQL', () => {
  it('orders open tasks by due date (the overdue ones first), then 承诺不实, then 核查属实; counts every state', async () => {
    const b = await board({ pageSize: 6 });
    expect(names(b.tasks)).toEqual(['d', 'a', 'b', 't0', 'c', 'f']);
    expect(b).toMatchObject({ total: 27, page: 1, pageSize: 6, overdue: 3 });
    expect(b.counts).toEqual({ unassigned: 2, assigned: 1, in_field: 1, escalated: 1, passed: 21, failed: 1, exempt: 1, cancelled: 1, rectificationOverdue: 0 });
    expect(b.tasks.map((t) => [t.state, t.overdue])).toEqual([
      ['escalated', true],
      ['unassigned', true],
      ['assigned', true],
      ['unassigned', false],
      ['in_field', false],
      ['failed', false],
    ]);
    expect(b.tasks[2]!.assignedTo?.name).toBe('陈静');
    expect(b.tasks[3]!.caseNo).toBe(caseNo);
  });

  it('pages through the segments: the second page starts in 核查属实, the last one is short, a page past the end is the last', async () => {
    expect(names((await board({ pageSize: 4, page: 2 })).tasks)).toEqual(['c', 'f', 'e', 'p1']);
    const last = await board({ pageSize: 4, page: 7 });
    expect(names(last.tasks)).toEqual(['p18', 'p19', 'p20']);
    const past = await board({ pageSize: 4, page: 99 });
    expect(past.page).toBe(7);
    expect(names(past.tasks)).toEqual(['p18', 'p19', 'p20']);
    // Every default task exactly once over all pages.
    const all: string[] = [];
    for (let p = 1; p <= 7; p++) all.push(...names((await board({ pageSize: 4, page: p })).tasks));
    expect(new Set(all).size).toBe(27);
    expect(all).not.toContain('g');
    expect(all).not.toContain('h');
  });

  it('filters by state, including 免于核查 and 已取消 that the default leaves out', async () => {
    expect(names((await board({ states: ['assigned', 'in_field'] })).tasks)).toEqual(['b', 'c']);
    expect(names((await board({ states: ['unassigned'] })).tasks)).toEqual(['a', 't0']);
    const closed = await board({ states: ['cancelled', 'exempt'] });
    expect(names(closed.tasks)).toEqual(['g', 'h']);
    expect(closed.total).toBe(2);
    const passed = await board({ states: ['passed'], pageSize: 3, page: 2 });
    expect(names(passed.tasks)).toEqual(['p3', 'p4', 'p5']);
    expect(passed.total).toBe(21);
  });

  it('only overdue: the tasks past their due date, and the counts of what that shows', async () => {
    const b = await board({ overdueOnly: true });
    expect(names(b.tasks)).toEqual(['d', 'a', 'b']);
    expect(b.total).toBe(3);
    expect(b.counts).toEqual({ ...ZERO, unassigned: 1, assigned: 1, escalated: 1 });
  });

  it('mine: the tasks assigned to or taken by the caller', async () => {
    const b = await board({ mine: true }, chen);
    expect(names(b.tasks)).toEqual(['b', 'c']);
    expect(b.counts).toEqual({ ...ZERO, assigned: 1, in_field: 1 });
    expect((await board({ mine: true })).total).toBe(0); // nothing is assigned to admin
  });

  it('searches as the case list does: by case number or by applicant', async () => {
    expect((await board({ query: caseNo.slice(0, 12) })).total).toBe(27);
    expect((await board({ query: caseNo })).total).toBe(27);
    expect((await board({ query: '王芳', states: ['failed'] })).tasks.map((t) => t.applicantName)).toEqual(['王芳']);
    const none = await board({ query: '张三丰' });
    expect(none).toMatchObject({ total: 0, page: 1, tasks: [], overdue: 0 });
    expect(none.counts).toEqual(ZERO);
    expect((await board({ query: '420325-ZWFW-19990101' })).total).toBe(0);
  });

  it('refuses a page size over 200 and a page below 1 with a Chinese message', async () => {
    for (const input of [{ pageSize: 201 }, { page: 0 }, { states: ['nope'] }]) {
      const r = await d.raw('verification.board', input, admin);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('BAD_INPUT');
        expect(r.error.message).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });
});
