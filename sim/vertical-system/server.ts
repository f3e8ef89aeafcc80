/**
 * One simulated vertical system's data port (docs/sync-protocol.md): auth, the faults, cases and
 * uploads. "refuse" really closes the listener (clients see ECONNREFUSED) and reopens it on the
 * same port.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { SimStore } from './store';
import { randomSource, refusal422 } from './faults';
import { BadRequest, errorBody, readJson, sendJson } from '../http-util';
import { completeUpload, createUpload, putChunk, uploadStatus, type UploadContext } from './uploads';
import { emptyStats, type Faults, type StatusChange, type TargetConfig, type TargetInfo } from './types';

const EXTERNAL_REF_MAX = 200;

export class TargetServer {
  faults: Faults = {};
  stats = emptyStats();
  honourIdempotency: boolean;
  port: number;
  private readonly server: http.Server;
  private listening = false;
  private cutsLeft = 0;
  private random: () => number = Math.random;
  private readonly sockets = new Set<Socket>();
  /** Answers held by the holdAnswers fault, in the order they were due. */
  private held: (() => void)[] = [];

  constructor(
    readonly config: TargetConfig,
    private readonly store: SimStore,
  ) {
    this.port = config.port;
    this.honourIdempotency = config.honourIdempotency;
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        process.stderr.write(`[vertical-sim ${config.id}] ${req.method} ${req.url}: ${String((e as Error)?.stack ?? e)}\n`);
        sendJson(res, 500, errorBody('internal', '模拟系统内部错误'));
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  info(): TargetInfo {
    const { id, name, chunkSize } = this.config;
    return { id, name, port: this.port, url: this.url, honourIdempotency: this.honourIdempotency, chunkSize, refused: !this.listening };
  }

  async open(): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(new Error(`模拟系统 ${this.config.id} 无法监听端口 ${this.port}：${e.message}`));
      this.server.once('error', onError);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.port = (this.server.address() as { port: number }).port;
    this.listening = true;
  }

  /** Stops listening and cuts every open connection (keep-alive ones too). */
  async shut(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Replaces the faults; refuse closes/reopens the port. */
  async setFaults(f: Faults): Promise<void> {
    if (f.honourIdempotency !== undefined) this.honourIdempotency = f.honourIdempotency;
    this.faults = f;
    this.random = randomSource(f.seed);
    this.cutsLeft = f.cutUploadAfterBytes !== undefined ? (f.cutUploadTimes ?? 1) : 0;
    if (!f.holdAnswers) for (const answer of this.held.splice(0)) answer();
    if (f.refuse && this.listening) {
      this.stats.refused++;
      await this.shut();
    } else if (!f.refuse && !this.listening) {
      await this.open();
    }
  }

  cases() {
    return this.store.allCases(this.config.id);
  }

  /** Clears stored data, faults and counters; the port is open afterwards. */
  async reset(): Promise<void> {
    this.store.reset(this.config.id);
    this.honourIdempotency = this.config.honourIdempotency;
    await this.setFaults({});
    this.stats = emptyStats();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.stats.requests++;
    const faults = this.faults;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (status >= 500) this.stats.status5xx++;
      else if (status === 429) this.stats.status429++;
      else if (status === 422) this.stats.rejected++;
      const delay = faults.delayMs ?? 0;
      const answer = () => {
        const skew: Record<string, string> = faults.clockSkewS ? { Date: new Date(Date.now() + faults.clockSkewS * 1000).toUTCString() } : {};
        sendJson(res, status, body, { ...skew, ...headers });
      };
      if (faults.holdAnswers && req.url?.startsWith('/api/')) this.held.push(answer);
      else if (delay > 0) setTimeout(answer, delay);
      else answer();
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;

    if (route === 'GET /health') return send(200, { target: this.config.id, ok: true });
    if (!url.pathname.startsWith('/api/')) return send(404, errorBody('not_found', '没有这个接口'));
    if (req.headers.authorization !== `Bearer ${this.config.token}`) return send(401, errorBody('unauthorized', '访问令牌无效或缺失'));

    // Transient failures, before anything is read or stored.
    const roll = this.random();
    const p5 = faults.rate5xx ?? 0;
    if (roll < p5) return send(FIVE_XX[Math.floor(this.random() * FIVE_XX.length)]!, errorBody('unavailable', '系统繁忙，请稍后再试（模拟故障）'));
    if (roll < p5 + (faults.rate429 ?? 0))
      return send(429, errorBody('rate_limited', '请求过于频繁，请稍后再试'), { 'Retry-After': String(faults.retryAfterS ?? 1) });

    const uploadCtx: UploadContext = {
      target: this.config.id,
      chunkSize: this.config.chunkSize,
      store: this.store,
      stats: this.stats,
      send: (status, body) => send(status, body),
      cutAfter: () => {
        if (this.faults !== faults || faults.cutUploadAfterBytes === undefined || this.cutsLeft <= 0) return null;
        this.cutsLeft--;
        return faults.cutUploadAfterBytes;
      },
      cutNotUsed: () => {
        if (this.faults === faults) this.cutsLeft++;
      },
    };

    try {
      if (route === 'POST /api/cases') return this.postCase(req, res, faults, await readJson(req), send);
      if (route === 'GET /api/cases') {
        const ref = url.searchParams.get('externalRef') ?? '';
        const items = this.store.casesByRef(this.config.id, ref).map((c) => ({
          caseNo: c.caseNo,
          externalRef: c.externalRef,
          receivedAt: c.receivedAt,
          // The revisions stored of it (a case stored before versions were kept counts as revision 1).
          revisions: c.versions.length ? [...new Set(c.versions.map((v) => v.revision))] : [1],
          status: c.status,
        }));
        return send(200, { items });
      }
      if (route === 'POST /api/uploads') return createUpload(uploadCtx, await readJson(req));
      const m = /^\/api\/uploads\/([A-Za-z0-9]+)(\/complete)?$/.exec(url.pathname);
      if (m && !m[2] && req.method === 'GET') return uploadStatus(uploadCtx, m[1]!);
      if (m && !m[2] && req.method === 'PUT') return await putChunk(uploadCtx, m[1]!, url.searchParams.get('offset'), req);
      if (m && m[2] && req.method === 'POST') return await completeUpload(uploadCtx, m[1]!);
      return send(404, errorBody('not_found', '没有这个接口'));
    } catch (e) {
      if (e instanceof BadRequest) return send(400, errorBody('bad_request', e.message));
      throw e;
    }
  }

  private postCase(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    faults: Faults,
    body: Record<string, unknown>,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void {
    const id = this.config.id;
    const keyHeader = req.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' && keyHeader.trim() ? keyHeader.trim() : null;
    const dedupe = this.honourIdempotency;
    if (dedupe && key) {
      const seen = this.store.caseByKey(id, key);
      if (seen) {
        this.stats.duplicatesServed++;
        return send(200, { caseNo: seen.caseNo, duplicate: true, receivedAt: seen.receivedAt });
      }
    }
    const externalRef = body.externalRef;
    if (typeof externalRef !== 'string' || !externalRef.trim() || externalRef.length > EXTERNAL_REF_MAX)
      return send(422, errorBody('missing_external_ref', '缺少业务流水号（externalRef）或长度超过 200 个字符', 'externalRef'));
    const refusal = refusal422(faults.reject422, externalRef, body);
    if (refusal) return send(422, errorBody(refusal.code, refusal.message, refusal.field));
    const fileProblem = this.checkFiles(body.files);
    if (fileProblem) return send(422, errorBody('unknown_file', fileProblem, 'files'));
    const revision = body.revision === undefined ? 1 : body.revision;
    if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) return send(422, errorBody('invalid_revision', '版本号（revision）须为正整数', 'revision'));
    const change = statusChangeOf(body.statusChange);
    if (typeof change === 'string') return send(422, errorBody('invalid_status_change', change, 'statusChange'));

    const { stored, duplicate, revised, receivedAt } = this.store.insertCase(
      id,
      this.config.caseNoPrefix ?? id.toUpperCase(),
      { externalRef, idempotencyKey: key, payload: body, revision, statusChange: change },
      dedupe,
    );
    if (duplicate) {
      this.stats.duplicatesServed++;
      return send(200, { caseNo: stored.caseNo, duplicate: true, receivedAt });
    }
    if (revised) this.stats.revisionsStored++;
    else this.stats.stored++;
    const p = faults.dropAfterCommitRate ?? 0;
    if (p > 0 && this.random() < p) {
      // Committed above; the answer is lost on the way back.
      this.stats.dropped++;
      res.socket?.destroy();
      return;
    }
    send(201, { caseNo: stored.caseNo, receivedAt, revision, ...(stored.status ? { status: stored.status } : {}) });
  }

  /** A case may reference only this target's complete uploads. Returns a Chinese reason, or null. */
  private checkFiles(files: unknown): string | null {
    if (files === undefined) return null;
    if (!Array.isArray(files)) return '附件列表（files）须为数组';
    for (const f of files as unknown[]) {
      const fileId = f && typeof f === 'object' ? (f as { fileId?: unknown }).fileId : undefined;
      if (typeof fileId !== 'string') return '附件缺少 fileId';
      if (!this.store.completeFile(this.config.id, fileId)) return `附件 ${fileId} 不存在或尚未上传完成`;
    }
    return null;
  }
}

const FIVE_XX = [500, 502, 503];

/** A revision's status change, checked: the new status, the legal basis, the reason and the time are required. Returns a Chinese reason when it is not acceptable. */
function statusChangeOf(v: unknown): StatusChange | null | string {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return '状态变更（statusChange）须为对象';
  const c = v as Record<string, unknown>;
  const text = (k: string) => typeof c[k] === 'string' && (c[k] as string).trim() !== '';
  if (!text('status')) return '状态变更缺少新状态（status）';
  if (!text('legalBasis')) return '状态变更缺少法律依据（legalBasis）';
  if (!text('reason')) return '状态变更缺少理由（reason）';
  if (!text('at') || Number.isNaN(Date.parse(c.at as string))) return '状态变更缺少决定时间（at）或格式不对';
  const opt = (k: string) => (typeof c[k] === 'string' ? { [k]: c[k] as string } : {});
  const items = Array.isArray(c.items) ? { items: c.items as NonNullable<StatusChange['items']> } : {};
  return { status: c.status as string, legalBasis: c.legalBasis as string, reason: c.reason as string, at: c.at as string, ...opt('statusLabel'), ...opt('action'), ...opt('previousStatus'), ...items };
}
