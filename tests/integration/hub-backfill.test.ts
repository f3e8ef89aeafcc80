import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { testDesk, type TestDesk } from '../helpers/app';
import { deskRows, writeHubConfig } from '../helpers/hub-desks';
import { tempDir } from '../helpers/temp';
import { signaturePng } from '../helpers/png';
import { dbFile, waitFor, waitWhileProgressing } from '../helpers/sync-desks';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { createDeskKeys, type DeskCard } from '../../electron/services/transfer/desk-keys';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import { killRandom } from '../helpers/kill-points';
import { startHost } from '../e2e/support/host';
import { openTestStore } from '../helpers/store';

/**
 * Backfill at enrolment (docs/hub.md, "Backfill and long offline periods"), against a real
 * PostgreSQL, the real hub (in process) and desks with their own SQLite files that worked for a
 * while without a hub: what they wrote before (applicants, credit records, materials) is queued once
 * when the hub target is added and pushed; the same person registered at two desks before the hub
 * ends as ONE applicant on the hub with both versions kept and a conflict listed; users stay local.
 * A backfill killed (SIGKILL, at a seeded batch: before or after its commit) goes on from its
 * marker, queues each record once (KILL_SEED replays), and a
 * repeated enrolment (the same card, the desk started again) queues nothing more.
 */

const pgc = usePostgres();
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
const open: TestDesk[] = [];

/** A resident ID number with its GB 11643 check digit (birth date `yyyymmdd`, sequence `nnn`). */
function residentId(birth: string, seq: string): string {
  const body = `420325${birth}${seq}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

const SAME_PERSON = residentId('19850412', '031');

/** A desk that has worked without a hub: its keys exist, it is not enrolled, its targets name no hub. */
async function deskWithoutHub(deskId: string, windowName: string): Promise<{ d: TestDesk; card: DeskCard }> {
  const dataDir = tempDir(`hub-backfill-${deskId}-`);
  const keys = createDeskKeys(dataDir, { deskId, name: windowName, zone: 'intranet', signAlg: 'ed25519' });
  writeHubConfig(dataDir, hubCard, null);
  const d = await testDesk({ dataDir });
  open.push(d);
  return { d, card: keys.card };
}

/** The supervisor enrols the desk and its hub target is added; the desk starts again. */
async function enrolAndRestart(d: TestDesk, card: DeskCard, opts: { sync?: boolean } = {}): Promise<TestDesk> {
  await d.app.stopSync();
  d.app.close();
  await enrolDesk(pool, card, '李主任');
  writeHubConfig(d.dataDir, hubCard, hub.port);
  const again = await testDesk({ dataDir: d.dataDir, ...(opts.sync === false ? { sync: false } : {}) });
  open.push(again);
  return again;
}

async function close(d: TestDesk): Promise<void> {
  await d.app.stopSync().catch(() => undefined);
  d.app.close();
}

const drained = (d: TestDesk) => deskRows<{ n: number }>(d, `SELECT count(*) AS n FROM hall_record_outbox WHERE state <> 'acknowledged'`)[0]!.n === 0 && deskRows<{ n: number }>(d, 'SELECT count(*) AS n FROM hall_record_outbox')[0]!.n > 0;

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_backfill');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-backfill-test';
}, 180_000);

afterAll(async () => {
  for (const d of open) await close(d).catch(() => undefined);
  await pool?.end();
  await hub?.close();
});

describe('backfill at enrolment', () => {
  it('records written before the hub are pushed once when it is added; one person registered at two desks is one applicant with both versions and a conflict; users stay local', async () => {
    const e = await deskWithoutHub('desk-e', '5号窗口');
    const f = await deskWithoutHub('desk-f', '6号窗口');
    const eClerk = (await e.d.signIn('zhangmin')).token;
    const eAdmin = (await e.d.signIn('admin')).token;
    const fClerk = (await f.d.signIn('liuyang')).token;

    // Before any hub: both windows register 陈晓东 (other phones); E also 周敏, her credit record, and a checked page.
    await e.d.call('applicants.create', { kind: 'person', name: '陈晓东', idType: 'resident_id', idNumber: SAME_PERSON, phone: '13907190001' }, eClerk);
    await f.d.call('applicants.create', { kind: 'person', name: '陈晓东', idType: 'resident_id', idNumber: SAME_PERSON, phone: '13907190099', address: '湖北省十堰市房县土城镇' }, fClerk);
    const zhou = await e.d.call('applicants.create', { kind: 'person', name: '周敏', idType: 'resident_id', idNumber: residentId('19791103', '046'), phone: '13907191234' }, eClerk);
    await e.d.call(
      'credit.recordOutside',
      { applicantId: zhou.id, severity: '严重', source: '县市场监督管理局', documentNo: '房市监罚〔2026〕31号', decidedOn: '2026-10-12', reason: '提供虚假材料骗取登记' },
      eAdmin,
    );
    const items = await e.d.call('catalog.listServiceItems', {}, eClerk);
    const item = items.find((i) => i.certificates.some((c) => c.name === '出生医学证明' && c.method === 'retained'))!;
    const v = await e.d.call('intake.start', { applicantId: zhou.id, serviceItemIds: [item.id] }, eClerk);
    const cert = v.certificates.find((c) => c.name === '出生医学证明')!.certificateItemId;
    await e.d.call('intake.addMaterial', { caseId: v.id, certificateItemId: cert, title: '出生医学证明', validUntil: '2099-12-31', pages: [{ mime: 'image/png', base64: signaturePng().toString('base64') }] }, eClerk);
    // A user created before the hub: stays local.
    await e.d.call('users.create', { username: 'qianli', displayName: '钱立', role: 'clerk', password: 'Harbor-2026-west!' }, eAdmin);
    expect(deskRows(e.d, 'SELECT count(*) AS n FROM hall_record_outbox')).toEqual([{ n: 0 }]);

    // E is enrolled and its hub target added: its four records are queued once and pushed.
    const E = await enrolAndRestart(e.d, e.card);
    await waitFor('E pushed its backfill', () => drained(E) || null);
    expect(deskRows(E, 'SELECT kind, state, outcome, base_version FROM hall_record_outbox ORDER BY id')).toEqual([
      { kind: 'applicant', state: 'acknowledged', outcome: 'current', base_version: 0 },
      { kind: 'applicant', state: 'acknowledged', outcome: 'current', base_version: 0 },
      { kind: 'credit', state: 'acknowledged', outcome: 'current', base_version: 0 },
      { kind: 'material', state: 'acknowledged', outcome: 'current', base_version: 0 },
    ]);
    // Then F: its 陈晓东 meets E's on the hub.
    const F = await enrolAndRestart(f.d, f.card);
    await waitFor('F pushed its backfill', () => drained(F) || null);
    expect(deskRows(F, 'SELECT kind, state, outcome FROM hall_record_outbox ORDER BY id')).toEqual([{ kind: 'applicant', state: 'acknowledged', outcome: 'conflict' }]);

    // One applicant on the hub, both versions kept, one open conflict.
    const versions = (await pool.query(`SELECT version, desk_id, outcome, body->>'phone' AS phone FROM record_versions WHERE kind = 'applicant' AND record_id = $1 ORDER BY version`, [`resident_id:${SAME_PERSON}`])).rows;
    expect(versions).toEqual([
      { version: 1, desk_id: 'desk-e', outcome: 'current', phone: '13907190001' },
      { version: 2, desk_id: 'desk-f', outcome: 'conflict', phone: '13907190099' },
    ]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM records WHERE kind = 'applicant' AND record_id = $1`, [`resident_id:${SAME_PERSON}`])).rows[0].n).toBe(1);
    const fAdmin = (await F.signIn('admin')).token;
    const { conflicts } = await F.call('hub.conflicts', {}, fAdmin);
    expect(conflicts.map((k) => [k.kind, k.versions.map((x) => [x.version, x.deskName, x.current])])).toEqual([
      [
        'applicant',
        [
          [1, '5号窗口', true],
          [2, '6号窗口', false],
        ],
      ],
    ]);
    // Every record once on the hub: E's two applicants, its credit record and its material; no user.
    const held = (await pool.query(`SELECT kind, count(*)::int AS n FROM records GROUP BY kind ORDER BY kind`)).rows;
    expect(held).toEqual([
      { kind: 'applicant', n: 2 },
      { kind: 'credit', n: 1 },
      { kind: 'material', n: 1 },
    ]);
    // F holds one 陈晓东 (the hall's current version, adopted from the answer), E's credit record and material.
    await waitFor('F holds E’s records', () => deskRows<{ n: number }>(F, `SELECT count(*) AS n FROM materials WHERE origin_desk = 'desk-e'`)[0]!.n === 1 || null);
    expect(deskRows(F, 'SELECT phone FROM applicants WHERE id_number = ?', SAME_PERSON)).toEqual([{ phone: '13907190001' }]);
    expect(deskRows(F, `SELECT name, origin_desk FROM credit_records WHERE hall_key IS NOT NULL`)).toEqual([{ name: '周敏', origin_desk: 'desk-e' }]);
    // E did not take F's version over its own either; both still hold one row for the person.
    expect(deskRows(E, 'SELECT phone FROM applicants WHERE id_number = ?', SAME_PERSON)).toEqual([{ phone: '13907190001' }]);
    expect(deskRows(F, `SELECT count(*) AS n FROM users WHERE username = 'qianli'`)).toEqual([{ n: 0 }]);
    // F applied every item it pulled (the material after its applicant: the pusher keeps that order).
    expect(deskRows(F, `SELECT count(*) AS n FROM audit_log WHERE action = 'hub.recordSkipped'`)).toEqual([{ n: 0 }]);
    // Each batch is attributed to the system in the audit log (one per kind walked here).
    expect(deskRows(E, `SELECT actor_username, json_extract(detail, '$.kind') AS kind, json_extract(detail, '$.queued') AS queued FROM audit_log WHERE action = 'hub.backfillQueued' ORDER BY seq`)).toEqual([
      { actor_username: 'system', kind: 'applicant', queued: 2 },
      { actor_username: 'system', kind: 'credit', queued: 1 },
      { actor_username: 'system', kind: 'material', queued: 1 },
    ]);
    await close(E);
    await close(F);
  });

  it('a backfill killed (SIGKILL) at a seeded batch goes on from its marker; 1,234 applicants queued and held once each; enrolled again and restarted, nothing more is queued', async () => {
    const N = 1234;
    const g = await deskWithoutHub('desk-g', '7号窗口');
    await close(g.d);
    // Bench-style loading: 1,234 applicants written before the hub, straight into the desk's store.
    {
      const db = openTestStore(dbFile(g.d.dataDir));
      const ins = db.prepare(`INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES ('person', ?, 'resident_id', ?, ?, '2026-11-01T02:00:00.000Z', 1)`);
      db.transaction(() => {
        for (let i = 0; i < N; i++) {
          const birth = new Date(Date.UTC(1960, 0, 1) + i * 86_400_000 * 7).toISOString().slice(0, 10).replaceAll('-', '');
          ins.run(`申请人${i}`, residentId(birth, String(100 + (i % 800)).padStart(3, '0')), `139${String(i).padStart(8, '0')}`);
        }
      })();
      db.close();
    }
    // Enrolled and its hub target added; the desk (the browser host, its own process) starts its
    // backfill and is killed at a point of its own progress: inside the n-th batch's transaction
    // (before its commit) or just after that commit.
    await enrolDesk(pool, g.card, '李主任');
    writeHubConfig(g.d.dataDir, hubCard, hub.port);
    const { int, pick } = killRandom('hub-backfill');
    const at = pick(['write.applied', 'write.committed'] as const);
    const n = int(1, 2);
    const host = await startHost({ dataDir: g.d.dataDir, port: 0, env: { DESK_LOG_ECHO: '0' }, progress: { hold: { at: `${at} hub.backfillQueued`, n } } });
    expect(await host.marks!.held()).toMatchObject({ mark: at, detail: 'hub.backfillQueued' });
    await host.kill('SIGKILL');
    const committed = at === 'write.applied' ? n - 1 : n; // the batch held before its commit is rolled back whole
    expect(deskRows(g.d, `SELECT count(*) AS n FROM hall_record_outbox`)).toEqual([{ n: committed * 500 }]);
    expect(deskRows(g.d, `SELECT count(*) AS n FROM audit_log WHERE action = 'hub.backfillQueued'`)).toEqual([{ n: committed }]);

    // The next start goes on from the marker and pushes all.
    const G = await testDesk({ dataDir: g.d.dataDir });
    open.push(G);
    // 1,234 signed pushes: waited for as long as the hub keeps acknowledging more of them (their pace is the machine's).
    await waitWhileProgressing(
      'G pushed its backfill',
      () => (drained(G) && deskRows<{ n: number }>(G, 'SELECT count(*) AS n FROM hall_record_outbox')[0]!.n >= N) || null,
      () => deskRows<{ n: number }>(G, `SELECT count(*) AS n FROM hall_record_outbox WHERE state = 'acknowledged'`)[0]!.n,
      60_000,
    );
    expect(deskRows(G, `SELECT count(*) AS n, count(DISTINCT record_id) AS records FROM hall_record_outbox WHERE kind = 'applicant'`)).toEqual([{ n: N, records: N }]);
    expect(deskRows(G, `SELECT count(*) AS n FROM hall_record_outbox WHERE kind <> 'applicant'`)).toEqual([{ n: 0 }]);
    const batches = deskRows<{ rows: number; queued: number }>(G, `SELECT json_extract(detail, '$.rows') AS rows, json_extract(detail, '$.queued') AS queued FROM audit_log WHERE action = 'hub.backfillQueued' AND json_extract(detail, '$.kind') = 'applicant' ORDER BY seq`);
    expect(batches).toEqual([
      { rows: 500, queued: 500 },
      { rows: 500, queued: 500 },
      { rows: 234, queued: 234 },
    ]);
    const atHub = (await pool.query(`SELECT count(*)::int AS n, count(DISTINCT record_id)::int AS records FROM record_versions WHERE desk_id = 'desk-g'`)).rows[0];
    expect(atHub).toEqual({ n: N, records: N });
    const inFeed = (await pool.query(`SELECT count(*)::int AS n FROM feed WHERE owner_desk = 'desk-g'`)).rows[0].n;
    expect(inFeed).toBe(N);
    await close(G);

    // The same card enrolled again (a no-op at the hub) and the desk started again: nothing more is queued.
    await enrolDesk(pool, g.card, '李主任');
    const G2 = await testDesk({ dataDir: g.d.dataDir });
    open.push(G2);
    await waitFor('G2 pulled the feed', () => deskRows<{ n: number }>(G2, 'SELECT count(*) AS n FROM hall_sync_state')[0]!.n === 1 || null);
    const audited = deskRows<{ n: number }>(G2, `SELECT count(*) AS n FROM audit_log WHERE action = 'hub.backfillQueued'`)[0]!.n;
    expect(deskRows(G2, `SELECT count(*) AS n FROM hall_record_outbox`)).toEqual([{ n: N }]);
    expect(audited).toBe(batches.length + 2); // the applicant batches above, then one each for credit and material: none since
    await close(G2);
  }, 900_000); // a bound for a loaded machine (386 s at load 20 beside other work), not a speed measure
});
