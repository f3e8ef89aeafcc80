/**
 * Transfer bundles between an intranet and an extranet desk: a round trip with pages,
 * the outbox entry queued on the far side under the same key, the target's case number coming
 * back; the bundle imported ten times changes nothing after the first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { exportBundle } from '../../electron/services/transfer/export-bundle';
import { importBundle } from '../../electron/services/transfer/import-bundle';
import { ACTOR, caseWithPages, contentDigest, manifestIn, pairOfDesks, type Side } from './transfer-support';

let open: Side[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

describe('transfer bundles', () => {
  it('carries a case with its pages across, queues it there under the same key, and brings the target case number back', async () => {
    const { a, b } = await pairOfDesks();
    open.push(a, b);
    const c = await caseWithPages(a, 3);
    const entryA = a.ctx.db.prepare(`SELECT * FROM outbox_entries WHERE case_id = ? AND target_id = 'prov'`).get(c.id) as { id: number; idempotency_key: string; state: string };
    expect(entryA.state).toBe('pending');

    const out1 = tempDir('bundle-');
    const x = await exportBundle(a.ctx, ACTOR, { outDir: out1, chunkBytes: 8 * 1024 });
    expect(x.counts.entries).toBe(1);
    expect(x.counts.files).toBeGreaterThanOrEqual(3);
    expect(x.parts).toBeGreaterThan(1);

    const r = await importBundle(b.ctx, ACTOR, manifestIn(out1));
    expect(r).toMatchObject({ status: 'applied', seq: 1, entriesNew: 1, entriesKnown: 0 });
    const entryB = b.ctx.db.prepare(`SELECT * FROM outbox_entries WHERE idempotency_key = ?`).get(entryA.idempotency_key) as { id: number; case_id: number; state: string; document: string };
    expect(entryB.state).toBe('pending');
    const mirrored = b.ctx.db.prepare('SELECT c.case_no, t.origin_case_no FROM cases c JOIN transfer_cases t ON t.case_id = c.id WHERE c.id = ?').get(entryB.case_id) as { case_no: string; origin_case_no: string };
    expect(mirrored.origin_case_no).toBe(c.caseNo);
    const pages = b.ctx.db.prepare(`SELECT sha256 FROM transfer_case_files WHERE case_id = ? AND kind = 'scan'`).pluck().all(entryB.case_id) as string[];
    expect(pages).toHaveLength(3);
    for (const sha of pages) expect(b.ctx.files.get(sha).length).toBeGreaterThan(0);

    // Imported again, ten times: nothing changes (not even the audit log).
    const after1 = contentDigest(b.ctx.db);
    for (let i = 0; i < 10; i++) expect((await importBundle(b.ctx, ACTOR, manifestIn(out1))).status).toBe('already');
    expect(contentDigest(b.ctx.db)).toBe(after1);

    // The extranet desk's sender delivers it: the target's case number goes back in the next bundle.
    b.ctx.db.prepare(`UPDATE outbox_entries SET state = 'acknowledged', target_case_no = 'SJ-2026-0001', acknowledged_at = ? WHERE id = ?`).run(new Date().toISOString(), entryB.id);
    const out2 = tempDir('bundle-');
    const back = await exportBundle(b.ctx, ACTOR, { outDir: out2 });
    expect(back.counts).toMatchObject({ entries: 0, acks: 1 });
    expect(await importBundle(a.ctx, ACTOR, manifestIn(out2))).toMatchObject({ status: 'applied', acks: 1 });
    const closed = a.ctx.db.prepare('SELECT state, target_case_no FROM outbox_entries WHERE id = ?').get(entryA.id);
    expect(closed).toEqual({ state: 'acknowledged', target_case_no: 'SJ-2026-0001' });

    // Acknowledged: the next bundle from the intranet desk does not carry the entry again.
    const out3 = tempDir('bundle-');
    expect((await exportBundle(a.ctx, ACTOR, { outDir: out3 })).counts.entries).toBe(0);
    expect(fs.readdirSync(path.join(b.dataDir, 'transfer', 'staging'))).toEqual([]);
  }, 180_000); // two desks with scanned pages: a bound for a loaded machine, not a speed measure
});
