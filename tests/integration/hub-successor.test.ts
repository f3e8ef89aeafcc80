import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { openTestStore, testFileStore, unlockTestDataDir } from '../helpers/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { testDesk, type TestDesk } from '../helpers/app';
import { hubTargetFor } from '../helpers/hub-process';
import { documentJpeg, withComment } from '../helpers/jpeg';
import { signaturePng } from '../helpers/png';
import { ROOT, tempDir } from '../helpers/temp';
import { dbFile, FAST_SENDER, httpTarget, plainItem, resolveQuick, TEST_REQUEST_TIMEOUT_MS, waitFor, writeConfig } from '../helpers/sync-desks';
import { exited, freePort } from '../../hub/cluster';
import { migrate } from '../../hub/migrate';
import { createHubServer } from '../../hub/server';
import { enrolDesk, hubIdentity, type HubIdentity } from '../../hub/trust';
import { createDeskKeys, loadDeskKeys, readDeskCard } from '../../electron/services/transfer/desk-keys';
import { signRequest } from '../../electron/services/hub/hub-protocol';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { downloadFile, uploadCaseFiles } from '../../electron/services/hub/hub-files';
import { FileStore } from '../../electron/services/files/file-store';
import { ConnectorFailure } from '../../electron/services/sync/http-connector';
import { TargetConfig, type HubTargetConfig } from '../../electron/services/sync/targets-config';
import { restoreFromHub } from '../../electron/services/hub/successor-restore';
import { openStore } from '../../electron/store/open-store';
import { writeTx } from '../../electron/store/write';
import type { Deps } from '../../electron/app/deps';
import { startHost } from '../e2e/support/host';
import { killRandom } from '../helpers/kill-points';

/**
 * "A desk can die" and "files travel once", against a real PostgreSQL and real desk SQLite stores:
 * desk A takes cases with scanned pages, a signed commitment, a material and drafts; they reach the
 * hub through A's outbox (the drafts too), each file once even when two cases hold it. A dies; a
 * supervisor enrols S as its successor with the hub CLI (A removed at the same time); S restores
 * from the hub — its process SIGKILLed after the k-th case's import committed (k drawn from a printed
 * seed, KILL_SEED replays it), then restarted — and holds every case field by field, every file
 * byte for byte, and numbers its next case after A's. A cut upload (the hub process SIGKILLed
 * after a chunk committed) resumes at the hub's offset.
 */

const pgc = usePostgres();
let url: string;
let pool: pg.Pool;
let identity: HubIdentity;
let server: http.Server;
let port: number;
/** PUT /v1/files/<sha> requests seen by the hub, per file. */
const puts = new Map<string, number>();

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SIG = signaturePng().toString('base64');
const SHARED_PAGE = documentJpeg(640, 900, { seed: 31 });
const PAGE_2 = withComment(documentJpeg(640, 900, { seed: 32 }), 'page 2');
const PAGE_3 = withComment(documentJpeg(640, 900, { seed: 33 }), 'draft page');
const MATERIAL = withComment(documentJpeg(640, 900, { seed: 35 }), 'material');
const LOOSE = withComment(documentJpeg(640, 900, { seed: 34 }), 'no case');

const hubTarget = (): HubTargetConfig => hubTargetFor(identity.card, port, { pullMs: 200 });

function deskDir(deskId: string, name: string): string {
  const dir = tempDir(`hub-successor-${deskId}-`);
  createDeskKeys(dir, { deskId, name, zone: 'intranet', signAlg: 'ed25519' });
  return dir;
}

/** The desk's card as the supervisor carries it to the hub (public keys only). */
function cardFile(dir: string): string {
  const file = path.join(dir, 'desk-card.json');
  fs.writeFileSync(file, JSON.stringify(readDeskCard(dir)));
  return file;
}

const page = (bytes: Buffer) => ({
  page: { mime: 'image/jpeg' as const, base64: bytes.toString('base64') },
  width: 640,
  height: 900,
  mode: 'color' as const,
  capture: { deviceLabel: 'USB Document Camera (1234:5678)', adapter: 'uvc', resolution: { width: 1024, height: 768 }, rotation: 0 as const, trigger: 'manual' as const, blank: false },
});

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_successor');
  pool = new pg.Pool({ connectionString: url, max: 8 });
  await migrate(pool);
  identity = await hubIdentity(pool);
  server = createHubServer({ pool, identity, log: () => undefined });
  server.prependListener('request', (req: http.IncomingMessage) => {
    const m = /^\/v1\/files\/([0-9a-f]{64})\?/.exec(req.url ?? '');
    if (req.method === 'PUT' && m) puts.set(m[1]!, (puts.get(m[1]!) ?? 0) + 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-successor-test';
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(() => r(undefined)));
  await pool?.end();
});

// --------------------------------------------------------------------- the comparison, by hand

/**
 * Every row of a case in the tables a case has, with each reference replaced by what it points at
 * (a user by user name, an applicant by ID number, a catalog row by code, a row of the case by its
 * content) and the rows' own ids dropped — so two stores holding the same case give equal results
 * whatever ids their rows got. Written here, independently of the exporter under test.
 */
function caseRows(db: Database.Database, caseNo: string): Record<string, unknown[]> {
  const caseId = (db.prepare('SELECT id FROM cases WHERE case_no = ?').get(caseNo) as { id: number }).id;
  const user = (id: unknown) => (id === null ? null : db.prepare('SELECT username FROM users WHERE id = ?').pluck().get(id));
  const applicant = (id: unknown) => (id === null ? null : db.prepare('SELECT id_number FROM applicants WHERE id = ?').pluck().get(id));
  const certificate = (id: unknown) => db.prepare('SELECT code FROM certificate_items WHERE id = ?').pluck().get(id);
  const service = (id: unknown) => db.prepare('SELECT code FROM service_items WHERE id = ?').pluck().get(id);
  const docTitle = (id: unknown) => db.prepare('SELECT title FROM scan_documents WHERE id = ?').pluck().get(id);
  const pageOf = (id: unknown) => (id === null ? null : db.prepare('SELECT file_sha256 || \'@\' || position || \'@\' || created_at FROM scan_pages WHERE id = ?').pluck().get(id));
  const material = (id: unknown) => db.prepare('SELECT title || \'@\' || created_at FROM materials WHERE id = ?').pluck().get(id);
  const commitment = (id: unknown) => db.prepare('SELECT ci.code FROM commitments c JOIN certificate_items ci ON ci.id = c.certificate_item_id WHERE c.id = ?').pluck().get(id);
  const map: Record<string, (v: unknown) => unknown> = {
    case_id: () => caseNo,
    applicant_id: applicant,
    created_by: user,
    accepted_by: user,
    recorded_by: user,
    deleted_by: user,
    opened_by: user,
    outcome_by: user,
    checked_out_by: user,
    assigned_to: user,
    ordered_by: user,
    closed_by: user,
    catalog_version_id: (id) => db.prepare('SELECT label FROM catalog_versions WHERE id = ?').pluck().get(id),
    service_item_id: service,
    certificate_item_id: certificate,
    document_id: docTitle,
    replaces_page_id: pageOf,
    front_page_id: pageOf,
    back_page_id: pageOf,
    material_id: material,
    commitment_id: commitment,
    source_case_id: (id) => (id === null ? null : db.prepare('SELECT case_no FROM cases WHERE id = ?').pluck().get(id)),
  };
  const rows = (sql: string) =>
    (db.prepare(sql).all({ c: caseId }) as Record<string, unknown>[]).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'id').map(([k, v]) => [k, map[k] ? map[k](v) : v])));
  return {
    cases: rows('SELECT * FROM cases WHERE id = @c'),
    case_items: rows('SELECT * FROM case_items WHERE case_id = @c ORDER BY position'),
    case_certificates: rows('SELECT * FROM case_certificates WHERE case_id = @c ORDER BY certificate_item_id'),
    case_materials: rows('SELECT * FROM case_materials WHERE case_id = @c ORDER BY certificate_item_id'),
    materials: rows('SELECT * FROM materials WHERE id IN (SELECT material_id FROM case_materials WHERE case_id = @c) ORDER BY title'),
    material_pages: rows('SELECT * FROM material_pages WHERE material_id IN (SELECT material_id FROM case_materials WHERE case_id = @c) ORDER BY file_sha256'),
    case_circumstances: rows('SELECT * FROM case_circumstances WHERE case_id = @c ORDER BY code'),
    case_subjects: rows('SELECT * FROM case_subjects WHERE case_id = @c ORDER BY role'),
    commitments: rows('SELECT * FROM commitments WHERE case_id = @c ORDER BY signed_at'),
    verification_tasks: rows('SELECT * FROM verification_tasks WHERE commitment_id IN (SELECT id FROM commitments WHERE case_id = @c) ORDER BY created_at'),
    data_queries: rows('SELECT * FROM data_queries WHERE case_id = @c ORDER BY created_at'),
    assistance_requests: rows('SELECT * FROM assistance_requests WHERE case_id = @c ORDER BY created_at'),
    scan_documents: rows('SELECT * FROM scan_documents WHERE case_id = @c ORDER BY title'),
    scan_pages: rows('SELECT * FROM scan_pages WHERE document_id IN (SELECT id FROM scan_documents WHERE case_id = @c) ORDER BY created_at, file_sha256'),
    scan_id_card_pairs: rows('SELECT * FROM scan_id_card_pairs WHERE document_id IN (SELECT id FROM scan_documents WHERE case_id = @c) ORDER BY created_at'),
    case_handovers: rows('SELECT * FROM case_handovers WHERE case_id = @c ORDER BY handed_at'),
    progress_notices: rows('SELECT * FROM progress_notices WHERE case_id = @c ORDER BY created_at'),
  };
}

/** Every file a case's rows refer to. */
function caseFileHashes(db: Database.Database, caseNo: string): string[] {
  const caseId = (db.prepare('SELECT id FROM cases WHERE case_no = ?').get(caseNo) as { id: number }).id;
  return (
    db
      .prepare(
        `SELECT file_sha256 FROM scan_pages WHERE document_id IN (SELECT id FROM scan_documents WHERE case_id = @c)
         UNION SELECT pdf_sha256 FROM commitments WHERE case_id = @c UNION SELECT signature_sha256 FROM commitments WHERE case_id = @c
         UNION SELECT file_sha256 FROM material_pages WHERE material_id IN (SELECT material_id FROM case_materials WHERE case_id = @c)`,
      )
      .pluck()
      .all({ c: caseId }) as string[]
  ).sort();
}

const readOnly = (dir: string) => openTestStore(dbFile(dir), { readonly: true });

// --------------------------------------------------------------------------------- the tests

describe('a desk can die: its successor restores from the hub', () => {
  it('A takes cases (scans, a commitment, a material, drafts) → the hub holds them and each file once; S, enrolled as A\'s successor, restores every case field by field and every file byte for byte, and numbers after A', async () => {
    // ---- desk A, connected to the hub
    const aDir = deskDir('desk-a', '1号窗口');
    await enrolDesk(pool, JSON.parse(fs.readFileSync(cardFile(aDir), 'utf8')), '李主任');
    writeConfig(aDir, { version: 1, sender: FAST_SENDER, targets: [hubTarget()] });
    const a: TestDesk = await testDesk({ dataDir: aDir });
    const token = (await a.signIn('zhangmin')).token;
    const wang = (await a.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((x) => x.name === '王芳')!;

    // A scan with no case first, so that A's row ids and S's differ.
    const loose = await a.call('scans.createDocument', { applicantId: wang.id, kind: 'other', title: '未归档扫描' }, token);
    await a.call('scans.addPage', { documentId: loose.id, ...page(LOOSE) }, token);

    // Case 1, accepted: a signed commitment, a material, a 协查 reply, two scanned pages (one of them shared with case 2).
    const items = await a.call('catalog.listServiceItems', {}, token);
    const item = items.find((i) => i.certificates.some((c) => c.method === 'commitment'))!;
    let v = await a.call('intake.start', { applicantId: wang.id, serviceItemIds: [item.id] }, token);
    for (const c of v.certificates) {
      if (c.state !== 'pending') continue;
      if (c.method === 'commitment') {
        v = await a.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
        v = await a.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
      } else if (c.method === 'dept_verification' || c.method === 'data_sharing') {
        if (c.method === 'data_sharing') v = await a.call('intake.switchToVerification', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
        else v = await a.call('intake.requestAssistance', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
        const rq = v.certificates.find((x) => x.certificateItemId === c.certificateItemId)!.request!;
        v = await a.call('intake.recordAssistanceReply', { requestId: rq.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, token);
      } else {
        v = await a.call('intake.addMaterial', { caseId: v.id, certificateItemId: c.certificateItemId, title: c.name, pages: [{ mime: 'image/png', base64: SIG }] }, token);
      }
    }
    const scan1 = await a.call('scans.createDocument', { caseId: v.id, kind: 'certificate', title: '营业执照' }, token);
    await a.call('scans.addPage', { documentId: scan1.id, ...page(SHARED_PAGE) }, token);
    await a.call('scans.addPage', { documentId: scan1.id, ...page(PAGE_2) }, token);
    const case1 = await a.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
    expect(case1.status).toBe('accepted');

    // Case 2, a draft with a scanned document holding the shared page and one of its own.
    const d2 = await a.call('intake.start', { applicantId: wang.id, serviceItemIds: [item.id] }, token);
    const scan2 = await a.call('scans.createDocument', { caseId: d2.id, kind: 'other', title: '草稿扫描' }, token);
    await a.call('scans.addPage', { documentId: scan2.id, ...page(SHARED_PAGE) }, token);
    await a.call('scans.addPage', { documentId: scan2.id, ...page(PAGE_3) }, token);
    // Case 3, a draft with a material presented (the material library).
    const retained = items.find((i) => i.id !== item.id && i.certificates.some((c) => c.method === 'retained' && !c.name.includes('授权委托书')))!;
    const d3 = await a.call('intake.start', { applicantId: wang.id, serviceItemIds: [retained.id] }, token);
    const cert3 = d3.certificates.find((c) => c.method === 'retained' && c.state === 'pending')!;
    await a.call('intake.addMaterial', { caseId: d3.id, certificateItemId: cert3.certificateItemId, title: cert3.name, pages: [{ mime: 'image/jpeg', base64: MATERIAL.toString('base64') }] }, token);

    const caseNos = [case1.caseNo, d2.caseNo, d3.caseNo].sort();
    // The hub holds A's latest state of each case, drafts included, and A's outbox is drained.
    const latestAtHub = async () =>
      (await pool.query<{ case_no: string; status: string; pages: number }>(
        `SELECT DISTINCT ON (case_no) case_no, document->'record'->'tables'->'cases'->0->>'status' AS status,
                jsonb_array_length(document->'record'->'tables'->'scan_pages') AS pages
         FROM cases WHERE desk_id = 'desk-a' ORDER BY case_no, revision DESC`,
      )).rows;
    const drained = () => {
      const db = readOnly(aDir);
      try {
        return (db.prepare(`SELECT count(*) FROM outbox_entries WHERE target_id = 'hub' AND state NOT IN ('acknowledged', 'superseded')`).pluck().get() as number) === 0 &&
          (db.prepare('SELECT count(*) FROM hub_dirty_cases').pluck().get() as number) === 0;
      } finally {
        db.close();
      }
    };
    await waitFor('A\'s cases at the hub', async () => drained() && (await latestAtHub()).length === 3, 60_000, 100);
    expect(await latestAtHub()).toEqual([
      { case_no: case1.caseNo, status: 'accepted', pages: 2 },
      { case_no: d2.caseNo, status: 'draft', pages: 2 },
      { case_no: d3.caseNo, status: 'draft', pages: 0 },
    ].sort((x, y) => x.case_no.localeCompare(y.case_no)));
    // The page two cases hold went up once; each file A's cases refer to is held, complete, once.
    expect(puts.get(sha(SHARED_PAGE))).toBe(1);
    const aDb = readOnly(aDir);
    const aFiles = [...new Set(caseNos.flatMap((n) => caseFileHashes(aDb, n)))].sort();
    // 3 scanned pages (one in two cases), the commitment's signature and its PDF.
    const pdf = aDb.prepare('SELECT pdf_sha256 FROM commitments').pluck().get() as string;
    expect(aFiles).toEqual([sha(SHARED_PAGE), sha(PAGE_2), sha(PAGE_3), sha(MATERIAL), sha(signaturePng()), pdf].sort());
    const held = (await pool.query<{ sha256: string; size: string; complete: boolean; chunks: string; bytes: string }>(
      `SELECT f.sha256, f.size, f.completed_at IS NOT NULL AS complete, count(c.*) AS chunks, sum(length(c.data)) AS bytes
       FROM hub_files f JOIN hub_file_chunks c USING (sha256) WHERE f.sha256 = ANY($1) GROUP BY f.sha256 ORDER BY f.sha256`, [aFiles])).rows;
    expect(held.map((h) => h.sha256)).toEqual(aFiles);
    for (const h of held) expect([h.complete, h.bytes]).toEqual([true, h.size]);
    // The feed carries the cases to every desk without their full records (those are for a successor only).
    expect((await pool.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE body->'document' ? 'record')::int AS with_record FROM feed WHERE owner_desk = 'desk-a'`)).rows[0]).toMatchObject({ with_record: 0 });
    const loosePut = puts.get(sha(LOOSE)) ?? 0;
    expect(loosePut).toBe(0); // a scan of no case stays on the desk

    // ---- A dies. The supervisor enrols S as its successor with the hub's CLI: A is removed at the same time.
    const aRows = Object.fromEntries(caseNos.map((n) => [n, caseRows(aDb, n)]));
    const aSeq = aDb.prepare('SELECT day, last FROM case_number_seq').all() as { day: string; last: number }[];
    aDb.close();
    await a.app.stopSync();
    a.app.close();
    const sDir = deskDir('desk-s', '1号窗口（替换机）');
    const cli = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'hub', 'main.ts'), 'enrol-desk', '--database-url', url, '--card', cardFile(sDir), '--successor-of', 'desk-a', '--by', '李主任'], { cwd: ROOT, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout.trim().split('\n').pop()!)).toMatchObject({ deskId: 'desk-s', successorOf: 'desk-a', removed: 'desk-a' });
    expect((await pool.query(`SELECT desk_id, removed_at IS NOT NULL AS removed, successor_of FROM desks WHERE desk_id IN ('desk-a', 'desk-s') ORDER BY desk_id`)).rows).toEqual([
      { desk_id: 'desk-a', removed: true, successor_of: null },
      { desk_id: 'desk-s', removed: false, successor_of: 'desk-a' },
    ]);
    // A's key is refused from now on.
    await expect(new HubConnector(hubTarget(), aDir, 16, TEST_REQUEST_TIMEOUT_MS).probe()).rejects.toThrow(/已被管理员从全厅中心移除/);

    // ---- S: a new PC with an empty store and the hub target. Its sender restores by itself; the first
    // run is killed (SIGKILL) right after the k-th case's import committed, at a point of its own progress.
    writeConfig(sDir, { version: 1, sender: FAST_SENDER, targets: [hubTarget()] });
    const { int } = killRandom('hub-successor');
    const k = int(1, 2);
    const host = await startHost({ dataDir: sDir, port: 0, env: { DESK_LOG_ECHO: '0' }, progress: { hold: { at: 'write.committed hub.successorCaseImported', n: k } } });
    expect(host.state).toBe('ready');
    expect(await host.marks!.held()).toMatchObject({ mark: 'write.committed', detail: 'hub.successorCaseImported' });
    await host.kill('SIGKILL');
    const partial = readOnly(sDir);
    expect(partial.prepare('SELECT count(*) FROM hub_successor_imports').pluck().get()).toBe(k);
    expect(partial.prepare('SELECT count(*) FROM cases').pluck().get()).toBe(k);
    expect(partial.prepare(`SELECT finished_at FROM hub_successor_restore`).pluck().all()).toEqual([null]);
    partial.close();

    // Restarted, it finishes the rest — no case twice.
    const s = await testDesk({ dataDir: sDir });
    try {
      await waitFor('S restored', () => {
        const db = readOnly(sDir);
        try {
          return db.prepare(`SELECT finished_at FROM hub_successor_restore WHERE origin_desk = 'desk-a'`).pluck().get() as string | undefined;
        } finally {
          db.close();
        }
      }, 60_000, 100);
      const sDb = readOnly(sDir);
      try {
        // Every case once, nothing doubled.
        expect(sDb.prepare('SELECT case_no FROM cases ORDER BY case_no').pluck().all()).toEqual(caseNos);
        expect(sDb.prepare('SELECT origin_case_no FROM hub_successor_imports ORDER BY origin_case_no').pluck().all()).toEqual(caseNos);
        expect(sDb.prepare('SELECT status FROM cases ORDER BY status').pluck().all()).toEqual(['accepted', 'draft', 'draft']);
        // Field by field, every table of every case.
        for (const n of caseNos) expect(caseRows(sDb, n)).toEqual(aRows[n]);
        expect(aRows[case1.caseNo]!.commitments).toHaveLength(1);
        expect(aRows[case1.caseNo]!.scan_pages).toHaveLength(2);
        expect(aRows[d2.caseNo]!.scan_pages).toHaveLength(2);
        expect(aRows[d3.caseNo]!.materials).toHaveLength(1);
        expect(aRows[d3.caseNo]!.material_pages).toEqual([{ material_id: expect.stringMatching(/@/), position: 0, file_sha256: sha(MATERIAL) }]);
        // Every file byte for byte.
        for (const h of aFiles) {
          const at = (dir: string) => testFileStore(dir).get(h); // sealed at rest under each desk's own key: the plaintext compared
          expect(sha(at(sDir))).toBe(h);
          expect(at(sDir).equals(at(aDir))).toBe(true);
        }
        // Each import audited, one per case.
        expect(sDb.prepare(`SELECT count(*) FROM audit_log WHERE action = 'hub.successorCaseImported'`).pluck().get()).toBe(3);
      } finally {
        sDb.close();
      }

      // S's next case number: after A's highest of the day, under S's own epoch tag — no collision.
      const sToken = (await s.signIn('zhangmin')).token;
      const next = await s.call('intake.start', { applicantId: wang.id, serviceItemIds: [item.id] }, sToken);
      expect(caseNos).not.toContain(next.caseNo);
      const [, day, tag, seq] = /^.+-(\d{8})-([0-9A-Z]{4})-(\d{4})$/.exec(next.caseNo)!;
      expect(Number(seq)).toBe(aSeq.find((x) => x.day === day)!.last + 1);
      expect(aSeq.find((x) => x.day === day)!.last).toBe(3); // A took 3 cases today
      expect(caseNos.map((n) => n.split('-')[2])).not.toContain(tag);
    } finally {
      await s.app.stopSync();
      s.app.close();
    }
  }, 240_000);
});

describe('a case the successor cannot take', () => {
  it('is refused with the reason in Chinese and nothing of it written; the restore stays unfinished and completes once the store can take it', async () => {
    const bDir = deskDir('desk-b', '4号窗口');
    await enrolDesk(pool, JSON.parse(fs.readFileSync(cardFile(bDir), 'utf8')), '李主任');
    writeConfig(bDir, { version: 1, sender: FAST_SENDER, targets: [hubTarget()] });
    const b = await testDesk({ dataDir: bDir });
    const token = (await b.signIn('zhangmin')).token;
    const wang = (await b.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((x) => x.name === '王芳')!;
    const draft = await b.call('intake.start', { applicantId: wang.id, serviceItemIds: [(await plainItem(b, token)).id] }, token);
    await waitFor('B\'s draft at the hub', async () => (await pool.query(`SELECT 1 FROM cases WHERE desk_id = 'desk-b' AND case_no = $1`, [draft.caseNo])).rowCount === 1, 30_000, 100);
    await b.app.stopSync();
    b.app.close();

    const tDir = deskDir('desk-t', '4号窗口（替换机）');
    await enrolDesk(pool, JSON.parse(fs.readFileSync(cardFile(tDir), 'utf8')), '李主任', { successorOf: 'desk-b' });
    (await testDesk({ dataDir: tDir })).app.close(); // the store, seeded
    const opened = openStore({ file: dbFile(tDir), migrationsDir: path.join(ROOT, 'migrations'), backupDir: tempDir('hub-successor-backup-') });
    if (!opened.ok) throw new Error(opened.detail);
    const db = opened.db;
    try {
      const deps = { db, write: (actor, fn) => writeTx(db, actor, () => new Date(), fn) } as Pick<Deps, 'db' | 'write'>;
      const hub = new HubConnector(hubTarget(), tDir, 16, TEST_REQUEST_TIMEOUT_MS);
      const files = new FileStore(path.join(tDir, 'files'));
      // This store lacks B's user zhangmin (renamed here, as on a PC set up with other accounts).
      db.prepare(`UPDATE users SET username = 'zhangmin-t' WHERE username = 'zhangmin'`).run();
      const casesBefore = db.prepare('SELECT count(*) FROM cases').pluck().get();
      expect(await restoreFromHub(deps, hub, files)).toEqual({
        predecessor: 'desk-b',
        imported: 0,
        skipped: 0,
        files: 0,
        refused: [{ caseNo: draft.caseNo, reason: '本机没有原工作台的用户“zhangmin”，请先在本机建立该用户（或接入全厅用户）后再恢复。', detail: 'user zhangmin missing (cases.created_by)' }],
      });
      expect(db.prepare('SELECT count(*) FROM cases').pluck().get()).toBe(casesBefore);
      expect(db.prepare('SELECT count(*) FROM hub_successor_imports').pluck().get()).toBe(0);
      expect(db.prepare('SELECT finished_at FROM hub_successor_restore').pluck().all()).toEqual([null]);
      // The user exists again: the next run takes the case and finishes.
      db.prepare(`UPDATE users SET username = 'zhangmin' WHERE username = 'zhangmin-t'`).run();
      expect(await restoreFromHub(deps, hub, files)).toEqual({ predecessor: 'desk-b', imported: 1, skipped: 0, files: 0, refused: [] });
      expect(db.prepare('SELECT case_no, status FROM cases WHERE case_no = ?').get(draft.caseNo)).toEqual({ case_no: draft.caseNo, status: 'draft' });
      expect(db.prepare('SELECT finished_at IS NOT NULL FROM hub_successor_restore').pluck().all()).toEqual([1]);
      // Finished: a later run has nothing to do.
      expect(await restoreFromHub(deps, hub, files)).toEqual({ predecessor: 'desk-b', imported: 0, skipped: 0, files: 0, refused: [] });
    } finally {
      db.close();
    }
  }, 120_000);
});

describe('enrolment as a successor', () => {
  it('refuses an unknown dead desk, an enrolled desk as its own successor and a second successor — each with nothing written; a dead desk not yet removed is removed in the same transaction', async () => {
    const card = (id: string) => JSON.parse(fs.readFileSync(cardFile(deskDir(id, id)), 'utf8')) as Parameters<typeof enrolDesk>[1];
    const dead = card('desk-x');
    await enrolDesk(pool, dead, '李主任');
    const rows = async () => (await pool.query(`SELECT desk_id, removed_at IS NOT NULL AS removed, successor_of FROM desks WHERE desk_id LIKE 'desk-x%' ORDER BY desk_id`)).rows;
    await expect(enrolDesk(pool, card('desk-x2'), '李主任', { successorOf: 'desk-nobody' })).rejects.toThrow('没有工作台 desk-nobody，不能为它登记接替工作台');
    await expect(enrolDesk(pool, card('desk-x'), '李主任', { successorOf: 'desk-x' })).rejects.toThrow('工作台 desk-x 已登记，不能再登记为 desk-x 的接替工作台');
    expect(await rows()).toEqual([{ desk_id: 'desk-x', removed: false, successor_of: null }]);
    await enrolDesk(pool, card('desk-x2'), '李主任', { successorOf: 'desk-x' });
    await expect(enrolDesk(pool, card('desk-x3'), '李主任', { successorOf: 'desk-x' })).rejects.toThrow('工作台 desk-x 已由 desk-x2 接替');
    expect(await rows()).toEqual([
      { desk_id: 'desk-x', removed: true, successor_of: null },
      { desk_id: 'desk-x2', removed: false, successor_of: 'desk-x' },
    ]);
    expect((await pool.query(`SELECT action, detail FROM hub_audit WHERE detail->>'deskId' LIKE 'desk-x%' ORDER BY id`)).rows).toEqual([
      { action: 'desk.enrolled', detail: { deskId: 'desk-x', name: 'desk-x', fingerprint: expect.any(String), supervisorDesk: false } },
      { action: 'desk.removed', detail: { deskId: 'desk-x', successor: 'desk-x2' } },
      { action: 'desk.enrolled', detail: { deskId: 'desk-x2', name: 'desk-x2', fingerprint: expect.any(String), successorOf: 'desk-x', supervisorDesk: false } },
    ]);
  });
});

describe('drafts reach the hub, and only the hub', () => {
  it('a draft changed three times while the hub is away waits as ONE hub entry holding its latest state; the vertical system gets nothing until acceptance, then the hub entry of the draft is replaced', async () => {
    const closed = await freePort(); // nothing listens there: both targets are away
    const dir = deskDir('desk-d', '3号窗口');
    writeConfig(dir, {
      version: 1,
      sender: FAST_SENDER,
      targets: [TargetConfig.parse({ ...hubTarget(), baseUrl: `http://127.0.0.1:${closed}` }), httpTarget('prov', `http://127.0.0.1:${closed}`, 'key')],
    });
    const d = await testDesk({ dataDir: dir });
    try {
      const token = (await d.signIn('zhangmin')).token;
      const wang = (await d.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((x) => x.name === '王芳')!;
      const item = await plainItem(d, token);
      const draft = await d.call('intake.start', { applicantId: wang.id, serviceItemIds: [item.id] }, token);
      const doc = await d.call('scans.createDocument', { caseId: draft.id, kind: 'other', title: '申请表' }, token);
      for (let i = 0; i < 3; i++) await d.call('scans.addPage', { documentId: doc.id, ...page(withComment(PAGE_3, `edit ${i}`)) }, token);
      const entries = () => {
        const db = readOnly(dir);
        try {
          db.pragma('busy_timeout = 2000');
          return {
            marked: db.prepare('SELECT count(*) FROM hub_dirty_cases').pluck().get() as number,
            rows: db.prepare(`SELECT target_id, state, json_array_length(document, '$.record.tables.scan_pages') AS pages, json_extract(document, '$.status') AS status FROM outbox_entries WHERE case_id = ? AND kind = 'case' ORDER BY id`).all(draft.id) as { target_id: string; state: string; pages: number | null; status: string }[],
          };
        } finally {
          db.close();
        }
      };
      await waitFor('the draft snapshotted', () => entries().marked === 0 && entries().rows.length > 0, 30_000, 50);
      const open = <R extends { state: string }>(rows: R[]) => rows.filter((r) => r.state !== 'superseded');
      expect(open(entries().rows)).toEqual([{ target_id: 'hub', state: 'pending', pages: 3, status: 'draft' }]);

      {
        await resolveQuick(d, token, draft.id);
        await d.call('intake.transition', { caseId: draft.id, to: 'accepted' }, token);
        await waitFor('the acceptance snapshotted', () => entries().marked === 0, 30_000, 50);
        // The vertical system: the acceptance only. The hub: the accepted case; its draft entry superseded unsent.
        expect(open(entries().rows).map((r) => [r.target_id, r.status, r.pages])).toEqual([
          ['hub', 'accepted', 3],
          ['prov', 'accepted', null],
        ]);
        expect(entries().rows.filter((r) => r.target_id === 'prov')).toHaveLength(1);
      }
    } finally {
      await d.app.stopSync();
      d.app.close();
    }
  }, 120_000);
});

describe('files travel once, resumably', () => {
  let hubProc: ChildProcess | null = null;
  afterAll(async () => {
    if (hubProc && hubProc.exitCode === null && hubProc.signalCode === null) {
      hubProc.kill('SIGKILL');
      await exited(hubProc);
    }
  });

  async function startHub(port: number, killAt: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'hub', 'main.ts'), 'serve', '--database-url', url, '--listen', `127.0.0.1:${port}`], {
      cwd: ROOT,
      env: { ...process.env, HUB_KILL_AT: killAt },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('"hub.listening"')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`hub exited (${code}) before listening: ${err}`)));
    });
    return child;
  }

  it('an upload cut by the hub process dying after its 2nd chunk committed resumes at the hub\'s offset; a replayed chunk is refused; the hub checks the SHA-256: a wrong file is refused and not kept', async () => {
    const dir = deskDir('desk-u', '2号窗口');
    await enrolDesk(pool, JSON.parse(fs.readFileSync(cardFile(dir), 'utf8')), '李主任');
    unlockTestDataDir(dir); // its files are sealed under the folder's store key
    const files = new FileStore(path.join(dir, 'files'));
    const bytes = Buffer.concat([documentJpeg(900, 1200, { seed: 41 }), Buffer.alloc(200_000, 7)]);
    const f = { sha256: files.put(bytes), size: bytes.length, mime: 'image/jpeg' };
    const CHUNK = 64 * 1024;
    const chunks = Math.ceil(f.size / CHUNK);
    expect(chunks).toBeGreaterThan(3);
    const hubPort = await freePort();
    const target = TargetConfig.parse({ ...hubTarget(), baseUrl: `http://127.0.0.1:${hubPort}` }) as HubTargetConfig;
    const hub = new HubConnector(target, dir, 16, TEST_REQUEST_TIMEOUT_MS, () => new Date(), files);

    // The hub SIGKILLs itself right after committing the 2nd chunk: the desk never gets that answer.
    hubProc = await startHub(hubPort, 'chunk:2');
    const cut = await uploadCaseFiles(hub, [f], CHUNK).then(
      () => null,
      (e: unknown) => e,
    );
    expect(cut).toBeInstanceOf(ConnectorFailure);
    await exited(hubProc);
    expect(hubProc.signalCode).toBe('SIGKILL');
    expect((await pool.query('SELECT received, completed_at FROM hub_files WHERE sha256 = $1', [f.sha256])).rows).toEqual([{ received: String(2 * CHUNK), completed_at: null }]);

    // Restarted: the desk asks, and sends only from the hub's offset on.
    hubProc = await startHub(hubPort, '');
    const resumed = await uploadCaseFiles(hub, [f], CHUNK);
    expect(resumed).toEqual({ files: 1, bytes: f.size - 2 * CHUNK, startedAt: { [f.sha256]: 2 * CHUNK } });
    const rows = (await pool.query<{ off: string; len: number }>('SELECT off, length(data) AS len FROM hub_file_chunks WHERE sha256 = $1 ORDER BY off', [f.sha256])).rows;
    expect(rows.map((r) => Number(r.off))).toEqual(Array.from({ length: chunks }, (_, i) => i * CHUNK));
    expect(rows.reduce((s, r) => s + r.len, 0)).toBe(f.size);
    expect((await pool.query('SELECT completed_at IS NOT NULL AS complete FROM hub_files WHERE sha256 = $1', [f.sha256])).rows).toEqual([{ complete: true }]);
    // Held: asked again, nothing is sent.
    expect(await uploadCaseFiles(hub, [f], CHUNK)).toEqual({ files: 0, bytes: 0, startedAt: {} });
    // A desk that succeeds no one reads no one's cases.
    expect((await hub.request('GET', '/v1/successor/cases?after=&limit=10')).json).toEqual({ predecessor: null, items: [], next: '', more: false });
    // Read back in chunks, byte for byte.
    expect((await downloadFile(hub, f, 50_000)).equals(bytes)).toBe(true);

    // A chunk request replayed as sent: refused (REPLAY), nothing appended.
    const part = Buffer.from('replayed chunk');
    const whole = Buffer.concat([part, part]);
    const chunkPath = `/v1/files/${sha(whole)}?offset=0&size=${whole.length}&mime=image%2Fjpeg`;
    const keys = loadDeskKeys(dir);
    const headers = signRequest({ deskId: keys.card.deskId, signAlg: keys.card.signAlg, signKey: keys.signKey }, 'PUT', chunkPath, part, new Date(), 16);
    const send = () => fetch(`http://127.0.0.1:${hubPort}${chunkPath}`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: new Uint8Array(part) });
    expect((await send()).status).toBe(201);
    const replay = await send();
    expect([replay.status, ((await replay.json()) as { error: { code: string } }).error.code]).toEqual([409, 'REPLAY']);
    expect((await pool.query('SELECT count(*)::int AS n, sum(length(data))::int AS bytes FROM hub_file_chunks WHERE sha256 = $1', [sha(whole)])).rows).toEqual([{ n: 1, bytes: part.length }]);

    // A file damaged on the desk is never sent: the entry is parked with the reason.
    const damaged = Buffer.from(withComment(documentJpeg(64, 64, { seed: 42 }), 'damaged'));
    const dRef = { sha256: files.put(damaged), size: damaged.length, mime: 'image/jpeg' };
    fs.writeFileSync(files.pathOf(dRef.sha256), Buffer.alloc(damaged.length, 1));
    const refused = await uploadCaseFiles(hub, [dRef]).then(
      () => null,
      (e: unknown) => e,
    );
    expect((refused as ConnectorFailure).failure).toEqual({ kind: 'rejected', status: 0, field: null, message: `本机文件 ${dRef.sha256} 缺失或已损坏，无法上传到全厅中心。` });
    expect((await pool.query('SELECT count(*)::int AS n FROM hub_files WHERE sha256 = $1', [dRef.sha256])).rows).toEqual([{ n: 0 }]);

    // Bytes that do not hash to the name they are sent under: refused at the last byte, nothing kept.
    const liar = { sha256: sha(Buffer.from('something else')), size: 10, mime: 'image/jpeg' };
    const r = await hub.requestRaw('PUT', `/v1/files/${liar.sha256}?offset=0&size=10&mime=image%2Fjpeg`, { bytes: Buffer.from('0123456789'), type: 'application/octet-stream' });
    expect(r.status).toBe(422);
    expect(JSON.parse(r.raw.toString()).error.code).toBe('HASH_MISMATCH');
    expect((await pool.query('SELECT received FROM hub_files WHERE sha256 = $1', [liar.sha256])).rows).toEqual([]);
    expect((await pool.query('SELECT count(*)::int AS n FROM hub_file_chunks WHERE sha256 = $1', [liar.sha256])).rows).toEqual([{ n: 0 }]);
  }, 120_000);
});
