/**
 * electron/main.ts imported under a stub of the 'electron' module (tests/unit/shell/fake-electron.ts):
 * the real start-up sequence, the real composition root on a real SQLite file in a temp folder,
 * the real app:// protocol handler on the built renderer. Electron itself is the only thing
 * replaced. Needs `node scripts/build.mjs` first (npm test builds before the unit tests).
 */
import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../../helpers/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../electron/host/csp';
import { tempDir, ROOT } from '../../helpers/temp';
import { fakeElectron, freshState, type FakeState } from './fake-electron';
import { registerStoreKey } from '../../../electron/store/store-cipher';
import { defaultKeyFile } from '../../../electron/store/store-key';

// One state object for the file, reset in place before each test: the mocked module may be reused
// across vi.resetModules(), so it must keep pointing at the same object.
const holder = vi.hoisted(() => ({ state: {} as unknown }));
vi.mock('electron', () => fakeElectron(holder.state as FakeState));

const RENDERER = path.join(ROOT, 'dist', 'renderer');

let state: FakeState;
let dataDir: string;
let listenersBefore: { uncaught: unknown[]; rejection: unknown[] };
const savedEnv = { DESK_DATA_DIR: process.env.DESK_DATA_DIR, DESK_DEMO: process.env.DESK_DEMO };

beforeEach(() => {
  state = Object.assign(holder.state as FakeState, freshState());
  vi.resetModules();
  dataDir = tempDir('desk-main-stub-');
  process.env.DESK_DATA_DIR = dataDir;
  delete process.env.DESK_DEMO;
  listenersBefore = { uncaught: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') };
});

afterEach(async () => {
  // main.ts's own quit path closes the store (and the sync sender's connection).
  for (const fn of state.appHandlers.get('will-quit') ?? []) (fn as () => void)();
  for (const l of process.listeners('uncaughtException')) if (!listenersBefore.uncaught.includes(l)) process.off('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!listenersBefore.rejection.includes(l)) process.off('unhandledRejection', l);
  process.env.DESK_DATA_DIR = savedEnv.DESK_DATA_DIR;
  if (savedEnv.DESK_DATA_DIR === undefined) delete process.env.DESK_DATA_DIR;
  if (savedEnv.DESK_DEMO !== undefined) process.env.DESK_DEMO = savedEnv.DESK_DEMO;
  await new Promise((r) => setTimeout(r, 50));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function importMain(): Promise<void> {
  await import('../../../electron/main');
}

async function startToWindow(): Promise<void> {
  await importMain();
  state.ready.resolve();
  await vi.waitFor(() => expect(state.windows).toHaveLength(1), { timeout: 20_000, interval: 20 });
}

type Rpc = (event: { senderFrame: { url: string } | null }, req: unknown) => Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;
const rpc = () => state.ipcHandlers.get('desk:rpc') as unknown as Rpc;

describe('electron/main.ts under a stub of electron', () => {
  it('registers the app scheme at import, before ready; sets the profile path before the single-instance lock', async () => {
    await importMain();
    expect(state.calls[0]).toBe('protocol.registerSchemesAsPrivileged');
    expect(state.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } }]);
    const setPath = state.calls.indexOf(`app.setPath userData ${path.join(dataDir, 'profile')}`);
    const lock = state.calls.indexOf('app.requestSingleInstanceLock');
    expect(setPath).toBeGreaterThan(0);
    expect(lock).toBeGreaterThan(setPath);
    expect(state.calls.indexOf('app.enableSandbox')).toBeLessThan(lock);
    // Nothing after ready has happened yet: no protocol handler, no window.
    expect(state.calls).not.toContain('protocol.handle app');
    expect(state.windows).toHaveLength(0);
  });

  it('a second launch quits at the lock: no store, no window', async () => {
    state.lock = false;
    await importMain();
    state.ready.resolve();
    await new Promise((r) => setTimeout(r, 100));
    expect(state.calls.slice(-2)).toEqual(['app.requestSingleInstanceLock', 'app.quit']);
    expect(state.windows).toHaveLength(0);
    expect(fs.existsSync(path.join(dataDir, 'desk.sqlite'))).toBe(false);
  });

  it('the window has the locked-down web preferences, DevTools off when packaged', async () => {
    await startToWindow();
    const prefs = state.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, plugins: false, webviewTag: false, devTools: false });
    expect(String(prefs.preload)).toMatch(/preload\.cjs$/);
    expect(state.windows[0]!.options.show).toBe(false);
    expect(state.calls).toContain('loadURL app://desk/index.html');
  });

  it('a packaged first start seeds nothing and asks for the hall and its first supervisor', async () => {
    await startToWindow();
    const status = await rpc()({ senderFrame: { url: 'app://desk/index.html' } }, { id: '1', method: 'system.status', input: {} });
    expect(status).toMatchObject({ ok: true, value: { state: 'ready', needsSetup: true, hall: null } });
    // The store's key is sealed by the OS key store (safeStorage), kept in the data folder's record; no key file beside the folder.
    const record = JSON.parse(fs.readFileSync(path.join(dataDir, 'store-key.json'), 'utf8')) as { source: string; sealed: string };
    expect(record.source).toBe('os');
    expect(fs.existsSync(defaultKeyFile(dataDir))).toBe(false);
    registerStoreKey(dataDir, Buffer.from(fakeElectron(state).safeStorage.decryptString(Buffer.from(record.sealed, 'base64')), 'hex'));
    const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    expect(fs.existsSync(path.join(dataDir, 'sync-targets.json'))).toBe(false);
  });

  it('IPC from a foreign frame is refused before the dispatcher', async () => {
    await startToWindow();
    for (const url of ['https://example.org/', 'blob:app://desk/1234', '']) {
      const answer = await rpc()({ senderFrame: { url } }, { id: '1', method: 'system.status', input: {} });
      expect(answer, url).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(await rpc()({ senderFrame: null }, { id: '1', method: 'system.status', input: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('navigation and permission handlers apply the shell decisions', async () => {
    await startToWindow();
    const contents = state.windows[0]!.webContents;
    for (const fn of state.appHandlers.get('web-contents-created') ?? []) (fn as (e: unknown, c: unknown) => void)({}, contents);
    const navigate = (event: string, url: string, isMainFrame: boolean) => {
      let prevented = false;
      contents.emit(event, { url, isMainFrame, preventDefault: () => (prevented = true) });
      return prevented;
    };
    expect(navigate('will-frame-navigate', 'blob:app://desk/abc', false)).toBe(false);
    expect(navigate('will-frame-navigate', 'blob:app://desk/abc', true)).toBe(true);
    expect(navigate('will-navigate', 'https://example.org/', true)).toBe(true);
    expect(navigate('will-navigate', 'app://desk/cases', true)).toBe(false);
    expect((contents.windowOpenHandler as unknown as (d: { url: string }) => unknown)({ url: 'https://example.org/' })).toEqual({ action: 'deny' });

    contents.url = 'app://desk/index.html';
    const ask = (permission: string, mediaTypes?: string[]) =>
      new Promise<boolean>((resolve) =>
        (state.permissionRequest as unknown as (...a: unknown[]) => void)(contents, permission, resolve, { requestingUrl: 'app://desk/index.html', ...(mediaTypes ? { mediaTypes } : {}) }),
      );
    expect(await ask('media', ['video'])).toBe(true);
    expect(await ask('media', ['audio'])).toBe(false);
    expect(await ask('clipboard-sanitized-write')).toBe(true);
    expect(await ask('geolocation')).toBe(false);
  });

  it('a start-up failure is shown in a dialog and the process exits 1', async () => {
    // desk.lock is a folder: the composition root cannot take the data folder's lock, so the store is never opened.
    fs.mkdirSync(path.join(dataDir, 'desk.lock'));
    await importMain();
    state.ready.resolve();
    await vi.waitFor(() => expect(state.calls).toContain('app.exit 1'), { timeout: 20_000, interval: 20 });
    expect(state.errorBoxes).toHaveLength(1);
    expect(state.errorBoxes[0]!.title).toBe('无证明办理工作台无法启动');
    expect(state.errorBoxes[0]!.body).toContain('启动时发生错误（打开本地数据库）');
    expect(state.errorBoxes[0]!.body).toContain(`数据目录：${dataDir}`);
    expect(state.calls.indexOf('dialog.showErrorBox')).toBeLessThan(state.calls.indexOf('app.exit 1'));
    expect(state.windows).toHaveLength(0);
  });

  it('every file of the built renderer is served by app:// with a MIME type and the browser host\'s CSP', async () => {
    expect(fs.existsSync(path.join(RENDERER, 'index.html')), 'run `node scripts/build.mjs` first').toBe(true);
    await startToWindow();
    const handler = state.protocolHandlers.get('app')!;
    const files = (fs.readdirSync(RENDERER, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(RENDERER, f)).isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const rel of files) {
      const res = await handler(new Request(`app://desk/${rel.split(path.sep).join('/')}`));
      expect(res.status, rel).toBe(200);
      expect(res.headers.get('content-type'), rel).toMatch(/^(text\/html|text\/javascript|text\/css|application\/json|application\/wasm|image\/|font\/|application\/manifest\+json|text\/plain)/);
      expect(res.headers.get('content-security-policy'), rel).toBe(CONTENT_SECURITY_POLICY);
      expect(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync(path.join(RENDERER, rel))), rel).toBe(true);
    }
  });

  it('--cli runs the command-line tool inside the desk executable: no lock, no window', async () => {
    const argv = process.argv;
    process.argv = [...argv, '--cli', 'audit-verify', '--data-dir', dataDir];
    try {
      await importMain();
      // The tool waits for ready (safeStorage, which unseals the store key, works only then).
      state.ready.resolve();
      // No store in the folder: audit-verify says so and exits 2.
      await vi.waitFor(() => expect(state.calls).toContain('app.exit 2'), { timeout: 10_000, interval: 20 });
    } finally {
      process.argv = argv;
    }
    expect(state.calls).not.toContain('app.requestSingleInstanceLock');
    expect(state.windows).toHaveLength(0);
  });

  it('--cli with a debugging switch is refused by a packaged desk before the tool runs', async () => {
    const argv = process.argv;
    process.argv = [...argv, '--remote-debugging-port=9222', '--cli', 'audit-verify', '--data-dir', dataDir];
    try {
      await importMain();
    } finally {
      process.argv = argv;
    }
    expect(state.calls).toEqual(['protocol.registerSchemesAsPrivileged', 'app.exit 2']);
  });

  it('a crashed page is reloaded once, then an error page, and the window is shown', async () => {
    await startToWindow();
    const win = state.windows[0]!;
    win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(state.calls.at(-1)).toBe('webContents.reload');
    win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(state.calls.at(-2)).toMatch(/^loadURL data:text\/html/);
    // The window was never painted (no ready-to-show): the error page shows it.
    expect(state.calls.at(-1)).toBe('window.show');
    expect(win.visible).toBe(true);
  });
});
