import http from 'node:http';
import { keepAliveLongerThanAdvertised } from './keep-alive';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Dispatcher } from '../app/dispatcher';
import type { Logger } from '../log/logger';
import { CONTENT_SECURITY_POLICY } from './csp';
import { serveStatic } from './static-request';

export const DEFAULT_PORT = 47615;
// A scanned page and its original frame travel base64-encoded in one call (20 MB each at most).
const MAX_BODY = 64 * 1024 * 1024;
const RPC_PATH = '/api/rpc';

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

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

/** Answers once; a response already started or a socket already gone is left alone (never throws). */
function send(res: http.ServerResponse, status: number, body: string | Buffer | null, type: string, extra: Record<string, string> = {}, length?: number): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': length ?? (body === null ? 0 : Buffer.byteLength(body)),
    ...SECURITY_HEADERS,
    ...extra,
  });
  res.end(body ?? undefined);
}

const json = (res: http.ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}) =>
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store', ...extra });

const refuse = (res: http.ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}) =>
  json(res, status, { error: { code, message } }, extra);

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (.+)$/.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1] ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The log must never turn a refusal into a crash (a full disk makes the logger throw). */
function safeLog(logger: Logger, level: 'warn' | 'error', event: string, fields: Record<string, unknown>): void {
  try {
    logger[level](event, fields);
  } catch {
    // nothing else to do: the answer still goes out
  }
}

const short = (v: unknown) => String(v).slice(0, 200);

/**
 * How long a connection may take to send a complete request head. The
 * renderer on this machine sends each head in one write; a connection that
 * sends nothing, or only the blank lines RFC 9112 §2.2 lets a server skip
 * before a request line, is answered 408 and closed after this long (Node's
 * default is 60 s, checked every 30 s).
 */
export const REQUEST_HEAD_TIMEOUT_MS = 10_000;

/** What Node's HTTP parser reports for a request it could not read, as a status line. */
function clientErrorStatus(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  return '400 Bad Request';
}

/**
 * Serves the built renderer and the dispatcher on 127.0.0.1 only. Every
 * /api call must carry the per-launch token; the Host and Origin headers must
 * name this very address (no DNS rebinding, no cross-site calls). No request,
 * however malformed, can end the process: every path answers, and an
 * unexpected exception becomes a logged 500.
 */
export function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const root = path.resolve(opts.rendererDir);
  const { logger } = opts;
  let port = opts.port ?? DEFAULT_PORT;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const refused = (reason: string, fields: Record<string, unknown> = {}) => safeLog(logger, 'warn', 'host.refused', { reason, ...fields });

  function handleRpc(req: http.IncomingMessage, res: http.ServerResponse, host: string): void {
    if (req.method !== 'POST') {
      refused('method', { method: short(req.method), path: RPC_PATH });
      return refuse(res, 405, 'BAD_REQUEST', '请求方法不正确。', { Allow: 'POST' });
    }
    if (!tokenMatches(req.headers.authorization, token)) {
      refused('token', { path: RPC_PATH });
      return refuse(res, 401, 'UNAUTHENTICATED', '本地服务令牌无效：工作台可能已重启，请使用启动时给出的新地址打开。');
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      refused('origin', { origin: short(origin) });
      return refuse(res, 403, 'FORBIDDEN', '请求来源不被信任，已拒绝。');
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      refused('content type', { contentType: short(req.headers['content-type']) });
      return refuse(res, 415, 'BAD_REQUEST', '请求格式不正确。');
    }
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_BODY) {
      refused('body size', { declared: short(declared) });
      return refuse(res, 413, 'BAD_REQUEST', '请求内容过大。', { Connection: 'close' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (c: Buffer) => {
      if (aborted) return;
      size += c.length;
      if (size > MAX_BODY) {
        aborted = true;
        chunks.length = 0;
        refused('body size', { received: size });
        refuse(res, 413, 'BAD_REQUEST', '请求内容过大。', { Connection: 'close' });
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (aborted) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        refused('json', { error: short(e instanceof Error ? e.message : e), bytes: size });
        return refuse(res, 400, 'BAD_REQUEST', '请求格式不正确。');
      }
      opts.dispatcher
        .dispatch(body, { transport: 'http' })
        .then((reply) => json(res, 200, reply))
        .catch((e: unknown) => {
          safeLog(logger, 'error', 'host.dispatchFailed', { error: e instanceof Error ? e.stack : String(e) });
          refuse(res, 500, 'INTERNAL', '系统内部错误。');
        });
    });
  }

  function handleStatic(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): void {
    void serveStatic(root, req.method ?? '', rawPath).then((answer) => {
      if (answer.kind === 'file') {
        send(res, 200, answer.body, answer.contentType, { 'Cache-Control': answer.cacheControl }, answer.size);
        return;
      }
      safeLog(logger, answer.status === 500 ? 'error' : 'warn', 'host.static', { status: answer.status, reason: answer.reason, method: short(req.method), path: short(rawPath) });
      refuse(res, answer.status, answer.code, answer.message, answer.status === 405 ? { Allow: 'GET, HEAD' } : {});
    }).catch((e: unknown) => {
      safeLog(logger, 'error', 'host.requestFailed', { path: short(rawPath), error: e instanceof Error ? e.stack : String(e) });
      refuse(res, 500, 'INTERNAL', '系统内部错误。');
    });
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    // A body cut short or a reset socket must not become an uncaught 'error' event.
    req.on('error', (e) => refused('request stream', { error: short(e.message) }));
    res.on('error', (e) => refused('response stream', { error: short(e.message) }));
    const host = req.headers.host;
    if (host === undefined) {
      refused('no host header');
      return refuse(res, 400, 'BAD_REQUEST', '请求格式不正确。');
    }
    // Node keeps the first of several Host headers; a request that names two hosts is not ours.
    if (req.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === 'host').length > 1) {
      refused('several host headers');
      return refuse(res, 400, 'BAD_REQUEST', '请求格式不正确。');
    }
    if (!allowedHosts().has(host)) {
      refused('host header', { host: short(host) });
      return refuse(res, 403, 'FORBIDDEN', '请求来源地址不被信任，已拒绝。');
    }
    // The path as sent: origin-form only ('/…'); '//x', '*' and absolute URLs are not ours.
    const rawUrl = req.url ?? '';
    if (!rawUrl.startsWith('/') || rawUrl.startsWith('//')) {
      refused('request target', { url: short(rawUrl) });
      return refuse(res, 400, 'BAD_REQUEST', '请求地址不正确。');
    }
    const rawPath = rawUrl.split(/[?#]/, 1)[0] ?? '';
    if (rawPath === RPC_PATH) return handleRpc(req, res, host);
    handleStatic(req, res, rawUrl);
  }

  // Node's own refusal of a request without Host has neither a body nor a length; ours has both.
  const server = http.createServer({
    requireHostHeader: false,
    headersTimeout: REQUEST_HEAD_TIMEOUT_MS,
    connectionsCheckingInterval: 1_000,
  }, (req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      safeLog(logger, 'error', 'host.requestFailed', { method: short(req.method), url: short(req.url), error: e instanceof Error ? e.stack : String(e) });
      refuse(res, 500, 'INTERNAL', '系统内部错误。');
    }
  });
  keepAliveLongerThanAdvertised(server);
  // Requests Node's parser cannot read (garbage, oversize headers, bad chunking): a 4xx and close.
  server.on('clientError', (err: NodeJS.ErrnoException & { bytesParsed?: number }, socket) => {
    refused('unparsable request', { code: err.code, error: short(err.message) });
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    socket.end(`HTTP/1.1 ${clientErrorStatus(err.code)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  // An Expect other than 100-continue: Node would answer 417 itself, without a body or a length.
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    refused('expectation', { expect: short(req.headers.expect) });
    refuse(res, 417, 'BAD_REQUEST', '请求格式不正确。', { Connection: 'close' });
  });
  // CONNECT (a proxy tunnel) is not served here; without a listener Node would drop the socket unanswered.
  // (Upgrade requests need no listener: without one they arrive as ordinary requests.)
  server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    refused('method', { method: 'CONNECT', url: short(req.url) });
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
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
