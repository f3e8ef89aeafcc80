/**
 * The Electron shell itself: app:// origin, sandboxed preload bridge, no Node
 * in the renderer, the IPC route to the dispatcher, the CSP header, the
 * navigation / window-open lock-down, the camera granted and the microphone
 * refused, the PDF preview drawing its pages, a second launch exiting, and a
 * corrupt store opening the recovery page. (Each worker bundle running from
 * inside app.asar is proven by the packaging smoke test, scripts/smoke-packaged.mjs:
 * the fuses keep Playwright from attaching to a packaged desk.)
 *
 * Needs the Electron binary, which `npm install` cannot fetch on the offline
 * dev machines (only the npm registry is reachable). There the whole file is
 * skipped; it runs wherever `node node_modules/electron/install.js` has
 * downloaded Electron. Run `node scripts/build.mjs` first (npm run test:e2e does).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { test, expect, _electron, type ElectronApplication, type Page } from '@playwright/test';
import { CONTENT_SECURITY_POLICY } from '../../electron/host/csp';
import { expectPdfRendered } from '../e2e/support/pdf';

const root = path.resolve(__dirname, '..', '..');
const requireFromRoot = createRequire(path.join(root, 'package.json'));

// node_modules/electron/index.js exports the binary's path, and throws when
// the postinstall download never happened.
let electronPath: string | null = null;
try {
  const resolved = requireFromRoot('electron') as unknown;
  electronPath = typeof resolved === 'string' && fs.existsSync(resolved) ? resolved : null;
} catch {
  electronPath = null;
}

test.skip(
  electronPath === null,
  'Electron binary not installed: it cannot be downloaded on this machine (no internet beyond the npm registry); this test runs where `node node_modules/electron/install.js` has fetched it',
);

/** What the preload exposes, as seen from the page. */
type DeskGlobal = {
  desk: { transport: string; invoke(request: unknown): Promise<unknown> };
};

test.describe.configure({ mode: 'serial', timeout: 60_000 });

test.describe('Electron shell', () => {
  let electronApp: ElectronApplication;
  let page: Page;
  let dataDir: string;
  let readyFile: string;

  test.beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-electron-e2e-'));
    readyFile = path.join(dataDir, 'ready.json');
    electronApp = await _electron.launch({
      executablePath: electronPath ?? undefined,
      // A fake camera (Chromium's test pattern) and microphone: the permission handler decides who gets them.
      args: [path.join(root, 'dist/electron/main.cjs'), '--use-fake-device-for-media-stream'],
      cwd: root,
      env: { ...process.env, DESK_DATA_DIR: dataDir, DESK_DEMO: '1', DESK_E2E_READY_FILE: readyFile } as Record<string, string>,
      timeout: 45_000,
    });
    page = await electronApp.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await electronApp?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('serves the renderer from app://desk and shows the sign-in page', async () => {
    expect(page.url()).toMatch(/^app:\/\/desk\//);
    await expect(page.getByText('无证明办理工作台').first()).toBeVisible({ timeout: 20_000 });
    expect(await page.title()).toContain('无证明办理工作台');
    await expect.poll(() => fs.existsSync(readyFile), { timeout: 10_000 }).toBe(true);
    expect(JSON.parse(fs.readFileSync(readyFile, 'utf8'))).toMatchObject({ ready: true });
  });

  test('the renderer has the desk bridge and no Node', async () => {
    const seen = await page.evaluate(() => {
      const g = globalThis as unknown as DeskGlobal & Record<string, unknown>;
      return {
        transport: g.desk.transport,
        keys: Object.keys(g.desk).sort(),
        require: typeof g.require,
        process: typeof g.process,
        module: typeof g.module,
        Buffer: typeof g.Buffer,
      };
    });
    expect(seen).toEqual({ transport: 'ipc', keys: ['invoke', 'transport'], require: 'undefined', process: 'undefined', module: 'undefined', Buffer: 'undefined' });
  });

  test('invoke goes through IPC to the dispatcher', async () => {
    const unknown = await page.evaluate(() =>
      (globalThis as unknown as DeskGlobal).desk.invoke({ id: '1', method: 'no.such', input: {} }),
    );
    expect(unknown).toMatchObject({ id: '1', ok: false, error: { code: 'UNKNOWN_METHOD' } });

    const malformed = await page.evaluate(() => (globalThis as unknown as DeskGlobal).desk.invoke('not an envelope'));
    expect(malformed).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  test('app:// answers with the shared CSP and refuses traversal', async () => {
    const result = await page.evaluate(async () => {
      const index = await fetch('/index.html');
      const route = await fetch('/some/client/route');
      const missing = await fetch('/no-such-file.js');
      const up = await fetch('/..%2fpackage.json');
      return {
        indexStatus: index.status,
        csp: index.headers.get('content-security-policy'),
        type: index.headers.get('content-type'),
        routeStatus: route.status,
        routeType: route.headers.get('content-type'),
        missingStatus: missing.status,
        upStatus: up.status,
      };
    });
    expect(result).toEqual({
      indexStatus: 200,
      csp: CONTENT_SECURITY_POLICY,
      type: 'text/html; charset=utf-8',
      routeStatus: 200,
      routeType: 'text/html; charset=utf-8',
      missingStatus: 404,
      upStatus: 404,
    });
  });

  test('window.open is denied and outside navigation is blocked', async () => {
    const opened = await page.evaluate(() => window.open('https://example.org') === null);
    expect(opened).toBe(true);
    expect(electronApp.windows()).toHaveLength(1);

    await page.evaluate(() => {
      window.location.href = 'https://example.org/';
    });
    // A refused navigation leaves no event to wait for: give it a moment, then check.
    await page.waitForTimeout(750);
    expect(page.url()).toMatch(/^app:\/\/desk\//);
    expect(await page.evaluate(() => window.location.origin)).toBe('app://desk');
    // The page is still alive and still talks to the main process.
    expect(await page.evaluate(() => (globalThis as unknown as DeskGlobal).desk.transport)).toBe('ipc');
    expect(electronApp.windows()).toHaveLength(1);
  });

  test('the camera (video) is granted and the microphone refused; copying to the clipboard is allowed', async () => {
    const seen = await page.evaluate(async () => {
      const video = await navigator.mediaDevices.getUserMedia({ video: true }).then(
        (s) => {
          const n = s.getVideoTracks().length;
          s.getTracks().forEach((t) => t.stop());
          return `granted ${n}`;
        },
        (e: Error) => `refused ${e.name}`,
      );
      const audio = await navigator.mediaDevices.getUserMedia({ audio: true }).then(
        () => 'granted',
        (e: Error) => `refused ${e.name}`,
      );
      const both = await navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(
        () => 'granted',
        (e: Error) => `refused ${e.name}`,
      );
      const clipboard = await navigator.clipboard.writeText('受理编号 420325-ZWFW-0001').then(
        () => 'written',
        (e: Error) => `refused ${e.name}`,
      );
      return { video, audio, both, clipboard };
    });
    expect(seen).toEqual({ video: 'granted 1', audio: 'refused NotAllowedError', both: 'refused NotAllowedError', clipboard: 'written' });
  });

  test('the PDF preview draws its pages under app://', async () => {
    await page.goto('app://desk/index.html');
    await page.getByPlaceholder('用户名').fill('zhangmin');
    await page.getByPlaceholder('密码').fill('Desk@2026');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.getByRole('menuitem', { name: '事项与证明清单' }).click();
    await page.getByRole('button', { name: '办事指南' }).first().click();
    await expectPdfRendered(page);
  });

  test('a second launch on the same data folder exits and leaves the first window', async () => {
    const second = spawn(electronPath!, [path.join(root, 'dist/electron/main.cjs')], {
      cwd: root,
      env: { ...process.env, DESK_DATA_DIR: dataDir, DESK_DEMO: '1' },
      stdio: 'ignore',
    });
    const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(electronApp.windows()).toHaveLength(1);
    expect(await page.evaluate(() => (globalThis as unknown as DeskGlobal).desk.transport)).toBe('ipc');
  });
});

test.describe('Electron shell on a corrupt store', () => {
  test('opens the recovery page and leaves the file untouched', async () => {
    test.setTimeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-electron-corrupt-'));
    const file = path.join(dir, 'desk.sqlite');
    fs.writeFileSync(file, Buffer.alloc(16384, 0x5a));
    const app = await _electron.launch({
      executablePath: electronPath ?? undefined,
      args: [path.join(root, 'dist/electron/main.cjs')],
      cwd: root,
      env: { ...process.env, DESK_DATA_DIR: dir } as Record<string, string>,
      timeout: 45_000,
    });
    try {
      const win = await app.firstWindow();
      const screen = win.getByTestId('recovery-page');
      await expect(screen).toBeVisible({ timeout: 20_000 });
      await expect(screen).toContainText('本地数据库已损坏');
      await expect(screen).toContainText(file);
    } finally {
      await app.close();
    }
    expect(fs.readFileSync(file).equals(Buffer.alloc(16384, 0x5a))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
