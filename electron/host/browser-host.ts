import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Dispatcher } from '../app/dispatcher';
import type { Logger } from '../log/logger';
import { CONTENT_SECURITY_POLICY } from './csp';

export const DEFAULT_PORT = 47615;
// A scanned page and its original frame travel base64-encoded in one call (20 MB each at most).
const MAX_BODY = 64 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export interface BrowserHostOptions {
  dispatcher: Dispatcher;
  rendererDir: string;
  logger: Logger;
  port?: number;
  /** Fixed only in tests that need to; a random one per launch otherwise. */
  token?: string;
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    ...extra,
  });
  res.end(body);
}

const json = (res: http.ServerResponse, status: number, value: unknown) =>
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store' });

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1] ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Serves the built renderer and the dispatcher on 127.0.0.1 only. Every
 * /api call must carry the per-launch token; the Host and Origin headers must
 * name this very address (no DNS rebinding, no cross-site calls).
 */
export function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const root = path.resolve(opts.rendererDir);
  const { logger } = opts;
  let port = opts.port ?? DEFAULT_PORT;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    if (!allowedHosts().has(host)) {
      logger.warn('host.refused', { reason: 'host header', host });
      return json(res, 403, { error: { code: 'FORBIDDEN', message: '请求来源地址不被信任，已拒绝。' } });
    }
    const url = new URL(req.url ?? '/', `http://${host}`);

    if (url.pathname === '/api/rpc') {
      if (req.method !== 'POST') return json(res, 405, { error: { code: 'BAD_REQUEST', message: '请求方法不正确。' } });
      if (!tokenMatches(req.headers.authorization, token)) {
        logger.warn('host.refused', { reason: 'token', path: url.pathname });
        return json(res, 401, { error: { code: 'UNAUTHENTICATED', message: '本地服务令牌无效：工作台可能已重启，请使用启动时给出的新地址打开。' } });
      }
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `http://${host}`) {
        logger.warn('host.refused', { reason: 'origin', origin });
        return json(res, 403, { error: { code: 'FORBIDDEN', message: '请求来源不被信任，已拒绝。' } });
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return json(res, 415, { error: { code: 'BAD_REQUEST', message: '请求格式不正确。' } });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let aborted = false;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY && !aborted) {
          aborted = true;
          json(res, 413, { error: { code: 'BAD_REQUEST', message: '请求内容过大。' } });
          req.destroy();
        } else if (!aborted) chunks.push(c);
      });
      req.on('end', () => {
        if (aborted) return;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          logger.warn('host.refused', { reason: 'json' });
          return json(res, 400, { error: { code: 'BAD_REQUEST', message: '请求格式不正确。' } });
        }
        opts.dispatcher.dispatch(body, { transport: 'http' }).then(
          (reply) => json(res, 200, reply),
          (e) => {
            logger.error('host.dispatchFailed', { error: String(e) });
            json(res, 500, { error: { code: 'INTERNAL', message: '系统内部错误。' } });
          },
        );
      });
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: { code: 'BAD_REQUEST', message: '请求方法不正确。' } });
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'bad path', 'text/plain; charset=utf-8');
    }
    let file = path.resolve(root, '.' + (rel === '/' ? '/index.html' : rel));
    if (file !== root && !file.startsWith(root + path.sep)) return send(res, 404, 'not found', 'text/plain; charset=utf-8');
    if (!path.extname(file)) file = path.join(root, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) return send(res, 404, 'not found', 'text/plain; charset=utf-8');
      const isIndex = file.endsWith('index.html');
      send(res, 200, data, TYPES[path.extname(file)] ?? 'application/octet-stream', {
        'Cache-Control': isIndex ? 'no-cache' : 'public, max-age=31536000, immutable',
      });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      port = (server.address() as { port: number }).port;
      server.off('error', reject);
      resolve({
        url: `http://127.0.0.1:${port}/#token=${token}`,
        port,
        token,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
