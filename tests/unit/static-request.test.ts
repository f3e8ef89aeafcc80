import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, staticTarget } from '../../electron/host/static-request';
import { tempDir } from '../helpers/temp';

/**
 * The request → file decision both hosts share. Electron's app:// handler hands it the pathname of
 * the request's URL as the WHATWG parser leaves it (percent escapes kept, literal dot segments
 * resolved); the browser host hands it the raw request target. Both cases are exercised here with
 * real files, so the Electron side is tested without the Electron binary.
 */
const base = tempDir('desk-static-');
const root = path.join(base, 'renderer');
const appPath = (url: string) => new URL(url).pathname;

beforeAll(() => {
  fs.mkdirSync(path.join(root, 'assets', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>desk</title>');
  fs.writeFileSync(path.join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'assets', 'opencv.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  fs.writeFileSync(path.join(root, 'assets', '王芳 照片.png'), Buffer.from([0x89, 0x50]));
  fs.writeFileSync(path.join(base, 'secret.txt'), 'secret');
  fs.writeFileSync(path.join(base, 'renderer-evil.txt'), 'sibling');
});

describe('static request decision (both hosts)', () => {
  it('serves index.html for / with no-cache and hashed assets as immutable, with their types', async () => {
    const index = await serveStatic(root, 'GET', appPath('app://desk/'));
    expect(index).toMatchObject({ kind: 'file', status: 200, contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
    expect(index.kind === 'file' && index.body?.toString()).toBe('<!doctype html><title>desk</title>');
    const js = await serveStatic(root, 'GET', appPath('app://desk/assets/app-1a2b.js?v=1'));
    expect(js).toMatchObject({ kind: 'file', contentType: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=31536000, immutable', size: 14 });
    expect(await serveStatic(root, 'GET', '/assets/opencv.wasm')).toMatchObject({ kind: 'file', contentType: 'application/wasm', size: 4 });
    // A percent-encoded name with a space and Chinese characters is decoded once.
    expect(await serveStatic(root, 'GET', appPath('app://desk/assets/王芳 照片.png'))).toMatchObject({ kind: 'file', contentType: 'image/png', size: 2 });
  });

  it('answers HEAD with the size and no body', async () => {
    expect(await serveStatic(root, 'HEAD', '/assets/app-1a2b.js')).toMatchObject({ kind: 'file', status: 200, body: null, size: 14 });
  });

  it('falls back to index.html for client-side routes and folders, not for missing files with an extension', async () => {
    const route = await serveStatic(root, 'GET', appPath('app://desk/cases/42'));
    expect(route).toMatchObject({ kind: 'file', contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
    expect(await serveStatic(root, 'GET', '/assets/sub')).toMatchObject({ kind: 'file', contentType: 'text/html; charset=utf-8' });
    expect(await serveStatic(root, 'GET', '/assets/missing-9f9f.js')).toMatchObject({ kind: 'refused', status: 404, code: 'NOT_FOUND', message: '未找到请求的页面文件。' });
  });

  it('refuses a NUL byte before touching the file system (GET /index.html%00.js)', async () => {
    const r = await serveStatic(root, 'GET', '/index.html%00.js');
    expect(r).toMatchObject({ kind: 'refused', status: 400, code: 'BAD_REQUEST', message: '请求地址不正确。', reason: 'NUL byte in the path' });
    expect(staticTarget(root, 'GET', appPath('app://desk/index.html%00'))).toMatchObject({ status: 400, reason: 'NUL byte in the path' });
  });

  it('refuses encoded traversal, backslashes, drive letters and control characters with 400', async () => {
    for (const p of ['/%2e%2e/secret.txt', '/..%2f..%2fsecret.txt', '/assets/%2E%2E/%2e%2e/secret.txt', '/.%2e/renderer-evil.txt']) {
      expect(await serveStatic(root, 'GET', p), p).toMatchObject({ kind: 'refused', status: 400, reason: 'dot segment in the path (traversal)' });
    }
    // Literal dot segments never reach the handler from Electron: the URL parser resolves them inside the root.
    expect(appPath('app://desk/../../secret.txt')).toBe('/secret.txt');
    expect(await serveStatic(root, 'GET', appPath('app://desk/../../secret.txt'))).toMatchObject({ status: 404 });
    expect(await serveStatic(root, 'GET', '/..%5c..%5csecret.txt')).toMatchObject({ status: 400, reason: 'backslash in the path' });
    expect(await serveStatic(root, 'GET', '/C:%2fWindows%2fwin.ini')).toMatchObject({ status: 400, reason: 'colon in the path (drive letter or stream name)' });
    expect(await serveStatic(root, 'GET', '/a%0d%0aSet-Cookie:x')).toMatchObject({ status: 400, reason: 'control character in the path' });
    expect(await serveStatic(root, 'GET', '/%E4%ZZ')).toMatchObject({ status: 400, reason: 'malformed percent-encoding in the path' });
    expect(await serveStatic(root, 'GET', '/%C0%AF')).toMatchObject({ status: 400, reason: 'malformed percent-encoding in the path' });
    expect(await serveStatic(root, 'GET', 'index.html')).toMatchObject({ status: 400, reason: 'path does not start with /' });
    expect(await serveStatic(root, 'GET', '/' + 'a'.repeat(2000))).toMatchObject({ status: 400, reason: 'path of 2001 characters' });
  });

  it('refuses every method but GET and HEAD with 405', async () => {
    for (const m of ['POST', 'PUT', 'DELETE', 'TRACE', 'OPTIONS', 'PATCH', 'get']) {
      expect(await serveStatic(root, m, '/'), m).toMatchObject({ kind: 'refused', status: 405, message: '请求方法不正确。' });
    }
  });

  it('reports an unexpected file-system error as a 500 with its reason, without throwing', async () => {
    // A symlink that points at itself: stat fails with ELOOP, which is neither "absent" nor a file.
    fs.symlinkSync('loop.js', path.join(root, 'assets', 'loop.js'));
    const r = await serveStatic(root, 'GET', '/assets/loop.js');
    expect(r).toMatchObject({ kind: 'refused', status: 500, code: 'INTERNAL', message: '系统内部错误，请稍后重试。' });
    expect(r.kind === 'refused' && r.reason).toContain('ELOOP');
    // A folder where a file with an extension is expected is absent, not an error.
    fs.mkdirSync(path.join(root, 'assets', 'folder.js'));
    expect(await serveStatic(root, 'GET', '/assets/folder.js')).toMatchObject({ status: 404 });
  });
});
