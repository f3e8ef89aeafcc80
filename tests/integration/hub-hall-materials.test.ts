import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import type { TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall } from '../helpers/hub-desks';
import { signaturePng } from '../helpers/png';
import { waitFor } from '../helpers/sync-desks';
import { serve } from '../../hub/main';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import type { CaseView } from '../../shared/ipc/methods/intake';

/**
 * The material library is the hall's (issue 17; docs/hub.md, "Records, owners and offline"),
 * against a real PostgreSQL, the real hub (in process, on loopback) and two desks with their own
 * SQLite files and file stores:
 * - clerk A registers an applicant and checks a retained original (two pages);
 * - clerk B at another desk finds the applicant by a two-character name and is offered A's
 *   material, naming A's window and case; B's first look at a page fetches it from the hub
 *   (same bytes), and with the hub stopped B shows it again from its own store, while a page B
 *   never opened is refused in Chinese (not an internal error);
 * - B attaches A's material to a new case as a reused material.
 */

const pgc = usePostgres();
// Two pages with different bytes (a page is found by its SHA-256).
const PAGE0 = signaturePng(240, 90).toString('base64');
const PAGE1 = signaturePng(200, 80).toString('base64');
const HAN_ID = '420325199208170512'; // GB 11643 check digit checked by hand (tests/integration/applicant-contact.test.ts)
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number } | null;
let hubCard: HubCard;
let hall: Hall;
let hubPort: number;
/** Set by the first test: A's case, for the look-up across windows. */
let caseANo = '';
let hanAtB = 0;
let A: TestDesk;
let B: TestDesk;
const tokens: Record<string, string> = {};

/** A draft case on the service item that asks for the 出生医学证明 (a retained original, trust grade B). */
async function birthCase(d: TestDesk, token: string, applicantId: number): Promise<{ v: CaseView; certificateItemId: number }> {
  const items = await d.call('catalog.listServiceItems', {}, token);
  const item = items.find((i) => i.certificates.some((c) => c.name === '出生医学证明' && c.method === 'retained'))!;
  const v = await d.call('intake.start', { applicantId, serviceItemIds: [item.id] }, token);
  return { v, certificateItemId: v.certificates.find((c) => c.name === '出生医学证明')!.certificateItemId };
}

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_materials');
  hub = await serve(url, '127.0.0.1:0');
  hubPort = hub.port;
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-materials-test';
  A = await enrolledDesk(hall, { deskId: 'desk-a', port: hubPort, dir: 'hub-materials' });
  B = await enrolledDesk(hall, { deskId: 'desk-b', port: hubPort, dir: 'hub-materials' });
  tokens.A = (await A.signIn('zhangmin')).token;
  tokens.B = (await B.signIn('liuyang')).token;
}, 180_000);

afterAll(async () => {
  for (const d of [A, B]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  await pool?.end();
  await hub?.close();
});

describe('the material library across the hall', () => {
  it('a page checked at window A is offered at window B, fetched from the hub once, shown offline from B’s cache, and attached to B’s case', async () => {
    // A registers 韩梅 and checks her 出生医学证明 (two pages) for a case.
    const han = await A.call('applicants.create', { kind: 'person', name: '韩梅', idType: 'resident_id', idNumber: HAN_ID, phone: '13907195678' }, tokens.A!);
    const { v: caseA, certificateItemId: certA } = await birthCase(A, tokens.A!, han.id);
    await A.call('intake.addMaterial', { caseId: caseA.id, certificateItemId: certA, title: '出生医学证明', validUntil: '2099-12-31', pages: [{ mime: 'image/png', base64: PAGE0 }, { mime: 'image/png', base64: PAGE1 }] }, tokens.A!);
    caseANo = caseA.caseNo;
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());

    // B finds her by a two-character name, and is offered A's material once B pulled it.
    const found = await waitFor('B finds 韩梅', async () => (await B.call('applicants.list', { query: '韩梅', limit: 5 }, tokens.B!)).find((a) => a.name === '韩梅') ?? null);
    const offered = await waitFor('B is offered A’s material', async () => {
      const list = await B.call('materials.forApplicant', { applicantId: found.id }, tokens.B!);
      return list.length ? list : null;
    });
    expect(offered).toHaveLength(1);
    expect(offered[0]).toMatchObject({
      certificateCode: 'ZM-420325-0001',
      title: '出生医学证明',
      trustGrade: 'B',
      trustNote: `经与原件核对无误，核对人：张敏，${today}`,
      validFrom: today,
      validUntil: '2099-12-31',
      valid: true,
      pages: 2,
      sourceCaseNo: caseA.caseNo,
      fromWindow: 'desk-a 窗口',
    });
    const materialB = offered[0]!.id;
    hanAtB = found.id;
    // Recorded by hash only: B holds none of the bytes yet.
    const shas = deskRows<{ file_sha256: string }>(B, 'SELECT file_sha256 FROM material_pages WHERE material_id = ? ORDER BY position', materialB).map((r) => r.file_sha256);
    expect(shas).toHaveLength(2);
    const cached = (sha: string) => fs.existsSync(path.join(B.dataDir, 'files', sha.slice(0, 2), sha));
    expect(shas.map(cached)).toEqual([false, false]);

    // The first page, from the hub: A's bytes; now kept in B's file store.
    expect(await B.call('materials.page', { materialId: materialB, position: 0 }, tokens.B!)).toEqual({ mime: 'image/png', base64: PAGE0 });
    expect(shas.map(cached)).toEqual([true, false]);

    // The hub stops. The page B opened is shown from B's cache; the one it never opened is refused in Chinese.
    await B.app.stopSync();
    await hub!.close();
    hub = null;
    expect(await B.call('materials.page', { materialId: materialB, position: 0 }, tokens.B!)).toEqual({ mime: 'image/png', base64: PAGE0 });
    const missing = await B.raw('materials.page', { materialId: materialB, position: 1 }, tokens.B);
    expect(missing.ok).toBe(false);
    if (missing.ok) return;
    expect(missing.error.code).toBe('UNAVAILABLE');
    expect(missing.error.message).toMatch(/^该页来自其他窗口，本机尚未缓存，且暂时无法从全厅中心取得（.+）。请待连接恢复后再查看。$/);
    // Attaching needs every page here: refused offline with the same reason, nothing written.
    const { v: caseB, certificateItemId: certB } = await birthCase(B, tokens.B!, found.id);
    const refused = await B.raw('intake.attachMaterial', { caseId: caseB.id, certificateItemId: certB, materialId: materialB }, tokens.B);
    expect(refused.ok === false && refused.error.code).toBe('UNAVAILABLE');
    expect(deskRows(B, 'SELECT 1 FROM case_materials WHERE case_id = ?', caseB.id)).toEqual([]);

    // The hub is back (same address): B attaches A's material to its new case, as a reused material; both pages are now B's.
    hub = await serve(url, `127.0.0.1:${hubPort}`);
    const attached = await B.call('intake.attachMaterial', { caseId: caseB.id, certificateItemId: certB, materialId: materialB }, tokens.B!);
    expect(attached.certificates.find((c) => c.certificateItemId === certB)!.state).toBe('presented');
    expect(deskRows(B, 'SELECT material_id, reused FROM case_materials WHERE case_id = ?', caseB.id)).toEqual([{ material_id: materialB, reused: 1 }]);
    expect(shas.map(cached)).toEqual([true, true]);
    expect(await B.call('materials.page', { materialId: materialB, position: 1 }, tokens.B!)).toEqual({ mime: 'image/png', base64: PAGE1 });
    // The reuse is in B's audit log under clerk B.
    expect(deskRows(B, `SELECT actor_username FROM audit_log WHERE action = 'material.reuse'`)).toEqual([{ actor_username: 'liuyang' }]);
  }, 120_000);
});

describe('cases across windows', () => {
  it('a clerk at window B looks up A’s case by its number or by the applicant, read-only, with A’s window named; offline it says so in Chinese', async () => {
    expect(caseANo).not.toBe(''); // set by the test above
    // A's draft reaches the hub as a whole case record (hub-successor); B reads the latest, with the 出生医学证明 checked.
    const byNo = await waitFor('the hub holds A’s case as checked', async () => {
      const r = await B.call('hub.lookupCases', { caseNo: caseANo }, tokens.B!);
      return r.cases[0]?.certificates.some((c) => c.name === '出生医学证明' && c.state === 'presented') ? r : null;
    });
    expect(byNo.hubName).toBe('全厅中心');
    expect(byNo.cases).toHaveLength(1);
    expect(byNo.cases[0]).toMatchObject({ caseNo: caseANo, window: 'desk-a 窗口', own: false, status: 'draft', statusLabel: '草稿', applicantName: '韩梅', applicantIdMasked: '420***********0512', acceptedAt: null });
    // By the applicant (B's own copy of 韩梅): her cases at every window the hub holds — A's only (B's draft was made with B's sync stopped).
    const byApplicant = await B.call('hub.lookupCases', { applicantId: hanAtB }, tokens.B!);
    expect(byApplicant.cases.map((c) => [c.caseNo, c.window, c.own])).toEqual([[caseANo, 'desk-a 窗口', false]]);
    // At A the same case is A's own.
    expect((await A.call('hub.lookupCases', { caseNo: caseANo }, tokens.A!)).cases.map((c) => c.own)).toEqual([true]);
    // An unknown number: nothing, not an error.
    expect((await B.call('hub.lookupCases', { caseNo: '420325-ZWFW-20000101-XXXX-0001' }, tokens.B!)).cases).toEqual([]);
    // Each look-up is in B's audit log under the clerk, IDs not in it.
    const audits = deskRows<{ actor_username: string; detail: string }>(B, `SELECT actor_username, detail FROM audit_log WHERE action = 'hub.caseLookup' ORDER BY seq`);
    expect(audits.map((a) => a.actor_username)).toContain('liuyang');
    expect(audits.some((a) => a.detail.includes(HAN_ID))).toBe(false);
    // The hub down: refused in Chinese, nothing else.
    await hub!.close();
    hub = null;
    const down = await B.raw('hub.lookupCases', { caseNo: caseANo }, tokens.B);
    expect(down.ok === false && down.error.code).toBe('UNAVAILABLE');
    expect(down.ok === false && down.error.message).toMatch(/^无法从全厅中心查询其他窗口的办件：/);
  }, 120_000);
});
