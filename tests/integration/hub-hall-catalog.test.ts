import { openTestStore } from '../helpers/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import type { TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall } from '../helpers/hub-desks';
import { hubTargetFor } from '../helpers/hub-process';
import { dbFile, TEST_REQUEST_TIMEOUT_MS, waitFor } from '../helpers/sync-desks';
import { serve } from '../../hub/main';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import { readCatalogVersion } from '../../electron/services/catalog-io/catalog-version-rows';
import { writeCatalogXlsx } from '../../electron/services/catalog-io/write-catalog-xlsx';
import { chinaDate, chinaDayStartIso } from '../../shared/rules/china-time';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { ConnectorFailure } from '../../electron/services/sync/http-connector';

/**
 * The hall's catalog and calendar (issue 17: "a catalog version published at the hub is in force on
 * every desk from its date and old cases keep theirs"), against a real PostgreSQL, the real hub
 * (in process, on loopback) and two desks with their own SQLite files and injected clocks:
 * - a supervisor at desk A imports a new catalog version effective tomorrow; desk B receives it
 *   through the hub; before that date B's new cases use the old version, from it the new one; a
 *   case B began before keeps the old version; each desk holds the version once;
 * - a calendar correction and a whole year imported at A reach B.
 */

const pgc = usePostgres();
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
let hall: Hall;
let A: TestDesk;
let B: TestDesk;
/** Desk B's clock, as an offset from the real one (the hub refuses requests more than 5 minutes off: B's sync is stopped before it moves). */
let bOffsetMs = 0;
const tokens: Record<string, string> = {};

const OLD_LABEL = '房县证明事项清单（演示）2026年版';
const NEW_LABEL = '房县证明事项清单 2027年版（全厅发布）';
/** 出生医学证明办理: 1 working day in the demo catalog; the new version makes it 6. */
const ITEM_CODE = '11420325MB1A27343B2000422001000';

/** Desk A's version in force with the item's time limit changed, as a workbook (what a county would publish). */
async function newWorkbook(): Promise<string> {
  const db = openTestStore(dbFile(A.dataDir), { readonly: true });
  try {
    const id = (db.prepare('SELECT id FROM catalog_versions WHERE label = ?').get(OLD_LABEL) as { id: number }).id;
    const data = readCatalogVersion(db as never, id);
    const item = data.serviceItems.find((s) => s.code === ITEM_CODE)!;
    expect(item.timeLimitDays).toBe(1);
    item.timeLimitDays = 6;
    return (await writeCatalogXlsx(data)).toString('base64');
  } finally {
    db.close();
  }
}

async function startCase(d: TestDesk, token: string) {
  const items = await d.call('catalog.listServiceItems', {}, token);
  const item = items.find((i) => i.code === ITEM_CODE)!;
  const applicantId = (await d.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!.id;
  return d.call('intake.start', { applicantId, serviceItemIds: [item.id] }, token);
}

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_catalog');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-catalog-test';
  A = await enrolledDesk(hall, { deskId: 'desk-a', port: hub.port, dir: 'hub-catalog' });
  B = await enrolledDesk(hall, { deskId: 'desk-b', port: hub.port, dir: 'hub-catalog', app: { now: () => new Date(Date.now() + bOffsetMs) } });
  tokens.Aadmin = (await A.signIn('admin')).token;
  tokens.Bclerk = (await B.signIn('liuyang')).token;
}, 180_000);

afterAll(async () => {
  for (const d of [A, B]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  await pool?.end();
  await hub?.close();
});

describe('the catalog and the calendar are the hall’s', () => {
  it('a catalog version published at desk A is in force at desk B from its date; a case B began before keeps the old one; a calendar change at A reaches B', async () => {
    // B begins a case under the version in force.
    const before = await startCase(B, tokens.Bclerk!);
    expect(before.catalogVersion.label).toBe(OLD_LABEL);
    expect(before.items.map((i) => i.timeLimitDays)).toEqual([1]);

    // A's supervisor publishes the new version, effective tomorrow (China time).
    const tomorrow = chinaDate(new Date(Date.now() + 24 * 3600_000));
    const imported = await A.call('catalog.importXlsx', { fileName: '2027清单.xlsx', base64: await newWorkbook(), label: NEW_LABEL, effectiveFrom: tomorrow }, tokens.Aadmin!);
    expect(imported.ok).toBe(true);
    const [atA] = deskRows<{ hall_key: string; effective_from: string }>(A, 'SELECT hall_key, effective_from FROM catalog_versions WHERE label = ?', NEW_LABEL);
    expect(atA!.hall_key).toMatch(/^[0-9a-f-]{36}$/);

    // B receives it through the hub: the same hall id, the same effective time, once.
    const atB = await waitFor('B holds the new version', () => deskRows<{ id: number; hall_key: string; effective_from: string; source: string }>(B, 'SELECT id, hall_key, effective_from, source FROM catalog_versions WHERE label = ?', NEW_LABEL)[0] ?? null);
    expect(atB.hall_key).toBe(atA!.hall_key);
    expect(atB.effective_from).toBe(atA!.effective_from);
    expect(atB.effective_from).toBe(new Date(`${tomorrow}T00:00:00+08:00`).toISOString());
    expect(atB.source).toBe('hub:desk-a:xlsx:2027清单.xlsx');
    expect(deskRows(B, 'SELECT count(*) AS n FROM catalog_versions WHERE hall_key = ?', atA!.hall_key)).toEqual([{ n: 1 }]);
    expect(deskRows(A, 'SELECT count(*) AS n FROM catalog_versions WHERE hall_key = ?', atA!.hall_key)).toEqual([{ n: 1 }]);
    expect(deskRows(B, `SELECT actor_username FROM audit_log WHERE action = 'hub.catalogVersionReceived'`)).toEqual([{ actor_username: 'system' }]);
    expect(deskRows(B, `SELECT count(*) AS n FROM service_items WHERE catalog_version_id = ? AND code = ? AND time_limit_days = 6`, atB.id, ITEM_CODE)).toEqual([{ n: 1 }]);
    // The hub: one record, version 1, one feed item.
    expect((await pool.query(`SELECT version FROM records WHERE kind = 'catalog_version' AND record_id = $1`, [atA!.hall_key])).rows).toEqual([{ version: 1 }]);

    // Before the date, B's new cases still use the old version.
    const sameDay = await startCase(B, tokens.Bclerk!);
    expect(sameDay.catalogVersion.label).toBe(OLD_LABEL);
    expect(sameDay.items.map((i) => i.timeLimitDays)).toEqual([1]);

    // A calendar correction at A: Monday 2026-12-28 becomes a holiday; B applies it.
    await A.call('calendar.setDay', { date: '2026-12-28', kind: 'holiday', name: '全厅调整', reason: '县政府通知临时调整' }, tokens.Aadmin!);
    const day = await waitFor('B has the correction', async () => (await B.call('calendar.year', { year: 2026 }, tokens.Bclerk!)).days.find((d) => d.date === '2026-12-28') ?? null);
    expect({ kind: day.kind, name: day.name, note: day.note }).toEqual({ kind: 'holiday', name: '全厅调整', note: '县政府通知临时调整' });
    // A whole year imported at A replaces B's list of that year.
    await A.call('calendar.import', { year: 2028, source: '国办发明电〔2027〕9号', text: '2028-01-01,休,元旦\n2028-01-02,班,元旦' }, tokens.Aadmin!);
    const y2028 = await waitFor('B has 2028', async () => {
      const y = await B.call('calendar.year', { year: 2028 }, tokens.Bclerk!);
      return y.loaded ? y : null;
    });
    expect(y2028.loaded!.source).toBe('国办发明电〔2027〕9号');
    expect(y2028.days.map((d) => [d.date, d.kind, d.name])).toEqual([
      ['2028-01-01', 'holiday', '元旦'],
      ['2028-01-02', 'workday', '元旦'],
    ]);

    // B's clock moves to the effective day (its sync stopped first: the hub refuses a clock that far off).
    await B.app.stopSync();
    const start = Date.parse(chinaDayStartIso(tomorrow));
    bOffsetMs = start - 60_000 - Date.now(); // 23:59 the day before
    tokens.Bclerk = (await B.signIn('liuyang')).token; // the session locked itself over the hours skipped
    expect((await startCase(B, tokens.Bclerk!)).catalogVersion.label).toBe(OLD_LABEL);
    bOffsetMs = start + 60_000 - Date.now(); // 00:01 on the day
    tokens.Bclerk = (await B.signIn('liuyang')).token;
    const after = await startCase(B, tokens.Bclerk!);
    expect(after.catalogVersion).toEqual({ id: atB.id, label: NEW_LABEL });
    expect(after.items.map((i) => i.timeLimitDays)).toEqual([6]);
    // The cases begun before keep the version they began under.
    for (const c of [before, sameDay]) {
      const v = await B.call('intake.get', { caseId: c.id }, tokens.Bclerk!);
      expect(v.catalogVersion.label).toBe(OLD_LABEL);
      expect(v.items.map((i) => i.timeLimitDays)).toEqual([1]);
    }
  });

  it('the calendar year: the latest push wins even on an older base; the hub refuses a catalog version or a year the desks could not apply, with nothing written', async () => {
    const c = new HubConnector(hubTargetFor(hubCard, hub.port), A.dataDir, 15, TEST_REQUEST_TIMEOUT_MS);
    const year = (days: { date: string; kind: string; name: string; note: string | null }[]) => ({ year: 2029, source: '国办发明电〔2028〕1号', days });
    const first = await c.pushRecord({ kind: 'calendar_year', recordId: '2029', baseVersion: 0, body: year([{ date: '2029-01-01', kind: 'holiday', name: '元旦', note: null }]), idempotencyKey: 'cal/2029/1' });
    expect(first).toMatchObject({ version: 1, outcome: 'current' });
    // Another desk's change made on the same (now stale) base: the hall's latest list, so it becomes current.
    const second = await c.pushRecord({
      kind: 'calendar_year',
      recordId: '2029',
      baseVersion: 0,
      body: year([
        { date: '2029-01-01', kind: 'holiday', name: '元旦', note: null },
        { date: '2029-01-02', kind: 'holiday', name: '元旦', note: '县政府通知' },
      ]),
      idempotencyKey: 'cal/2029/2',
    });
    expect(second).toMatchObject({ version: 2, outcome: 'current' });
    const y = await waitFor('A has 2029 at version 2', async () => {
      const v = await A.call('calendar.year', { year: 2029 }, tokens.Aadmin!);
      return v.days.length === 2 ? v : null;
    });
    expect(y.days.map((d) => [d.date, d.kind, d.name, d.note])).toEqual([
      ['2029-01-01', 'holiday', '元旦', null],
      ['2029-01-02', 'holiday', '元旦', '县政府通知'],
    ]);

    const before = (await pool.query('SELECT (SELECT count(*) FROM record_versions)::int AS v, (SELECT count(*) FROM feed)::int AS f')).rows[0];
    const catalog = { serviceItems: [{ code: 'X1', name: '事项', timeLimitDays: 5, certificates: ['ZM-NONE'], produces: [] }], certificates: [], circumstances: [], bundles: [] };
    const bad = [
      { kind: 'catalog_version', recordId: 'b4c7e0f2-0000-4000-8000-000000000002', body: { label: '缺证明的清单', effectiveFrom: '2027-01-01T00:00:00.000+08:00', source: 'xlsx:x.xlsx', note: '', catalog } },
      { kind: 'catalog_version', recordId: 'not-a-uuid', body: { label: '清单', effectiveFrom: '2027-01-01', source: '', note: '', catalog: { ...catalog, serviceItems: [] } } },
      { kind: 'calendar_year', recordId: '2030', body: { year: 2030, source: '通知', days: [{ date: '2031-01-01', kind: 'holiday', name: '元旦', note: null }] } },
      { kind: 'calendar_year', recordId: '2030', body: { year: 2030, source: '通知', days: [{ date: '2030-01-01', kind: '休', name: '元旦', note: null }] } },
    ];
    for (const [i, b] of bad.entries()) {
      const e = await c.pushRecord({ ...b, baseVersion: 0, idempotencyKey: `bad/${i}` }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConnectorFailure);
      expect((e as ConnectorFailure).failure).toMatchObject({ kind: 'rejected', status: 422, message: '推送的记录内容不完整或与记录编号不符，已拒绝。' });
    }
    expect((await pool.query('SELECT (SELECT count(*) FROM record_versions)::int AS v, (SELECT count(*) FROM feed)::int AS f')).rows[0]).toEqual(before);
  });
});
