/**
 * A desk whose request timed out retries it while the first attempt still runs at the hub: the same
 * logical request (same idempotency key, a new nonce) runs several times at once. Against a real
 * PostgreSQL and the real hub (in process, on loopback), each race is made deterministic: the test's
 * own transaction holds the lock the hub's transactions serialise on, waits until all N attempts are
 * queued behind it (pg_stat_activity, the work's own progress — no sleeps), then lets them go.
 * - N pushes of one record version under one key → one stored (201), the others its duplicates
 *   (200, same version and outcome); one version row, one feed item, no `hub.failed`.
 * - the same for a case push (one case row, one feed item) and a file's last chunk (one chunk row).
 * - one idempotency key sent for two different records at once → the first stored, the other
 *   refused (422 KEY_REUSED, its Chinese message), nothing of it kept, no 5xx.
 * - N audit sends of one desk with overlapping entry ranges → no deadlock, no 500; the witness
 *   holds every entry once.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { hubTargetFor } from '../helpers/hub-process';
import { tempDir } from '../helpers/temp';
import { migrate } from '../../hub/migrate';
import { hubIdentity, enrolDesk } from '../../hub/trust';
import { createHubServer } from '../../hub/server';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { entryHash, GENESIS_HASH } from '../../electron/services/audit/audit-chain';

const N = 8;
const pgc = usePostgres();
let pool: pg.Pool;
let server: http.Server;
let dbName: string;
const logged: { event: string; detail: Record<string, unknown> }[] = [];
const connectors = new Map<string, HubConnector>();

async function connector(deskId: string): Promise<HubConnector> {
  const have = connectors.get(deskId);
  if (have) return have;
  const dataDir = tempDir(`hub-race-${deskId}-`);
  const keys = createDeskKeys(dataDir, { deskId, name: `${deskId} 窗口`, zone: 'intranet', signAlg: 'ed25519' });
  await enrolDesk(pool, keys.card, '李主任');
  const identity = await hubIdentity(pool);
  const c = new HubConnector(hubTargetFor(identity.card, (server.address() as AddressInfo).port), dataDir, 15, 60_000);
  connectors.set(deskId, c);
  return c;
}

/** Holds `lockSql`'s lock in the test's own transaction until `n` hub backends wait on a lock, then releases it. */
async function holding<T>(lockSql: string, args: unknown[], n: number, fire: () => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(lockSql, args);
    const running = fire();
    for (;;) {
      const waiting = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [dbName])).rows[0]!.n);
      if (waiting >= n) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await c.query('COMMIT');
    return await running;
  } finally {
    c.release();
  }
}

const failures = () => logged.filter((l) => l.event === 'hub.failed');

beforeEach(() => {
  logged.length = 0;
});

beforeAll(async () => {
  dbName = 'hubrace';
  const url = await createDatabase(pgc.cluster, dbName);
  pool = new pg.Pool({ connectionString: url, max: 40 });
  await migrate(pool);
  const identity = await hubIdentity(pool);
  server = createHubServer({ pool, identity, log: (event, detail) => logged.push({ event, detail }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
}, 120_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await pool.end();
});

const credit = (name: string) => ({ idType: '身份证', idNumber: '110101199001011234', name, kind: 'bad_credit', severity: '一般', reason: '虚假承诺', source: '市场监管', recordedAt: '2026-12-01T09:00:00.000Z' });

describe('the same request run several times at once (a retry while the first attempt still runs)', () => {
  it('a record version pushed N times at once under one key is stored once; the others are its duplicates', async () => {
    const c = await connector('race-a');
    const recordId = 'credit:race-1';
    const first = await c.request('POST', '/v1/records', { kind: 'credit', recordId, baseVersion: 0, body: credit('张三'), idempotencyKey: 'k-v1' });
    expect(first.status).toBe(201);
    const push = { kind: 'credit', recordId, baseVersion: 1, body: credit('张三丰'), idempotencyKey: 'k-v2' };
    // Every attempt queued behind the record's row, as retries behind their first attempt.
    const answers = await holding('SELECT 1 FROM records WHERE kind = $1 AND record_id = $2 FOR UPDATE', ['credit', recordId], N, () =>
      Promise.all(Array.from({ length: N }, () => c.request('POST', '/v1/records', push))),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    for (const a of answers) expect(a.json).toMatchObject({ version: 2, outcome: 'current', current: { version: 2 } });
    expect(answers.filter((a) => (a.json as { duplicate: boolean }).duplicate)).toHaveLength(N - 1);
    expect((await pool.query('SELECT version FROM record_versions WHERE record_id = $1 ORDER BY version', [recordId])).rows).toEqual([{ version: 1 }, { version: 2 }]);
    expect((await pool.query('SELECT version, last_version FROM records WHERE record_id = $1', [recordId])).rows).toEqual([{ version: 2, last_version: 2 }]);
    expect((await pool.query('SELECT record_key FROM feed WHERE record_key LIKE $1 ORDER BY seq', [`credit:${recordId}@%`])).rows).toEqual([
      { record_key: `credit:${recordId}@1` },
      { record_key: `credit:${recordId}@2` },
    ]);
    expect(failures()).toEqual([]);
  }, 120_000);

  it('a new record pushed N times at once under one key is stored once', async () => {
    const c = await connector('race-a');
    const recordId = 'credit:race-new';
    const push = { kind: 'credit', recordId, baseVersion: 0, body: credit('李四'), idempotencyKey: 'k-new' };
    const answers = await Promise.all(Array.from({ length: N }, () => c.request('POST', '/v1/records', push)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    for (const a of answers) expect(a.json).toMatchObject({ version: 1, outcome: 'current' });
    expect((await pool.query('SELECT count(*)::int AS n FROM record_versions WHERE record_id = $1', [recordId])).rows).toEqual([{ n: 1 }]);
    expect((await pool.query('SELECT count(*)::int AS n FROM feed WHERE record_key LIKE $1', [`credit:${recordId}@%`])).rows).toEqual([{ n: 1 }]);
    expect(failures()).toEqual([]);
  }, 120_000);

  it('one key sent for two different records — at once, then again — stores the first and refuses the other by name, never a 5xx', async () => {
    const c = await connector('race-a');
    const pushOf = (recordId: string, name: string) => ({ kind: 'credit', recordId, baseVersion: 0, body: credit(name), idempotencyKey: 'k-shared' });
    // Both queued behind the key's lock (each record is new, so nothing else serialises them).
    const answers = await holding('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [JSON.stringify(['record-key', 'race-a', 'k-shared'])], 2, () =>
      Promise.all([c.request('POST', '/v1/records', pushOf('credit:shared-x', '赵一')), c.request('POST', '/v1/records', pushOf('credit:shared-y', '钱二'))]),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const refused = answers.find((a) => a.status === 422)!.json as { error: { code: string; message: string } };
    expect(refused.error.code).toBe('KEY_REUSED');
    expect(refused.error.message).toBe('这次推送的幂等键已用于另一条记录，全厅中心未保存。请联系技术支持检查本工作台的推送队列。');
    const stored = (await pool.query<{ record_id: string }>(`SELECT record_id FROM record_versions WHERE idempotency_key = 'k-shared'`)).rows;
    expect(stored).toHaveLength(1);
    const other = stored[0]!.record_id === 'credit:shared-x' ? 'credit:shared-y' : 'credit:shared-x';
    // Nothing of the refused record was kept, not even an empty records row.
    expect((await pool.query('SELECT count(*)::int AS n FROM records WHERE record_id = $1', [other])).rows).toEqual([{ n: 0 }]);
    // Sent again later: the same refusal; the stored one's own retry is still its duplicate.
    expect((await c.request('POST', '/v1/records', pushOf(other, '孙三'))).status).toBe(422);
    const again = await c.request('POST', '/v1/records', pushOf(stored[0]!.record_id, stored[0]!.record_id === 'credit:shared-x' ? '赵一' : '钱二'));
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true, version: 1 });
    expect(failures()).toEqual([]);
  }, 120_000);

  it('a case pushed N times at once under one key is held once, with one feed item', async () => {
    const c = await connector('race-a');
    const push = { idempotencyKey: 'case-k1', caseNo: 'RACE-0001', revision: 1, document: { caseNo: 'RACE-0001', applicant: '王芳' } };
    // Queued behind the feed's counter row, where a new push takes its number.
    const answers = await holding('SELECT 1 FROM feed_counter FOR UPDATE', [], N, () => Promise.all(Array.from({ length: N }, () => c.request('POST', '/v1/cases', push))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    const seqs = new Set(answers.map((a) => (a.json as { seq: number }).seq));
    expect(seqs.size).toBe(1);
    expect((await pool.query(`SELECT count(*)::int AS n FROM cases WHERE idempotency_key = 'case-k1'`)).rows).toEqual([{ n: 1 }]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM feed WHERE kind = 'case' AND record_key = 'case-k1'`)).rows).toEqual([{ n: 1 }]);
    expect(failures()).toEqual([]);
  }, 120_000);

  it("a file's last chunk sent N times at once is appended once", async () => {
    const c = await connector('race-a');
    const bytes = Buffer.from('第一段'.repeat(100) + '第二段'.repeat(100), 'utf8');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const half = bytes.length / 2;
    const put = (from: number, to: number) => c.requestRaw('PUT', `/v1/files/${sha}?offset=${from}&size=${bytes.length}&mime=text/plain`, { bytes: bytes.subarray(from, to), type: 'application/octet-stream' });
    expect((await put(0, half)).status).toBe(201);
    const answers = await holding('SELECT 1 FROM hub_files WHERE sha256 = $1 FOR UPDATE', [sha], N, () => Promise.all(Array.from({ length: N }, () => put(half, bytes.length))));
    // One appends and completes the file; the others find it complete (200, nothing written but their nonce).
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    for (const a of answers) expect(JSON.parse(a.raw.toString('utf8'))).toEqual({ sha256: sha, have: bytes.length, complete: true });
    expect((await pool.query('SELECT off::int AS off FROM hub_file_chunks WHERE sha256 = $1 ORDER BY off', [sha])).rows).toEqual([{ off: 0 }, { off: half }]);
    expect(failures()).toEqual([]);
  }, 120_000);

  it('N audit sends of one desk at once, with overlapping entries, deadlock nowhere and are witnessed once', async () => {
    const c = await connector('race-b');
    const pub = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const entries: Record<string, unknown>[] = [];
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 12; seq++) {
      const rest = { seq, at: `2026-12-06T09:00:${String(seq).padStart(2, '0')}.000Z`, actor_id: 1, actor_username: 'zhangwei', action: 'case.accepted', entity_type: 'case', entity_id: String(seq), detail: '{}', prev_hash: prev };
      const hash = entryHash(rest);
      entries.push({ ...rest, hash });
      prev = hash;
    }
    const send = (from: number, to: number) => c.request('POST', '/v1/audit/send', { auditPub: pub, epoch: 'epoch-1', checkpoints: [], entries: entries.slice(from - 1, to) });
    expect((await send(1, 2)).status).toBe(200);
    // Ranges 1–5, 1–6 … 1–12: each starts at the first entry, so every one continues what the hub holds.
    // The test holds the desk's row as the hub's sends do (NO KEY UPDATE: the sends' nonces still go in).
    const answers = await holding('SELECT 1 FROM desks WHERE desk_id = $1 FOR NO KEY UPDATE', ['race-b'], N, () =>
      Promise.all(Array.from({ length: N }, (_, i) => send(1, 5 + i))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(N).fill(200));
    expect((await pool.query(`SELECT seq::int AS seq FROM audit_witness_entries WHERE desk_id = 'race-b' ORDER BY seq`)).rows.map((r: { seq: number }) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(failures()).toEqual([]);
  }, 120_000);
});
