import { describe, expect, it } from 'vitest';
import { wantsDemo } from '../../../electron/shell/demo';

describe('wantsDemo: the demo hall only when asked for in a packaged desk', () => {
  it('a packaged desk started plainly seeds nothing', () => {
    expect(wantsDemo({ argv: ['/opt/desk/proof-free-desk'], env: {}, isPackaged: true })).toBe(false);
  });
  it('a packaged desk seeds the demo with --demo or DESK_DEMO=1', () => {
    expect(wantsDemo({ argv: ['desk', '--demo'], env: {}, isPackaged: true })).toBe(true);
    expect(wantsDemo({ argv: ['desk'], env: { DESK_DEMO: '1' }, isPackaged: true })).toBe(true);
  });
  it('a development run keeps the demo unless told --no-demo / DESK_DEMO=0', () => {
    expect(wantsDemo({ argv: ['electron', '.'], env: {}, isPackaged: false })).toBe(true);
    expect(wantsDemo({ argv: ['electron', '.', '--no-demo'], env: {}, isPackaged: false })).toBe(false);
    expect(wantsDemo({ argv: ['electron', '.'], env: { DESK_DEMO: '0' }, isPackaged: false })).toBe(false);
  });
  it('--no-demo wins over --demo', () => {
    expect(wantsDemo({ argv: ['desk', '--demo', '--no-demo'], env: { DESK_DEMO: '1' }, isPackaged: true })).toBe(false);
  });
  it('any other DESK_DEMO value is not an explicit request', () => {
    expect(wantsDemo({ argv: ['desk'], env: { DESK_DEMO: 'yes' }, isPackaged: true })).toBe(false);
  });
});
