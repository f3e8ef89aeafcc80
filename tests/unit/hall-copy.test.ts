import { describe, expect, it } from 'vitest';
import { hallCopyMessage } from '../../shared/rules/hall-copy';

/** What a desk says about its copy of the hall's data (docs/hub.md, "Offline"), in China time. */
describe('hallCopyMessage', () => {
  const now = new Date('2026-12-06T06:51:30.000Z'); // 14:51 in China
  it('says when the copy was last brought up to date, and how long ago', () => {
    expect(hallCopyMessage('2026-12-06T06:51:10.000Z', now)).toBe('全厅数据更新于 2026-12-06 14:51（刚刚）');
    expect(hallCopyMessage('2026-12-06T06:48:00.000Z', now)).toBe('全厅数据更新于 2026-12-06 14:48（3 分钟前）');
    expect(hallCopyMessage('2026-12-06T01:20:00.000Z', now)).toBe('全厅数据更新于 2026-12-06 09:20（5 小时前）');
    expect(hallCopyMessage('2026-12-01T16:30:00.000Z', now)).toBe('全厅数据更新于 2026-12-02 00:30（4 天前）');
  });
  it('says so when the desk never read the hall feed', () => {
    expect(hallCopyMessage(null, now)).toBe('本机尚未从全厅中心取得全厅数据：其他窗口登记的信用记录本机可能尚不知晓。');
  });
});
