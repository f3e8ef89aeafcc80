/**
 * One data folder for every host and the CLI (electron/app/data-dir.ts), and what happens to an
 * older Electron build's folder: used in place when it alone holds a store, refused when both do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirConflictError, defaultDataDir, legacyElectronDataDir, resolveDataDir } from '../../../electron/app/data-dir';
import { tempDir } from '../../helpers/temp';

let home: string;
beforeEach(() => (home = tempDir('desk-datadir-')));
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const linux = () => ({ platform: 'linux' as const, env: {}, home });
const store = (dir: string) => {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'desk.sqlite'), 'x');
};

describe('the data folder', () => {
  it('defaults per platform', () => {
    expect(defaultDataDir({ platform: 'linux', env: {}, home: '/home/clerk' })).toBe('/home/clerk/.local/share/proof-free-desk');
    expect(defaultDataDir({ platform: 'linux', env: { XDG_DATA_HOME: '/data/xdg' }, home: '/home/clerk' })).toBe('/data/xdg/proof-free-desk');
    expect(defaultDataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\clerk\\AppData\\Roaming' }, home: 'C:\\Users\\clerk' })).toBe('C:\\Users\\clerk\\AppData\\Roaming\\ProofFreeDesk');
    expect(defaultDataDir({ platform: 'darwin', env: {}, home: '/Users/clerk' })).toBe('/Users/clerk/Library/Application Support/ProofFreeDesk');
  });
  it('knows where older Electron builds kept it (userData/data)', () => {
    expect(legacyElectronDataDir({ platform: 'linux', env: {}, home: '/home/clerk' })).toBe('/home/clerk/.config/无证明办理工作台/data');
    expect(legacyElectronDataDir({ platform: 'win32', env: { APPDATA: 'C:\\R' }, home: 'C:\\U' })).toBe('C:\\R\\无证明办理工作台\\data');
  });
  it('an explicit folder (--data-dir, then DESK_DATA_DIR) wins, with the profile inside it', () => {
    expect(resolveDataDir('/srv/hall', { ...linux(), env: { DESK_DATA_DIR: '/srv/other' } })).toEqual({ dir: '/srv/hall', source: 'explicit', profileDir: '/srv/hall/profile' });
    expect(resolveDataDir(null, { ...linux(), env: { DESK_DATA_DIR: '/srv/other' } })).toEqual({ dir: '/srv/other', source: 'explicit', profileDir: '/srv/other/profile' });
  });
  it('a fresh machine uses the one default folder', () => {
    const dir = path.join(home, '.local/share/proof-free-desk');
    expect(resolveDataDir(null, linux())).toEqual({ dir, source: 'default', profileDir: path.join(dir, 'profile') });
  });
  it('an older Electron folder alone is used in place, with its old profile (drafts), never moved', () => {
    const legacy = path.join(home, '.config/无证明办理工作台/data');
    store(legacy);
    expect(resolveDataDir(null, linux())).toEqual({ dir: legacy, source: 'legacy', profileDir: path.join(home, '.config/无证明办理工作台') });
    expect(fs.existsSync(path.join(legacy, 'desk.sqlite'))).toBe(true);
    expect(fs.existsSync(path.join(home, '.local/share/proof-free-desk'))).toBe(false);
  });
  it('a default folder without a store (e.g. only logs) does not hide the older store', () => {
    const legacy = path.join(home, '.config/无证明办理工作台/data');
    store(legacy);
    fs.mkdirSync(path.join(home, '.local/share/proof-free-desk/logs'), { recursive: true });
    expect(resolveDataDir(null, linux()).dir).toBe(legacy);
  });
  it('two stores are refused, naming both, in Chinese for the user and English for the log', () => {
    store(path.join(home, '.config/无证明办理工作台/data'));
    store(path.join(home, '.local/share/proof-free-desk'));
    let caught: unknown;
    try {
      resolveDataDir(null, linux());
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataDirConflictError);
    const e = caught as DataDirConflictError;
    expect(e.userMessage).toContain(path.join(home, '.config/无证明办理工作台/data'));
    expect(e.userMessage).toContain(path.join(home, '.local/share/proof-free-desk'));
    expect(e.userMessage).toContain('--data-dir');
    expect(e.message).toMatch(/^two desk stores exist/);
  });
});
