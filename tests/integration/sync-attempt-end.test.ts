/**
 * Why a request to a target ended, as the log says it (electron/services/sync/attempt-end.ts):
 * the real connector against real loopback servers that refuse, hang, cut the connection, answer
 * 503, or answer 201 without the protocol's fields.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectorFailure, HttpTargetConnector } from '../../electron/services/sync/http-connector';
import { endOf, FileUnreadable, LeaseLost, type AttemptEnd } from '../../electron/services/sync/attempt-end';
import type { HttpTargetConfig } from '../../electron/services/sync/targets-config';

const servers: http.Server[] = [];
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A loopback server answering with `handle`; its base URL. */
async function serve(handle: http.RequestListener): Promise<string> {
  const s = http.createServer(handle);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function connector(baseUrl: string, timeoutMs = 10_000): HttpTargetConnector {
  const target = { id: 't', name: '测试目标', kind: 'http', baseUrl, auth: null, idempotency: 'key', fields: [], concurrency: 1, sendFiles: true } as unknown as HttpTargetConfig;
  return new HttpTargetConnector(target, timeoutMs);
}

async function endOfCall(p: Promise<unknown>): Promise<AttemptEnd> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorFailure);
    return endOf(e);
  }
  throw new Error('the request did not fail');
}

describe('why an attempt ended', () => {
  it('connection refused: nothing sent, the request named', async () => {
    const end = await endOfCall(connector(`http://127.0.0.1:${await closedPort()}/`).postCase({ externalRef: 'A-1' }, 'k1'));
    expect(end).toMatchObject({ ended: 'connection_refused', request: 'postCase', code: 'ECONNREFUSED' });
  });

  it('no answer within the request timeout: request_timeout, after at least the timeout', async () => {
    const url = await serve(() => undefined); // reads the request, never answers
    const end = await endOfCall(connector(url, 300).lookup('A-1'));
    expect(end).toMatchObject({ ended: 'request_timeout', request: 'lookup', code: 'TimeoutError' });
    expect(end.afterMs).toBeGreaterThanOrEqual(290);
  });

  it('the target cuts the connection mid-chunk: connection_reset on putChunk', async () => {
    const url = await serve((req) => {
      let got = 0;
      req.on('data', (b: Buffer) => {
        got += b.length;
        if (got >= 64 * 1024) req.socket.destroy();
      });
    });
    const end = await endOfCall(connector(url).putChunk('u1', 0, Buffer.alloc(4 * 1024 * 1024, 7)));
    expect(end).toMatchObject({ ended: 'connection_reset', request: 'putChunk' });
    expect(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']).toContain(end.code);
  });

  it('the target answers 503 or 422: target_answered with the status; a 201 without its number: answer_invalid', async () => {
    const url = await serve((req, res) => {
      const status = req.url!.includes('complete') ? 503 : req.method === 'POST' && req.url!.endsWith('uploads') ? 422 : 201;
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(status === 422 ? JSON.stringify({ error: { message: '文件过大', field: 'size' } }) : '{}');
    });
    const c = connector(url);
    expect(await endOfCall(c.completeUpload('u1'))).toMatchObject({ ended: 'target_answered', request: 'completeUpload', status: 503 });
    expect(await endOfCall(c.startUpload({ sha256: 'a'.repeat(64), size: 1, name: 'x', externalRef: 'A-1' }))).toMatchObject({
      ended: 'target_answered',
      request: 'startUpload',
      status: 422,
    });
    expect(await endOfCall(c.postCase({ externalRef: 'A-1' }, 'k2'))).toMatchObject({ ended: 'answer_invalid', request: 'postCase', status: 201, error: '“测试目标”的应答缺少编号' });
  });

  it('the desk’s own reasons: lease lost, file unreadable, anything else', () => {
    expect(endOf(new LeaseLost(7, 'posting'))).toEqual({ ended: 'lease_lost' });
    expect(endOf(new FileUnreadable('文件“扫描件”缺失或已损坏，无法上传'))).toEqual({ ended: 'file_unreadable', error: '文件“扫描件”缺失或已损坏，无法上传' });
    expect(endOf(new TypeError('x is not a function'))).toEqual({ ended: 'error', error: 'x is not a function' });
  });
});
