import fs from 'node:fs';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { tempDir } from '../helpers/temp';
import { hubTargetFor } from '../helpers/hub-process';
import { serve } from '../../hub/main';
import { HubSchemaRefused, migrate } from '../../hub/migrate';
import { enrolDesk, hubIdentity, removeDesk } from '../../hub/trust';
import { createDeskKeys, fingerprint, type DeskKeys } from '../../electron/services/transfer/desk-keys';
import { H, signRequest, verifyAnswer, type HubCard } from '../../electron/services/hub/hub-protocol';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { ConnectorFailure } from '../../electron/services/sync/http-connector';
import { TargetConfig, type HubTargetConfig } from '../../electron/services/sync/targets-config';
import type { Claimed } from '../../electron/services/sync/sender-store';
import { TEST_REQUEST_TIMEOUT_MS } from '../helpers/sync-desks';

/**
 * The hub's trust rules against a real PostgreSQL: enrolment by public key and fingerprint,
 * signed requests and answers, forged / replayed / removed-desk requests refused with nothing
 * written, protocol versions told in Chinese, and the schema migrations' refusals.
 */

const pgc = usePostgres();
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
let deskA: DeskKeys;
let deskB: DeskKeys;

function keysFor(deskId: string, name: string): DeskKeys {
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-trust-test';
  return createDeskKeys(tempDir(`hub-desk-${deskId}-`), { deskId, name, zone: 'intranet', signAlg: 'ed25519' });
}

const target = (card: Pick<HubCard, 'hubId' | 'signPub'> = hubCard): HubTargetConfig => hubTargetFor(card, hub.port);

/** A connector with the desk's keys (in its data dir). */
function connectorOf(keysDir: string, t = target()): HubConnector {
  return new HubConnector(t, keysDir, 12, TEST_REQUEST_TIMEOUT_MS);
}

const dirs = new Map<string, string>();
function deskWithKeys(deskId: string): { keys: DeskKeys; dir: string } {
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-trust-test';
  const dir = tempDir(`hub-desk-${deskId}-`);
  const keys = createDeskKeys(dir, { deskId, name: `${deskId} 窗口`, zone: 'intranet', signAlg: 'ed25519' });
  dirs.set(deskId, dir);
  return { keys, dir };
}

function entry(key: string, caseNo: string, revision = 1): Claimed {
  return { idempotency_key: key, revision, document: JSON.stringify({ caseNo, applicant: { name: '王芳' } }) } as unknown as Claimed;
}

async function counts(): Promise<{ cases: number; feed: number; nonces: number }> {
  const one = async (sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0]!.n);
  return { cases: await one('SELECT count(*) AS n FROM cases'), feed: await one('SELECT count(*) AS n FROM feed'), nonces: await one('SELECT count(*) AS n FROM request_nonces') };
}

/** Sends a request with the given headers and body as is (for forged and replayed requests). */
async function rawSend(method: string, p: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; json: { error?: { code: string; message: string } } }> {
  const res = await fetch(`http://127.0.0.1:${hub.port}${p}`, { method, headers: { ...headers, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : new Uint8Array(body) });
  const raw = Buffer.from(await res.arrayBuffer());
  // Even a refusal is signed by the hub, over the request's nonce.
  expect(verifyAnswer(hubCard, res.status, raw, headers[H.nonce] ?? '', res.headers.get(H.hubSignature))).toBe(true);
  return { status: res.status, json: JSON.parse(raw.toString('utf8')) as { error?: { code: string; message: string } } };
}

const pushBody = (key: string, caseNo: string) => Buffer.from(JSON.stringify({ idempotencyKey: key, caseNo, revision: 1, document: { caseNo } }));

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_trust');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  const a = deskWithKeys('desk-a');
  const b = deskWithKeys('desk-b');
  deskA = a.keys;
  deskB = b.keys;
  for (const k of [deskA, deskB]) await enrolDesk(pool, k.card, '李主任');
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await hub?.close();
});

describe('hub enrolment and trust', () => {
  it('enrolment pins the desk key and its fingerprint; the desk pins the hub key only with the fingerprint read from the hub', async () => {
    const row = (await pool.query('SELECT sign_pub, fingerprint, enrolled_by FROM desks WHERE desk_id = $1', ['desk-a'])).rows[0];
    expect(row).toEqual({ sign_pub: deskA.card.signPub, fingerprint: fingerprint(deskA.card), enrolled_by: '李主任' });
    expect(row.fingerprint).toMatch(/^[0-9A-F]{4}(-[0-9A-F]{4}){4}$/);
    // Enrolling the same card again is a no-op; another key under the same desk id is refused.
    expect((await enrolDesk(pool, deskA.card, '李主任')).already).toBe(true);
    const other = keysFor('desk-a', '冒名窗口');
    await expect(enrolDesk(pool, other.card, '李主任')).rejects.toThrow(/另一把密钥/);
    // The desk's target refuses a hub key whose fingerprint is not the one compared at enrolment.
    const wrong = TargetConfig.safeParse({ id: 'hub', name: '全厅中心', kind: 'hub', baseUrl: 'http://127.0.0.1:1', hub: { hubId: hubCard.hubId, signPub: hubCard.signPub, fingerprint: '0000-0000-0000-0000-0000' } });
    expect(wrong.success).toBe(false);
    expect(JSON.stringify(wrong.error?.issues)).toContain('指纹不符');
  });

  it('a signed push is stored once under its idempotency key, and the hub answer is checked against the pinned key', async () => {
    const c = connectorOf(dirs.get('desk-a')!);
    await c.probe();
    const before = await counts();
    expect(await c.deliver(entry('HALL/A-0001/hub/r1', 'A-0001'))).toEqual({ targetCaseNo: 'A-0001', via: 'answer' });
    expect(await c.deliver(entry('HALL/A-0001/hub/r1', 'A-0001'))).toEqual({ targetCaseNo: 'A-0001', via: 'duplicate' });
    const after = await counts();
    expect(after.cases - before.cases).toBe(1);
    expect(after.feed - before.feed).toBe(1);
    // Another desk may use the same key for its own case (keys are per desk): stored separately.
    expect((await connectorOf(dirs.get('desk-b')!).deliver(entry('HALL/A-0001/hub/r1', 'A-0001'))).via).toBe('answer');
    expect((await pool.query(`SELECT desk_id FROM cases WHERE idempotency_key = 'HALL/A-0001/hub/r1' ORDER BY desk_id`)).rows.map((r) => r.desk_id)).toEqual(['desk-a', 'desk-b']);

    // A desk pinned to another hub key does not believe this hub's answers.
    const impostorKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const pinnedElsewhere = connectorOf(dirs.get('desk-a')!, target({ hubId: hubCard.hubId, signPub: impostorKey }));
    const e = await pinnedElsewhere.probe().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorFailure);
    expect((e as ConnectorFailure).message).toContain('应答签名无效');
  });

  it('forged requests are refused with nothing written: an unenrolled key under an enrolled id, a body changed after signing, an unknown desk', async () => {
    const before = await counts();
    const impostor = generateKeyPairSync('ed25519').privateKey;
    const body = pushBody('HALL/F-0001/hub/r1', 'F-0001');
    const forgedKey = await rawSend('POST', '/v1/cases', signRequest({ deskId: 'desk-a', signAlg: 'ed25519', signKey: impostor }, 'POST', '/v1/cases', body, new Date(), 12), body);
    expect(forgedKey.status).toBe(401);
    expect(forgedKey.json.error).toMatchObject({ code: 'BAD_SIGNATURE', message: '请求签名无效，已拒绝。' });

    const signedFor = pushBody('HALL/F-0002/hub/r1', 'F-0002');
    const changed = pushBody('HALL/F-0003/hub/r1', 'F-0003');
    const tampered = await rawSend('POST', '/v1/cases', signRequest({ deskId: 'desk-a', signAlg: 'ed25519', signKey: deskA.signKey }, 'POST', '/v1/cases', signedFor, new Date(), 12), changed);
    expect(tampered.status).toBe(401);
    expect(tampered.json.error?.code).toBe('BAD_SIGNATURE');

    const stranger = await rawSend('POST', '/v1/cases', signRequest({ deskId: 'desk-x', signAlg: 'ed25519', signKey: impostor }, 'POST', '/v1/cases', body, new Date(), 12), body);
    expect(stranger.status).toBe(403);
    expect(stranger.json.error).toMatchObject({ code: 'NOT_ENROLLED', message: '本工作台尚未在全厅中心登记，已拒绝。' });

    const stale = await rawSend('POST', '/v1/cases', signRequest({ deskId: 'desk-a', signAlg: 'ed25519', signKey: deskA.signKey }, 'POST', '/v1/cases', body, new Date(Date.now() - 6 * 60_000), 12), body);
    expect(stale.status).toBe(401);
    expect(stale.json.error?.code).toBe('CLOCK');

    expect(await counts()).toEqual(before);
  });

  it('a replayed request is refused with nothing written', async () => {
    const body = pushBody('HALL/R-0001/hub/r1', 'R-0001');
    const headers = signRequest({ deskId: 'desk-a', signAlg: 'ed25519', signKey: deskA.signKey }, 'POST', '/v1/cases', body, new Date(), 12);
    expect((await rawSend('POST', '/v1/cases', headers, body)).status).toBe(201);
    const before = await counts();
    const again = await rawSend('POST', '/v1/cases', headers, body);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'REPLAY', message: '重复的请求（可能被重放），已拒绝。' });
    expect(await counts()).toEqual(before);
  });

  it('a desk too new for the hub is told so in Chinese, and nothing is written', async () => {
    const before = await counts();
    const body = pushBody('HALL/V-0001/hub/r1', 'V-0001');
    const headers = { ...signRequest({ deskId: 'desk-a', signAlg: 'ed25519', signKey: deskA.signKey }, 'POST', '/v1/cases', body, new Date(), 12), [H.protocol]: '2' };
    const r = await rawSend('POST', '/v1/cases', headers, body);
    expect(r.status).toBe(426);
    expect(r.json.error?.message).toContain('本工作台版本比全厅中心新（协议版本 2），中心只支持 1–1');
    const old = await rawSend('POST', '/v1/cases', { ...headers, [H.protocol]: '0' }, body);
    expect(old.json.error?.message).toContain('本工作台版本过旧');
    expect(await counts()).toEqual(before);
  });

  it('a removed desk is refused from then on, with nothing written, and its connector says why', async () => {
    const c = connectorOf(dirs.get('desk-b')!);
    expect((await c.deliver(entry('HALL/B-0009/hub/r1', 'B-0009'))).via).toBe('answer');
    await removeDesk(pool, 'desk-b', '李主任');
    const before = await counts();
    const e = await c.deliver(entry('HALL/B-0010/hub/r1', 'B-0010')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectorFailure);
    expect((e as ConnectorFailure).failure).toMatchObject({ kind: 'not_sent', message: '全厅中心拒绝了本工作台：本工作台已被管理员从全厅中心移除，已拒绝。' });
    await expect(c.probe()).rejects.toThrow('已被管理员从全厅中心移除');
    // Enrolling the removed desk's card again is refused too.
    await expect(enrolDesk(pool, deskB.card, '李主任')).rejects.toThrow(/已被移除/);
    expect(await counts()).toEqual(before);
  });
});

describe('hub change feed', () => {
  it('a reader polling the feed while many pushes commit concurrently sees every item once, in order, never skipping one committed later with a smaller number', async () => {
    const c = connectorOf(dirs.get('desk-a')!);
    const start = (await c.feedPage(0, 1000)).next;
    const N = 120;
    let done = false;
    const seen: number[] = [];
    const reader = (async () => {
      let cursor = start;
      for (;;) {
        const finished = done;
        const page = await c.feedPage(cursor, 7);
        seen.push(...page.items.map((i) => i.seq));
        cursor = page.next;
        if (finished && !page.more) return;
      }
    })();
    // 12 pushes in flight at a time, from 12 pool connections of the hub.
    const keys = Array.from({ length: N }, (_, i) => `HALL/C-${String(i).padStart(4, '0')}/hub/r1`);
    await Promise.all(
      Array.from({ length: 12 }, async (_, lane) => {
        for (let i = lane; i < N; i += 12) await c.deliver(entry(keys[i]!, `C-${i}`));
      }),
    );
    done = true;
    await reader;
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => start + i + 1));
  });
});

describe('hub schema migrations', () => {
  function migrationsDir(files: Record<string, string>): string {
    const dir = tempDir('hub-migrations-');
    for (const [name, sql] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), sql);
    return dir;
  }

  it('applies pending migrations once, and refuses a changed migration, a newer database and a gap before writing anything', async () => {
    const db = new pg.Pool({ connectionString: await createDatabase(pgc.cluster, 'hub_migrations'), max: 2 });
    try {
      const v1 = { '0001_a.sql': 'CREATE TABLE a (x INT);', '0002_b.sql': 'CREATE TABLE b (y INT);' };
      expect(await migrate(db, migrationsDir(v1))).toEqual({ schemaVersion: 2, applied: [1, 2] });
      expect(await migrate(db, migrationsDir(v1))).toEqual({ schemaVersion: 2, applied: [] });

      const applied = async () => (await db.query('SELECT version, checksum FROM schema_migrations ORDER BY version')).rows;
      const before = await applied();
      const refusal = async (files: Record<string, string>) => {
        const e = await migrate(db, migrationsDir(files)).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(HubSchemaRefused);
        return e as HubSchemaRefused;
      };
      const changed = await refusal({ ...v1, '0002_b.sql': 'CREATE TABLE b (y BIGINT);', '0003_c.sql': 'CREATE TABLE c (z INT);' });
      expect(changed.kind).toBe('migration_changed');
      expect(changed.message).toContain('中心程序自带的数据库升级脚本与数据库已执行过的脚本不一致');
      const newer = await refusal({ '0001_a.sql': v1['0001_a.sql'] });
      expect(newer.kind).toBe('newer_version');
      expect(newer.message).toContain('由更高版本的中心程序写入');
      // Nothing of the refused sets ran (0003 would have created c).
      expect(await applied()).toEqual(before);
      expect((await db.query(`SELECT to_regclass('c') AS t`)).rows[0].t).toBeNull();

      await db.query('DELETE FROM schema_migrations WHERE version = 1');
      const gap = await refusal({ ...v1, '0003_c.sql': 'CREATE TABLE c (z INT);' });
      expect(gap.kind).toBe('migration_gap');
      expect((await db.query(`SELECT to_regclass('c') AS t`)).rows[0].t).toBeNull();
    } finally {
      await db.end();
    }
  });
});
