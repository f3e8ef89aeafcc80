/**
 * desksClosedAfterEach (helpers/desk-cleanup.ts): a desk a test left open — as a failed or timed-out
 * test does — is closed before the next test starts, its sender stopped first. Tests in a file run
 * in order: the first leaves its desk open, the second finds it closed.
 */
import { describe, expect, it } from 'vitest';
import { testDesk as plainTestDesk, type TestDesk } from '../helpers/app';
import { desksClosedAfterEach } from '../helpers/desk-cleanup';
import { tempDir } from '../helpers/temp';
import { DataDirLocked } from '../../electron/store/data-dir-lock';

const openDesk = desksClosedAfterEach();
const dataDir = tempDir('desk-cleanup-');
let left: TestDesk | null = null;
let closedByTest: TestDesk | null = null;

describe('desks opened through desksClosedAfterEach', () => {
  it('a test leaves one desk open and closes another itself', async () => {
    left = await openDesk({ dataDir });
    // While it is open, the folder is its own: a second desk there is refused.
    await expect(plainTestDesk({ dataDir })).rejects.toBeInstanceOf(DataDirLocked);
    closedByTest = await openDesk();
    await closedByTest.app.stopSync();
    closedByTest.app.close();
    closedByTest.app.close(); // and again: no error (the afterEach leaves it alone)
  }, 120_000); // two desks' start: a bound for a loaded machine

  it('the next test finds the desk left open closed: its folder is free and its sender stopped', async () => {
    expect(left).not.toBeNull();
    await expect(left!.app.stopSync()).resolves.toBeUndefined(); // a no-op once closed
    const again = await plainTestDesk({ dataDir });
    try {
      expect((await again.signIn('zhangmin')).token).toMatch(/./);
    } finally {
      await again.app.stopSync();
      again.app.close();
    }
  }, 120_000);
});
