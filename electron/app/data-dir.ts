/**
 * The one data folder of a desk, for every host (Electron, the browser host) and the CLI.
 *
 *   --data-dir DIR / DESK_DATA_DIR        the explicit folder (tests, a second hall profile)
 *   otherwise                             Windows %APPDATA%\ProofFreeDesk,
 *                                         Linux $XDG_DATA_HOME/proof-free-desk (~/.local/share/…),
 *                                         macOS ~/Library/Application Support/ProofFreeDesk
 *
 * Older Electron builds kept their store under Electron's userData instead
 * (`<appData>/无证明办理工作台/data`, e.g. ~/.config/无证明办理工作台/data). Such a folder is never
 * moved: data is not moved silently. When only it holds a store, every host and the CLI use it in
 * place (source 'legacy'), so `audit-verify` and the gateway scripts open the desk's real store;
 * when both hold a store, start-up is refused with both paths named, for the IT department to
 * decide (keep one, or start with --data-dir). Nothing here imports Electron.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The product name Electron derives its userData folder from (package.json productName). */
export const LEGACY_APP_NAME = '无证明办理工作台';

export interface PlatformInfo {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}

export type DataDirSource = 'explicit' | 'default' | 'legacy';

export interface ResolvedDataDir {
  dir: string;
  source: DataDirSource;
  /** Electron's Chromium profile (IndexedDB drafts, the single-instance lock): beside the store. */
  profileDir: string;
}

export class DataDirConflictError extends Error {
  readonly userMessage: string;
  constructor(
    readonly current: string,
    readonly legacy: string,
  ) {
    super(`two desk stores exist: ${current} and the older Electron folder ${legacy}; refusing to choose one`);
    this.name = 'DataDirConflictError';
    this.userMessage =
      `本机有两个工作台数据目录，都含有数据库：\n  ${current}\n  ${legacy}（旧版桌面程序的目录）\n` +
      '为避免用错数据，程序不会自行选择或移动。请系统管理员确认要保留哪一个，把另一个移到别处保存，' +
      '或用 --data-dir 指定要使用的目录后再启动。';
  }
}

const here = (): PlatformInfo => ({ platform: process.platform, env: process.env, home: os.homedir() });

/** Where the desk keeps its data when no folder is given (the location every host and the CLI share). */
export function defaultDataDir(p: PlatformInfo = here()): string {
  const join = p.platform === 'win32' ? path.win32.join : path.posix.join;
  if (p.platform === 'win32') return join(p.env.APPDATA ?? join(p.home, 'AppData', 'Roaming'), 'ProofFreeDesk');
  if (p.platform === 'darwin') return join(p.home, 'Library', 'Application Support', 'ProofFreeDesk');
  return join(p.env.XDG_DATA_HOME || join(p.home, '.local', 'share'), 'proof-free-desk');
}

/** Where Electron builds before the one data folder kept their store (`app.getPath('userData')/data`). */
export function legacyElectronDataDir(p: PlatformInfo = here()): string {
  const join = p.platform === 'win32' ? path.win32.join : path.posix.join;
  let appData: string;
  if (p.platform === 'win32') appData = p.env.APPDATA ?? join(p.home, 'AppData', 'Roaming');
  else if (p.platform === 'darwin') appData = join(p.home, 'Library', 'Application Support');
  else appData = p.env.XDG_CONFIG_HOME || join(p.home, '.config');
  return join(appData, LEGACY_APP_NAME, 'data');
}

function holdsStore(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'desk.sqlite'));
}

/**
 * The data folder to use. `explicit` is --data-dir (or null); DESK_DATA_DIR is read from p.env.
 * Throws DataDirConflictError when the default and the legacy Electron folder both hold a store.
 */
export function resolveDataDir(explicit: string | null | undefined, p: PlatformInfo = here()): ResolvedDataDir {
  const given = explicit || p.env.DESK_DATA_DIR;
  if (given) {
    const dir = path.resolve(given);
    return { dir, source: 'explicit', profileDir: path.join(dir, 'profile') };
  }
  const current = defaultDataDir(p);
  const legacy = legacyElectronDataDir(p);
  const inCurrent = holdsStore(current);
  const inLegacy = holdsStore(legacy);
  if (inCurrent && inLegacy) throw new DataDirConflictError(current, legacy);
  // The old Electron profile (drafts) stays the profile of the old store.
  if (inLegacy) return { dir: legacy, source: 'legacy', profileDir: path.dirname(legacy) };
  return { dir: current, source: 'default', profileDir: path.join(current, 'profile') };
}
