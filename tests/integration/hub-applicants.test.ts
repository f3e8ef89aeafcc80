import { openTestStore } from '../helpers/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import type { TestDesk } from '../helpers/app';
import { enrolledDesk, type Hall } from '../helpers/hub-desks';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { dbFile, waitFor } from '../helpers/sync-desks';
import { freePort } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';

/**
 * Applicants are shared by the hall's desks (docs/hub.md, "Hall records: ownership and conflicts"),
 * against a real PostgreSQL, the real hub and two desks with their own SQLite files, each reaching
 * the hub through a relay the test can cut:
 * - an applicant registered at desk E appears at desk F;
 * - E and F edit that applicant while both are cut off (same base version): when they reconnect the
 *   hub keeps both versions and lists a conflict; nothing is lost; both desks show the hall's
 *   current version meanwhile; a supervisor lists the conflict at F and settles it by choosing F's
 *   version (audited on the desk and on the hub), which then reaches E.
 */

const pgc = usePostgres();
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
let hall: Hall;
const relays: Record<string, CuttableProxy> = {};
let E: TestDesk;
let F: TestDesk;
const tok: Record<string, string> = {};

/** 陈晓东: registered at E during the test (a valid ID number, check digit by GB 11643). */
const ID = '420325199003150032';

/** A desk of the hall reaching the hub through its own relay. */
async function deskBehindRelay(deskId: string, name: string): Promise<TestDesk> {
  const relay = new CuttableProxy(await freePort(), () => hub.port);
  await relay.open();
  relays[deskId] = relay;
  return enrolledDesk(hall, { deskId, name, port: relay.port, dir: 'hub-applicants' });
}

function applicantRow(d: TestDesk): { id: number; phone: string; address: string | null } | undefined {
  const db = openTestStore(dbFile(d.dataDir), { readonly: true });
  try {
    return db.prepare('SELECT id, phone, address FROM applicants WHERE id_type = ? AND id_number = ?').get('resident_id', ID) as { id: number; phone: string; address: string | null } | undefined;
  } finally {
    db.close();
  }
}

const reachable = async (d: TestDesk, token: string) => (await d.call('sync.status', {}, token)).targets.find((t) => t.id === 'hub')?.reachable;

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_applicants');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-applicants-test';
  E = await deskBehindRelay('desk-e', '5号窗口');
  F = await deskBehindRelay('desk-f', '6号窗口');
  tok.E = (await E.signIn('zhangmin')).token;
  tok.F = (await F.signIn('liuyang')).token;
  tok.Fadmin = (await F.signIn('admin')).token;
}, 180_000);

afterAll(async () => {
  for (const d of [E, F]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  for (const r of Object.values(relays)) await r.cut();
  await pool?.end();
  await hub?.close();
});

describe('applicants shared by the hall', () => {
  it('registered at one desk, applied at the other; edited on both while cut off: both versions kept as a conflict, settled by a supervisor, the choice reaches every desk', async () => {
    await E.call('applicants.create', { kind: 'person', name: '陈晓东', idType: 'resident_id', idNumber: ID, phone: '13907190001', address: '湖北省十堰市房县城关镇西街3号' }, tok.E!);
    const atF = await waitFor('F holds 陈晓东', () => applicantRow(F));
    expect(atF).toMatchObject({ phone: '13907190001', address: '湖北省十堰市房县城关镇西街3号' });
    expect((await F.call('applicants.list', { query: '陈晓东', limit: 5 }, tok.F!)).map((a) => a.name)).toEqual(['陈晓东']);

    // Both cut off; each edits the same version 1.
    await relays['desk-e']!.cut();
    await relays['desk-f']!.cut();
    await waitFor('E offline', async () => (await reachable(E, tok.E!)) === false || null);
    await waitFor('F offline', async () => (await reachable(F, tok.F!)) === false || null);
    await E.call('applicants.update', { id: applicantRow(E)!.id, phone: '13907190002' }, tok.E!);
    await F.call('applicants.update', { id: atF.id, address: '湖北省十堰市房县土城镇黄连垭村一组' }, tok.F!);

    // E reconnects first: its edit becomes version 2. Then F: its edit (on version 1) is kept beside it as a conflict.
    await relays['desk-e']!.open();
    await waitFor('hub at version 2', async () => (await pool.query(`SELECT version FROM records WHERE kind = 'applicant' AND record_id = $1`, [`resident_id:${ID}`])).rows[0]?.version === 2 || null);
    await relays['desk-f']!.open();
    await waitFor('a conflict on the hub', async () => (await pool.query('SELECT 1 FROM record_conflicts WHERE settled_at IS NULL')).rowCount === 1 || null);

    const versions = (await pool.query(`SELECT version, base_version, desk_id, outcome, body->>'phone' AS phone, body->>'address' AS address FROM record_versions WHERE record_id = $1 ORDER BY version`, [`resident_id:${ID}`])).rows;
    expect(versions).toEqual([
      { version: 1, base_version: 0, desk_id: 'desk-e', outcome: 'current', phone: '13907190001', address: '湖北省十堰市房县城关镇西街3号' },
      { version: 2, base_version: 1, desk_id: 'desk-e', outcome: 'current', phone: '13907190002', address: '湖北省十堰市房县城关镇西街3号' },
      { version: 3, base_version: 1, desk_id: 'desk-f', outcome: 'conflict', phone: '13907190001', address: '湖北省十堰市房县土城镇黄连垭村一组' },
    ]);
    // Meanwhile every desk shows the hall's current version (2); F's edit is not lost: it waits in the conflict.
    await waitFor('F shows version 2', () => applicantRow(F)?.phone === '13907190002' || null);
    expect(applicantRow(F)!.address).toBe('湖北省十堰市房县城关镇西街3号');

    // The supervisor at F sees the conflict (in Chinese, masked) and chooses F's version.
    const clerkTries = await F.raw('hub.conflicts', {}, tok.F);
    expect(clerkTries.ok === false && clerkTries.error.code).toBe('FORBIDDEN');
    const { conflicts } = await F.call('hub.conflicts', {}, tok.Fadmin!);
    expect(conflicts).toHaveLength(1);
    const k = conflicts[0]!;
    expect(k).toMatchObject({ kind: 'applicant', kindLabel: '申请人', title: '陈晓东（420***********0032）' });
    expect(k.versions.map((v) => [v.version, v.deskName, v.current])).toEqual([
      [2, '5号窗口', true],
      [3, '6号窗口', false],
    ]);
    expect(k.versions[1]!.fields).toEqual([
      { label: '姓名', value: '陈晓东' },
      { label: '联系电话', value: '139****0001' },
      { label: '地址', value: '湖北省十堰市房县土城镇黄连垭村一组' },
    ]);
    expect(await F.call('hub.settleConflict', { conflictId: k.id, version: 3 }, tok.Fadmin!)).toEqual({ conflictId: k.id, version: 4 });
    const again = await F.raw('hub.settleConflict', { conflictId: k.id, version: 2 }, tok.Fadmin);
    expect(again.ok === false && again.error).toMatchObject({ code: 'CONFLICT', message: '该冲突已由他人处理。' });

    // The chosen version is the hall's version 4 and reaches both desks; the conflict list is empty.
    for (const d of [E, F]) await waitFor('version 4 applied', () => (applicantRow(d)?.address === '湖北省十堰市房县土城镇黄连垭村一组' ? true : null));
    expect(applicantRow(E)!.phone).toBe('13907190001');
    expect((await F.call('hub.conflicts', {}, tok.Fadmin!)).conflicts).toEqual([]);
    const settled = (await pool.query('SELECT settled_by, chosen_version, settled_version FROM record_conflicts')).rows;
    expect(settled).toEqual([{ settled_by: '王建华（admin）', chosen_version: 3, settled_version: 4 }]);
    expect((await pool.query(`SELECT actor, action FROM hub_audit WHERE action = 'conflict.settle'`)).rows).toEqual([{ actor: '王建华（admin）', action: 'conflict.settle' }]);
    const db = openTestStore(dbFile(F.dataDir), { readonly: true });
    expect(db.prepare(`SELECT actor_username, entity_id FROM audit_log WHERE action = 'hub.conflictSettled'`).all()).toEqual([{ actor_username: 'admin', entity_id: String(k.id) }]);
    db.close();
  });
});
