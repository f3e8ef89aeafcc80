/**
 * Shared by the sync tests: a desk with its sync targets pointing at a simulator, and a fast
 * way to get accepted cases through the real intake methods.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from './store';
import { TEST_REQUEST_TIMEOUT_MS } from './test-timeouts';
import type { DeskApp } from '../../electron/app/create-app';
import { DEMO_PASSWORD } from '../../electron/seed/seed-demo';
import { writeTx } from '../../electron/store/write';
import { SYSTEM_ACTOR } from '../../electron/services/audit/audit-chain';
import { enqueueCase } from '../../electron/services/sync/outbox';
import { buildCaseDocument, type CaseDocument } from '../../electron/services/sync/case-document';
import { loadSyncConfig } from '../../electron/services/sync/targets-config';
import type { z } from 'zod';
import { writeSyncConfig, type SyncConfig } from '../../electron/services/sync/targets-config';
import type { TestDesk } from './app';
import type { TargetConfig as SimTarget } from '../../sim/vertical-system';

/** The case fields most tests map (externalRef is what the simulator keys on). */
export const CASE_FIELDS = [
  { name: 'externalRef', label: '办件编号', from: 'caseNo' },
  { name: 'applicantName', label: '申请人', from: 'applicant.name' },
  { name: 'idNumber', label: '证件号码', from: 'applicant.idNumber' },
  { name: 'phone', label: '联系电话', from: 'applicant.phone' },
  { name: 'items', label: '办理事项', from: 'items[].name', join: '、' },
  { name: 'acceptedAt', label: '受理时间', from: 'acceptedAt' },
];

export { TEST_REQUEST_TIMEOUT_MS };

/** Sender settings for tests: quick back-off and probes, small chunks; leases and the request timeout that outlast a loaded machine. */
export const FAST_SENDER = {
  leaseMs: 45_000,
  backoffBaseMs: 30,
  backoffMaxMs: 400,
  probeIntervalMs: 100,
  pollMs: 50,
  requestTimeoutMs: TEST_REQUEST_TIMEOUT_MS,
  chunkBytes: 256 * 1024,
  largeFileBytes: 1024 * 1024,
  ackFlushMs: 5,
};

export function simTarget(id: string, honourIdempotency: boolean, chunkSize = 256 * 1024): SimTarget {
  return { id, name: `模拟${id}`, port: 0, token: `tok-${id}`, honourIdempotency, chunkSize };
}

export function httpTarget(id: string, url: string, idempotency: 'key' | 'none', extra: Record<string, unknown> = {}) {
  return {
    id,
    name: `模拟${id}`,
    kind: 'http' as const,
    baseUrl: url,
    auth: { header: 'Authorization', value: `Bearer tok-${id}` },
    idempotency,
    fields: CASE_FIELDS,
    ...extra,
  };
}

export function writeConfig(dataDir: string, config: z.input<typeof SyncConfig>): void {
  fs.mkdirSync(dataDir, { recursive: true });
  writeSyncConfig(dataDir, config);
}

export async function applicantIdOf(d: TestDesk, token: string, name = '王芳'): Promise<number> {
  const list = await d.call('applicants.list', { query: name, limit: 5 }, token);
  return list.find((a) => a.name === name)!.id;
}

const QUICK = new Set(['cancelled', 'data_sharing', 'dept_verification']);

/**
 * A service item a case can be accepted for in a few calls: its certificates are cancelled
 * (直接取消), by data sharing (queued while the platform is away) or by department verification.
 */
export async function plainItem(d: TestDesk, token: string, department?: string) {
  const items = await d.call('catalog.listServiceItems', {}, token);
  const fits = items.filter((i) => i.certificates.every((c) => QUICK.has(c.method)) && (!department || i.department === department));
  const item = fits.sort((a, b) => a.certificates.length - b.certificates.length)[0];
  if (!item) throw new Error(`no quick service item${department ? ` in ${department}` : ''}`);
  return item;
}

/** Starts and accepts a case through the intake methods; returns its id and number. */
export async function acceptCase(d: TestDesk, token: string, applicantId: number, serviceItemId: number): Promise<{ id: number; caseNo: string }> {
  const v = await d.call('intake.start', { applicantId, serviceItemIds: [serviceItemId] }, token);
  await resolveQuick(d, token, v.id);
  const a = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
  return { id: a.id, caseNo: a.caseNo };
}

/** Resolves a quick item's pending certificates: data-sharing queries (queued if the platform is away), assistance requests. */
export async function resolveQuick(d: TestDesk, token: string, caseId: number): Promise<void> {
  const v = await d.call('intake.get', { caseId }, token);
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    if (c.method === 'data_sharing') await d.call('intake.queryDataSharing', { caseId, certificateItemId: c.certificateItemId }, token);
    else if (c.method === 'dept_verification') await d.call('intake.requestAssistance', { caseId, certificateItemId: c.certificateItemId }, token);
  }
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 50): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Waits for `fn` while the work moves on: gives up only when `progress` (a count the work raises:
 * bytes sent, entries acknowledged; or a few of them as one string) has not changed for `stallMs`. For heavy work, whose total time
 * depends on the machine's load; the test's own timeout (vitest) still bounds the whole.
 */
export async function waitWhileProgressing<T>(
  what: string,
  fn: () => T | Promise<T>,
  progress: () => number | string | Promise<number | string>,
  stallMs = 60_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  let seen = await progress();
  let movedAt = Date.now();
  for (;;) {
    const last = await fn();
    if (last) return last as NonNullable<T>;
    const now = await progress();
    if (now !== seen) {
      seen = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > stallMs) throw new Error(`no progress for ${stallMs} ms (stuck at ${seen}) waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const dbFile = (dataDir: string) => path.join(dataDir, 'desk.sqlite');

/**
 * How many attempts of each outbox entry ended for want of an answer in time (`request_timeout`),
 * from the desk's log file. On a loaded machine a request can outlast even the tests' generous
 * timeout; the sender then tries again (a look-up or the same-key re-send), so an entry's attempts
 * are 1 + this count: tests assert that rather than a fixed 1.
 */
export function timedOutAttempts(dataDir: string): Map<number, number> {
  const file = path.join(dataDir, 'logs', 'desk.log');
  const out = new Map<number, number>();
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes('"request_timeout"')) continue;
    const e = JSON.parse(line) as { event?: string; entry?: number; ended?: string };
    if ((e.event === 'sync.outcomeUnknown' || e.event === 'sync.attemptFailed') && e.ended === 'request_timeout' && typeof e.entry === 'number') out.set(e.entry, (out.get(e.entry) ?? 0) + 1);
  }
  return out;
}

/**
 * How far a desk's sender has got: its outbox entries by state, their attempts and errors, as one
 * string that changes whenever the sender does something (a claim, an attempt's end, an ack).
 */
export function outboxProgress(dataDir: string): string {
  const db = openTestStore(dbFile(dataDir), { readonly: true });
  try {
    const rows = db.prepare(`SELECT state, COUNT(*) AS n, SUM(attempts) AS attempts, GROUP_CONCAT(last_error) AS errors FROM outbox_entries GROUP BY state ORDER BY state`).all() as {
      state: string;
      n: number;
      attempts: number;
      errors: string | null;
    }[];
    return rows.map((r) => `${r.state}=${r.n}/${r.attempts}/${r.errors ?? ''}`).join(' ');
  } finally {
    db.close();
  }
}

/**
 * Waits for `fn` while the desk's sender moves (outboxProgress): fails only when its outbox has not
 * changed for `stallMs`, never after a fixed time, so a loaded machine only makes it slower.
 */
export function waitForSender<T>(what: string, dataDir: string, fn: () => T | Promise<T>, stallMs = 60_000, everyMs = 50): Promise<NonNullable<T>> {
  return waitWhileProgressing(what, fn, () => outboxProgress(dataDir), stallMs, everyMs);
}

async function call<T>(app: DeskApp, method: string, input: unknown, session?: string): Promise<T> {
  const r = await app.dispatcher.dispatch({ id: 'b', method, input, ...(session ? { session } : {}) }, { transport: 'test' });
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

/**
 * N accepted cases queued in the outbox, fast: one case is accepted through the intake methods
 * (dispatcher, as zhangmin), then cloned row by row (cases, case_items, case_certificates) and
 * queued with the outbox's own enqueueCase, 500 cases per audited transaction. For tests and the
 * bench whose subject is the sender, not intake. Returns the clones' ids (the template is queued
 * too, at its acceptance) and the template's case document.
 */
export async function queueClones(app: DeskApp, n: number): Promise<{ caseIds: number[]; doc: CaseDocument }> {
  const token = (await call<{ token: string }>(app, 'auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD })).token;
  const items = await call<{ id: number; certificates: { method: string }[] }[]>(app, 'catalog.listServiceItems', {}, token);
  const item = items.filter((i) => i.certificates.every((c) => ['cancelled', 'dept_verification', 'data_sharing'].includes(c.method))).sort((a, b) => a.certificates.length - b.certificates.length)[0]!;
  const applicants = await call<{ id: number; name: string }[]>(app, 'applicants.list', { query: '王芳', limit: 5 }, token);
  let v = await call<{ id: number; certificates: { certificateItemId: number; method: string; state: string }[] }>(app, 'intake.start', { applicantId: applicants[0]!.id, serviceItemIds: [item.id] }, token);
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const m = c.method === 'data_sharing' ? 'intake.queryDataSharing' : 'intake.requestAssistance';
    v = await call(app, m, { caseId: v.id, certificateItemId: c.certificateItemId }, token);
  }
  const template = (await call<{ id: number }>(app, 'intake.transition', { caseId: v.id, to: 'accepted' }, token)).id;

  const targets = loadSyncConfig(path.dirname(app.dbFile)).config.targets;
  const db = openTestStore(app.dbFile);
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = FULL');
  const ids: number[] = [];
  try {
    const caseNo = (db.prepare('SELECT case_no FROM cases WHERE id = ?').get(template) as { case_no: string }).case_no;
    const cloneCase = db.prepare(
      `INSERT INTO cases (case_no, applicant_id, catalog_version_id, bundle_code, status, status_reason, revision, created_at, created_by, updated_at, accepted_at, accepted_by)
       SELECT ?, applicant_id, catalog_version_id, bundle_code, status, status_reason, revision, created_at, created_by, updated_at, accepted_at, accepted_by FROM cases WHERE id = ?`,
    );
    const cloneItems = db.prepare('INSERT INTO case_items (case_id, service_item_id, position) SELECT ?, service_item_id, position FROM case_items WHERE case_id = ?');
    const cloneCerts = db.prepare(
      `INSERT INTO case_certificates (case_id, certificate_item_id, method, state, resolution, needed_by, updated_at)
       SELECT ?, certificate_item_id, method, state, resolution, needed_by, updated_at FROM case_certificates WHERE case_id = ?`,
    );
    for (let done = 0; done < n; ) {
      const batch = Math.min(500, n - done);
      writeTx(db, SYSTEM_ACTOR, () => new Date(), (w) => {
        for (let i = 0; i < batch; i++) {
          const id = Number(cloneCase.run(`${caseNo}-B${String(done + i).padStart(6, '0')}`, template).lastInsertRowid);
          cloneItems.run(id, template);
          cloneCerts.run(id, template);
          enqueueCase(w, id, targets);
          ids.push(id);
        }
      });
      done += batch;
    }
    // The template itself was queued at acceptance; its entries are part of the run as case n+1.
    return { caseIds: ids, doc: buildCaseDocument(db, template) };
  } finally {
    db.close();
  }
}
