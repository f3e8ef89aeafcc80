import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../electron/host/browser-host';
import { testDesk, type TestDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';

let host: BrowserHost;
let desk: TestDesk;
const rendererDir = tempDir('desk-renderer-');

/** Raw HTTP, so the test controls every header (fetch would set Host and Origin itself). */
function request(opts: { method?: string; path: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const rpc = (headers: Record<string, string>, body: unknown) =>
  request({ method: 'POST', path: '/api/rpc', headers: { 'Content-Type': 'application/json', Host: `127.0.0.1:${host.port}`, ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>desk</title>');
  fs.writeFileSync(path.join(tempDir(), 'secret.txt'), 'secret');
  desk = await testDesk();
  host = await startBrowserHost({ dispatcher: desk.app.dispatcher, rendererDir, logger: desk.app.logger, port: 0 });
});
afterAll(async () => {
  await host.close();
  desk.app.close();
});

describe('browser host', () => {
  it('listens on 127.0.0.1 only and hands the token in the URL fragment', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/#token=[A-Za-z0-9_-]{43}$`));
  });

  it('answers a call that carries the token', async () => {
    const r = await rpc({ Authorization: `Bearer ${host.token}` }, { id: '1', method: 'system.status', input: {} });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ id: '1', ok: true, value: { state: 'ready' } });
  });

  it('answers 401 without the token or with a wrong one, and runs nothing', async () => {
    const before = desk.app.logger.recent().filter((e) => e.event === 'host.refused').length;
    const none = await rpc({}, { id: '1', method: 'auth.signIn', input: { username: 'admin', password: 'Desk@2026' } });
    const wrong = await rpc({ Authorization: 'Bearer not-the-token' }, { id: '1', method: 'auth.signIn', input: { username: 'admin', password: 'Desk@2026' } });
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body).error.code).toBe('UNAUTHENTICATED');
    expect(desk.app.logger.recent().filter((e) => e.event === 'host.refused').length).toBe(before + 2);
    expect(desk.app.logger.recent().some((e) => e.event === 'ipc.appError' || String(e.event).startsWith('auth'))).toBe(false);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin', async () => {
    const host1 = await rpc({ Authorization: `Bearer ${host.token}`, Host: 'evil.example:80' }, { id: '1', method: 'system.status', input: {} });
    expect(host1.status).toBe(403);
    const origin = await rpc({ Authorization: `Bearer ${host.token}`, Origin: 'http://evil.example' }, { id: '1', method: 'system.status', input: {} });
    expect(origin.status).toBe(403);
  });

  it('refuses a body that is not JSON', async () => {
    const r = await request({ method: 'POST', path: '/api/rpc', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}`, Host: `127.0.0.1:${host.port}` }, body: '{nope' });
    expect(r.status).toBe(400);
  });

  it('serves the renderer with a strict CSP and never a file outside it', async () => {
    const index = await request({ path: '/', headers: { Host: `127.0.0.1:${host.port}` } });
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const trav = await request({ path: '/..%2f..%2fetc%2fpasswd', headers: { Host: `127.0.0.1:${host.port}` } });
    expect(trav.status).toBe(400); // an encoded '..' is a malformed request, not a missing file
    expect(JSON.parse(trav.body).error.message).toBe('请求地址不正确。');
    const spa = await request({ path: '/some/route', headers: { Host: `127.0.0.1:${host.port}` } });
    expect(spa.body).toContain('<title>desk</title>');
  });
});
