/**
 * The browser host serves every file of the built renderer with a real MIME type (not
 * application/octet-stream, which Chromium refuses for module scripts and WebAssembly under
 * nosniff) and the one CSP both hosts send. The app:// side of the same check is in
 * main-under-stub.test.ts. Needs `node scripts/build.mjs` first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../../electron/host/browser-host';
import { CONTENT_SECURITY_POLICY } from '../../../electron/host/csp';
import { createLogger } from '../../../electron/log/logger';
import { ROOT } from '../../helpers/temp';

const RENDERER = path.join(ROOT, 'dist', 'renderer');
let host: BrowserHost;

beforeAll(async () => {
  // Static files never reach the dispatcher; one that answers nothing keeps this test on the file side.
  const dispatcher = { dispatch: async () => ({ id: '?', ok: false as const, error: { code: 'INTERNAL' as const, message: 'unused' } }) };
  host = await startBrowserHost({ dispatcher, rendererDir: RENDERER, logger: createLogger(), port: 0 });
});
afterAll(async () => host?.close());

describe('the built renderer over the browser host', () => {
  it('every file has a MIME type and the shared CSP', async () => {
    expect(fs.existsSync(path.join(RENDERER, 'index.html')), 'run `node scripts/build.mjs` first').toBe(true);
    const files = (fs.readdirSync(RENDERER, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(RENDERER, f)).isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const rel of files) {
      const res = await fetch(`http://127.0.0.1:${host.port}/${rel.split(path.sep).join('/')}`);
      expect(res.status, rel).toBe(200);
      expect(res.headers.get('content-type'), rel).not.toBe('application/octet-stream');
      expect(res.headers.get('content-type'), rel).toMatch(/^(text\/html|text\/javascript|text\/css|application\/json|application\/wasm|image\/|font\/|application\/manifest\+json|text\/plain)/);
      expect(res.headers.get('content-security-policy'), rel).toBe(CONTENT_SECURITY_POLICY);
      await res.arrayBuffer();
    }
  });
});
