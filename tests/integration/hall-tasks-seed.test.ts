import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { signaturePng } from '../helpers/png';
import { dbFile, FAST_SENDER, waitFor, writeConfig } from '../helpers/sync-desks';
import { freePort } from '../../hub/cluster';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import { hubFingerprint } from '../../electron/services/hub/hub-protocol';
import { openTestStore } from '../helpers/store';

/**
 * A desk with verification tasks from before it had a hub (docs/hub.md, "Verification tasks across
 * the hall"): once a hub target is configured, every task is queued for it once — in batches of 500
 * by id, one audited write per sender tick — even while the hub is not reachable yet.
 */

const SIG = signaturePng().toString('base64');
let D: TestDesk | null = null;

afterAll(async () => {
  await D?.app.stopSync().catch(() => undefined);
  D?.app.close();
});

describe('tasks from before the hub', () => {
  it('1,201 tasks are queued once each for the new hub target, in three batches, while the hub is unreachable', async () => {
    const dataDir = tempDir('hall-tasks-seed-');
    createDeskKeys(dataDir, { deskId: 'desk-s', name: '七号窗口', zone: 'intranet', signAlg: 'ed25519' });
    writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [] });
    D = await testDesk({ dataDir });
    const clerk = (await D.signIn('zhangmin')).token;
    const admin = (await D.signIn('admin')).token;
    const item = (await D.call('catalog.listServiceItems', {}, clerk)).find((i) => i.name === '托育机构备案')!;
    const applicant = (await D.call('applicants.list', { query: '王芳', limit: 5 }, clerk)).find((a) => a.name === '王芳')!;
    const v = await D.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
    const c = v.certificates.find((x) => x.name === '无犯罪记录证明')!;
    await D.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, clerk);
    await D.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, clerk);
    expect((await D.call('verification.board', { states: ['unassigned'] }, admin)).total).toBe(1);
    await D.app.stopSync();
    D.app.close();
    D = null;

    // 1,200 more tasks on the same commitment, written straight into the closed store (as years of work would leave them).
    const db = openTestStore(dbFile(dataDir));
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
             INSERT INTO verification_tasks (commitment_id, method, sampled, due_at, status, created_at)
             SELECT t.commitment_id, t.method, 1, t.due_at, 'passed', t.created_at FROM n, (SELECT * FROM verification_tasks ORDER BY id LIMIT 1) t`);
    db.exec('DELETE FROM hall_task_dirty');
    const ids = (db.prepare('SELECT id FROM verification_tasks ORDER BY id').pluck().all() as number[]).map((id) => `desk-s:${id}`);
    db.close();
    expect(ids).toHaveLength(1201);

    // A hub target (nobody listens at its address): the tasks are queued all the same, to wait in the outbox.
    const key = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const port = await freePort();
    writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [{ id: 'hub', name: '全厅中心', kind: 'hub', baseUrl: `http://127.0.0.1:${port}`, hub: { hubId: randomUUID(), signPub: key, fingerprint: hubFingerprint({ signPub: key }) } }] });
    D = await testDesk({ dataDir });
    const read = <T,>(sql: string) => {
      const r = openTestStore(dbFile(dataDir), { readonly: true });
      try {
        return r.prepare(sql).all() as T[];
      } finally {
        r.close();
      }
    };
    await waitFor('seeded', async () => (read<{ value: string }>(`SELECT value FROM sync_meta WHERE key = 'hall_tasks_seeded:hub'`)[0]?.value === 'done') || null);
    const queued = read<{ record_id: string }>(`SELECT record_id FROM hall_record_outbox WHERE target_id = 'hub' AND kind = 'verification_task' ORDER BY id`).map((r) => r.record_id);
    expect(queued).toHaveLength(1201);
    expect([...queued].sort()).toEqual([...ids].sort());
    const batches = read<{ detail: string }>(`SELECT detail FROM audit_log WHERE action = 'hub.tasksSeeded' ORDER BY seq`).map((r) => JSON.parse(r.detail) as { tasks: number; done: boolean });
    expect(batches.map((b) => [b.tasks, b.done])).toEqual([[500, false], [500, false], [201, true]]);
  });
});
