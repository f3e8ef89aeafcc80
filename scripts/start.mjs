// npm start: runs the desktop app in Electron; where the Electron binary is missing (it cannot
// be downloaded on machines without internet), says so in one line and runs the browser host,
// opening it in an installed Chromium or Chrome when there is a display.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const passThrough = process.argv.slice(2);

function electronBinary() {
  try {
    const p = require('electron');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const electron = electronBinary();
if (electron) {
  const child = spawn(electron, [root, ...passThrough], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('Electron binary not installed (it cannot be downloaded here): starting the browser host instead.');
  const host = spawn(process.execPath, [path.join(root, 'dist/electron/browser-host.cjs'), ...passThrough], { stdio: ['inherit', 'pipe', 'inherit'] });
  let opened = false;
  host.stdout.setEncoding('utf8');
  host.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    const m = /DESK_READY (\{.*\})/.exec(chunk);
    if (m && !opened) {
      opened = true;
      openBrowser(JSON.parse(m[1]).url);
    }
  });
  host.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => host.kill(sig));
}

function openBrowser(url) {
  const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  const candidates =
    process.platform === 'win32'
      ? [`${process.env['ProgramFiles']}\\Google\\Chrome\\Application\\chrome.exe`, `${process.env['ProgramFiles(x86)']}\\Microsoft\\Edge\\Application\\msedge.exe`]
      : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];
  const browser = candidates.find((c) => c && existsSync(c));
  if (!browser || !hasDisplay) {
    console.log(browser ? 'No display: open the address above in a browser.' : 'No Chromium/Chrome found: open the address above in a browser.');
    return;
  }
  const profile = path.join(root, '.desk-data', 'browser-profile');
  spawn(browser, [`--app=${url}`, `--user-data-dir=${profile}`, '--no-first-run', '--disable-background-networking', '--disable-component-update'], {
    stdio: 'ignore',
    detached: true,
  }).unref();
  console.log(`Opened in ${browser}.`);
}
