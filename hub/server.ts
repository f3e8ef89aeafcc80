import http from 'node:http';
import type pg from 'pg';
import { signBytes } from '../electron/services/transfer/desk-keys';
import { keepAliveLongerThanAdvertised } from '../electron/host/keep-alive';
import { answerBytes, H, HUB_PROTOCOL, HUB_PROTOCOL_RANGE, protocolMismatchMessage, REQUEST_WINDOW_MS, verifyRequest } from '../electron/services/hub/hub-protocol';
import type { DeskRow, HubIdentity } from './trust';
import { FeedWaiter } from './feed-wait';
import { listConflicts, pushRecord, settleConflict, type RecordsContext } from './records';
import { hallCases } from './hall-cases';
import { hallCaseList } from './hall-case-list';
import { assertCaseFilesHeld, fileRoute, type FileKillPoint } from './files';
import { successorCases } from './successor';
import { deskCaseCount, feedToken, heldKeys, HELD_BATCH_MAX } from './reconcile';
import { deskAdminRoute, LastSeen } from './desk-admin';
import { fieldRoute, type FieldKillPoint } from './field-relay';
import { auditWitnessRoute } from './audit-witness';
import { lockoutRoute } from './hall-lockouts';
import { fieldKeysRoute } from './field-keys';

/**
 * The hub's HTTP API (docs/hub.md). Every request is a signed desk request; it is checked
 * (protocol, clock window, enrolled and not removed, signature) before anything is read or
 * written, and its nonce is recorded in the same transaction as what it writes, so a replay
 * writes nothing. Every answer is signed with the hub's key.
 */

export interface HubOptions {
  pool: pg.Pool;
  identity: HubIdentity;
  /** Where the hub's own progress can be cut short (the crash tests): SIGKILL at the n-th push, before or after its commit. */
  killAt?: { push: number; point: 'before-commit' | 'after-commit' } | null;
  /** SIGKILL after the n-th file chunk committed (the cut-upload test). */
  killAtChunk?: FileKillPoint | null;
  /** SIGKILL at the first write of a field-work step, before or after its commit (hub/field-relay.ts). */
  killAtField?: FieldKillPoint | null;
  log?: (event: string, detail: Record<string, unknown>) => void;
}

const HALL = 'hall';
const MAX_BODY = 8 * 1024 * 1024;
const FEED_PAGE_MAX = 1000;
/** The longest a feed request may be held open waiting for new items (long-poll, hub/feed-wait.ts). */
const FEED_WAIT_MAX_MS = 60_000;

export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly chinese: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export interface Authed {
  desk: DeskRow;
  nonce: string;
  deskSchema: number;
  body: Buffer;
}

export function createHubServer(o: HubOptions): http.Server {
  const log = o.log ?? ((event, detail) => process.stderr.write(JSON.stringify({ at: new Date().toISOString(), event, ...detail }) + '\n'));
  let pushes = 0;
  const lastSeen = new LastSeen(o.pool, log);

  const answer = (res: http.ServerResponse, status: number, json: unknown, nonce: string) => {
    const raw = Buffer.isBuffer(json);
    const body = raw ? json : Buffer.from(JSON.stringify(json), 'utf8');
    res.writeHead(status, {
      'content-type': raw ? 'application/octet-stream' : 'application/json; charset=utf-8',
      'content-length': String(body.length),
      [H.protocol]: String(HUB_PROTOCOL),
      [H.hubSignature]: signBytes('ed25519', o.identity.signKey, answerBytes(status, body, nonce)).toString('base64'),
    });
    res.end(body);
  };

  async function authenticate(req: http.IncomingMessage, body: Buffer): Promise<Authed> {
    const h = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : '';
    };
    const deskId = h(H.desk);
    const time = h(H.time);
    const nonce = h(H.nonce);
    const signature = h(H.signature);
    if (!deskId || !time || !/^[0-9a-f]{32}$/.test(nonce) || !signature) throw new Refusal(401, 'UNSIGNED', '请求没有有效的签名，已拒绝。', 'missing or malformed signature headers');
    const protocol = Number(h(H.protocol));
    if (!(protocol >= HUB_PROTOCOL_RANGE.min && protocol <= HUB_PROTOCOL_RANGE.max)) throw new Refusal(426, 'PROTOCOL', protocolMismatchMessage(protocol || 0), `desk protocol ${h(H.protocol)} not in ${HUB_PROTOCOL_RANGE.min}-${HUB_PROTOCOL_RANGE.max}`);
    const skew = Date.parse(time) - Date.now();
    if (!Number.isFinite(skew) || Math.abs(skew) > REQUEST_WINDOW_MS) throw new Refusal(401, 'CLOCK', '请求时间与全厅中心相差过大（超过 5 分钟），已拒绝：请校准本机时间。', `request time ${time} outside the ${REQUEST_WINDOW_MS} ms window`);
    const desk = (await o.pool.query<DeskRow>('SELECT * FROM desks WHERE desk_id = $1', [deskId])).rows[0];
    if (!desk) throw new Refusal(403, 'NOT_ENROLLED', '本工作台尚未在全厅中心登记，已拒绝。', `desk ${deskId} not enrolled`);
    if (desk.removed_at) throw new Refusal(403, 'REMOVED', '本工作台已被管理员从全厅中心移除，已拒绝。', `desk ${deskId} removed at ${desk.removed_at.toISOString()}`);
    if (!verifyRequest(desk.sign_alg, desk.sign_pub, { method: req.method ?? '', path: req.url ?? '', body, deskId, time, nonce }, signature)) {
      throw new Refusal(401, 'BAD_SIGNATURE', '请求签名无效，已拒绝。', `signature of desk ${deskId} does not verify`);
    }
    return { desk, nonce, deskSchema: Number(h(H.deskSchema)) || 0, body };
  }

  /** Records the nonce inside the caller's transaction; a nonce seen before is a replay. */
  async function spendNonce(c: pg.PoolClient | pg.Pool, a: Authed): Promise<void> {
    const r = await c.query(`INSERT INTO request_nonces (desk_id, nonce, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond') ON CONFLICT DO NOTHING`, [a.desk.desk_id, a.nonce, 2 * REQUEST_WINDOW_MS]);
    if (r.rowCount !== 1) throw new Refusal(409, 'REPLAY', '重复的请求（可能被重放），已拒绝。', `nonce ${a.nonce} of desk ${a.desk.desk_id} already used`);
  }

  const killPoint = (point: 'before-commit' | 'after-commit', n: number) => {
    if (o.killAt && o.killAt.push === n && o.killAt.point === point) {
      log('hub.killPoint', { push: n, point });
      process.kill(process.pid, 'SIGKILL');
    }
  };

  async function pushCase(a: Authed): Promise<{ status: number; json: unknown }> {
    let p: { idempotencyKey?: unknown; caseNo?: unknown; revision?: unknown; document?: unknown };
    try {
      p = JSON.parse(a.body.toString('utf8')) as typeof p;
    } catch {
      throw new Refusal(400, 'BAD_JSON', '推送内容不是有效的 JSON。', 'body is not JSON');
    }
    if (typeof p.idempotencyKey !== 'string' || !p.idempotencyKey || typeof p.caseNo !== 'string' || !p.caseNo || !Number.isInteger(p.revision) || (p.revision as number) < 1 || typeof p.document !== 'object' || p.document === null) {
      throw new Refusal(422, 'BAD_CASE', '推送的办件缺少编号、版本或内容。', 'case push needs idempotencyKey, caseNo, revision >= 1 and document');
    }
    const n = ++pushes;
    const c = await o.pool.connect();
    try {
      await c.query('BEGIN');
      await spendNonce(c, a);
      const had = (await c.query<{ case_no: string; feed_seq: string }>('SELECT case_no, feed_seq FROM cases WHERE desk_id = $1 AND idempotency_key = $2', [a.desk.desk_id, p.idempotencyKey])).rows[0];
      if (!had) await assertCaseFilesHeld(c, p.document);
      let json: { caseNo: string; duplicate: boolean; seq: number };
      if (had) {
        json = { caseNo: had.case_no, duplicate: true, seq: Number(had.feed_seq) };
      } else {
        await c.query('SAVEPOINT before_feed');
        // Last, so the counter row's lock is held only to the commit: it orders the feed (docs/hub.md).
        const seq = Number((await c.query<{ last_seq: string }>('UPDATE feed_counter SET last_seq = last_seq + 1 WHERE hall_id = $1 RETURNING last_seq', [HALL])).rows[0]!.last_seq);
        const ins = await c.query(
          `INSERT INTO cases (desk_id, idempotency_key, case_no, revision, document, desk_schema, feed_seq) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [a.desk.desk_id, p.idempotencyKey, p.caseNo, p.revision, p.document, a.deskSchema, seq],
        );
        if (ins.rowCount === 1) {
          await c.query('INSERT INTO feed (hall_id, seq, kind, owner_desk, record_key, body) VALUES ($1, $2, $3, $4, $5, $6)', [
            HALL, seq, 'case', a.desk.desk_id, p.idempotencyKey, { caseNo: p.caseNo, revision: p.revision, document: withoutRecord(p.document) },
          ]);
          json = { caseNo: p.caseNo, duplicate: false, seq };
        } else {
          // The same key committed by a concurrent push of this entry while we waited for the counter.
          await c.query('ROLLBACK TO SAVEPOINT before_feed');
          const row = (await c.query<{ case_no: string; feed_seq: string }>('SELECT case_no, feed_seq FROM cases WHERE desk_id = $1 AND idempotency_key = $2', [a.desk.desk_id, p.idempotencyKey])).rows[0]!;
          json = { caseNo: row.case_no, duplicate: true, seq: Number(row.feed_seq) };
        }
      }
      killPoint('before-commit', n);
      await c.query('COMMIT');
      killPoint('after-commit', n);
      return { status: json.duplicate ? 200 : 201, json };
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async function feedPage(a: Authed, url: URL, gone?: AbortSignal): Promise<{ status: number; json: unknown }> {
    const after = Number(url.searchParams.get('after') ?? '0');
    const limit = Math.min(FEED_PAGE_MAX, Number(url.searchParams.get('limit') ?? '200'));
    const waitMs = Math.min(FEED_WAIT_MAX_MS, Number(url.searchParams.get('waitMs') ?? '0'));
    if (!Number.isSafeInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1 || !Number.isInteger(waitMs) || waitMs < 0) throw new Refusal(400, 'BAD_CURSOR', '变更序号无效。', `bad feed cursor after=${url.searchParams.get('after')} limit=${url.searchParams.get('limit')} waitMs=${url.searchParams.get('waitMs')}`);
    await spendNonce(o.pool, a);
    const read = async () =>
      (
        await o.pool.query<{ seq: string; kind: string; owner_desk: string; record_key: string; body: unknown }>(
          'SELECT seq, kind, owner_desk, record_key, body FROM feed WHERE hall_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
          [HALL, after, limit + 1],
        )
      ).rows;
    let rows = await read();
    if (rows.length === 0 && waitMs > 0) {
      // Long-poll: held until an item after the cursor is committed (or waitMs passed), then read again.
      await feedWaiter.waitFor(async () => (await o.pool.query('SELECT 1 FROM feed WHERE hall_id = $1 AND seq > $2 LIMIT 1', [HALL, after])).rowCount! > 0, waitMs, gone);
      rows = await read();
    }
    const items = rows.slice(0, limit).map((r) => ({ seq: Number(r.seq), kind: r.kind, ownerDesk: r.owner_desk, key: r.record_key, body: r.body }));
    const next = items.length ? items[items.length - 1]!.seq : after;
    // The rows at the cursor and at the page's end, named (hub/reconcile.ts): the desk checks the first against what it read.
    return { status: 200, json: { items, next, more: rows.length > limit, anchor: await feedToken(o.pool, HALL, after), nextToken: await feedToken(o.pool, HALL, next) } };
  }

  /** How many cases the hub holds of the signing desk, or which of its keys (reconciliation after a restore). */
  async function casesHeld(a: Authed, summary: boolean): Promise<{ status: number; json: unknown }> {
    if (summary) {
      await spendNonce(o.pool, a);
      return { status: 200, json: { cases: await deskCaseCount(o.pool, a.desk.desk_id) } };
    }
    let keys: unknown;
    try {
      keys = (JSON.parse(a.body.toString('utf8')) as { keys?: unknown }).keys;
    } catch {
      throw new Refusal(400, 'BAD_JSON', '请求内容不是有效的 JSON。', 'body is not JSON');
    }
    if (!Array.isArray(keys) || keys.length > HELD_BATCH_MAX || !keys.every((k) => typeof k === 'string')) {
      throw new Refusal(422, 'BAD_KEYS', '核对请求的办件键无效。', `keys must be an array of at most ${HELD_BATCH_MAX} strings`);
    }
    await spendNonce(o.pool, a);
    return { status: 200, json: { held: await heldKeys(o.pool, a.desk.desk_id, keys as string[]) } };
  }

  /** Hall records other than cases and their conflicts (hub/records.ts). */
  function recordRoute(method: string, url: URL, a: Authed): Promise<{ status: number; json: unknown }> {
    const ctx: RecordsContext = {
      pool: o.pool,
      deskId: a.desk.desk_id,
      spendNonce: (c) => spendNonce(c, a),
      refuse: (status, code, chinese, detail) => new Refusal(status, code, chinese, detail),
    };
    if (method === 'POST' && url.pathname === '/v1/records') return pushRecord(ctx, a.body);
    if (method === 'GET' && url.pathname === '/v1/conflicts') return listConflicts(ctx);
    if (method === 'POST' && url.pathname === '/v1/conflicts/settle') return settleConflict(ctx, a.body);
    throw new Refusal(404, 'NOT_FOUND', '没有这个接口。', `no route ${method} ${url.pathname}`);
  }

  const feedWaiter = new FeedWaiter(o.pool);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= MAX_BODY) chunks.push(b);
    });
    req.on('end', () => {
      const nonceHeader = typeof req.headers[H.nonce] === 'string' ? (req.headers[H.nonce] as string) : '';
      void (async () => {
        try {
          if (size > MAX_BODY) throw new Refusal(413, 'TOO_LARGE', '推送内容过大。', `body of ${size} bytes over ${MAX_BODY}`);
          const body = Buffer.concat(chunks);
          const a = await authenticate(req, body);
          const url = new URL(req.url ?? '/', 'http://hub');
          let r: { status: number; json: unknown };
          if (req.method === 'GET' && url.pathname === '/v1/health') {
            await spendNonce(o.pool, a);
            r = { status: 200, json: { hubId: o.identity.card.hubId, protocol: HUB_PROTOCOL, now: new Date().toISOString() } };
          } else if (req.method === 'POST' && url.pathname === '/v1/cases') r = await pushCase(a);
          else if (req.method === 'GET' && url.pathname === '/v1/feed') {
            const gone = new AbortController();
            res.once('close', () => gone.abort());
            r = await feedPage(a, url, gone.signal);
          } else if (url.pathname === '/v1/records' || url.pathname.startsWith('/v1/conflicts')) r = await recordRoute(req.method ?? '', url, a);
          else if (url.pathname.startsWith('/v1/files')) r = await fileRoute(o.pool, a, req.method ?? '', url, (c) => spendNonce(c, a), o.killAtChunk ?? null, log);
          else if (url.pathname.startsWith('/v1/field/')) {
            const f =
              fieldKeysRoute({ pool: o.pool, spendNonce: (c) => spendNonce(c, a), refuse: (...x) => new Refusal(...x) }, req.method ?? '', url, a) ??
              fieldRoute({ pool: o.pool, spendNonce: (c) => spendNonce(c, a), refuse: (...x) => new Refusal(...x), killAt: o.killAtField ?? null }, req.method ?? '', url, a);
            if (!f) throw new Refusal(404, 'NOT_FOUND', '没有这个接口。', `no route ${req.method} ${url.pathname}`);
            r = await f;
          } else if (req.method === 'GET' && url.pathname === '/v1/successor/cases') r = await successorCases(o.pool, a, url, (c) => spendNonce(c, a));
          else if (req.method === 'POST' && url.pathname === '/v1/lockouts') r = await lockoutRoute({ pool: o.pool, spendNonce: (c) => spendNonce(c, a), refuse: (...x) => new Refusal(...x) }, a);
          else if (req.method === 'GET' && url.pathname === '/v1/hall/cases') r = await hallCases(o.pool, url, (c) => spendNonce(c, a));
          else if (req.method === 'GET' && url.pathname === '/v1/hall/case-list') r = await hallCaseList(o.pool, url, (c) => spendNonce(c, a));
          else if (req.method === 'GET' && url.pathname === '/v1/cases/summary') r = await casesHeld(a, true);
          else if (req.method === 'POST' && url.pathname === '/v1/cases/held') r = await casesHeld(a, false);
          else {
            // The heartbeat and the admin requests (hub/desk-admin.ts); the audit witness (hub/audit-witness.ts).
            const adminCtx = { pool: o.pool, spendNonce, refuse: (...x: ConstructorParameters<typeof Refusal>) => new Refusal(...x) };
            const more = (await deskAdminRoute(adminCtx, req.method ?? '', url.pathname, a)) ?? (await auditWitnessRoute(adminCtx, req.method ?? '', url.pathname, a));
            if (!more) throw new Refusal(404, 'NOT_FOUND', '没有这个接口。', `no route ${req.method} ${url.pathname}`);
            r = more;
          }
          answer(res, r.status, r.json, a.nonce);
          lastSeen.seen(a.desk.desk_id);
        } catch (e) {
          if (e instanceof Refusal) {
            log('hub.refused', { code: e.code, status: e.status, desk: req.headers[H.desk] ?? null, path: req.url, detail: e.detail });
            answer(res, e.status, { error: { code: e.code, message: e.chinese, detail: e.detail } }, nonceHeader);
          } else {
            log('hub.failed', { path: req.url, error: String((e as Error)?.stack ?? e) });
            answer(res, 503, { error: { code: 'UNAVAILABLE', message: '全厅中心暂时不可用，请稍后重试。', detail: String((e as Error)?.message ?? e) } }, nonceHeader);
          }
        }
      })();
    });
  });
  // Desks reuse idle connections (undici keep-alive): the desk, never the hub, closes them.
  keepAliveLongerThanAdvertised(server);
  // Closing: held feed requests are answered at once (empty), so the listener's close is not kept waiting by them.
  const close = server.close.bind(server);
  server.close = (cb?: (err?: Error) => void) => {
    feedWaiter.close();
    return close(cb);
  };
  return server;
}

/** The case as the feed carries it to every desk: without the full record, which only a successor reads (hub/successor.ts). */
function withoutRecord(document: object): object {
  if (!('record' in document)) return document;
  const { record: _record, ...rest } = document as { record?: unknown };
  return rest;
}

/** Forgets nonces whose requests can no longer be accepted anyway (their timestamps are out of the window). */
export async function purgeNonces(pool: pg.Pool): Promise<number> {
  return (await pool.query('DELETE FROM request_nonces WHERE expires_at < now()')).rowCount ?? 0;
}
