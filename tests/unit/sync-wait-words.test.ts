import { describe, expect, it } from 'vitest';
import { waitWords } from '../../renderer/src/pages/sync/wait-words';

const at = Date.parse('2026-11-30T10:00:00.000Z');
const ago = (ms: number) => new Date(at - ms).toISOString();

describe('waitWords (how long the oldest sync entry has waited, as the clerk reads it)', () => {
  it('says minutes, hours and minutes, days and hours', () => {
    expect(waitWords(ago(30_000), at)).toBe('不到 1 分钟');
    expect(waitWords(ago(7 * 60_000 + 59_000), at)).toBe('7 分钟');
    expect(waitWords(ago(2 * 3600_000 + 5 * 60_000), at)).toBe('2 小时 5 分');
    expect(waitWords(ago(3 * 3600_000), at)).toBe('3 小时');
    expect(waitWords(ago(26 * 3600_000 + 10 * 60_000), at)).toBe('1 天 2 小时');
    expect(waitWords(ago(48 * 3600_000), at)).toBe('2 天');
  });
  it('never shows a negative wait when the entry is stamped after "now" (a clock set back)', () => {
    expect(waitWords(ago(-3600_000), at)).toBe('不到 1 分钟');
  });
});
