import { afterAll, describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';

// The home page's "today" is the hall's day (China time) on the desk's clock, not the machine's
// zone or the browser's clock: the summary carries the desk's time and counts today's audit
// entries from China midnight (16:00 UTC the day before).
describe('home.summary: the hall day on the desk clock', () => {
  let d: TestDesk | undefined;
  afterAll(() => d?.app.close());

  it('answers the desk clock and counts audit entries from China midnight', async () => {
    let clock = new Date('2026-12-06T15:50:00.000Z'); // 23:50 on 12-06 in China
    d = await testDesk({ now: () => clock }); // the demo seeded at 23:50 on 12-06
    await d.signIn('zhangmin'); // audited at 23:50 on 12-06
    clock = new Date('2026-12-06T16:10:00.000Z'); // 00:10 on 12-07 in China
    const s = await d.signIn('liuyang'); // audited at 00:10 on 12-07: the one entry of the hall's day
    const home = await d.call('home.summary', {}, s.token);
    expect(home.now).toBe('2026-12-06T16:10:00.000Z');
    // A UTC day (or a machine set to UTC) would also count the seed and zhangmin's sign-in.
    expect(home.counts.auditToday).toBe(1);
  });
});
