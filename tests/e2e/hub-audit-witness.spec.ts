import path from 'node:path';
import { createHash } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { openAs, startHub, type E2eHub } from './support/hub';
import { openTestStore } from '../helpers/store';

// 审计见证 on 全厅中心 as the supervisor uses it: every desk of the hall with what the hub witnessed of
// its audit log; 核验 of a desk says 一致, and after someone edited that desk's audit log with the desk
// stopped and recomputed the chain, 核验 names the first entry that no longer matches what the hub
// witnessed. Real PostgreSQL (a throwaway cluster), the real hub, two real browser hosts.

let hub: E2eHub;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  hub = await startHub({ timings: { pullMs: 300, heartbeatMs: 300 } });
});
test.afterAll(() => hub?.close());

interface Row {
  seq: number;
  at: string;
  actor_id: number | null;
  actor_username: string;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** Edits entry `seq` and recomputes the chain after it (the chain's published rule, written out here), with the triggers dropped. */
function editAndRecompute(dataDir: string, seq: number): void {
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'));
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
  rows[seq - 1]!.detail = '{"reason":"nothing happened"}';
  let prev = '0'.repeat(64);
  db.transaction(() => {
    db.prepare('DELETE FROM audit_log').run();
    const ins = db.prepare('INSERT INTO audit_log (seq, at, actor_id, actor_username, action, entity_type, entity_id, detail, prev_hash, hash) VALUES (@seq, @at, @actor_id, @actor_username, @action, @entity_type, @entity_id, @detail, @prev_hash, @hash)');
    for (const r of rows) {
      const hash = createHash('sha256').update(JSON.stringify([prev, r.seq, r.at, r.actor_id, r.actor_username, r.action, r.entity_type, r.entity_id, r.detail]), 'utf8').digest('hex');
      ins.run({ ...r, prev_hash: prev, hash });
      prev = hash;
    }
  })();
  db.close();
}

const localCount = (dataDir: string) => {
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;
  } finally {
    db.close();
  }
};

test('the supervisor sees every desk’s witnessed audit and verifies a desk: 一致, then 发现篡改 naming the first entry after its log was rewritten', async ({ browser }, info) => {
  test.setTimeout(240_000);
  const shot = async (p: Page, name: string) => {
    await p.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
    await p.screenshot({ path: path.join(info.outputDir, name) });
  };
  const sup = await hub.host('in-e2e0000011', '1号窗口（管理）', { supervisorDesk: true });
  const other = await hub.host('in-e2e0000012', '3号窗口');

  // Audited work at window 3: a clerk signs in there.
  await openAs(browser, other.host, 'zhangmin');

  const page = await openAs(browser, sup.host, 'admin');
  await page.getByRole('menuitem', { name: '全厅中心' }).click();
  const card = page.getByTestId('audit-witness');
  const row = card.getByTestId('witness-desk-in-e2e0000012');
  await expect(card.getByTestId('witness-desk-in-e2e0000011')).toContainText('本机');
  // Every entry of window 3 witnessed (what its own file holds, counted here), with its last checkpoint and when it last sent.
  let n = 0;
  await expect(async () => {
    n = localCount(other.dataDir);
    await card.getByRole('button', { name: /刷\s*新/ }).click();
    await expect(row.getByTestId('witness-entries')).toHaveText(`${n} 条`, { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(row.getByTestId('witness-checkpoint')).toContainText('记到第');
  await expect(row.getByTestId('witness-sent')).not.toHaveText('—');

  await row.getByTestId('witness-verify').click();
  await expect(row.getByTestId('witness-verdict')).toHaveText('一致');
  await expect(row.getByTestId('witness-message')).toContainText(`一致：全厅中心见证的 ${n} 条记录与`);
  await card.scrollIntoViewIfNeeded();
  await shot(page, 'hub-audit-witness-consistent.png');

  // Window 3 stopped; someone with its data folder edits entry 2 and recomputes the chain; it starts again.
  await other.host.kill();
  editAndRecompute(other.dataDir, 2);
  await hub.startHost(other.dataDir);

  await expect(async () => {
    await row.getByTestId('witness-verify').click();
    await expect(row.getByTestId('witness-verdict')).toHaveText('发现篡改', { timeout: 2000 });
  }).toPass({ timeout: 60_000 });
  await expect(row.getByTestId('witness-message')).toContainText('发现篡改：第 2 条起与全厅中心见证的记录不一致（工作台的第 2 条哈希与见证的不同');
  await card.scrollIntoViewIfNeeded();
  await shot(page, 'hub-audit-witness-tampered.png');

  // Each 核验 is in the hub's audit under the supervisor and the desk it worked from.
  const audit = (await hub.pool.query<{ actor: string; verdict: string }>(`SELECT actor, detail->>'verdict' AS verdict FROM hub_audit WHERE action = 'audit.verify' ORDER BY id`)).rows;
  expect(audit[0]).toEqual({ actor: '王建华（admin）@1号窗口（管理）（in-e2e0000011）', verdict: 'consistent' });
  expect(audit.at(-1)).toEqual({ actor: '王建华（admin）@1号窗口（管理）（in-e2e0000011）', verdict: 'tampered' });
});
