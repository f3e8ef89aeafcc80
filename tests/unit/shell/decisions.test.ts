/**
 * The Electron shell's decisions, made in modules that do not import Electron: where a frame may
 * navigate, which permissions the page gets, the window's web preferences, whom IPC answers.
 */
import { describe, expect, it } from 'vitest';
import { navigationAllowed, windowOpenAnswer } from '../../../electron/shell/navigation';
import { permissionCheckAllowed, permissionRequestAllowed } from '../../../electron/shell/permissions';
import { mainWindowOptions } from '../../../electron/shell/window-options';
import { isTrustedSender } from '../../../electron/shell/origin';

describe('navigation', () => {
  it('the app\'s own pages are allowed, as the main page and in a frame', () => {
    expect(navigationAllowed({ kind: 'navigate', url: 'app://desk/index.html', isMainFrame: true })).toBe(true);
    expect(navigationAllowed({ kind: 'frame', url: 'app://desk/cases/12', isMainFrame: false })).toBe(true);
    expect(navigationAllowed({ kind: 'redirect', url: 'app://desk/index.html', isMainFrame: true })).toBe(true);
  });
  it('a blob:app://desk/ frame (a preview the page made) is allowed; as the main page it is refused', () => {
    const blob = 'blob:app://desk/6f1c3e0a-6d5b-4d8e-9a43-0c1b2d3e4f50';
    expect(navigationAllowed({ kind: 'frame', url: blob, isMainFrame: false })).toBe(true);
    expect(navigationAllowed({ kind: 'frame', url: blob, isMainFrame: true })).toBe(false);
    expect(navigationAllowed({ kind: 'navigate', url: blob, isMainFrame: true })).toBe(false);
    expect(navigationAllowed({ kind: 'redirect', url: blob, isMainFrame: false })).toBe(false);
  });
  it('outside links, other origins\' blobs, look-alike hosts and other schemes are refused', () => {
    for (const url of [
      'https://example.org/',
      'http://127.0.0.1:47615/',
      'blob:https://example.org/6f1c3e0a',
      'blob:app://desk.evil/6f1c3e0a',
      'app://desk.evil/index.html',
      'app://deskx/index.html',
      'app://desk',
      'file:///etc/passwd',
      'data:text/html,<script>1</script>',
      'javascript:alert(1)',
      'chrome://gpu',
      'about:blank',
      '',
    ]) {
      expect(navigationAllowed({ kind: 'frame', url, isMainFrame: false }), url).toBe(false);
      expect(navigationAllowed({ kind: 'navigate', url, isMainFrame: true }), url).toBe(false);
    }
  });
  it('window.open is always denied (opened nowhere)', () => {
    expect(windowOpenAnswer()).toEqual({ action: 'deny' });
  });
});

describe('permissions', () => {
  const own = { webContentsUrl: 'app://desk/index.html', requestingUrl: 'app://desk/index.html' };
  it('video only is granted to the app\'s own page', () => {
    expect(permissionRequestAllowed({ ...own, permission: 'media', mediaTypes: ['video'] })).toBe(true);
  });
  it('audio is refused, alone or with video; media without types is refused', () => {
    expect(permissionRequestAllowed({ ...own, permission: 'media', mediaTypes: ['audio'] })).toBe(false);
    expect(permissionRequestAllowed({ ...own, permission: 'media', mediaTypes: ['video', 'audio'] })).toBe(false);
    expect(permissionRequestAllowed({ ...own, permission: 'media', mediaTypes: [] })).toBe(false);
    expect(permissionRequestAllowed({ ...own, permission: 'media' })).toBe(false);
  });
  it('the clipboard write navigator.clipboard.writeText asks for is granted; reading is not', () => {
    expect(permissionRequestAllowed({ ...own, permission: 'clipboard-sanitized-write' })).toBe(true);
    expect(permissionRequestAllowed({ ...own, permission: 'clipboard-read' })).toBe(false);
  });
  it('nothing for another origin, even the camera', () => {
    expect(permissionRequestAllowed({ permission: 'media', mediaTypes: ['video'], webContentsUrl: 'https://example.org/', requestingUrl: 'https://example.org/' })).toBe(false);
    expect(permissionRequestAllowed({ permission: 'media', mediaTypes: ['video'], webContentsUrl: 'app://desk/index.html', requestingUrl: 'blob:https://example.org/x' })).toBe(false);
    expect(permissionRequestAllowed({ permission: 'clipboard-sanitized-write', webContentsUrl: 'https://example.org/', requestingUrl: 'https://example.org/' })).toBe(false);
  });
  it('every other permission is refused', () => {
    for (const permission of ['notifications', 'geolocation', 'midi', 'midiSysex', 'pointerLock', 'fullscreen', 'openExternal', 'display-capture', 'hid', 'serial', 'usb', 'unknown']) {
      expect(permissionRequestAllowed({ ...own, permission }), permission).toBe(false);
    }
  });
  it('checks: video and the clipboard write for app://desk only; audio never', () => {
    expect(permissionCheckAllowed({ permission: 'media', mediaType: 'video', requestingOrigin: 'app://desk', webContentsUrl: 'app://desk/index.html' })).toBe(true);
    expect(permissionCheckAllowed({ permission: 'media', mediaType: 'video', requestingOrigin: 'app://desk/', webContentsUrl: null })).toBe(true);
    expect(permissionCheckAllowed({ permission: 'media', mediaType: 'audio', requestingOrigin: 'app://desk', webContentsUrl: 'app://desk/index.html' })).toBe(false);
    expect(permissionCheckAllowed({ permission: 'clipboard-sanitized-write', requestingOrigin: 'app://desk', webContentsUrl: 'app://desk/index.html' })).toBe(true);
    expect(permissionCheckAllowed({ permission: 'media', mediaType: 'video', requestingOrigin: 'https://example.org', webContentsUrl: 'app://desk/index.html' })).toBe(false);
    expect(permissionCheckAllowed({ permission: 'media', mediaType: 'video', requestingOrigin: 'app://desk', webContentsUrl: 'https://example.org/' })).toBe(false);
    expect(permissionCheckAllowed({ permission: 'notifications', requestingOrigin: 'app://desk', webContentsUrl: 'app://desk/index.html' })).toBe(false);
  });
});

describe('window options', () => {
  it('locks the renderer down; DevTools off when packaged, on in development', () => {
    const packaged = mainWindowOptions({ preloadPath: '/opt/desk/resources/app.asar/dist/electron/preload.cjs', isPackaged: true });
    expect(packaged.webPreferences).toEqual({
      preload: '/opt/desk/resources/app.asar/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      plugins: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: false,
    });
    expect(packaged.show).toBe(false);
    expect(mainWindowOptions({ preloadPath: 'p', isPackaged: false }).webPreferences.devTools).toBe(true);
  });
});

describe('IPC sender', () => {
  it('answers the app\'s own frames only', () => {
    expect(isTrustedSender('app://desk/index.html')).toBe(true);
    for (const url of ['https://example.org/', 'blob:app://desk/abc', 'app://desk.evil/', 'about:blank', '', undefined, null]) {
      expect(isTrustedSender(url), String(url)).toBe(false);
    }
  });
});
