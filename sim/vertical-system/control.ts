/** The control port of one simulator process: targets, faults, counters, stored cases, reset. */
import http from 'node:http';
import type { TargetServer } from './server';
import { parseFaults } from './faults';
import { BadRequest, errorBody, readJson, sendJson } from '../http-util';

export function createControlServer(targets: Map<string, TargetServer>): http.Server {
  return http.createServer((req, res) => {
    handle(targets, req, res).catch((e: unknown) => {
      if (e instanceof BadRequest) return sendJson(res, 400, errorBody('bad_request', e.message));
      process.stderr.write(`[vertical-sim control] ${req.method} ${req.url}: ${String((e as Error)?.stack ?? e)}\n`);
      sendJson(res, 500, errorBody('internal', String(e)));
    });
  });
}

async function handle(targets: Map<string, TargetServer>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const route = `${req.method} ${url.pathname}`;
  const pick = (id: unknown): TargetServer | null => {
    const t = typeof id === 'string' ? targets.get(id) : undefined;
    if (!t) sendJson(res, 404, errorBody('unknown_target', `没有这个模拟系统：${String(id)}`));
    return t ?? null;
  };

  if (route === 'GET /control/targets') return sendJson(res, 200, { targets: [...targets.values()].map((t) => ({ ...t.info(), faults: t.faults })) });
  if (route === 'POST /control/faults') {
    const body = await readJson(req);
    const t = pick(body.target);
    if (!t) return;
    const parsed = parseFaults(body);
    if (!parsed.ok) return sendJson(res, 422, errorBody('invalid_faults', parsed.message));
    await t.setFaults(parsed.faults);
    return sendJson(res, 200, { ...t.info(), faults: t.faults });
  }
  if (route === 'GET /control/stats') {
    const t = pick(url.searchParams.get('target'));
    if (t) sendJson(res, 200, t.stats);
    return;
  }
  if (route === 'GET /control/cases') {
    const t = pick(url.searchParams.get('target'));
    if (t) sendJson(res, 200, { items: t.cases() });
    return;
  }
  if (route === 'POST /control/reset') {
    const body = await readJson(req);
    if (body.target !== undefined) {
      const t = pick(body.target);
      if (!t) return;
      await t.reset();
    } else {
      for (const t of targets.values()) await t.reset();
    }
    return sendJson(res, 200, { ok: true });
  }
  sendJson(res, 404, errorBody('not_found', '没有这个控制接口'));
}
