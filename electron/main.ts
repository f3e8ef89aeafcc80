/**
 * Electron main process. One of only two files allowed to import 'electron'
 * (the other is preload.ts); everything else is plain Node reached through
 * createApp(), so the browser host, the CLI and the tests share it unchanged.
 *
 * The renderer is served from the privileged custom scheme app://desk so its
 * origin is stable across restarts and installs (IndexedDB drafts are kept
 * per origin), with the same CSP header the browser host sends.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  type WebContents,
} from 'electron';
import type { ResponseEnvelope } from '../shared/ipc/envelope';
import { createApp, type DeskApp } from './app/create-app';
import { appRoot } from './app/paths';
import { CONTENT_SECURITY_POLICY } from './host/csp';
import { serveStatic } from './host/static-request';

const SCHEME = 'app';
const HOST = 'desk';
/** The renderer's origin; never changes (drafts in IndexedDB live under it). */
const ORIGIN = `${SCHEME}://${HOST}`;
const ORIGIN_PREFIX = `${ORIGIN}/`;
const RPC_CHANNEL = 'desk:rpc';
const WINDOW_TITLE = '无证明办理工作台';

// ---------------------------------------------------------------------------
// Before ready: privileged scheme, profile location, single-instance lock.
// ---------------------------------------------------------------------------

protocol.registerSchemesAsPrivileged([
  {
    scheme: SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
  },
]);

const explicitDataDir = process.env.DESK_DATA_DIR ? path.resolve(process.env.DESK_DATA_DIR) : null;
if (explicitDataDir) {
  // An explicit data dir (tests, a second hall profile) also gets its own
  // Chromium profile: IndexedDB drafts stay with their database, and the
  // single-instance lock below (keyed on userData) is per data dir, so two
  // processes still never share one SQLite file.
  app.setPath('userData', path.join(explicitDataDir, 'profile'));
}

const dataDir = explicitDataDir ?? path.join(app.getPath('userData'), 'data');
const demo = !(process.env.DESK_DEMO === '0' || process.argv.includes('--no-demo'));

let deskApp: DeskApp | null = null;
let mainWindow: BrowserWindow | null = null;

function closeDeskApp(): void {
  const current = deskApp;
  deskApp = null;
  if (!current) return;
  try {
    current.logger.info('app.quit', {});
    current.close();
  } catch (e) {
    console.error('[desk] closing the store failed:', e);
  }
}

function fail(stage: string, error: unknown): never {
  const detail = error instanceof Error ? error.message : String(error);
  console.error(`[desk] ${stage}:`, error);
  try {
    deskApp?.logger.error('app.startFailed', { stage, error: error instanceof Error ? error.stack : detail });
  } catch {
    // the logger itself may be the problem; the dialog below still tells the clerk
  }
  closeDeskApp();
  dialog.showErrorBox(
    '无证明办理工作台无法启动',
    `启动时发生错误（${stage}），程序将退出。\n\n${detail}\n\n数据目录：${dataDir}\n请将以上信息告知系统管理员。`,
  );
  app.exit(1);
  // app.exit does not return in practice; keep the type checker and any odd platform honest.
  process.exit(1);
}

if (!app.requestSingleInstanceLock()) {
  // Another process already owns this data dir: it gets focused through its
  // 'second-instance' event; this one leaves without touching the store.
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = mainWindow;
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    if (!win.isVisible()) win.show();
    win.focus();
  });

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  app.on('window-all-closed', () => {
    closeDeskApp();
    app.quit();
  });

  // Quitting by other paths (OS shutdown, app.quit from elsewhere) still closes the store.
  app.on('will-quit', () => closeDeskApp());

  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => fail('初始化', e));
}

// ---------------------------------------------------------------------------
// Startup
// ---------------------------------------------------------------------------

async function start(): Promise<void> {
  Menu.setApplicationMenu(null);

  let rendererDir: string;
  try {
    rendererDir = path.join(appRoot(), 'dist', 'renderer');
  } catch (e) {
    fail('查找程序文件', e);
  }
  protocol.handle(SCHEME, (request) => serveRenderer(rendererDir, request));
  restrictPermissions();

  try {
    deskApp = await createApp({ dataDir, demo });
  } catch (e) {
    fail('打开本地数据库', e);
  }
  deskApp.logger.info('app.started', {
    transport: 'ipc',
    state: deskApp.state,
    demo,
    electron: process.versions.electron,
    packaged: app.isPackaged,
  });

  ipcMain.handle(RPC_CHANNEL, async (event, req: unknown): Promise<ResponseEnvelope> => {
    const url = event.senderFrame?.url ?? '';
    if (!url.startsWith(ORIGIN_PREFIX)) {
      deskApp?.logger.warn('ipc.untrustedSender', { url: url.slice(0, 200) });
      return { id: '?', ok: false, error: { code: 'FORBIDDEN', message: '来源不被信任，已拒绝。' } };
    }
    const current = deskApp;
    if (!current) {
      return { id: '?', ok: false, error: { code: 'STORE_UNAVAILABLE', message: '工作台正在退出，操作未执行。' } };
    }
    return current.dispatcher.dispatch(req, { transport: 'ipc' });
  });

  createMainWindow();
}

function createMainWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    title: WINDOW_TITLE,
    show: false,
    backgroundColor: '#f5f7fa',
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  mainWindow = win;

  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });

  win.webContents.on('render-process-gone', (_event, details) => {
    deskApp?.logger.error('renderer.gone', { reason: details.reason, exitCode: details.exitCode });
  });

  const readyFile = process.env.DESK_E2E_READY_FILE;
  if (readyFile) {
    win.webContents.once('did-finish-load', () => {
      try {
        fs.mkdirSync(path.dirname(readyFile), { recursive: true });
        fs.writeFileSync(readyFile, JSON.stringify({ ready: true, pid: process.pid, url: win.webContents.getURL() }));
      } catch (e) {
        console.error('[desk] cannot write DESK_E2E_READY_FILE:', e);
      }
    });
  }

  win.loadURL(`${ORIGIN_PREFIX}index.html`).catch((e: unknown) => fail('加载界面', e));
}

// ---------------------------------------------------------------------------
// Security
// ---------------------------------------------------------------------------

function isAppUrl(url: string | undefined | null): boolean {
  return typeof url === 'string' && url.startsWith(ORIGIN_PREFIX);
}

/** Applied to every webContents ever created (windows, and any frame host). */
function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) {
      event.preventDefault();
      deskApp?.logger.warn('nav.blocked', { url: event.url.slice(0, 200), kind: 'navigate' });
    }
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAppUrl(event.url)) {
      event.preventDefault();
      deskApp?.logger.warn('nav.blocked', { url: event.url.slice(0, 200), kind: 'frame' });
    }
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) {
      event.preventDefault();
      deskApp?.logger.warn('nav.blocked', { url: event.url.slice(0, 200), kind: 'redirect' });
    }
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // No new windows, ever (window.open, target=_blank, middle click...).
  contents.setWindowOpenHandler(({ url }) => {
    deskApp?.logger.warn('nav.blocked', { url: url.slice(0, 200), kind: 'window.open' });
    return { action: 'deny' };
  });
}

/** Only the camera (permission 'media', video only) and only for our own pages. */
function restrictPermissions(): void {
  const ses = session.defaultSession;

  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    let granted = false;
    if (permission === 'media' && isAppUrl(webContents.getURL()) && isAppUrl(details.requestingUrl)) {
      const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
      // Camera for document/ID capture; the desk never needs the microphone.
      granted = !(mediaTypes ?? []).includes('audio');
    }
    if (!granted) deskApp?.logger.warn('permission.denied', { permission, url: details.requestingUrl.slice(0, 200) });
    callback(granted);
  });

  ses.setPermissionCheckHandler((webContents, permission, requestingOrigin) => {
    if (permission !== 'media') return false;
    if (requestingOrigin.replace(/\/+$/, '') !== ORIGIN) return false;
    return webContents === null || isAppUrl(webContents.getURL());
  });
}

// ---------------------------------------------------------------------------
// app:// protocol: static files of the built renderer
// ---------------------------------------------------------------------------

function baseHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}

/** Logging must not turn an answer into a failure (a full disk makes the logger throw). */
function logStatic(level: 'warn' | 'error', event: string, fields: Record<string, unknown>): void {
  try {
    deskApp?.logger[level](event, fields);
  } catch {
    // the page still gets its answer
  }
}

function refusalResponse(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ error: { code, message } }), { status, headers: baseHeaders('application/json; charset=utf-8') });
}

/**
 * Maps app://desk/<path> onto rendererDir through the decision both hosts share
 * (host/static-request.ts: decoding, NUL, traversal, type, index fallback for
 * client-side routes). Never rejects: an unexpected error is a logged 500.
 */
async function serveRenderer(rendererDir: string, request: Request): Promise<Response> {
  try {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      logStatic('warn', 'app.static', { status: 400, reason: 'unparsable app:// URL', url: request.url.slice(0, 200) });
      return refusalResponse(400, 'BAD_REQUEST', '请求地址不正确。');
    }
    if (url.host !== HOST) {
      logStatic('warn', 'app.static', { status: 404, reason: `foreign host ${url.host.slice(0, 100)}` });
      return refusalResponse(404, 'NOT_FOUND', '未找到请求的页面文件。');
    }
    const answer = await serveStatic(rendererDir, request.method.toUpperCase(), url.pathname);
    if (answer.kind === 'refused') {
      logStatic('warn', 'app.static', { status: answer.status, reason: answer.reason, path: url.pathname.slice(0, 200) });
      return refusalResponse(answer.status, answer.code, answer.message);
    }
    const headers = baseHeaders(answer.contentType);
    headers['Content-Length'] = String(answer.size);
    if (answer.body === null) return new Response(null, { status: 200, headers });
    return new Response(new Uint8Array(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength), { status: 200, headers });
  } catch (e) {
    logStatic('error', 'app.staticFailed', { url: request.url.slice(0, 200), error: e instanceof Error ? e.stack : String(e) });
    return refusalResponse(500, 'INTERNAL', '系统内部错误，请稍后重试。');
  }
}
