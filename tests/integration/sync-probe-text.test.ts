import { afterEach, describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';

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
    const deadline = Date.now() + 10_000;
    let text: string | null | undefined = null;
    while (Date.now() < deadline) {
      const status = await d.call('sync.status', {}, token);
      text = status.targets.find((t) => t.kind === 'data_sharing')?.lastError;
      if (text) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toBe('未配置数据共享平台地址');
  });
});
