import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';

// The home page's day of work by role (issue 16; electron/services/home/home-work.ts). One desk
// without a data-sharing platform (so a query waits, queued): 张敏 starts a case of the newborn
// bundle's first item, its data-sharing certificate queued and its 协查 sent. Expected figures by hand.
let d: TestDesk;
let zhang: string;
let liu: string;
let admin: string;
let chen: string;

beforeAll(async () => {
  delete process.env.DESK_DATA_SHARING_URL;
  d = await testDesk({ sync: false });
  zhang = (await d.signIn('zhangmin')).token;
  liu = (await d.signIn('liuyang')).token;
  admin = (await d.signIn('admin')).token;
  chen = (await d.signIn('chenjing')).token;
  const bundle = (await d.call('catalog.bundles', {}, zhang)).find((b) => b.name.includes('出生'))!;
  const applicant = (await d.call('applicants.list', { query: '王芳', limit: 5 }, zhang)).find((a) => a.name === '王芳')!;
  const v = await d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [bundle.items[0]!.id] }, zhang);
  const query = v.certificates.find((c) => c.method === 'data_sharing')!;
  await d.call('intake.queryDataSharing', { caseId: v.id, certificateItemId: query.certificateItemId }, zhang);
  const assist = v.certificates.find((c) => c.method === 'dept_verification');
  if (assist) await d.call('intake.requestAssistance', { caseId: v.id, certificateItemId: assist.certificateItemId }, zhang);
});

afterAll(() => d.app.close());

describe('home.work', () => {
  it("a clerk sees their case today, the query waiting and the 协查 sent; a colleague's home is empty", async () => {
    const w = await d.call('home.work', {}, zhang);
    expect(w.myCasesToday).toMatchObject({ total: 1, drafts: 1, accepted: 0 });
    expect(w.myCasesToday.lines).toHaveLength(1);
    expect(w.myCasesToday.lines[0]).toMatchObject({ applicantName: '王芳', status: 'draft', statusLabel: '草稿', subject: '出生登记（生育登记服务）' });
    expect(w.waitingQueries).toBe(1);
    expect(w.tasks.mine).toEqual([]);
    const other = await d.call('home.work', {}, liu);
    expect(other.myCasesToday).toEqual({ total: 0, drafts: 0, accepted: 0, lines: [] });
    expect(other.waitingQueries).toBe(0);
    expect(other.assistance).toEqual({ open: 0, overdue: 0, repliedToday: 0 });
  });

  it("a supervisor's figures cover the whole desk; nothing accepted yet today", async () => {
    const w = await d.call('home.work', {}, admin);
    expect(w.waitingQueries).toBe(1);
    expect(w.deskToday).toEqual({ accepted: 0, commitments: 0, avoided: 0 });
    expect(w.myCasesToday.total).toBe(0);
  });

  it('an assistant without tasks has an empty list', async () => {
    const w = await d.call('home.work', {}, chen);
    expect(w.tasks.mine).toEqual([]);
    expect(w.tasks.myOpen).toBe(0);
  });
});
