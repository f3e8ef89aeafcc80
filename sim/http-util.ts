/** Small HTTP helpers shared by the simulators (vertical systems, data-sharing platform, vendor camera service). */
import type http from 'node:http';

export const JSON_LIMIT = 8 * 1024 * 1024;

export type Body = Record<string, unknown>;

/** Reads a JSON object body (up to 8 MB). Throws a Chinese message on bad input. */
export async function readJson(req: http.IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > JSON_LIMIT) throw new BadRequest('请求内容过大（超过 8 MB）');
    chunks.push(c);
  }
  if (!size) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('请求内容不是有效的 JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadRequest('请求内容须为 JSON 对象');
  return value as Body;
}

export class BadRequest extends Error {}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const errorBody = (code: string, message: string, field?: string) => ({ error: field ? { code, message, field } : { code, message } });

/** A simulator's server listening on loopback: its address, and a close that also drops kept-alive connections. */
export interface LoopbackServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 only (port 0: any free port). */
export function listenOnLoopback(server: http.Server, port = 0): Promise<LoopbackServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as { port: number }).port;
      resolve({
        url: `http://127.0.0.1:${bound}`,
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
