import { afterEach, describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';
import { waitForSender } from '../helpers/sync-desks';

// The 数据同步 card once read "Error: 未配置数据共享平台地址": a probe's failure was shown with
// String(error). It now shows the connector's own Chinese reason.
let d: TestDesk | null = null;
afterEach(async () => {
  await d?.app.stopSync();
  d?.app.close();
  d = null;
});

describe('sync probe failure text', () => {
  it('a desk without a data-sharing platform shows 未配置数据共享平台地址, with no Error: prefix', async () => {
    delete process.env.DESK_DATA_SHARING_URL;
    d = await testDesk({ sync: true });
    const token = (await d.signIn('zhangmin')).token;
    await d.call('sync.kick', {}, token);
    // No fixed deadline (the probe is slow on a loaded machine): fails if the desk's sender stands still for a minute.
    const desk = d;
    const text = await waitForSender('the probe failure shown', desk.dataDir, async () => (await desk.call('sync.status', {}, token)).targets.find((t) => t.kind === 'data_sharing')?.lastError, 60_000, 100);
    expect(text).toBe('未配置数据共享平台地址');
  }, 120_000); // a bound for a loaded machine
});
