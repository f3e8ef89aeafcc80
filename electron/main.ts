/**
 * Electron main process. One of only two files allowed to import 'electron' (the other is
 * preload.ts). Every decision lives in a module that does not import Electron and is unit-tested
 * without the binary (electron/shell/: origin, start-up sequence, navigation, permissions, window
 * options, crash/hang/no-paint recovery); this file hands Electron's objects to them. Everything
 * else is plain Node reached through createApp(), so the browser host, the CLI and the tests share
 * it unchanged. tests/unit/shell/main-under-stub.test.ts imports this file under a stub of
 * 'electron'.
 *
 * The renderer is served from the privileged custom scheme app://desk so its origin is stable
 * across restarts and installs (IndexedDB drafts are kept per origin), with the same CSP header
 * the browser host sends.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  session,
  type WebContents,
} from 'electron';
import type { ResponseEnvelope } from '../shared/ipc/envelope';
import { createApp, type DeskApp } from './app/create-app';
import { appRoot } from './app/paths';
import { deskAddresses, readDeskConfig, type DeskConfig } from './app/desk-config';
import { runCli } from './cli-commands';
import { osKeySource } from './shell/os-key-store';
import { CONTENT_SECURITY_POLICY } from './host/csp';
import { navigationAllowed, windowOpenAnswer, type NavigationKind } from './shell/navigation';
import { HOST, isTrustedSender, ORIGIN_PREFIX, PRIVILEGED_SCHEMES, RPC_CHANNEL, SCHEME } from './shell/origin';
import { permissionCheckAllowed, permissionRequestAllowed } from './shell/permissions';
import { createRendererWatch, mainProcessFault } from './shell/recovery';
import { beginStartup, cliArguments, debuggingSwitch, startupFailureText, type StartupPlan } from './shell/startup';
import { smokeWorkers } from './shell/smoke-workers';
import { mainWindowOptions } from './shell/window-options';
import { serveStatic } from './host/static-request';

// ---------------------------------------------------------------------------
// At import, before anything else: the privileged scheme (must precede 'ready').
// ---------------------------------------------------------------------------

protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES.map((s) => ({ scheme: s.scheme, privileges: { ...s.privileges } })));

let deskApp: DeskApp | null = null;
let mainWindow: BrowserWindow | null = null;
let dataDirForDialogs: string | null = null;

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

/** A failure after the start-up sequence began: logged, shown, the store closed, exit 1. */
function fail(stage: string, error: unknown): void {
  console.error(`[desk] ${stage}:`, error);
  try {
    deskApp?.logger.error('app.startFailed', { stage, error: error instanceof Error ? error.stack : String(error) });
  } catch {
    // the logger itself may be the problem; the dialog below still tells the clerk
  }
  closeDeskApp();
  const { title, body } = startupFailureText(stage, error, dataDirForDialogs);
  dialog.showErrorBox(title, body);
  app.exit(1);
}

const cli = cliArguments(process.argv);
const cliDebugSwitch = cli && app.isPackaged ? debuggingSwitch(process.argv) : null;
if (cliDebugSwitch) {
  process.stderr.write(`安装版工作台不允许调试参数 ${cliDebugSwitch}。\n`);
  app.exit(2);
} else if (cli) {
  // `<desk executable> --cli audit-verify …`: the command-line tools, no window, no lock.
  // safeStorage (the store key, store/store-key.ts) is usable once the app is ready.
  void app.whenReady().then(() => runCli(cli, undefined, osKeySource(safeStorage))).then(
    (code) => app.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      app.exit(2);
    },
  );
} else {
  beginStartup<DeskConfig>(
    {
      argv: process.argv,
      env: process.env,
      isPackaged: app.isPackaged,
      platform: { platform: process.platform, env: process.env, home: os.homedir() },
      enableSandbox: () => app.enableSandbox(),
      disableHardwareAcceleration: () => app.disableHardwareAcceleration(),
      setProfilePath: (dir) => app.setPath('userData', dir),
      requestSingleInstanceLock: () => app.requestSingleInstanceLock(),
      whenReady: () => app.whenReady(),
      quit: () => app.quit(),
      showError: (title, body) => dialog.showErrorBox(title, body),
      exit: (code) => {
        closeDeskApp();
        app.exit(code);
      },
    },
    {
      readConfig: readDeskConfig,
      configDisablesGpu: (config) => config.hardwareAcceleration === false,
      beforeReady,
      start,
    },
  );
}

// ---------------------------------------------------------------------------
// The process holding the lock: app events, then start on ready
// ---------------------------------------------------------------------------

function beforeReady(plan: StartupPlan): void {
  dataDirForDialogs = plan.data.dir;
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

  for (const kind of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(kind, (error: unknown) => {
      const fault = mainProcessFault(kind, error);
      console.error(`[desk] ${kind}:`, error);
      try {
        deskApp?.logger.error(`main.${kind}`, fault.logFields);
      } catch {
        // still shown below
      }
      dialog.showErrorBox(fault.title, fault.body);
      if (fault.exit) {
        closeDeskApp();
        app.exit(1);
      }
    });
  }
}

async function start(plan: StartupPlan, config: DeskConfig): Promise<void> {
  Menu.setApplicationMenu(null);

  let rendererDir: string;
  try {
    rendererDir = path.join(appRoot(), 'dist', 'renderer');
  } catch (e) {
    return fail('查找程序文件', e);
  }
  protocol.handle(SCHEME, (request) => serveRenderer(rendererDir, request));
  restrictPermissions();

  try {
    deskApp = await createApp({ dataDir: plan.data.dir, demo: plan.demo, hostKind: 'electron', storeKey: osKeySource(safeStorage), ...deskAddresses(config, process.env) });
  } catch (e) {
    return fail('打开本地数据库', e);
  }
  deskApp.logger.info('app.started', {
    transport: 'ipc',
    state: deskApp.state,
    demo: plan.demo,
    dataDir: plan.data.dir,
    dataDirSource: plan.data.source,
    gpu: !plan.disableGpu,
    electron: process.versions.electron,
    packaged: app.isPackaged,
  });

  ipcMain.handle(RPC_CHANNEL, async (event, req: unknown): Promise<ResponseEnvelope> => {
    const url = event.senderFrame?.url ?? '';
    if (!isTrustedSender(url)) {
      deskApp?.logger.warn('ipc.untrustedSender', { url: url.slice(0, 200) });
      return { id: '?', ok: false, error: { code: 'FORBIDDEN', message: '来源不被信任，已拒绝。' } };
    }
    const current = deskApp;
    if (!current) {
      return { id: '?', ok: false, error: { code: 'STORE_UNAVAILABLE', message: '工作台正在退出，操作未执行。' } };
    }
    return current.dispatcher.dispatch(req, { transport: 'ipc' });
  });

  createMainWindow(plan);
}

function createMainWindow(plan: StartupPlan): void {
  const win = new BrowserWindow(mainWindowOptions({ preloadPath: path.join(__dirname, 'preload.cjs'), isPackaged: app.isPackaged }));
  mainWindow = win;

  const watch = createRendererWatch({
    show: () => {
      if (!win.isDestroyed()) win.show();
    },
    reload: (killFirst) => {
      if (win.isDestroyed()) return;
      if (killFirst) win.webContents.forcefullyCrashRenderer();
      win.webContents.reload();
    },
    showErrorPage: (html) => {
      if (!win.isDestroyed()) void win.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(html)}`).catch(() => undefined);
    },
    log: (level, event, fields) => {
      if (deskApp) deskApp.logger[level](event, fields);
      else console.error(`[desk] ${event}`, fields);
    },
    setTimer: (fn, ms) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  });

  win.once('ready-to-show', () => watch.readyToShow());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  win.webContents.on('render-process-gone', (_event, details) => watch.gone(details));
  win.on('unresponsive', () => watch.unresponsive());
  win.on('responsive', () => watch.responsive());

  // DESK_E2E_READY_FILE (end-to-end tests, the packaging smoke test): written once the page has
  // loaded. With DESK_SMOKE_EXIT=1 (the installer smoke test) each worker bundle is first run once
  // (from inside app.asar when packaged), the results go into the file, and the desk quits.
  const readyFile = process.env.DESK_E2E_READY_FILE;
  if (readyFile) {
    win.webContents.once('did-finish-load', () => {
      const smoke = process.env.DESK_SMOKE_EXIT === '1';
      const current = deskApp;
      const workers = smoke && current?.state === 'ready' ? smokeWorkers({ dbFile: current.dbFile, dataDir: plan.data.dir }) : Promise.resolve(null);
      void workers.then((results) => {
        try {
          fs.mkdirSync(path.dirname(readyFile), { recursive: true });
          fs.writeFileSync(
            readyFile,
            JSON.stringify({ ready: true, pid: process.pid, url: win.webContents.getURL(), state: deskApp?.state ?? null, demo: plan.demo, packaged: app.isPackaged, dataDir: plan.data.dir, workers: results }),
          );
        } catch (e) {
          console.error('[desk] cannot write DESK_E2E_READY_FILE:', e);
        }
        if (smoke) app.quit();
      });
    });
  }

  win.loadURL(`${ORIGIN_PREFIX}index.html`).catch((e: unknown) => fail('加载界面', e));
}

// ---------------------------------------------------------------------------
// Security: every decision is made in electron/shell/ and only applied here
// ---------------------------------------------------------------------------

/** Applied to every webContents ever created (windows, and any frame host). */
function hardenWebContents(contents: WebContents): void {
  const guard = (kind: NavigationKind) => (event: { url: string; isMainFrame?: boolean; preventDefault(): void }) => {
    if (navigationAllowed({ kind, url: event.url, isMainFrame: event.isMainFrame ?? true })) return;
    event.preventDefault();
    deskApp?.logger.warn('nav.blocked', { url: event.url.slice(0, 200), kind, mainFrame: event.isMainFrame ?? true });
  };
  contents.on('will-navigate', guard('navigate'));
  contents.on('will-frame-navigate', guard('frame'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // No new windows, ever (window.open, target=_blank, middle click...), and nothing opened outside.
  contents.setWindowOpenHandler(({ url }) => {
    deskApp?.logger.warn('nav.blocked', { url: url.slice(0, 200), kind: 'window.open' });
    return windowOpenAnswer();
  });
}

/** Only the camera (video, never audio) and the clipboard write, and only for our own pages. */
function restrictPermissions(): void {
  const ses = session.defaultSession;

  ses.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    const granted = permissionRequestAllowed({ permission, webContentsUrl: webContents.getURL(), requestingUrl: details.requestingUrl, mediaTypes });
    if (!granted) deskApp?.logger.warn('permission.denied', { permission, mediaTypes, url: details.requestingUrl.slice(0, 200) });
    callback(granted);
  });

  ses.setPermissionCheckHandler((webContents, permission, requestingOrigin, details) =>
    permissionCheckAllowed({ permission, requestingOrigin, webContentsUrl: webContents ? webContents.getURL() : null, mediaType: details.mediaType }),
  );

  // USB, HID, serial: never (device readers are reached by the main side).
  ses.setDevicePermissionHandler(() => false);
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
    return new Response(new Uint8Array(answer.body), { status: 200, headers }); // a copy: Response wants an ArrayBuffer-backed view
  } catch (e) {
    logStatic('error', 'app.staticFailed', { url: request.url.slice(0, 200), error: e instanceof Error ? e.stack : String(e) });
    return refusalResponse(500, 'INTERNAL', '系统内部错误，请稍后重试。');
  }
}
