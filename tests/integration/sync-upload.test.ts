/**
 * A case with a 200 MB scan (generated here, in a temp dir) goes to a target in resumable
 * chunks; the upload is cut five times at different points, resumes each time from the last
 * whole chunk the target holds, and arrives with the right hash — while twenty small cases
 * accepted after it go through the other lane without waiting for it.
 */
import { randomBytes, createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { afterAll, describe, expect, it } from 'vitest';
import { desksClosedAfterEach } from '../helpers/desk-cleanup';
import { tempDir } from '../helpers/temp';
import { documentJpeg } from '../helpers/jpeg';
import { spawnVerticalSim, type SpawnedSim } from '../../sim/vertical-system';
import { FileStore } from '../../electron/services/files/file-store';
import { writeTx } from '../../electron/store/write';
import { acceptCase, applicantIdOf, dbFile, FAST_SENDER, httpTarget, plainItem, resolveQuick, waitWhileProgressing, writeConfig } from '../helpers/sync-desks';

const BIG = 200 * 1024 * 1024;
const CHUNK = 4 * 1024 * 1024;
const CUTS_AT = [0.15, 0.3, 0.45, 0.6, 0.75];

let sim: SpawnedSim | null = null;
const testDesk = desksClosedAfterEach();
afterAll(async () => {
  await sim?.kill();
});

describe('sync of large files', () => {
  it('a 200 MB scan, cut five times, resumes re-sending at most one chunk each time and arrives whole; small cases overtake it', async () => {
    sim = await spawnVerticalSim({
      dataDir: tempDir('sim-upload-'),
      targets: [{ id: 'files', name: '模拟files', port: 0, token: 'tok-files', honourIdempotency: true, chunkSize: CHUNK }],
    });
    const dataDir = tempDir('desk-sync-upload-');
    writeConfig(dataDir, {
      version: 1,
      // The tests' generous request timeout (FAST_SENDER's): an upload attempt here ends only at a cut,
      // never because a 4 MB chunk took long on a loaded machine — the count of attempts below is the cuts'.
      sender: { ...FAST_SENDER, chunkBytes: CHUNK, largeFileBytes: 8 * 1024 * 1024 },
      targets: [httpTarget('files', sim.targets.files!, 'key', { concurrency: 4 })],
    });
    const d = await testDesk({ dataDir });
    const token = (await d.signIn('zhangmin')).token;
    const item = await plainItem(d, token);
    const applicant = await applicantIdOf(d, token);

    // The big case: a scanned document on the case with a real small page and a 200 MB one.
    const bigCase = await d.call('intake.start', { applicantId: applicant, serviceItemIds: [item.id] }, token);
    const doc = await d.call('scans.createDocument', { caseId: bigCase.id, kind: 'certificate', title: '不动产登记档案扫描件' }, token);
    const small = documentJpeg(800, 600, { seed: 3 });
    await d.call(
      'scans.addPage',
      {
        documentId: doc.id,
        page: { mime: 'image/jpeg', base64: small.toString('base64') },
        width: 800,
        height: 600,
        mode: 'color',
        capture: { deviceLabel: 'USB Document Camera', adapter: 'uvc', resolution: { width: 800, height: 600 }, rotation: 0, trigger: 'manual', blank: false },
      },
      token,
    );
    const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(BIG - 4)]);
    const bigSha = createHash('sha256').update(big).digest('hex');
    const files = new FileStore(path.join(dataDir, 'files'));
    expect(files.put(big)).toBe(bigSha);
    const side = openTestStore(dbFile(dataDir));
    side.pragma('busy_timeout = 5000');
    writeTx(side, { userId: null, username: 'test' }, () => new Date(), (w) => {
      files.record(w.db, bigSha, BIG, 'image/jpeg', w.at);
      w.db
        .prepare(
          `INSERT INTO scan_pages (document_id, position, file_sha256, width, height, mime, mode, capture, created_at, created_by)
           VALUES (?, 1, ?, 9921, 14031, 'image/jpeg', 'color', '{}', ?, 2)`,
        )
        .run(doc.id, bigSha, w.at.toISOString());
      w.audit({ action: 'test.bigPage', entityType: 'scan_document', entityId: doc.id, detail: { sha256: bigSha, size: BIG } });
    });
    side.close();
    await resolveQuick(d, token, bigCase.id);
    await d.call('intake.transition', { caseId: bigCase.id, to: 'accepted' }, token);

    // Twenty small cases behind it.
    const smallCases = [];
    for (let i = 0; i < 20; i++) smallCases.push(await acceptCase(d, token, applicant, item.id));

    // Watch the upload; cut it at five points.
    const ro = openTestStore(dbFile(dataDir), { readonly: true });
    const progress = ro.prepare(`SELECT sent_bytes FROM outbox_files WHERE sha256 = ?`).pluck();
    const smallOpen = ro.prepare(`SELECT COUNT(*) FROM outbox_entries e JOIN cases c ON c.id = e.case_id WHERE e.target_id = 'files' AND e.case_id <> ? AND e.state <> 'acknowledged'`).pluck();
    const bigState = ro.prepare(`SELECT state FROM outbox_entries WHERE case_id = ? AND target_id = 'files'`).pluck();
    let cut = 0;
    let bigSentWhenSmallDone: number | null = null;
    await waitWhileProgressing(
      'the big case acknowledged',
      async () => {
        const sent = Number(progress.get(bigSha) ?? 0);
        if (cut < CUTS_AT.length && sent >= CUTS_AT[cut]! * BIG) {
          await sim!.setFaults('files', { cutUploadAfterBytes: CHUNK / 2, cutUploadTimes: 1 });
          cut++;
        }
        if (bigSentWhenSmallDone === null && Number(smallOpen.get(bigCase.id)) === 0) bigSentWhenSmallDone = sent;
        return bigState.get(bigCase.id) === 'acknowledged';
      },
      () => `${Number(progress.get(bigSha) ?? 0)} bytes, ${Number(smallOpen.get(bigCase.id))} small open`,
      // Before its first chunk the sender reads and checks the whole 200 MB file (no progress shows): minutes at load 20.
      180_000,
      10,
    );
    ro.close();
    await d.app.stopSync();

    expect(cut).toBe(5);
    const stats = await sim.stats('files');
    expect(stats.uploadsCut).toBe(5);
    // Right hash: the target checked the bytes against the declared SHA-256 at completion, and the case refers to it.
    const stored = await sim.cases('files');
    const bigStored = stored.find((c) => c.externalRef === bigCase.caseNo)!;
    expect((bigStored.payload.files as { sha256: string }[]).map((f) => f.sha256)).toContain(bigSha);
    // One `sync.upload` line per upload attempt of the big file, saying why it ended (read from the
    // log file: the in-memory ring keeps only the last 500 lines).
    const attempts = fs
      .readFileSync(path.join(dataDir, 'logs', 'desk.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"event":"sync.upload"'))
      .map((l) => JSON.parse(l) as { sha256: string; from: number; to: number; bytesPut: number; ended: string; request?: string; afterMs?: number; code?: string; status?: number })
      .filter((e) => e.sha256 === bigSha);
    const byReason: Record<string, number> = {};
    for (const a of attempts) {
      const why = a.request ? `${a.ended} (${a.request})` : a.ended;
      byReason[why] = (byReason[why] ?? 0) + 1;
    }
    console.log(`200 MB upload: ${attempts.length} attempts; why each ended: ${JSON.stringify(byReason)}`);
    for (const a of attempts.filter((x) => x.ended !== 'completed')) console.log(`  ${a.from}..${a.to} ${a.ended} ${a.request ?? ''} after ${a.afterMs ?? '-'} ms ${a.code ?? a.status ?? ''}`);
    // Every attempt ended either at one of the five cuts (the connection reset mid-chunk by the
    // target) or by completing — the last one. Nothing the fault does not explain: no timeout, no lost lease.
    expect(byReason).toEqual({ 'connection_reset (putChunk)': 5, completed: 1 });
    expect(attempts[attempts.length - 1]!.ended).toBe('completed');
    // Resumed from the last whole chunk each time: what went on the wire is the file plus at most one chunk per cut.
    const onWire = attempts.reduce((s, a) => s + a.bytesPut, 0);
    expect(onWire - BIG).toBeLessThanOrEqual(CUTS_AT.length * CHUNK);
    for (let i = 1; i < attempts.length; i++) {
      expect(attempts[i]!.from).toBeGreaterThanOrEqual(attempts[i - 1]!.to - CHUNK);
      expect(attempts[i]!.from % CHUNK).toBe(0);
    }
    console.log(`200 MB upload: ${(onWire / 1048576).toFixed(1)} MiB on the wire (${((onWire - BIG) / 1048576).toFixed(1)} MiB re-sent)`);
    // Small cases were not held up: all acknowledged while the big file was still on its way.
    expect(bigSentWhenSmallDone).not.toBeNull();
    expect(bigSentWhenSmallDone!).toBeLessThan(BIG);
    for (const c of smallCases) expect(stored.filter((s) => s.externalRef === c.caseNo)).toHaveLength(1);
    d.app.close();
  }, 900_000); // 200 MB through a simulator on loopback: a bound for a loaded machine, not a speed measure
});
